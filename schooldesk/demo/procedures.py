"""Demo procedures: each demo school's starting set, authorised by its ICT owner at the start of the
year, with a history: the SPOC's hours changed this term, an escalation change turned down, and a
password-reset change waiting for the owner. Written through the services, then dated back."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from schooldesk.procedures.models import Procedure, ProcedureVersion
from schooldesk.procedures.services import procedure_decide, procedure_propose, procedures_starter_create


def _date_back(version: ProcedureVersion, proposed, decided=None) -> None:
    ProcedureVersion.objects.filter(pk=version.pk).update(
        created_at=proposed, updated_at=decided or proposed, decided_at=decided if version.decided_at else None
    )


def procedures_demo(demo, *, now=None) -> None:
    now = now or timezone.now()
    start_of_year = now - timedelta(days=200)
    for key, school in demo.schools.items():
        spoc, owner = demo.people[key].by_role["spoc"], demo.people[key].by_role["owner"]
        for version in procedures_starter_create(school=school, by=spoc):
            version = procedure_decide(version=version, by=owner, authorise=True)
            _date_back(version, start_of_year, start_of_year + timedelta(days=2))
        procedures = {p.title: p for p in Procedure.objects.filter(school=school).select_related("current_version")}

        hours = procedures["The SPOC's hours and cover"]
        text = hours.current_version.body + (
            "\n\nIn the last week of each half-term the deputy also covers Friday "
            "afternoons, while the SPOC does the ICT stock check."
        )
        version = procedure_propose(
            procedure=hours,
            by=spoc,
            title=hours.title,
            body=text,
            note="Friday afternoon cover in the last week of each half-term.",
        )
        version = procedure_decide(version=version, by=owner, authorise=True)
        _date_back(version, now - timedelta(days=24), now - timedelta(days=21))

        escalation = procedures["Escalation: who does what, and when"]
        text = escalation.current_version.body.replace("The desk chases", "The technician chases")
        version = procedure_propose(
            procedure=escalation,
            by=spoc,
            title=escalation.title,
            body=text,
            note="Technicians chase their own escalations.",
        )
        version = procedure_decide(
            version=version,
            by=owner,
            authorise=False,
            reason="The desk owns every call to closure (FITS): keep chasing at the desk.",
        )
        _date_back(version, now - timedelta(days=40), now - timedelta(days=38))

        passwords = procedures["Password resets and locked accounts"]
        text = passwords.current_version.body + (
            "\n5. Staff can reset their own Microsoft 365 password once they "
            "have registered a mobile number for self-service reset."
        )
        version = procedure_propose(
            procedure=passwords,
            by=spoc,
            title=passwords.title,
            body=text,
            note="Self-service password reset for staff is now switched on.",
        )
        _date_back(version, now - timedelta(days=2))

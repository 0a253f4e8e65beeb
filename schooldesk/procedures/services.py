"""Changes to the service desk's procedures: the desk proposes, the ICT owner authorises, and the
authorised version becomes the current one. Every step is kept as the procedure's history."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from schooldesk.core.audit import audit_record
from schooldesk.core.concurrency import version_lock
from schooldesk.core.permissions import require
from schooldesk.core.templatetags.desk_format import duration
from schooldesk.procedures.choices import STARTER_PROCEDURES, VersionStatus
from schooldesk.procedures.models import Procedure, ProcedureVersion
from schooldesk.schools.choices import DEFAULT_SLA_TARGETS

ONE_PROPOSAL = "There is already a proposal waiting for the ICT owner: withdraw it or wait for the decision."


def _actor(by):
    return by if getattr(by, "is_authenticated", False) else None


def _version(procedure: Procedure, by, *, title: str, body: str, note: str) -> ProcedureVersion:
    if not title.strip():
        raise ValidationError({"title": _("Give the procedure a title.")})
    if not body.strip():
        raise ValidationError({"body": _("Write the procedure.")})
    if procedure.versions.filter(status=VersionStatus.PROPOSED).exists():
        raise ValidationError(ONE_PROPOSAL)
    number = (procedure.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    try:
        with transaction.atomic():
            return ProcedureVersion.objects.create(
                procedure=procedure,
                number=number,
                title=title.strip()[:200],
                body=body.strip(),
                change_note=note.strip()[:300],
                proposed_by=_actor(by),
            )
    except IntegrityError as exc:
        raise ValidationError(ONE_PROPOSAL) from exc


@transaction.atomic
def procedure_create(*, school, by, title: str, body: str, note: str = "", position: int = 100) -> ProcedureVersion:
    """Propose a new procedure: it is in force once the ICT owner authorises it."""
    require(by, "procedures.propose", school)
    if not title.strip():
        raise ValidationError({"title": _("Give the procedure a title.")})
    procedure = Procedure.objects.create(school=school, title=title.strip()[:200], position=position)
    version = _version(procedure, by, title=title, body=body, note=note or "New procedure.")
    audit_record(
        actor=by, school=school, action="propose", obj=procedure, summary=f"Procedure “{procedure.title}” proposed"
    )
    return version


@transaction.atomic
def procedure_propose(
    *, procedure: Procedure, by, title: str, body: str, note: str, version: int | None = None
) -> ProcedureVersion:
    """Propose a change to a procedure (one proposal at a time). `version`: the procedure's version the proposal was
    drawn from; refused if another text has been authorised since (the proposal would quietly undo it)."""
    require(by, "procedures.propose", procedure)
    procedure = version_lock(
        procedure,
        version,
        message=(
            "A new text of this procedure was authorised after you opened it, so your proposal was not saved: it "
            "would undo that change. What you typed is still below: compare it with the current text, then propose "
            "again."
        ),
    )
    if not note.strip():
        raise ValidationError({"note": _("Say what changes and why, for the ICT owner.")})
    current = procedure.current_version
    if current is not None and current.body == body.strip() and current.title == title.strip():
        raise ValidationError({"body": _("That is the current text: change something first.")})
    version = _version(procedure, by, title=title, body=body, note=note)
    audit_record(
        actor=by,
        school=procedure.school,
        action="propose",
        obj=procedure,
        summary=f"Procedure “{procedure.title}” v{version.number} proposed",
    )
    return version


@transaction.atomic
def procedure_decide(*, version: ProcedureVersion, by, authorise: bool, reason: str = "") -> ProcedureVersion:
    """The ICT owner authorises a proposal (it becomes the current version) or turns it down (say why)."""
    procedure = Procedure.objects.select_for_update().select_related("school").get(pk=version.procedure_id)
    require(by, "procedures.decide", procedure)
    version = ProcedureVersion.objects.select_for_update().get(pk=version.pk)
    if not version.is_proposed:
        raise ValidationError(
            _("Version %(number)s is %(status)s: it was decided already.")
            % {"number": version.number, "status": version.get_status_display().lower()}
        )
    if not authorise and not reason.strip():
        raise ValidationError({"reason": _("Say why it is not authorised, so the SPOC can change it.")})
    now = timezone.now()
    version.decided_by, version.decided_at, version.decision_reason = _actor(by), now, reason.strip()[:300]
    if authorise:
        old = procedure.current_version
        if old is not None:
            ProcedureVersion.objects.filter(pk=old.pk).update(status=VersionStatus.SUPERSEDED, updated_at=now)
        version.status = VersionStatus.CURRENT
        version.save()
        procedure.current_version, procedure.title = version, version.title
        procedure.version += 1  # a proposal drawn from the text before is now stale
        procedure.save(update_fields=["current_version", "title", "version", "updated_at"])
    else:
        version.status = VersionStatus.REJECTED
        version.save()
    audit_record(
        actor=by,
        school=procedure.school,
        action="authorise" if authorise else "reject",
        obj=procedure,
        summary=f"Procedure “{procedure.title}” v{version.number} {'authorised' if authorise else 'not authorised'}",
    )
    return version


@transaction.atomic
def procedure_withdraw(*, version: ProcedureVersion, by) -> ProcedureVersion:
    require(by, "procedures.propose", version.procedure)
    version = ProcedureVersion.objects.select_for_update().get(pk=version.pk)
    if not version.is_proposed:
        raise ValidationError(_("Only a proposal waiting for a decision can be withdrawn."))
    version.status = VersionStatus.WITHDRAWN
    version.save(update_fields=["status", "updated_at"])
    return version


def starter_text(school, body: str) -> str:
    """A starter procedure filled in with the school's own people, hours and SLA targets."""
    days = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
    spoc_days = sorted(school.spoc_weekdays)
    targets = school.sla_targets.get("P1") or DEFAULT_SLA_TARGETS["P1"]

    def minutes(n):
        return duration(int(n))

    # the texts are wrapped for the source: a line that starts no step, bullet or paragraph continues the last
    body = re.sub(r"(?<!\n)\n[ \t]*(?!\n|(?:\d+\.|-)[ \t])", " ", body)
    return body.format(
        school=school.name,
        spoc=school.spoc or "the SPOC",
        deputy=school.deputy or "the deputy SPOC",
        spoc_days=", ".join(days[d] for d in spoc_days) or "on school days",
        spoc_hours=f"{school.spoc_from:%H:%M} to {school.spoc_until:%H:%M}",
        deputy_hours=f"{school.deputy_from:%H:%M} to {school.deputy_until:%H:%M}",
        service_hours=f"{school.service_opens_at:%H:%M} to {school.service_closes_at:%H:%M}",
        desk_phone=school.desk_phone or "the school's main number",
        desk_email=school.desk_email or "the desk's email address",
        p1_respond=minutes(targets["respond"]),
        p1_resolve=minutes(targets["resolve"]),
    )


@transaction.atomic
def procedures_starter_create(*, school, by) -> list[ProcedureVersion]:
    """Propose the starting set of procedures, filled in with the school's details, for the owner to authorise.
    Procedures the school already has (by title) are left alone."""
    require(by, "procedures.propose", school)
    have = {t.lower() for t in Procedure.objects.filter(school=school).values_list("title", flat=True)}
    made = []
    for position, (title, body) in enumerate(STARTER_PROCEDURES, start=1):
        if title.lower() not in have:
            made.append(
                procedure_create(
                    school=school,
                    by=by,
                    title=title,
                    body=starter_text(school, body),
                    note="From the starting set.",
                    position=position * 10,
                )
            )
    return made

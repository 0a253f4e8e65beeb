"""Demo problems: a known error with its workaround (the Year 5 Wi-Fi at Oakfield), a problem under
investigation that is past its target, repeat printer calls waiting to be raised as a problem, and a
resolved and a closed problem at Riverside. Calls are logged and linked through the services."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from schooldesk.incidents.choices import IncidentStatus
from schooldesk.incidents.models import Category, Incident
from schooldesk.incidents.services import incident_create
from schooldesk.locations.models import Location
from schooldesk.problems.models import Problem, ProblemNote
from schooldesk.problems.services import (
    problem_close,
    problem_create,
    problem_known_error,
    problem_note_add,
    problem_resolve,
    problem_settings_save,
    problem_status_set,
)


def _calls(school, people, *, summaries, location, category, now, days_apart=1, device="", ended=False):
    """The calls a demo problem is about. A demo with its year of calls links its own (same category, that
    place first), so the generated year stays as it is; an empty demo gets calls logged by the desk over the
    last few school days."""
    if Incident.objects.filter(school=school).exists():
        unlinked = Incident.objects.filter(
            school=school, category=category, problem_links__isnull=True, is_restricted=False
        )
        if ended:  # a problem solved in the past: its calls ended long ago (the generated year is not changed)
            unlinked = unlinked.filter(status=IncidentStatus.CLOSED)
        here = list(unlinked.filter(location=location).order_by("-logged_at")[: len(summaries)])
        others = unlinked.exclude(pk__in=[c.pk for c in here]).order_by("-logged_at")
        return here + list(others[: len(summaries) - len(here)])
    calls = []
    for n, summary in enumerate(summaries):
        reporter = people.staff[n % len(people.staff)]
        calls.append(
            incident_create(
                school=school,
                location=location,
                summary=summary,
                by=people.by_role["spoc"],
                reported_by=reporter,
                channel="phone",
                category=category,
                impact="I2",
                urgency="U2",
                device=device,
                now=now - timedelta(days=days_apart * (len(summaries) - n), hours=2),
            )
        )
    return calls


def _date_back(problem: Problem, when) -> None:
    Problem.objects.filter(pk=problem.pk).update(created_at=when)
    ProblemNote.objects.filter(problem=problem, kind="raised").update(created_at=when)


def problems_demo(demo, *, now=None) -> dict[str, Problem]:
    """Returns the problems the change demo builds on, by name."""
    now = now or timezone.now()
    made = {}
    oak, oak_people = demo.schools["oakfield"], demo.people["oakfield"]
    roles = oak_people.by_role
    where = {loc.name: loc for loc in Location.objects.filter(school=oak)}
    kinds = {c.name: c for c in Category.objects.filter(school=oak)}
    problem_settings_save(school=oak, by=roles["spoc"], candidate_calls=3, candidate_days=5)

    wifi_calls = _calls(
        oak,
        oak_people,
        location=where["Year 5 classroom"],
        category=kinds["Wi-Fi"],
        now=now,
        summaries=[
            "Laptops keep dropping off the Wi-Fi in Year 5",
            "Year 5 Chromebooks lose Wi-Fi during the reading test",
            "Wi-Fi drops every few minutes in Year 5 again",
        ],
    )
    wifi = problem_create(
        school=oak,
        by=roles["technician"],
        title="Wi-Fi drops in the Year 5 classroom",
        symptoms="Devices in Year 5 lose the Wi-Fi every few minutes when more than 20 are in use.",
        priority="P2",
        category=kinds["Wi-Fi"],
        location=where["Year 5 classroom"],
        assigned_to=roles["technician"],
        due_on=(now + timedelta(days=21)).date(),
        incidents=wifi_calls,
    )
    _date_back(wifi, now - timedelta(days=9))
    problem_note_add(
        problem=wifi,
        by=roles["technician"],
        body="Theory: the single access point in Year 5 is overloaded; the next one is in the corridor.",
    )
    wifi = problem_known_error(
        problem=Problem.objects.get(pk=wifi.pk),
        by=roles["technician"],
        version=Problem.objects.get(pk=wifi.pk).version,
        root_cause="One old access point serves the whole classroom and the group room.",
        workaround="Use the Chromebooks in two groups of 15, or take half of the class to the "
        "library (its access point has spare capacity). Restarting the laptops does "
        "not help.",
        audience="reporter",
    )
    made["wifi"] = wifi

    hall_calls = _calls(
        oak,
        oak_people,
        location=where["Hall"],
        category=kinds["Interactive panel, projector and AV"],
        now=now,
        days_apart=4,
        summaries=["Hall projector loses the picture in assembly", "No picture from the hall projector again"],
    )
    hall = problem_create(
        school=oak,
        by=roles["spoc"],
        title="Hall projector loses its signal",
        priority="P3",
        symptoms="The picture goes blank for a few seconds, several times an assembly.",
        category=kinds["Interactive panel, projector and AV"],
        location=where["Hall"],
        assigned_to=roles["technician"],
        due_on=(now - timedelta(days=3)).date(),
        incidents=hall_calls,
    )
    _date_back(hall, now - timedelta(days=12))
    hall = problem_status_set(
        problem=hall,
        by=roles["technician"],
        version=hall.version,
        status="investigating",
        note="Testing with a new HDMI cable and the extender.",
    )
    problem_note_add(
        problem=hall,
        by=roles["technician"],
        body="New cable made no difference. Next: swap the HDMI extender behind the stage.",
    )
    made["hall"] = hall

    # Repeat printer calls nobody has raised as a problem yet: the candidates page shows them (a demo
    # with its year of calls has candidates of its own).
    _calls(
        oak,
        oak_people,
        location=where["School office"],
        category=kinds["Printing and copying"],
        now=now,
        summaries=[
            "Office printer jams on every second sheet",
            "Office printer jammed again",
            "Office printer shows paper jam but there is no paper in it",
        ],
        device="Office printer",
    )

    riv, riv_people = demo.schools["riverside"], demo.people["riverside"]
    riv_roles = riv_people.by_role
    where = {loc.name: loc for loc in Location.objects.filter(school=riv)}
    kinds = {c.name: c for c in Category.objects.filter(school=riv)}
    problem_settings_save(school=riv, by=riv_roles["spoc"], candidate_calls=4, candidate_days=5)
    slow = _calls(
        riv,
        riv_people,
        location=where["Room 21 (computing)"],
        category=kinds["Software"],
        now=now,
        ended=True,
        days_apart=2,
        summaries=["Room 21 PCs take ten minutes to log on", "Logons very slow in Room 21 first period"],
    )
    logons = problem_create(
        school=riv,
        by=riv_roles["technician"],
        title="Slow logons in Room 21",
        priority="P3",
        category=kinds["Software"],
        location=where["Room 21 (computing)"],
        assigned_to=riv_roles["technician"],
        incidents=slow,
    )
    _date_back(logons, now - timedelta(days=6))
    logons = problem_resolve(
        problem=logons,
        by=riv_roles["technician"],
        version=logons.version,
        root_cause="Roaming profiles of several GB were copied at every logon.",
        resolution="Folder redirection for Documents and Desktop; profiles trimmed.",
    )
    made["logons"] = logons
    toner = problem_create(
        school=riv,
        by=riv_roles["spoc"],
        title="Reprographics copier streaks",
        priority="P4",
        location=where["Reprographics"],
    )
    _date_back(toner, now - timedelta(days=60))
    toner = problem_resolve(
        problem=toner,
        by=riv_roles["spoc"],
        version=toner.version,
        resolve_calls=False,
        resolution="The supplier replaced the drum unit under the maintenance contract.",
    )
    made["toner"] = problem_close(problem=toner, by=riv_roles["spoc"], version=toner.version)
    return made

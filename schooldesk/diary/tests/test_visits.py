"""Technician visits: planned from the contract on the school's real calendar; calls forwarded to the
next visit gather on its sheet by location; the technician records the work through the call's services."""

from datetime import date, datetime, time

import pytest

from schooldesk.core.calendar import LONDON
from schooldesk.diary.models import DiaryEntry
from schooldesk.diary.services import contract_visits_plan
from schooldesk.incidents.models import Incident
from schooldesk.incidents.services import incident_assign, incident_triage
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.locations.models import Location
from schooldesk.schools.models import Closure, Term
from schooldesk.suppliers.tests.factories import make_contract

pytestmark = pytest.mark.django_db


@pytest.fixture
def calendar(cast):
    Term.objects.create(
        school=cast.school,
        name="Autumn 2026",
        starts_on=date(2026, 9, 1),
        ends_on=date(2026, 12, 18),
        half_term_starts_on=date(2026, 10, 26),
        half_term_ends_on=date(2026, 10, 30),
    )
    Term.objects.create(
        school=cast.school,
        name="Summer 2026",
        starts_on=date(2026, 4, 13),
        ends_on=date(2026, 7, 22),
        half_term_starts_on=date(2026, 5, 25),
        half_term_ends_on=date(2026, 5, 29),
    )
    Closure.objects.create(school=cast.school, name="INSET day", starts_on=date(2026, 9, 1), ends_on=date(2026, 9, 1))
    return cast


def visit_days(contract, school) -> list[date]:
    return [e.local_date for e in DiaryEntry.objects.filter(contract=contract, school=school, kind="visit")]


def test_weekly_term_time_visits_skip_inset_days_and_half_term(calendar):
    contract = make_contract(
        calendar,
        visit_weekday=1,
        visit_starts_at=time(8, 30),
        visit_ends_at=time(12),
        visit_technician=calendar.technician,
        today=date(2026, 9, 1),
    )
    assert visit_days(contract, calendar.school) == [
        date(2026, 9, 8),
        date(2026, 9, 15),
        date(2026, 9, 22),
        date(2026, 9, 29),
        date(2026, 10, 6),
        date(2026, 10, 13),
        date(2026, 10, 20),
        date(2026, 11, 3),
        date(2026, 11, 10),
        date(2026, 11, 17),
        date(2026, 11, 24),
    ]  # not 01/09 (INSET) nor 27/10 (half-term)
    visit = DiaryEntry.objects.get(contract=contract, starts_at__date=date(2026, 11, 24))
    assert (visit.starts_at, visit.ends_at, visit.person) == (
        datetime(2026, 11, 24, 8, 30, tzinfo=LONDON),
        datetime(2026, 11, 24, 12, tzinfo=LONDON),
        calendar.technician,
    )


def test_fortnightly_monday_visits_skip_bank_holidays_and_replanning_keeps_worked_visits(calendar):
    contract = make_contract(
        calendar,
        starts_on=date(2026, 4, 13),
        visit_weekday=0,
        visit_every_weeks=2,
        visit_starts_at=time(13),
        visit_ends_at=time(15),
        today=date(2026, 4, 13),
    )
    # 13/04, 27/04, (11/05), 25/05 is the spring bank holiday and half-term, 08/06, 22/06, 06/07
    assert visit_days(contract, calendar.school)[:6] == [
        date(2026, 4, 13),
        date(2026, 4, 27),
        date(2026, 5, 11),
        date(2026, 6, 8),
        date(2026, 6, 22),
        date(2026, 7, 6),
    ]
    worked = DiaryEntry.objects.get(contract=contract, starts_at__date=date(2026, 5, 11))
    worked.calls_worked.add(IncidentFactory(school=calendar.school, by=calendar.reporter))
    contract.visit_weekday = 2  # visits move to Wednesdays
    contract.save()
    contract_visits_plan(contract=contract, today=date(2026, 4, 14))
    days = visit_days(contract, calendar.school)
    assert date(2026, 5, 11) in days and date(2026, 4, 27) not in days and date(2026, 4, 29) in days


def gather(cast, summary, location, availability):
    incident = IncidentFactory(
        school=cast.school, by=cast.reporter, summary=summary, location=location, reporter_availability=availability
    )
    incident = incident_triage(
        incident=incident, by=cast.spoc, version=incident.version, category=None, impact="I3", urgency="U3"
    )
    return incident_assign(incident=incident, by=cast.spoc, version=incident.version, next_visit=True)


@pytest.fixture
def sheet(cast):
    visit = DiaryEntry.objects.create(
        school=cast.school,
        kind="visit",
        title="Technician visit",
        person=cast.technician,
        starts_at=datetime(2026, 12, 1, 8, 30, tzinfo=LONDON),
        ends_at=datetime(2026, 12, 1, 12, tzinfo=LONDON),
    )
    library, hall = (Location.objects.get(school=cast.school, name=n) for n in ("Library", "Hall"))
    calls = [
        gather(cast, "Library PC 3 will not start", library, "Library, all morning"),
        gather(cast, "Hall projector flickers", hall, "Hall, after assembly (9:30)"),
        gather(cast, "Library printer jams", library, "Mrs Brown, Room 4, break time"),
    ]
    IncidentFactory(school=cast.school, by=cast.reporter, summary="Not for the visit")
    return visit, calls


def test_the_sheet_lists_the_gathered_calls_by_location_with_where_to_find_the_reporter(cast, sheet, login):
    visit, calls = sheet
    html = login(cast.technician).get(f"/diary/{visit.pk}/sheet/").content.decode()
    assert "3 calls waiting for this visit" in html and "Not for the visit" not in html
    hall, library = html.index(">Hall <"), html.index(">Library <")
    assert (
        hall
        < html.index("Hall projector flickers")
        < library
        < html.index("Library PC 3")
        < html.index("Library printer jams")
    )
    assert "Hall, after assembly (9:30)" in html and "Mrs Brown, Room 4, break time" in html
    assert "@media print" in open("schooldesk/diary/static/diary/diary.css").read()
    assert login(cast.reporter).get(f"/diary/{visit.pk}/sheet/").status_code == 404


def test_the_technician_records_the_work_on_each_call_from_the_sheet(cast, sheet, login):
    visit, (pc, projector, printer) = sheet
    client = login(cast.technician)
    url = f"/diary/{visit.pk}/sheet/calls/{{}}/"
    response = client.post(
        url.format(pc.pk),
        {
            f"call{pc.pk}-outcome": "resolved",
            f"call{pc.pk}-notes": "Reseated the RAM",
            f"call{pc.pk}-minutes_spent": "20",
            f"call{pc.pk}-version": pc.version,
        },
    )
    assert response.status_code == 302 and response["Location"].endswith(f"/sheet/#call-{pc.pk}")
    pc.refresh_from_db()
    assert (pc.status, pc.resolution) == ("resolved", "Reseated the RAM")
    assert pc.updates.filter(kind="resolution", author=cast.technician, minutes_spent=20).exists()
    client.post(
        url.format(projector.pk),
        {
            f"call{projector.pk}-outcome": "progress",
            f"call{projector.pk}-notes": "Lamp ordered",
            f"call{projector.pk}-tell_reporter": "on",
            f"call{projector.pk}-version": projector.version,
        },
    )
    projector.refresh_from_db()
    assert projector.status == "first_level" and projector.updates.filter(kind="reply", body="Lamp ordered").exists()
    assert set(visit.calls_worked.all()) == {pc, projector}
    html = client.get(f"/diary/{visit.pk}/sheet/").content.decode()
    assert "2 calls waiting" in html and "2 worked at this visit" in html and "Done at this visit" in html


def test_a_stale_sheet_keeps_what_was_typed(cast, sheet, login):
    visit, (pc, _, _) = sheet
    stale = pc.version
    incident_triage(incident=pc, by=cast.spoc, version=pc.version, category=None, impact="I2", urgency="U3")
    response = login(cast.technician).post(
        f"/diary/{visit.pk}/sheet/calls/{pc.pk}/",
        {f"call{pc.pk}-outcome": "resolved", f"call{pc.pk}-notes": "Swapped the PSU", f"call{pc.pk}-version": stale},
    )
    html = response.content.decode()
    assert response.status_code == 400 and "Someone else changed this call" in html and "Swapped the PSU" in html
    assert Incident.objects.get(pk=pc.pk).status == "first_level"
    empty = login(cast.technician).post(
        f"/diary/{visit.pk}/sheet/calls/{pc.pk}/",
        {f"call{pc.pk}-outcome": "resolved", f"call{pc.pk}-notes": "", f"call{pc.pk}-version": pc.version},
    )
    assert empty.status_code == 400 and not visit.calls_worked.exists()


def test_completing_the_visit(cast, sheet, login):
    visit, _ = sheet
    login(cast.technician).post(f"/diary/{visit.pk}/sheet/complete/")
    visit.refresh_from_db()
    assert visit.completed_at is not None

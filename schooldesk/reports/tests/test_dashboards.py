from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from schooldesk.accounts.models import Membership
from schooldesk.accounts.tests.factories import UserFactory
from schooldesk.conftest import make_cast
from schooldesk.core.calendar import LONDON
from schooldesk.diary.models import DiaryEntry
from schooldesk.diary.services import entry_save
from schooldesk.incidents.models import Incident
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.locations.models import Location
from schooldesk.reports.tests.factories import build_world

pytestmark = pytest.mark.django_db


def visit(cast, days_ahead=2):
    day = timezone.localdate() + timedelta(days=days_ahead)
    return entry_save(
        by=cast.spoc,
        entry=DiaryEntry(
            school=cast.school,
            kind="visit",
            title="Weekly technician visit",
            person=cast.technician,
            starts_at=datetime.combine(day, time(9), tzinfo=LONDON),
            ends_at=datetime.combine(day, time(12), tzinfo=LONDON),
        ),
    )


def test_the_desk_dashboard_shows_the_queue_breaches_suppliers_visits_contracts_and_payments(world, cast, login):
    fresh = IncidentFactory(school=cast.school, by=cast.reporter, summary="Fresh call about the hall speakers")
    waiting = world.calls["open"]
    Incident.objects.filter(pk=waiting.pk).update(
        status="waiting_supplier", supplier=cast.supplier, supplier_reference="SUP-42", escalated_at=timezone.now()
    )
    visit(cast)
    response = login(cast.spoc).get("/reports/dashboards/desk/")
    assert response.status_code == 200
    data, page = response.context["data"], response.content.decode()
    assert data["counts"]["new"] == 1 and [c.pk for c in data["new"]] == [fresh.pk]
    assert data["counts"]["suppliers"] == 1 and "SUP-42" in page
    assert data["counts"]["at_risk"] == 0  # the only late call now waits on its supplier (clock paused)
    assert [v.title for v in data["visits"]] == ["Weekly technician visit"]
    assert data["contracts"]["count"] == 1 and "Technical support" in page
    assert data["payment_counts"]["due"] == 1 and "Kit £700" in page
    assert "Fresh call about the hall speakers" in page


def test_the_technician_sees_their_calls_by_location_and_their_visits(cast, login):
    hall = Location.objects.get(school=cast.school, name="Hall")
    library = Location.objects.get(school=cast.school, name="Library")
    for location, n in ((hall, 2), (library, 1)):
        for i in range(n):
            call = IncidentFactory(school=cast.school, by=cast.reporter, location=location, summary=f"{location} {i}")
            Incident.objects.filter(pk=call.pk).update(assigned_to=cast.technician, status="first_level")
    IncidentFactory(school=cast.school, by=cast.reporter, summary="Someone else's call")
    visit(cast)
    response = login(cast.technician).get("/reports/dashboards/technician/")
    data = response.context["data"]
    assert [(p["location__name"], p["n"], len(p["calls"])) for p in data["locations"]] == [
        ("Hall", 2, 2),
        ("Library", 1, 1),
    ]
    assert data["total"] == 3 and "Someone else's call" not in response.content.decode()
    assert [v.gathered for v in data["visits"]] == [0]


def test_the_owner_dashboard(world, cast, login):
    response = login(cast.owner).get("/reports/dashboards/owner/")
    data, page = response.context["data"], response.content.decode()
    assert data["term"] == "This term"
    assert (data["levels"]["calls"], data["levels"]["response_rate"], data["levels"]["resolve_rate"]) == (5, 75.0, 66.7)
    assert data["progress"]["counts"]["problems"] == 2
    assert data["budget"]["totals"]["over"] and "Spend this financial year against budget" in page
    assert data["contracts"]["count"] == 1


def test_the_governors_see_the_service_at_a_glance(world, cast, login):
    response = login(cast.viewer).get("/reports/dashboards/governors/")
    data, page = response.context["data"], response.content.decode()
    assert data["levels"]["calls"] == 5 and data["levels"]["major"] == 1 and data["levels"]["restricted"] == 1
    assert data["problems"] == {"open": 2, "known_errors": 1, "solved": 1}
    assert data["changes"] == {"implemented": 1, "failed": 0}
    assert data["licences"]["under"] == 1 and data["contracts"] == {"count": 1, "undecided": 1}
    assert "There has been 1 critical (P1) incident this term." in page
    assert "1 software licence covers less than is in use (1 more needed)." in page
    assert "Over budget by £300" in page


def test_an_la_compares_its_schools(cast, login):
    build_world(cast)
    ash = make_cast("ash", organisation=cast.school.organisation)
    IncidentFactory(school=ash.school, by=ash.reporter)
    la = UserFactory(username="la-owner")
    Membership.objects.create(user=la, organisation=cast.school.organisation, role="owner")
    client = login(la)
    assert client.get("/reports/dashboards/")["Location"] == "/reports/dashboards/schools/"
    response = client.get("/reports/dashboards/schools/")
    rows = {r["school"].name: r for r in response.context["data"]["rows"]}
    assert rows["Oak Primary School"]["calls"] == 5 and rows["Ash Primary School"]["calls"] == 1
    assert rows["Oak Primary School"]["problems"] == 2 and rows["Oak Primary School"]["licences_short"] == 1
    assert response.context["data"]["totals"]["calls"] == 6
    assert 'data-chart="chart-schools-data"' in response.content.decode()


@pytest.mark.parametrize(
    "role,home", [("spoc", "desk"), ("owner", "owner"), ("technician", "technician"), ("viewer", "governors")]
)
def test_each_role_lands_on_its_dashboard(cast, login, role, home):
    response = login(getattr(cast, role)).get("/reports/dashboards/")
    assert response.status_code == 302 and response["Location"] == f"/reports/dashboards/{home}/"


@pytest.mark.parametrize(
    "role,kind",
    [
        ("reporter", "desk"),
        ("viewer", "desk"),
        ("technician", "owner"),
        ("spoc", "owner"),
        ("spoc", "schools"),
        ("provider", "technician"),
        ("dpo", "governors"),
    ],
)
def test_dashboards_outside_the_role_are_refused(cast, login, role, kind):
    assert login(getattr(cast, role)).get(f"/reports/dashboards/{kind}/").status_code == 403


def test_reporters_have_no_dashboard_and_home_links_the_others(cast, login):
    assert login(cast.reporter).get("/reports/dashboards/").status_code == 403
    assert "Open my dashboard" not in login(cast.reporter).get("/").content.decode()
    assert "Open my dashboard" in login(cast.viewer).get("/").content.decode()


def test_a_person_in_two_schools_can_look_at_one(world, cast, other, login):
    Membership.objects.create(user=cast.owner, school=other.school, role="owner")
    client = login(cast.owner)
    both = client.get("/reports/dashboards/owner/").context["data"]["levels"]["calls"]
    one = client.get("/reports/dashboards/owner/", {"school": other.school.pk}).context["data"]["levels"]["calls"]
    assert (both, one) == (10, 5)

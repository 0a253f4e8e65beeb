"""How reporters rated their calls (good / OK / poor), where the people who answer for the service read it:
the service report's tables and summary, the technician's and the supplier's scorecards, and the selector the
annual review uses (decision 0022)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from schooldesk.incidents.models import Incident
from schooldesk.incidents.selectors import satisfaction_summary
from schooldesk.reports.service_report import report_tables
from schooldesk.reports.tests.factories import at_noon, call_at
from schooldesk.reports.tests.test_service_report import report_for

pytestmark = pytest.mark.django_db


def test_the_service_report_counts_good_ok_and_poor(world, cast):
    report = report_for(cast.owner, world)
    tables = {t.key: t for section in report_tables(report).values() for t in section}
    assert tables["satisfaction"].rows == [["Good", 1, 33.3], ["OK", 1, 33.3], ["Poor", 1, 33.3]]
    assert tables["satisfaction"].note == "3 of the 3 people asked answered (100%)."
    assert any(
        "3 people rated how their calls were handled: 33% said good, 33% OK and 33% poor." in line
        for line in report["summary"]
    )
    tile = next(t for t in report["headlines"] if t["label"] == "of ratings good")
    assert tile["value"] == 33.3


def test_the_technicians_and_suppliers_scorecards_show_the_ratings(world, cast):
    Incident.objects.filter(pk__in=[world.calls["quick"].pk, world.calls["late"].pk]).update(
        assigned_to=cast.technician
    )
    report = report_for(cast.owner, world)
    tables = {t.key: t for section in report_tables(report).values() for t in section}
    name = f"{cast.technician.first_name} {cast.technician.last_name}".strip() or cast.technician.username
    # two calls, both fixed, one in time; one rated good, one poor
    assert tables["technicians"].rows == [[name, 2, 2, 50.0, 1, 0, 1, 50.0]]
    supplier = tables["suppliers"].rows[0]  # "major" was escalated to the supplier and rated OK
    assert supplier[0] == cast.supplier.name and supplier[-2:] == ["0 / 1 / 0", 0.0]


def test_the_supplier_contract_scorecard_counts_the_ratings(cast):
    from schooldesk.suppliers.selectors import supplier_performance

    today = timezone.localdate()
    for rating in ("good", "good", "poor", ""):
        call_at(
            cast,
            at_noon(today - timedelta(days=3)),
            satisfaction=rating,
            supplier=cast.supplier,
            escalated_at=at_noon(today - timedelta(days=3)),
        )
    figures = supplier_performance(user=cast.owner, supplier_id=cast.supplier.pk, contracts=[], today=today)
    row = figures["uncovered"]
    assert (row["calls"], row["good"], row["ok"], row["poor"]) == (4, 2, 0, 1)


def test_satisfaction_summary_for_the_annual_review(cast, other):
    today = timezone.localdate()
    for rating in ("good", "good", "good", "ok", "poor", ""):  # five answered of six asked
        call_at(cast, at_noon(today - timedelta(days=20)), satisfaction=rating)
    call_at(cast, at_noon(today - timedelta(days=400)), satisfaction="poor")  # the year before: not counted
    call_at(other, at_noon(today - timedelta(days=20)), satisfaction="poor")  # another school: not counted
    summary = satisfaction_summary(schools=[cast.school], start=today - timedelta(days=365), end=today)
    assert summary == {
        "asked": 6,
        "rated": 5,
        "good": 3,
        "ok": 1,
        "poor": 1,
        "good_share": 60.0,
        "ok_share": 20.0,
        "poor_share": 20.0,
        "answered_share": 83.3,
    }
    nothing = satisfaction_summary(schools=[cast.school.pk], start=today + timedelta(days=1), end=today)
    assert nothing["rated"] == 0 and nothing["good_share"] is None


def test_the_technicians_dashboard_shows_how_their_calls_were_rated(cast, login):
    today = timezone.localdate()
    for rating in ("good", "good", "poor", ""):
        call = call_at(cast, at_noon(today - timedelta(days=5)), satisfaction=rating)
        Incident.objects.filter(pk=call.pk).update(assigned_to=cast.technician)
    call_at(cast, at_noon(today - timedelta(days=5)), satisfaction="poor")  # someone else's call
    page = login(cast.technician).get("/reports/dashboards/technician/").content.decode()
    mine = page[page.index('id="my-ratings"') :]
    assert "Good 2 · OK 0 · poor 1" in mine and "3 of 4 reporters asked answered." in mine

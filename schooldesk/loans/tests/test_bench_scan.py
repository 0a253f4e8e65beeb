"""`make bench`'s hand-out scenarios (bench/loans.py) send what the scanning page sends, and each scan really hands
a device out to the next pupil of its class."""

import pytest

from bench import loans as bench_loans
from schooldesk.assets.models import Asset
from schooldesk.core.tests.pages import forms_in
from schooldesk.loans.models import Loan

pytestmark = pytest.mark.django_db


def test_the_bench_scan_is_the_pages_own_request_and_hands_a_device_out(cast, client):
    facts = bench_loans.seed(cast.school, scans=60)
    assert len(facts["scan_classes"]) == 2 and len(facts["scan_tags"]) == 60
    client.force_login(cast.spoc)
    page = client.get(bench_loans.page_path(facts))
    assert page.status_code == 200
    html = page.content.decode()
    assert f"Pupil01 Bench {facts['scan_classes'][0]}" in html and "0 of 30 handed out" in html
    scan_form = next(f for f in forms_in(html, "/loans/scan/") if f.id == "scan-form")
    path, body = bench_loans.scan_request(facts, 0, "token")
    assert path == scan_form.action
    assert {c.name for c in scan_form.controls} == set(body)  # the page's fields, no more and no fewer

    for k in (0, 1, 30):
        path, body = bench_loans.scan_request(facts, k, "token")
        response = client.post(path, body, headers={"HX-Request": "true"})
        assert response.status_code == 200
        assert "handed out to" in response.content.decode()
    lent = Loan.objects.open().select_related("pupil", "asset").order_by("pk")
    assert [(loan.asset.tag, loan.pupil.form) for loan in lent] == [
        (facts["scan_tags"][0], facts["scan_classes"][0]),
        (facts["scan_tags"][1], facts["scan_classes"][0]),
        (facts["scan_tags"][30], facts["scan_classes"][1]),
    ]

    again = bench_loans.seed(cast.school, scans=60)  # --reuse: a fresh batch, never the devices already out
    assert not set(again["scan_tags"]) & set(facts["scan_tags"])
    assert not set(again["scan_classes"]) & set(facts["scan_classes"])


def _scan_queries(client, facts, k) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    path, body = bench_loans.scan_request(facts, k, "token")
    with CaptureQueriesContext(connection) as captured:
        response = client.post(path, body, headers={"HX-Request": "true"})
    assert "handed out to" in response.content.decode()
    return len(captured)


def test_a_scan_costs_the_same_queries_whatever_the_class_or_the_register(cast, client):
    """One scan on the day: the same number of queries for a class of 30 as for the next, however many pupils the
    school has; the htmx answer reads none of the page's drop-downs (years, classes, schools)."""
    client.force_login(cast.spoc)
    facts = bench_loans.seed(cast.school, scans=30)
    _scan_queries(client, facts, 0)  # the first fills the caches every later scan finds
    small = _scan_queries(client, facts, 1)
    bigger = bench_loans.seed(cast.school, scans=90)  # three classes more, 60 more devices
    assert _scan_queries(client, bigger, 31) == small
    assert small == 19, small  # 23 before the answer stopped reading the drop-downs and the tag one query


def test_a_scanned_serial_number_finds_the_device_when_no_tag_matches(cast, client):
    facts = bench_loans.seed(cast.school, scans=30)
    asset = Asset.objects.get(school=cast.school, tag=facts["scan_tags"][0])
    Asset.objects.filter(pk=asset.pk).update(serial="SN-BENCH-0")
    client.force_login(cast.spoc)
    path, body = bench_loans.scan_request(facts, 0, "token")
    body["code"] = "sn-bench-0"
    said = client.post(path, body, headers={"HX-Request": "true"}).content.decode()
    assert f"{asset.tag} handed out to" in said

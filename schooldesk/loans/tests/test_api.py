"""Loans, pupils and charges in the API as a school's script meets them: a token and the documented endpoints
(docs/decisions/0025, "Loans")."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from schooldesk.assets.tests.factories import AssetFactory
from schooldesk.core.tests.test_api import token_client
from schooldesk.loans.charges import charge_raise
from schooldesk.loans.models import Loan
from schooldesk.loans.tests.factories import PupilFactory
from schooldesk.locations.models import Location

pytestmark = pytest.mark.django_db


def test_a_script_lends_a_device_to_a_pupil_reads_it_and_takes_it_back(cast, other):
    pupil = PupilFactory(school=cast.school, first_name="Amara", last_name="Okafor", form="7B")
    laptop = AssetFactory(school=cast.school, tag="CB-0101")
    room = Location.objects.create(school=cast.school, name="ICT store")
    api = token_client(cast.technician)
    due = (date.today() + timedelta(days=30)).isoformat()

    body = {"asset": laptop.pk, "pupil": pupil.pk, "due_on": due, "condition_out": "As new"}
    made = api.post("/api/v1/loans/", body, format="json", HTTP_IDEMPOTENCY_KEY="loan-cb-0101")
    assert made.status_code == 201, made.content
    retried = api.post("/api/v1/loans/", body, format="json", HTTP_IDEMPOTENCY_KEY="loan-cb-0101")
    assert retried.status_code == 201 and retried["Idempotent-Replayed"] == "true"
    assert retried.json()["id"] == made.json()["id"] and Loan.objects.filter(asset=laptop).count() == 1
    loan = made.json()
    assert (loan["asset_tag"], loan["borrower_name"], loan["due_on"]) == ("CB-0101", "Amara Okafor", due)
    assert loan["returned_on"] is None and loan["agreement"] is None and loan["photos"] == []
    assert api.get(f"/api/v1/assets/{laptop.pk}/").json()["status"] == "on_loan"
    assert [row["id"] for row in api.get("/api/v1/loans/", {"asset": laptop.pk}).json()["results"]] == [loan["id"]]
    assert loan["id"] in [r["id"] for r in api.get("/api/v1/loans/", {"returned_on__isnull": "true"}).json()["results"]]

    twice = api.post("/api/v1/loans/", {"asset": AssetFactory(school=cast.school).pk, "pupil": pupil.pk}, format="json")
    assert twice.status_code == 400 and set(twice.json()) == {"error"}, "a pupil has one device of the scheme"

    url = f"/api/v1/loans/{loan['id']}/"
    etag = api.get(url)["ETag"]
    assert etag == f'"v{Loan.objects.get(pk=loan["id"]).version}"'
    stale = api.post(url + "return/", {"status": "spare"}, format="json", HTTP_IF_MATCH='"v999"')
    assert stale.status_code == 412 and stale.json()["error"]["code"] == "precondition_failed"
    bad = api.post(url + "return/", {"status": "lost"}, format="json", HTTP_IF_MATCH=etag)
    assert bad.status_code == 400 and "status" in bad.json()["error"]["fields"], "the page's form's choices"
    back = api.post(
        url + "return/",
        {"status": "spare", "condition_in": "Scratched lid", "is_data_wiped": True, "location": room.pk},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert back.status_code == 200, back.content
    assert back.json()["returned_on"] == date.today().isoformat() and back.json()["is_data_wiped"] is True
    assert back["ETag"] != etag
    asset = api.get(f"/api/v1/assets/{laptop.pk}/").json()
    assert (asset["status"], asset["location"]) == ("spare", room.pk)
    again = api.post(url + "return/", {"status": "spare"}, format="json")
    assert again.status_code == 400 and "already returned" in again.json()["error"]["message"]

    elm = token_client(other.spoc)
    assert elm.get(url).status_code == 404
    assert elm.post(url + "return/", {"status": "spare"}, format="json").status_code == 404
    assert loan["id"] not in [row["id"] for row in elm.get("/api/v1/loans/").json()["results"]]
    assert elm.get(f"/api/v1/pupils/{pupil.pk}/").status_code == 404
    refused = elm.post("/api/v1/loans/", {"asset": laptop.pk, "pupil": pupil.pk}, format="json")
    assert refused.status_code == 400 and set(refused.json()["error"]["fields"]) >= {"asset", "pupil"}
    teacher = token_client(cast.reporter)
    assert teacher.get(url).status_code == 404 and teacher.get("/api/v1/loans/").json()["results"] == []
    assert teacher.get(f"/api/v1/pupils/{pupil.pk}/").status_code == 404


def test_a_staff_loan_made_through_the_register_is_read_as_a_loan(cast):
    """`assets/<id>/issue/` (the register's action) makes a Loan; the loans list shows it with its borrower."""
    laptop = AssetFactory(school=cast.school, tag="LT-0007")
    api = token_client(cast.spoc)
    due = (date.today() + timedelta(days=7)).isoformat()
    issued = api.post(
        f"/api/v1/assets/{laptop.pk}/issue/", {"person": cast.technician.pk, "loan_due_on": due}, format="json"
    )
    assert issued.status_code == 200, issued.content
    rows = api.get("/api/v1/loans/", {"person": cast.technician.pk}).json()["results"]
    assert [(row["asset"], row["pupil"], row["due_on"]) for row in rows] == [(laptop.pk, None, due)]
    overdue = api.get("/api/v1/loans/", {"due_on__lt": (date.today() + timedelta(days=8)).isoformat()}).json()
    assert [row["asset"] for row in overdue["results"]] == [laptop.pk]
    assert api.get("/api/v1/loans/", {"due_on__lt": date.today().isoformat()}).json()["results"] == []


def test_charges_are_read_by_the_desk_only_and_filtered_as_the_charges_page(cast, other):
    from schooldesk.loans.services import loan_issue

    pupil = PupilFactory(school=cast.school, first_name="Noah", last_name="Reid")
    loan = loan_issue(asset=AssetFactory(school=cast.school, tag="CB-0202"), pupil=pupil, by=cast.spoc)
    charge = charge_raise(loan=loan, by=cast.spoc, reason="damage", description="Cracked screen", amount=Decimal("40"))
    api = token_client(cast.owner)
    rows = api.get("/api/v1/loan-charges/", {"status": "proposed"}).json()["results"]
    assert [(r["reference"], r["amount"], r["borrower_name"]) for r in rows] == [
        (charge.reference, "40.00", "Noah Reid")
    ]
    assert api.get("/api/v1/loan-charges/", {"status": "paid"}).json()["results"] == []
    assert api.get("/api/v1/loan-charges/", {"q": charge.reference}).json()["results"][0]["id"] == charge.pk
    url = f"/api/v1/loan-charges/{charge.pk}/"
    assert api.get(url).status_code == 200
    for user in (cast.technician, cast.reporter, other.owner):  # the charges page lets none of them in
        assert token_client(user).get(url).status_code == 404, user
        assert token_client(user).get("/api/v1/loan-charges/").json()["results"] == [], user
    assert token_client(cast.technician).get(f"/api/v1/loans/{loan.pk}/").status_code == 200

"""Suppliers, contacts and contracts written through the API: the same services and forms as the pages, with
If-Match, a read-only token refused, another school's records 404, and an LA's shared supplier refused to a
school's desk (403, in the one error shape) (docs/decisions/0025)."""

import pytest

from schooldesk.accounts.models import Membership
from schooldesk.accounts.tests.factories import UserFactory
from schooldesk.core.models import AuditEntry
from schooldesk.core.tests.test_api import token_client
from schooldesk.schools.models import Organisation
from schooldesk.suppliers.models import Contact, Contract, Supplier

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(cast):
    """The LA's officer: a SPOC across all its schools, who changes its shared suppliers."""
    person = UserFactory(username="la-officer")
    Membership.objects.create(user=person, organisation=cast.school.organisation, role="spoc")
    return person


def test_an_officer_adds_and_changes_a_supplier_and_its_contacts_with_if_match(cast, other, officer):
    api = token_client(officer)
    made = api.post(
        "/api/v1/suppliers/", {"name": "Fibre Co", "kind": "broadband", "email": "noc@fibre.example"}, format="json"
    )
    assert made.status_code == 201, made.content
    supplier = made.json()
    assert supplier["organisation"] == cast.school.organisation_id and made["ETag"] == '"v1"'
    assert AuditEntry.objects.filter(object_type="supplier", object_id=str(supplier["id"]), action="create").exists()
    url = f"/api/v1/suppliers/{supplier['id']}/"
    stale = api.patch(url, {"phone": "01632 960000"}, format="json", HTTP_IF_MATCH='"v0"')
    assert stale.status_code == 412 and stale.json()["error"]["code"] == "precondition_failed"
    changed = api.patch(url, {"phone": "01632 960000"}, format="json", HTTP_IF_MATCH=made["ETag"])
    assert changed.status_code == 200, changed.content
    assert changed.json()["phone"] == "01632 960000" and changed.json()["name"] == "Fibre Co"
    assert changed["ETag"] == '"v2"'
    invalid = api.patch(url, {"email": "", "phone": "", "portal_url": ""}, format="json")
    assert invalid.status_code == 400 and invalid.json()["error"]["code"] == "invalid"
    assert "one way to escalate" in invalid.json()["error"]["message"]

    contact = api.post(
        "/api/v1/contacts/",
        {"supplier": supplier["id"], "name": "Ann Lee", "phone": "01632 960001", "escalation_level": 1},
        format="json",
    )
    assert contact.status_code == 201, contact.content
    curl = f"/api/v1/contacts/{contact.json()['id']}/"
    assert api.patch(curl, {"job_title": "NOC lead"}, format="json", HTTP_IF_MATCH='"v9"').status_code == 412
    renamed = api.patch(curl, {"job_title": "NOC lead"}, format="json", HTTP_IF_MATCH=contact["ETag"])
    assert renamed.status_code == 200 and renamed.json()["job_title"] == "NOC lead", renamed.content
    assert renamed.json()["name"] == "Ann Lee"

    elm = token_client(other.spoc)
    assert elm.patch(url, {"name": "Mine"}, format="json").status_code == 404
    assert elm.patch(curl, {"name": "Mine"}, format="json").status_code == 404
    assert elm.delete(curl).status_code == 404
    read_only = token_client(officer, "read")
    refused = read_only.patch(url, {"name": "Read"}, format="json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied"
    assert read_only.post("/api/v1/suppliers/", {"name": "X", "email": "x@x.example"}, format="json").status_code == 403
    assert read_only.delete(curl).status_code == 403
    assert api.delete(curl).status_code == 204
    assert not Contact.objects.filter(pk=contact.json()["id"]).exists()
    assert Supplier.objects.get(pk=supplier["id"]).name == "Fibre Co"


def test_a_school_desk_in_an_la_cannot_change_the_las_shared_supplier_through_the_api(cast):
    contact = Contact.objects.create(supplier=cast.supplier, name="Ann Lee", phone="01632 960001", escalation_level=1)
    api = token_client(cast.spoc)
    assert api.get(f"/api/v1/suppliers/{cast.supplier.pk}/").status_code == 200  # read, as on the page
    for method, url, body in [
        ("patch", f"/api/v1/suppliers/{cast.supplier.pk}/", {"name": "Ours now"}),
        ("post", "/api/v1/suppliers/", {"name": "Our own", "email": "a@b.example"}),
        (
            "post",
            "/api/v1/contacts/",
            {"supplier": cast.supplier.pk, "name": "Bob", "phone": "01632 960002", "escalation_level": 2},
        ),
        ("patch", f"/api/v1/contacts/{contact.pk}/", {"name": "Bob"}),
        ("delete", f"/api/v1/contacts/{contact.pk}/", None),
    ]:
        answer = getattr(api, method)(url, body, format="json")
        assert answer.status_code == 403, (method, url, answer.content)
        error = answer.json()["error"]
        assert error["code"] == "permission_denied" and "officers" in error["message"], error
    cast.supplier.refresh_from_db()
    assert cast.supplier.name != "Ours now" and Contact.objects.filter(pk=contact.pk, name="Ann Lee").exists()


def test_a_stand_alone_schools_desk_changes_its_own_supplier(cast):
    Organisation.objects.filter(pk=cast.school.organisation_id).update(kind="school")
    api = token_client(cast.spoc)
    changed = api.patch(f"/api/v1/suppliers/{cast.supplier.pk}/", {"phone": "01632 960003"}, format="json")
    assert changed.status_code == 200, changed.content


CONTRACT = {
    "name": "Broadband 2026",
    "status": "active",
    "category": "connectivity",
    "starts_on": "2026-09-01",
    "initial_term_months": 12,
    "renewal": "agreement",
    "notice_number": 1,
    "notice_unit": "months",
    "value": "1200.00",
    "billing_frequency": "annually",
    "vat_percent": "20",
    "support_opens_at": "08:00",
    "support_closes_at": "17:00",
    "support_days": ["0", "1", "2", "3", "4"],
}


def test_a_desk_adds_a_contract_with_shares_changes_it_with_if_match_and_decides_its_renewal(cast, other):
    api = token_client(cast.spoc)
    made = api.post(
        "/api/v1/contracts/",
        {**CONTRACT, "supplier": cast.supplier.pk, "shares": {str(cast.school.pk): "100"}},
        format="json",
    )
    assert made.status_code == 201, made.content
    contract = made.json()
    assert contract["schools"] == [cast.school.pk] and contract["value"] == "1200.00"
    url = f"/api/v1/contracts/{contract['id']}/"
    assert api.patch(url, {"value": "1500.00"}, format="json", HTTP_IF_MATCH='"v0"').status_code == 412
    changed = api.patch(url, {"value": "1500.00"}, format="json", HTTP_IF_MATCH=made["ETag"])
    assert changed.status_code == 200, changed.content
    assert changed.json()["value"] == "1500.00" and changed.json()["schools"] == [cast.school.pk]
    assert changed.json()["name"] == "Broadband 2026" and changed.json()["support_days"] == "0,1,2,3,4"
    bad = api.patch(url, {"shares": {str(cast.school.pk): "60"}}, format="json")
    assert bad.status_code == 400 and "100%" in bad.json()["error"]["message"], bad.content
    decided = api.post(
        url + "decide/", {"decision": "renew", "reason": "Good value"}, format="json", HTTP_IF_MATCH=changed["ETag"]
    )
    assert decided.status_code == 200, decided.content
    assert [d["decision"] for d in decided.json()["decisions"]] == ["renew"]
    assert decided["ETag"] != changed["ETag"]
    assert (
        api.post(
            url + "decide/", {"decision": "cancel", "reason": "x"}, format="json", HTTP_IF_MATCH=changed["ETag"]
        ).status_code
        == 412
    )

    elm = token_client(other.spoc)
    assert elm.patch(url, {"value": "1"}, format="json").status_code == 404
    assert elm.post(url + "decide/", {"decision": "cancel", "reason": "x"}, format="json").status_code == 404
    elsewhere = elm.post(
        "/api/v1/contracts/",
        {**CONTRACT, "supplier": cast.supplier.pk, "shares": {str(cast.school.pk): "100"}},
        format="json",
    )
    assert elsewhere.status_code == 400 and "supplier" in elsewhere.json()["error"]["fields"]
    assert token_client(cast.spoc, "read").patch(url, {"value": "1"}, format="json").status_code == 403
    teacher = token_client(cast.reporter)
    assert teacher.patch(url, {"value": "1"}, format="json").status_code == 404
    assert Contract.objects.get(pk=contract["id"]).value == 1500


def test_a_contract_sent_form_encoded_takes_a_single_support_day_as_the_page_does(cast):
    api = token_client(cast.spoc)
    body = {**CONTRACT, "supplier": cast.supplier.pk, "support_days": "2"}
    made = api.post("/api/v1/contracts/", body)  # application/x-www-form-urlencoded or multipart, as a form posts
    assert made.status_code == 201, made.content
    assert made.json()["support_days"] == "2" and made.json()["schools"] == [cast.school.pk]  # one school: 100%


def test_an_la_officer_reads_the_las_suppliers_and_contacts(cast, officer):
    """An officer holds their role across the LA: the supplier list used to build `id__organisation_id__in`."""
    Contact.objects.create(supplier=cast.supplier, name="Ann Lee", phone="01632 960001", escalation_level=1)
    api = token_client(officer, "read")
    suppliers = api.get("/api/v1/suppliers/")
    assert suppliers.status_code == 200 and [row["id"] for row in suppliers.json()["results"]] == [cast.supplier.pk]
    assert api.get("/api/v1/contacts/").status_code == 200

"""The supplier and contract pages as people use them: forms keep what was typed, actions go through services."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from schooldesk.suppliers.models import Contact, Contract, ContractDecision

from .factories import make_contract

pytestmark = pytest.mark.django_db


def contract_form(cast, **overrides) -> dict:
    data = {
        "supplier": cast.supplier.pk,
        "name": "Support SLA",
        "status": "active",
        "category": "support",
        "starts_on": "2026-09-01",
        "initial_term_months": "36",
        "ends_on": "",
        "renewal": "automatic",
        "renewal_term_months": "12",
        "notice_number": "3",
        "notice_unit": "months",
        "value": "10800.00",
        "billing_frequency": "termly",
        "vat_percent": "20",
        "support_opens_at": "08:00",
        "support_closes_at": "17:00",
        "support_days": ["0", "1", "2", "3", "4"],
        "services": ["hardware", "network"],
        "scope": "All classrooms",
        f"share_{cast.school.pk}": "100",
        "t_P1_respond": "1",
        "t_P1_fix": "4",
        "visit_weekday": "1",
        "visit_starts_at": "08:30",
        "visit_ends_at": "12:00",
        "visit_every_weeks": "1",
        "visit_term_time_only": "on",
        "visit_technician": cast.technician.pk,
    }
    data.update(overrides)
    return data


def test_the_desk_adds_a_contract_and_sees_its_dates(cast, login):
    client = login(cast.spoc)
    assert client.get("/suppliers/contracts/new/").status_code == 200
    response = client.post("/suppliers/contracts/new/", contract_form(cast))
    contract = Contract.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/suppliers/contracts/{contract.pk}/"
    assert (contract.initial_ends_on, contract.targets["P1"], contract.support_days, contract.services) == (
        date(2029, 8, 31),
        {"respond": 60, "fix": 240},
        "0,1,2,3,4",
        ["hardware", "network"],
    )
    page = client.get(response["Location"]).content.decode()
    assert "01/09/2026 – 31/08/2029" in page and "31/05/2029" in page and "Every Tuesday 08:30–12:00" in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"initial_term_months": "", "ends_on": "2026-08-01"},
            "ends_on",
            "The end (01/08/2026) is before the start (01/09/2026).",
        ),
        (
            {"initial_term_months": "2", "renewal": "agreement", "notice_number": "3"},
            "notice_number",
            "A notice period of 3 months is longer than the initial term",
        ),
        ({"t_P1_respond": "5", "t_P1_fix": "4"}, "t_P1_fix", "The fix target is shorter than the response target."),
    ],
)
def test_bad_contracts_are_refused_with_the_input_kept(cast, login, overrides, field, message):
    client = login(cast.spoc)
    response = client.post("/suppliers/contracts/new/", contract_form(cast, scope="Keep this text", **overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and "Keep this text" in html and 'value="10800.00"' in html
    assert not Contract.objects.exists()


def test_shares_not_adding_up_are_refused(cast, login):
    data = contract_form(cast, **{f"share_{cast.school.pk}": "90"})
    response = login(cast.spoc).post("/suppliers/contracts/new/", data)
    assert response.status_code == 400
    assert "add up to 90%; they must add up to 100%" in response.content.decode()
    assert not Contract.objects.exists()


def test_the_owner_records_a_decision_from_the_page(cast, login):
    today = timezone.localdate()
    contract = make_contract(cast, starts_on=today - timedelta(days=330), notice_number=1, today=today)
    client = login(cast.owner)
    decisions = client.get("/suppliers/contracts/decisions/").content.decode()
    assert contract.reference in decisions and "Within 30 days" in decisions
    bad = client.post(f"/suppliers/contracts/{contract.pk}/decide/", {"decision": "renew", "reason": ""})
    assert bad.status_code == 400 and "This field is required." in bad.content.decode()
    response = client.post(f"/suppliers/contracts/{contract.pk}/decide/", {"decision": "renew", "reason": "Good value"})
    assert response.status_code == 302
    assert ContractDecision.objects.get().decided_by == cast.owner
    still_to_decide = client.get("/suppliers/contracts/decisions/").content.decode().split("Decided in")[0]
    assert contract.reference not in still_to_decide
    client.force_login(cast.technician)  # sees the contract, cannot decide
    assert client.get(f"/suppliers/contracts/{contract.pk}/").status_code == 200
    refused = client.post(f"/suppliers/contracts/{contract.pk}/decide/", {"decision": "cancel", "reason": "x"})
    assert refused.status_code == 403


def test_documents_upload_and_download_as_attachments(cast, login):
    contract = make_contract(cast)
    client = login(cast.spoc)
    refused = client.post(
        f"/suppliers/contracts/{contract.pk}/documents/",
        {"title": "Keep me", "file": SimpleUploadedFile("run.exe", b"MZ")},
    )
    assert refused.status_code == 400 and "not a file type we accept" in refused.content.decode()
    assert 'value="Keep me"' in refused.content.decode()
    client.post(
        f"/suppliers/contracts/{contract.pk}/documents/",
        {"title": "Signed", "file": SimpleUploadedFile("signed.pdf", b"%PDF-1.4 x")},
    )
    document = contract.documents.get()
    response = client.get(f"/suppliers/contracts/{contract.pk}/documents/{document.pk}/")
    assert response["Content-Disposition"].startswith('attachment; filename="signed.pdf"')
    assert response["Content-Type"] == "application/octet-stream" and "sandbox" in response["Content-Security-Policy"]


def test_contacts_in_escalation_order(cast, login):
    """Kept by the LA's officer: its suppliers are its own (a school suggests changes: test_shared_records)."""
    from schooldesk.accounts.models import Membership

    Membership.objects.create(user=cast.spoc, organisation=cast.school.organisation, role="spoc")
    client = login(cast.spoc)
    bad = client.post(f"/suppliers/{cast.supplier.pk}/contacts/new/", {"name": "Ann", "escalation_level": "2"})
    assert bad.status_code == 400 and "Give an email or a phone number" in bad.content.decode()
    client.post(
        f"/suppliers/{cast.supplier.pk}/contacts/new/",
        {"name": "Ann Lee", "escalation_level": "2", "phone": "01632 960999"},
    )
    client.post(
        f"/suppliers/{cast.supplier.pk}/contacts/new/",
        {"name": "Service desk", "escalation_level": "1", "email": "desk@example.com"},
    )
    page = client.get(f"/suppliers/{cast.supplier.pk}/").content.decode()
    assert page.index("Step 1: Service desk") < page.index("Step 2: Ann Lee")
    contact = Contact.objects.get(name="Ann Lee")
    client.post(f"/suppliers/{cast.supplier.pk}/contacts/{contact.pk}/delete/")
    assert not Contact.objects.filter(pk=contact.pk).exists()


def test_viewers_read_contracts_and_providers_do_not(cast, login):
    contract = make_contract(cast, value=Decimal("999.00"))
    assert "£999.00" in login(cast.viewer).get(f"/suppliers/contracts/{contract.pk}/").content.decode()
    assert login(cast.provider).get(f"/suppliers/contracts/{contract.pk}/").status_code in (403, 404)
    assert login(cast.reporter).get("/suppliers/contracts/").status_code == 403

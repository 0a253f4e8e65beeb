"""Contract services: every rule checked before anything is written; decisions, documents and sharing."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from schooldesk.accounts.tests.factories import MembershipFactory, UserFactory
from schooldesk.conftest import make_cast
from schooldesk.core.models import AuditEntry
from schooldesk.diary.models import DiaryEntry
from schooldesk.suppliers.models import Contract, ContractDecision, ContractDocument
from schooldesk.suppliers.services import contract_decide, contract_document_add, contract_save

from .factories import make_contract

pytestmark = pytest.mark.django_db


def _errors(exc) -> dict:
    return {k: " ".join(v) for k, v in exc.value.message_dict.items()}


def test_an_end_before_the_start_is_refused_and_nothing_is_saved(cast):
    with pytest.raises(ValidationError) as exc:
        make_contract(
            cast, by=cast.spoc, starts_on=date(2026, 9, 1), initial_term_months=None, ends_on=date(2026, 8, 31)
        )
    assert "The end (31/08/2026) is before the start (01/09/2026)." in _errors(exc)["ends_on"]
    assert not Contract.objects.exists() and not AuditEntry.objects.filter(object_type="contract").exists()


def test_an_end_that_disagrees_with_the_term_is_explained(cast):
    with pytest.raises(ValidationError) as exc:
        make_contract(cast, starts_on=date(2026, 1, 31), initial_term_months=12, ends_on=date(2027, 1, 31))
    assert "A 12-month term from 31/01/2026 ends on 30/01/2027" in _errors(exc)["ends_on"]


def test_a_notice_period_longer_than_the_term_is_refused(cast):
    with pytest.raises(ValidationError) as exc:
        make_contract(cast, initial_term_months=3, notice_number=3, notice_unit="months")
    assert (
        "A notice period of 3 months is longer than the initial term (01/09/2026 to 30/11/2026)."
        in _errors(exc)["notice_number"]
    )
    with pytest.raises(ValidationError) as exc:
        make_contract(
            cast,
            initial_term_months=12,
            renewal="automatic",
            renewal_term_months=1,
            notice_number=40,
            notice_unit="days",
        )
    assert "longer than the 1-month renewal term" in _errors(exc)["notice_number"]
    assert not Contract.objects.exists()


def test_an_automatic_renewal_needs_its_term(cast):
    with pytest.raises(ValidationError) as exc:
        make_contract(cast, renewal="automatic")
    assert "renewal_term_months" in exc.value.message_dict


def test_shares_must_add_up_to_100_and_stay_in_the_organisation(cast, other):
    second = make_cast("ash", organisation=cast.school.organisation)
    with pytest.raises(ValidationError) as exc:
        make_contract(cast, shares={cast.school: Decimal("40"), second.school: Decimal("50")})
    assert "add up to 90%; they must add up to 100%" in " ".join(exc.value.messages)
    with pytest.raises(ValidationError):
        make_contract(cast, shares={cast.school: Decimal("50"), other.school: Decimal("50")})
    assert not Contract.objects.exists()
    shared = make_contract(cast, shares={cast.school: Decimal("40"), second.school: Decimal("60")})
    assert sorted((s.school.name, s.percent) for s in shared.shares.all()) == [
        ("Ash Primary School", Decimal("60.00")),
        ("Oak Primary School", Decimal("40.00")),
    ]
    assert Contract.objects.visible_to(second.viewer).filter(pk=shared.pk).exists()
    assert not Contract.objects.visible_to(other.owner).exists()
    # both schools see the renewal dates in their diaries
    assert DiaryEntry.objects.filter(contract=shared, school=second.school, kind="renewal").count() == 1


def test_a_shared_contract_is_changed_only_by_the_desk_of_every_school(cast):
    second = make_cast("ash", organisation=cast.school.organisation)
    shared = make_contract(cast, shares={cast.school: Decimal("50"), second.school: Decimal("50")})
    with pytest.raises(PermissionDenied):
        contract_decide(contract=shared, by=cast.owner, decision="renew", reason="Good value", today=date(2027, 7, 1))
    trust_owner = UserFactory(username="trust-owner")
    MembershipFactory(user=trust_owner, organisation=cast.school.organisation, role="owner")
    contract_decide(contract=shared, by=trust_owner, decision="renew", reason="Good value", today=date(2027, 7, 1))
    with pytest.raises(PermissionDenied):
        make_contract(cast, by=cast.technician)


def test_renewing_by_agreement_starts_the_next_term(cast):
    contract = make_contract(cast, notice_number=1)
    decision = contract_decide(
        contract=contract, by=cast.owner, decision="renew", reason="Response times met", today=date(2027, 7, 1)
    )
    contract.refresh_from_db()
    assert (contract.status, contract.renewals, contract.term_ends_on, contract.notice_by_on) == (
        "renewed",
        1,
        date(2028, 8, 31),
        date(2028, 7, 31),
    )
    assert (decision.term_ends_on, decision.decided_by, decision.reason) == (
        date(2027, 8, 31),
        cast.owner,
        "Response times met",
    )
    assert AuditEntry.objects.filter(action="decide_renew", school=cast.school).exists()


def test_cancelling_gives_notice_and_the_contract_then_expires(cast):
    contract = make_contract(cast, renewal="automatic", renewal_term_months=12, notice_number=1)
    contract_decide(
        contract=contract,
        by=cast.spoc,
        decision="cancel",
        reason="Moving to the trust's contract",
        today=date(2027, 7, 1),
    )
    contract.refresh_from_db()
    assert contract.status == "notice_given" and contract.term_ends_on == date(2027, 8, 31)
    assert not DiaryEntry.objects.filter(contract=contract, generated_key__endswith=":notice").exists()
    with pytest.raises(ValidationError):
        contract_decide(
            contract=contract, by=cast.spoc, decision="renew", reason="Changed our minds", today=date(2027, 7, 2)
        )


def test_too_late_to_cancel_an_automatic_renewal_says_so(cast):
    contract = make_contract(cast, renewal="automatic", renewal_term_months=12, notice_number=3)
    with pytest.raises(ValidationError) as exc:
        contract_decide(contract=contract, by=cast.spoc, decision="cancel", reason="Too dear", today=date(2027, 6, 1))
    assert "Notice had to be given by 31/05/2027, so the contract renews on 01/09/2027" in " ".join(exc.value.messages)
    assert not ContractDecision.objects.exists()
    contract.refresh_from_db()
    assert contract.status == "active"


def test_a_decision_needs_a_reason(cast):
    contract = make_contract(cast)
    with pytest.raises(ValidationError) as exc:
        contract_decide(contract=contract, by=cast.spoc, decision="renew", reason="  ", today=date(2027, 7, 1))
    assert "reason" in exc.value.message_dict


def test_documents_are_checked_like_call_attachments(cast):
    contract = make_contract(cast)
    pdf = SimpleUploadedFile("Signed contract.pdf", b"%PDF-1.7 signed", content_type="application/pdf")
    document = contract_document_add(contract=contract, by=cast.spoc, upload=pdf, title="Signed 2026")
    assert document.original_name == "Signed contract.pdf" and document.stored_name.endswith(".pdf")
    assert document.file.name.startswith(f"contracts/{contract.pk}/")
    for name, body, message in (
        ("setup.exe", b"MZ", "not a file type we accept"),
        ("fake.pdf", b"MZ\x90\x00", "does not look like a PDF file"),
    ):
        with pytest.raises(ValidationError, match=message):
            contract_document_add(contract=contract, by=cast.spoc, upload=SimpleUploadedFile(name, body))
    assert ContractDocument.objects.count() == 1
    with pytest.raises(PermissionDenied):
        contract_document_add(contract=contract, by=cast.technician, upload=SimpleUploadedFile("a.txt", b"x"))


def test_changing_the_dates_of_a_renewed_contract_starts_again_from_its_start(cast):
    contract = make_contract(
        cast, starts_on=date(2024, 9, 1), renewal="automatic", renewal_term_months=12, today=date(2026, 11, 1)
    )
    assert contract.renewals == 2 and contract.term_ends_on == date(2027, 8, 31)
    contract.starts_on = date(2024, 10, 1)
    contract = contract_save(
        contract=contract, by=cast.spoc, shares={cast.school: Decimal("100")}, today=date(2026, 11, 1)
    )
    assert contract.renewals == 2 and contract.term_ends_on == date(2027, 9, 30)

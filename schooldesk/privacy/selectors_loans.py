"""What a subject access search finds in the device scheme (schooldesk/loans, docs/decisions/0027): the pupil
record (the pupil's own, or one naming the person as parent or carer), the loans with their signed agreements
(a pupil's, a member of staff's, or one the person signed), and the charges against those loans. One query per
kind, whatever the number of rows (docs/decisions/0024)."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from schooldesk.accounts.models import Pupil
from schooldesk.loans.models import Charge, Loan
from schooldesk.privacy.choices import RecordKind

if TYPE_CHECKING:
    from schooldesk.privacy.selectors import Subject
    from schooldesk.schools.models import School


def pupils_about(*, school: School, subject: Subject) -> QuerySet[Pupil]:
    """The pupil record of the person, and the records naming them as a pupil's parent or carer."""
    return Pupil.objects.filter(school=school).filter(
        subject.q(name_fields=("parent_name",), email_fields=("parent_email",), pupil_fields=("pk",))
    )


def loans_about(*, school: School, subject: Subject) -> QuerySet[Loan]:
    """Loans to the person (as a pupil or a member of staff), and loans whose agreement they signed."""
    return Loan.objects.filter(school=school).filter(
        subject.q(name_fields=("agreement__signer_name",), user_fields=("person",), pupil_fields=("pupil",))
    )


def _pupil_item(item_class, pupil):
    return item_class(
        RecordKind.PUPIL,
        pupil.pk,
        f"{pupil.first_name} {pupil.last_name}".strip() + (f" ({pupil.form})" if pupil.form else ""),
        pupil.created_at,
        {
            "name": f"{pupil.first_name} {pupil.last_name}".strip(),
            "year_group": pupil.year_group,
            "form": pupil.form,
            "mis_id": pupil.mis_id,
            "parent_or_carer": pupil.parent_name,
            "parent_or_carer_email": pupil.parent_email,
            "on_roll": pupil.is_active,
            "added": pupil.created_at,
        },
        obj=pupil,
    )


def _loan_item(item_class, loan):
    asset = loan.asset
    fields = {
        "device": asset.tag,
        "type": asset.asset_type.name,
        "make": asset.make,
        "model": asset.model,
        "serial": asset.serial,
        "borrower": str(loan.borrower),
        "handed_out_on": loan.issued_on,
        "due_back_on": loan.due_on,
        "returned_on": loan.returned_on,
        "condition_when_handed_out": loan.condition_out,
        "condition_when_returned": loan.condition_in,
    }
    if loan.returned_on:
        fields["data_wiped_on_return"] = loan.is_data_wiped
    files = []
    agreement = getattr(loan, "agreement", None)  # select_related: no query, None when unsigned
    if agreement is not None:
        fields |= {
            "agreement": agreement.title,
            "signed_by": agreement.signer_name,
            "signed_as": agreement.get_relationship_display(),
            "how": agreement.get_method_display(),
            "signed_at": agreement.signed_at,
            "typed_signature": agreement.typed_signature,
            "agreement_text": agreement.text,
        }
        for label, stored in (("signature_file", agreement.signature), ("scan_file", agreement.scan)):
            if stored:
                path = f"agreements/{loan.pk}-{PurePosixPath(stored.name).name}"
                fields[label] = path
                files.append((path, stored))
    return item_class(
        RecordKind.LOAN,
        loan.pk,
        f"{asset.tag} {asset.make} {asset.model}".strip() + f" ({loan.issued_on:%d/%m/%Y})",
        loan.created_at,
        fields,
        obj=loan,
        files=files,
    )


def _charge_item(item_class, charge):
    return item_class(
        RecordKind.CHARGE,
        charge.pk,
        f"{charge.reference}: £{charge.amount} ({charge.get_reason_display()})",
        charge.created_at,
        {
            "reference": charge.reference,
            "device": charge.loan.asset.tag,
            "reason": charge.get_reason_display(),
            "what_happened": charge.description,
            "amount": charge.amount,
            "status": charge.get_status_display(),
            "raised_at": charge.created_at,
            "sent_at": charge.sent_at,
            "paid_at": charge.paid_at,
            "waived_at": charge.waived_at,
            "why_it_was_waived": charge.waived_reason,
        },
        obj=charge,
    )


def take_loan_records(records, school, subject, *, take, item_class) -> None:
    """Add the device scheme's kinds to `records`: three queries."""
    take(
        records,
        RecordKind.PUPIL,
        pupils_about(school=school, subject=subject).order_by("last_name", "first_name", "pk"),
        lambda p: _pupil_item(item_class, p),
    )
    loans = loans_about(school=school, subject=subject)
    take(
        records,
        RecordKind.LOAN,
        loans.select_related("asset", "asset__asset_type", "pupil", "person", "agreement").order_by("issued_on", "pk"),
        lambda loan: _loan_item(item_class, loan),
    )
    take(
        records,
        RecordKind.CHARGE,
        Charge.objects.filter(school=school, loan__in=loans.values("pk"))
        .select_related("loan__asset")
        .order_by("created_at", "pk"),
        lambda c: _charge_item(item_class, c),
    )

"""Charges against a loan for a device damaged or lost (docs/decisions/0029).

Never automatic: a person raises each one. Proposed, then sent to parents (the letter), then paid or waived,
each with who and when. The school's finance or parent payment system imports them as CSV (ParentPay, SCOPAY,
Arbor and the like): each charge once, or again for a date range."""

from __future__ import annotations

import mimetypes
import secrets
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from schooldesk.core.audit import audit_record
from schooldesk.core.concurrency import version_lock
from schooldesk.core.permissions import refusal, require
from schooldesk.core.uploads import attachment_validate
from schooldesk.loans.choices_pool import NEXT_STATUSES, ChargeReason, ChargeStatus
from schooldesk.loans.models_pool import Charge, ChargePhoto

PHOTO_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp", ".heic"}
MAX_AMOUNT = Decimal("5000.00")
#: the charges a payment system is asked to collect
EXPORTED_STATUSES = (ChargeStatus.SENT, ChargeStatus.PAID)
CONFLICT = _(
    "Someone else changed this charge after you opened it. Your changes were not saved: check the latest "
    "version below and try again."
)


def _charge_allowed(by, obj) -> None:
    """The rule "loans.charge", asked of a person: nothing in SchoolDesk raises or changes a charge by itself (the
    desk itself, `by=None`, is refused too, as it always was)."""
    if by is None:
        raise PermissionDenied(refusal("loans.charge"))
    require(by, "loans.charge", obj)


def _check(*, reason: str, description: str, amount) -> None:
    errors = {}
    if reason not in ChargeReason.values:
        errors["reason"] = _("Choose a reason from the list.")
    if not description.strip():
        errors["description"] = _("Say what happened, as the letter to parents will.")
    if amount is None or amount <= 0:
        errors["amount"] = _("Give an amount above £0.00.")
    elif amount > MAX_AMOUNT:
        errors["amount"] = _("That is more than £%(max)s: check the amount.") % {"max": MAX_AMOUNT}
    if errors:
        raise ValidationError(errors)


def _photos(charge: Charge, by, files) -> None:
    """Each photo checked as a call's attachments are (type, size, virus scan) and kept without its EXIF."""
    for upload in files or ():
        if Path(upload.name).suffix.lower() not in PHOTO_EXTENSIONS:
            raise ValidationError(
                {"photos": _("“%(name)s” is not a photo: send a JPEG, PNG, WebP or HEIC file.") % {"name": upload.name}}
            )
        try:
            upload = attachment_validate(upload)
        except ValidationError as exc:
            raise ValidationError({"photos": exc.messages}) from exc
        extension = Path(upload.name).suffix.lower()
        photo = ChargePhoto(
            charge=charge,
            school_id=charge.school_id,
            uploaded_by=by,
            stored_name=f"{secrets.token_hex(16)}{extension}",
            original_name=Path(upload.name).name[:200],
            content_type=mimetypes.guess_type(upload.name)[0] or "application/octet-stream",
            size=upload.size,
        )
        photo.file.save(photo.stored_name, upload, save=True)


@transaction.atomic
def charge_raise(*, loan, by, reason: str, description: str, amount: Decimal, photos=()) -> Charge:
    """A person asks the borrower's family to pay for damage or loss: the charge starts as proposed."""
    _charge_allowed(by, loan)
    _check(reason=reason, description=description, amount=amount)
    charge = Charge.objects.create(
        school_id=loan.school_id, loan=loan, reason=reason, description=description.strip(), amount=amount, raised_by=by
    )
    _photos(charge, by, photos)
    audit_record(
        actor=by,
        school=loan.school,
        action="charge.create",
        obj=charge,
        summary=f"Raised {charge.reference}: £{amount} ({charge.get_reason_display()}) for {loan}",
        changes={"amount": str(amount), "reason": reason},
    )
    return charge


@transaction.atomic
def charge_update(
    *, charge: Charge, by, version: int | None, reason: str, description: str, amount: Decimal, photos=()
) -> Charge:
    """Change a charge before it is sent (after that, waive it and raise another)."""
    _charge_allowed(by, charge)
    current = version_lock(charge, version, message=CONFLICT)
    if current.status != ChargeStatus.PROPOSED:
        raise ValidationError(
            _("%(ref)s has been sent: waive it and raise another instead.") % {"ref": current.reference}
        )
    _check(reason=reason, description=description, amount=amount)
    old = {"amount": str(current.amount), "reason": current.reason}
    current.reason, current.description, current.amount = reason, description.strip(), amount
    current.version += 1
    current.save()
    _photos(current, by, photos)
    audit_record(
        actor=by,
        school=current.school,
        action="charge.update",
        obj=current,
        summary=f"Changed {current.reference}",
        changes={"was": old, "now": {"amount": str(amount), "reason": reason}},
    )
    return current


@transaction.atomic
def charge_set_status(*, charge: Charge, by, status: str, version: int | None = None, note: str = "") -> Charge:
    """Sent (the letter goes to parents), paid or waived (with why), each recorded with who and when."""
    _charge_allowed(by, charge)
    current = version_lock(charge, version, message=CONFLICT)
    if status not in NEXT_STATUSES.get(current.status, ()):
        raise ValidationError(
            _("%(ref)s is %(status)s: it cannot be marked that way.")
            % {"ref": current.reference, "status": current.get_status_display().lower()}
        )
    if status == ChargeStatus.WAIVED and not note.strip():
        raise ValidationError({"note": _("Say why the charge is waived.")})
    now, old = timezone.now(), current.get_status_display()
    current.status = status
    if status == ChargeStatus.SENT:
        current.sent_at, current.sent_by = now, by
    elif status == ChargeStatus.PAID:
        current.paid_at, current.paid_by = now, by
    else:
        current.waived_at, current.waived_by, current.waived_reason = now, by, note.strip()[:300]
    current.version += 1
    current.save()
    audit_record(
        actor=by,
        school=current.school,
        action="charge.status",
        obj=current,
        summary=f"{current.reference}: {old} → {current.get_status_display()}",
        changes={"status": status, "note": note.strip()[:300]},
    )
    return current


# --- the letter and the export --------------------------------------------------------------------------------------
def charge_letter_pdf(*, charge: Charge, base_url: str) -> bytes:
    """The letter to the borrower's parents or carers, A4, as the school sends it."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    from schooldesk.loans.pool import pool_for

    html = render_to_string(
        "loans/pool/charge_letter.html",
        {
            "charge": charge,
            "loan": charge.loan,
            "pool": pool_for(charge.school),
            "school": charge.school,
            "today": timezone.localdate(),
        },
    )
    return HTML(string=html, base_url=base_url).write_pdf()


@transaction.atomic
def charges_export(*, charges, by, new_only: bool) -> list[Charge]:
    """The rows of an export of `charges` (already scoped and filtered by the view). `new_only`: those never
    exported before, marked now so that the next export leaves them out."""
    rows = list(
        charges.filter(status__in=EXPORTED_STATUSES)
        .select_for_update(of=("self",))
        .select_related("loan__pupil", "loan__person", "loan__asset__asset_type", "school")
        .order_by("created_at", "pk")
    )
    for school_id in {c.school_id for c in rows}:
        _charge_allowed(by, school_id)
    if new_only:
        rows = [c for c in rows if c.exported_at is None]
        Charge.objects.filter(pk__in=[c.pk for c in rows]).update(exported_at=timezone.now())
    for school in {c.school for c in rows}:
        mine = [c.reference for c in rows if c.school_id == school.pk]
        audit_record(
            actor=by,
            school=school,
            action="charge.export",
            obj=school,
            label=school.name,
            summary=f"Exported {len(mine)} charges for the payment system"[:300],
            changes={"charges": mine[:200], "new_only": new_only},
        )
    return rows

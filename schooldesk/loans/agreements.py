"""Loan agreements (docs/decisions/0028): a school's template, versioned (saving makes the next version; a signed
agreement keeps its words as signed), and a loan's agreement signed on screen (a drawn signature kept as a PNG, or
the name typed by someone who does not draw with a mouse or a finger) or on paper and scanned (the upload checks of
a call's attachment: type, size, virus scan, EXIF). Who signed, as whom, when, from which address, and who
recorded it; the signed agreement as a PDF."""

from __future__ import annotations

import base64
import binascii
import secrets
import string
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from schooldesk.core.audit import audit_record
from schooldesk.core.permissions import require
from schooldesk.core.uploads import attachment_validate
from schooldesk.loans.choices import PLACEHOLDERS, SignatureMethod
from schooldesk.loans.models import Agreement, AgreementTemplate, Loan

MAX_SIGNATURE_BYTES = 512 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SCAN_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png")


def _check_placeholders(body: str) -> None:
    try:
        names = {name for _text, name, _spec, _conv in string.Formatter().parse(body) if name is not None}
    except ValueError as exc:
        raise ValidationError({"body": _("A brace is not closed: write placeholders as {pupil_name}.")}) from exc
    unknown = sorted(names - set(PLACEHOLDERS))
    if unknown:
        known = ", ".join("{" + n + "}" for n in PLACEHOLDERS)
        raise ValidationError(
            {
                "body": _("Unknown placeholder %(names)s. Use: %(known)s.")
                % {"names": ", ".join("{" + n + "}" for n in unknown), "known": known}
            }
        )


@transaction.atomic
def agreement_template_save(*, school, title: str, body: str, by) -> AgreementTemplate:
    """A new version of the school's agreement: the earlier versions are kept, as signed agreements name them."""
    require(by, "loans.lend", school)
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise ValidationError(_("Give the agreement a title and its text."))
    _check_placeholders(body)
    current = AgreementTemplate.objects.select_for_update().filter(school=school)
    number = (current.aggregate(n=Max("number"))["n"] or 0) + 1
    current.filter(is_current=True).update(is_current=False)
    try:
        with transaction.atomic():
            template = AgreementTemplate.objects.create(
                school=school,
                title=title,
                body=body,
                number=number,
                is_current=True,
                created_by=by if getattr(by, "is_authenticated", False) else None,
            )
    except IntegrityError as exc:
        raise ValidationError(_("Someone saved the agreement at the same moment: open it again.")) from exc
    audit_record(actor=by, school=school, action="save", obj=template, summary=f"Loan agreement version {number}")
    return template


def agreement_text(template: AgreementTemplate, loan: Loan) -> str:
    """The template's words with this loan's details in place of the placeholders."""
    pupil = loan.pupil
    values = {
        "pupil_name": str(loan.borrower),
        "year_group": getattr(pupil, "year_group", ""),
        "form": getattr(pupil, "form", ""),
        "device": f"{loan.asset.tag} ({loan.asset.description})",
        "serial": loan.asset.serial or "–",
        "issued_on": f"{loan.issued_on:%d/%m/%Y}",
        "due_on": f"{loan.due_on:%d/%m/%Y}" if loan.due_on else _("the end of the loan"),
        "school": loan.school.name,
    }
    return template.body.format_map(values)


def _signature_png(data_url: str) -> bytes:
    prefix = "data:image/png;base64,"
    if not data_url.startswith(prefix):
        raise ValidationError(_("Sign in the box, or choose to type your name instead."))
    try:
        png = base64.b64decode(data_url[len(prefix) :], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError(_("The signature could not be read: sign again.")) from exc
    if not png.startswith(PNG_MAGIC) or len(png) > MAX_SIGNATURE_BYTES:
        raise ValidationError(_("The signature could not be read: sign again."))
    return png


@transaction.atomic
def agreement_sign(
    *,
    loan: Loan,
    by,
    signer_name: str,
    relationship: str,
    method: str,
    signature: str = "",
    typed_signature: str = "",
    scan=None,
    ip_address: str | None = None,
) -> Agreement:
    """Record the loan's agreement as signed, with the current template's words as they are now."""
    from schooldesk.loans.selectors import current_template

    require(by, "loans.lend", loan)
    loan = (
        Loan.objects.select_for_update(of=("self",))
        .select_related("asset", "asset__asset_type", "pupil", "person", "school")
        .get(pk=loan.pk)
    )
    if Agreement.objects.filter(loan=loan).exists():
        raise ValidationError(_("This loan's agreement is already signed."))
    template = current_template(school_id=loan.school_id)
    if template is None:
        raise ValidationError(_("The school has no loan agreement yet: write one first."))
    signer_name = signer_name.strip()
    if not signer_name:
        raise ValidationError({"signer_name": _("Give the name of the person signing.")})
    agreement = Agreement(
        school_id=loan.school_id,
        loan=loan,
        template=template,
        title=template.title,
        text=agreement_text(template, loan),
        signer_name=signer_name[:160],
        relationship=relationship,
        method=method,
        signed_at=timezone.now(),
        ip_address=ip_address,
        recorded_by=by if getattr(by, "is_authenticated", False) else None,
    )
    if method == SignatureMethod.DRAWN:
        png = _signature_png(signature)
        agreement.signature.save(f"signature-{secrets.token_hex(8)}.png", ContentFile(png), save=False)
    elif method == SignatureMethod.TYPED:
        typed = typed_signature.strip()
        if not typed:
            raise ValidationError({"typed_signature": _("Type your name as your signature.")})
        agreement.typed_signature = typed[:160]
    elif method == SignatureMethod.PAPER:
        if scan is None:
            raise ValidationError({"scan": _("Choose the scanned copy of the signed agreement.")})
        extension = Path(scan.name).suffix.lower()
        if extension not in SCAN_EXTENSIONS:
            raise ValidationError({"scan": _("Send the scan as a PDF or a photo (JPEG or PNG).")})
        kept = attachment_validate(scan)
        agreement.scan_name = Path(scan.name).name[:200]
        agreement.scan.save(f"scan-{secrets.token_hex(8)}{extension}", kept, save=False)
    else:
        raise ValidationError({"method": _("Choose how the agreement is signed.")})
    agreement.full_clean(exclude=["signature", "scan"], validate_unique=False, validate_constraints=False)
    agreement.save()
    audit_record(
        actor=by,
        school=loan.school,
        action="sign",
        obj=agreement,
        summary=f"Loan agreement for {loan.asset.tag} signed by {agreement.signer_name}",
    )
    return agreement


def signature_data_uri(agreement: Agreement) -> str:
    if not agreement.signature:
        return ""
    with agreement.signature.open("rb") as handle:
        return "data:image/png;base64," + base64.b64encode(handle.read()).decode()

"""The one way to lend a device and take it back (docs/decisions/0027, 0028): the asset page's "Issue or lend" and
"Return", the scanning page, the API and the demo all call `loan_issue` and `loan_return`. Each checks the role in
the asset's school, locks the asset's row (two people scanning one label at once are taken one at a time), writes
the loan, keeps the register's summary on the asset (`issued_to`, `loan_due_on` for a member of staff; the status)
and the asset's history."""

from __future__ import annotations

import mimetypes
import secrets
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from schooldesk.accounts.models import Pupil
from schooldesk.assets import services as asset_services
from schooldesk.assets.choices import AssetStatus, EventKind
from schooldesk.assets.models import Asset
from schooldesk.core.audit import audit_record
from schooldesk.core.concurrency import version_claim
from schooldesk.core.permissions import require
from schooldesk.core.uploads import attachment_validate
from schooldesk.loans.choices import PhotoStage
from schooldesk.loans.models import Loan, LoanPhoto

RETURN_STATUSES = (AssetStatus.SPARE, AssetStatus.IN_USE, AssetStatus.IN_REPAIR, AssetStatus.RETIRED)


def already_lent_message(asset: Asset, loan: Loan | None) -> str:
    who = loan.borrower if loan is not None else asset.issued_to
    since = f" since {loan.issued_on:%d/%m/%Y}" if loan is not None else ""
    if loan is not None and loan.pupil_id:
        return _("%(tag)s is already on loan to %(who)s%(since)s: record its return first. Nothing was changed.") % {
            "tag": asset.tag,
            "who": who,
            "since": since,
        }
    return _(
        "%(tag)s is already issued to %(who)s%(since)s: record its return first, then issue it again. "
        "Nothing was changed."
    ) % {"tag": asset.tag, "who": who or _("someone"), "since": since}


def _pupil_has_a_device(pupil) -> ValidationError:
    return ValidationError(
        _("%(pupil)s already has a device of the scheme: take it back first.") % {"pupil": pupil},
        code="pupil_has_a_device",
    )


@transaction.atomic
def loan_issue(
    *,
    asset: Asset,
    by,
    pupil=None,
    person=None,
    due_on: date | None = None,
    condition_out: str = "",
    note: str = "",
    photos=(),
    issued_on: date | None = None,
) -> Loan:
    """Hand a device to a pupil or a member of staff. A pupil's loan, or any loan with a due date, puts the asset
    "on loan"; a member of staff's without a date is "in use" (issued)."""
    require(by, "loans.lend", asset)
    assets = asset_services  # the register's helpers (history, row lock)
    asset = assets._lock(asset, None)  # held until the end of the transaction
    if (pupil is None) == (person is None):
        raise ValidationError(_("Choose one borrower: a pupil or a member of staff."))
    if asset.is_gone:
        raise ValidationError(
            _("%(tag)s is %(status)s: it cannot be lent.")
            % {"tag": asset.tag, "status": asset.get_status_display().lower()}
        )
    current = Loan.objects.open().filter(asset=asset).select_related("pupil", "person").first()
    if current is not None or asset.issued_to_id:
        raise ValidationError(already_lent_message(asset, current))
    if pupil is not None and (pupil.school_id != asset.school_id or not pupil.is_active):
        raise ValidationError({"pupil": _("Choose a pupil on this school's roll.")})
    if pupil is not None and Loan.objects.open().filter(pupil=pupil).exists():
        raise _pupil_has_a_device(pupil)
    if person is not None:
        assets._check_person(asset, person)
    today = timezone.localdate()
    if due_on is not None and due_on < today:
        raise ValidationError({"loan_due_on" if person is not None else "due_on": _("The return date is in the past.")})
    loan = Loan(
        school_id=asset.school_id,
        asset=asset,
        pupil=pupil,
        person=person,
        issued_on=issued_on or today,
        due_on=due_on,
        condition_out=condition_out.strip(),
        issued_by=by if getattr(by, "is_authenticated", False) else None,
    )
    try:
        with transaction.atomic():
            loan.save()
    except IntegrityError as exc:  # the partial unique indexes: one open loan per asset, and per pupil
        if pupil is not None and Loan.objects.open().filter(pupil=pupil).exists():
            raise _pupil_has_a_device(pupil) from exc
        raise ValidationError(already_lent_message(asset, None)) from exc
    old_person, old_status = str(asset.issued_to or ""), asset.get_status_display()
    if person is not None:
        asset.issued_to, asset.loan_due_on = person, due_on
    asset.status = AssetStatus.ON_LOAN if (due_on or pupil is not None) else AssetStatus.IN_USE
    assets._save(asset)
    kind = EventKind.LOANED if asset.status == AssetStatus.ON_LOAN else EventKind.ISSUED
    due = f" until {due_on:%d/%m/%Y}" if due_on else ""
    assets._event(
        asset,
        kind,
        by,
        field="issued to",
        old=old_person,
        new=str(loan.borrower),
        note=note or f"{old_status} → {asset.get_status_display()}{due}",
    )
    for upload in photos or ():
        photo_add(loan=loan, stage=PhotoStage.OUT, upload=upload, by=by)
    return loan


@transaction.atomic
def loan_return(
    *,
    loan: Loan,
    by,
    condition_in: str = "",
    is_data_wiped: bool = False,
    status: str = AssetStatus.SPARE,
    location=None,
    note: str = "",
    photos=(),
    returned_on: date | None = None,
) -> Loan:
    """Take a device back: the condition it came back in, whether its data was wiped (kept on the asset for its
    disposal record), and where it goes now (spare, in use, in repair or retired; optionally a room)."""
    require(by, "loans.lend", loan)
    assets = asset_services  # the register's helpers (history, row lock)
    asset = assets._lock(loan.asset, None)
    loan = Loan.objects.select_for_update(of=("self",)).select_related("pupil", "person").get(pk=loan.pk)
    if loan.returned_on is not None:
        raise ValidationError(
            _("%(tag)s was already returned on %(day)s.") % {"tag": asset.tag, "day": f"{loan.returned_on:%d/%m/%Y}"}
        )
    if status not in RETURN_STATUSES:
        raise ValidationError({"status": _("Choose spare, in use, in repair or retired.")})
    if location is not None and location.school_id != asset.school_id:
        raise ValidationError({"location": _("Choose a location from this school's list.")})
    today = timezone.localdate()
    late = loan.due_on is not None and loan.due_on < today
    loan.returned_on = returned_on or today
    loan.returned_by = by if getattr(by, "is_authenticated", False) else None
    loan.condition_in, loan.is_data_wiped = condition_in.strip(), bool(is_data_wiped)
    loan.version += 1
    loan.save()
    asset.issued_to, asset.loan_due_on, asset.status = None, None, status
    if is_data_wiped:
        asset.is_data_wiped = True
    old_location = str(asset.location or "")
    if location is not None:
        asset.location = location
    assets._save(asset)
    detail = " (late)" if late else ""
    wiped = "; data wiped" if is_data_wiped else ""
    assets._event(
        asset,
        EventKind.RETURNED,
        by,
        field="issued to",
        old=str(loan.borrower),
        new="",
        note=note or f"Returned{detail}; now {asset.get_status_display().lower()}{wiped}",
    )
    if location is not None and str(location) != old_location:
        assets._event(asset, EventKind.MOVED, by, field="location", old=old_location, new=str(location))
    for upload in photos or ():
        photo_add(loan=loan, stage=PhotoStage.IN, upload=upload, by=by)
    return loan


def loan_take_back(
    *,
    asset: Asset,
    by,
    status: str = AssetStatus.SPARE,
    location=None,
    note: str = "",
    condition_in: str = "",
    is_data_wiped: bool = False,
) -> Loan:
    """The asset page's "Return": its open loan ends, the device back in stock (spare), in use or in repair
    (assets.services.asset_return, through assets/lending.py)."""
    require(by, "loans.lend", asset)
    loan = Loan.objects.open().filter(asset_id=asset.pk).first()
    if loan is None:
        raise ValidationError(_("%(tag)s is not issued to anyone.") % {"tag": asset.tag})
    if status not in (AssetStatus.SPARE, AssetStatus.IN_USE, AssetStatus.IN_REPAIR):
        raise ValidationError({"status": _("Choose spare, in use or in repair.")})
    return loan_return(
        loan=loan,
        by=by,
        status=status,
        location=location,
        note=note,
        condition_in=condition_in,
        is_data_wiped=is_data_wiped,
    )


def loans_end(*, assets, by) -> None:
    """Devices retired or disposed of while lent: their open loans end today (no history line: the caller's own
    line says what happened to the device)."""
    Loan.objects.open().filter(asset__in=assets).update(
        returned_on=timezone.localdate(), returned_by=by if getattr(by, "is_authenticated", False) else None
    )


# --- photos of the condition --------------------------------------------------------------------------------
PHOTO_EXTENSIONS = (".jpg", ".jpeg", ".png", ".heic", ".webp")


def photo_add(*, loan: Loan, stage: str, upload, by) -> LoanPhoto:
    """A photo of the device at hand-out or return: the same checks as a call's attachment (type, size, virus
    scan, fail closed) and without its EXIF (docs/decisions/0015)."""
    require(by, "loans.lend", loan)
    if Path(upload.name).suffix.lower() not in PHOTO_EXTENSIONS:
        raise ValidationError(_("“%(name)s” is not a photo. Send a JPEG or PNG.") % {"name": upload.name})
    upload = attachment_validate(upload)
    extension = Path(upload.name).suffix.lower()
    photo = LoanPhoto(
        loan=loan,
        stage=stage,
        uploaded_by=by if getattr(by, "is_authenticated", False) else None,
        stored_name=f"{secrets.token_hex(16)}{extension}",
        original_name=Path(upload.name).name[:200],
        content_type=mimetypes.guess_type(upload.name)[0] or "application/octet-stream",
        size=upload.size,
    )
    photo.file.save(photo.stored_name, upload, save=True)
    audit_record(actor=by, school=loan.school, action="photo", obj=loan, summary=f"Photo of {loan.asset.tag} added")
    return photo


# --- pupils -------------------------------------------------------------------------------------------------
@transaction.atomic
def pupil_save(*, pupil, by, version: int | None = None):
    """Add a pupil (no pk) or change one. The MIS id is unique within the school where it is given."""
    require(by, "loans.lend", pupil)
    for name in ("first_name", "last_name", "year_group", "form", "mis_id", "parent_name", "parent_email"):
        setattr(pupil, name, " ".join((getattr(pupil, name) or "").split()))
    pupil.full_clean(validate_unique=False, validate_constraints=False)
    if (
        pupil.mis_id
        and Pupil.objects.filter(school_id=pupil.school_id, mis_id=pupil.mis_id).exclude(pk=pupil.pk).exists()
    ):
        raise ValidationError(
            {"mis_id": _("Another pupil of this school has the MIS id “%(id)s”.") % {"id": pupil.mis_id}}
        )
    created = pupil.pk is None
    version_claim(pupil, version)  # a save from an older page is refused
    try:
        with transaction.atomic():
            pupil.save()
    except IntegrityError as exc:
        raise ValidationError({"mis_id": _("Another pupil of this school has that MIS id.")}) from exc
    audit_record(
        actor=by,
        school=pupil.school,
        action="create" if created else "update",
        obj=pupil,
        summary=f"Pupil {pupil} saved",
    )
    return pupil

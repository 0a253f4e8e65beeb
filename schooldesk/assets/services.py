"""Every change to the asset register goes through these services: views, imports, the demo and the
API call the same functions. Each checks the role, validates, saves and writes the asset's history."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from schooldesk.accounts.models import Membership
from schooldesk.assets.choices import (
    DEFAULT_ASSET_TYPES,
    AssetStatus,
    EventKind,
)
from schooldesk.assets.lending import lending
from schooldesk.assets.models import Asset, AssetEvent, AssetRelationship, AssetType
from schooldesk.core.audit import audit_record
from schooldesk.core.choice_cache import forget_choices
from schooldesk.core.concurrency import version_claim, version_lock
from schooldesk.core.permissions import require
from schooldesk.webhooks.choices import WebhookEvent
from schooldesk.webhooks.events import emit

#: fields whose changes are written to the asset's history, with how to show a value
TRACKED_FIELDS = (
    "tag",
    "asset_type",
    "make",
    "model",
    "serial",
    "location",
    "issued_to",
    "status",
    "loan_due_on",
    "purchased_on",
    "cost",
    "supplier",
    "order_reference",
    "warranty_ends_on",
    "support_ends_on",
    "funding_source",
    "notes",
    "disposed_on",
    "disposal_method",
    "disposal_reference",
    "is_data_wiped",
)
CONFLICT = (
    "Someone else changed this asset after you opened it. Your changes were not saved: "
    "check the latest version below and try again."
)


def _show(asset: Asset, name: str) -> str:
    value = getattr(asset, name)
    if value is None or value == "":
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return "yes" if value else "no"
    display = getattr(asset, f"get_{name}_display", None)
    return str(display() if display else value)[:200]


def _event(asset: Asset, kind: str, by, *, field: str = "", old: str = "", new: str = "", note: str = "") -> AssetEvent:
    emit(
        WebhookEvent.ASSET_CHANGED,
        school=asset.school_id,
        obj=asset,
        data={"name": str(asset), "change": kind, "field": field, "was": old, "now": new},
    )
    return AssetEvent.objects.create(
        asset=asset,
        kind=kind,
        by=by if getattr(by, "is_authenticated", False) else None,
        field=field,
        old_value=old[:200],
        new_value=new[:200],
        note=note[:300],
    )


def _lock(asset: Asset, version: int | None) -> Asset:
    return version_lock(asset, version, message=CONFLICT, related=("school", "asset_type"))


def _save(asset: Asset) -> None:
    asset.version += 1
    asset.save()


def duplicate_message(exc: IntegrityError, asset: Asset) -> ValidationError:
    """The database refused a duplicate (two people adding the same tag at the same moment)."""
    text = str(exc).lower()
    if "serial" in text:
        return ValidationError(
            {
                "serial": _("Another asset in this school already has serial number “%(serial)s”.")
                % {"serial": asset.serial}
            }
        )
    return ValidationError(
        {"tag": _("Another asset in this school already has the tag “%(tag)s”.") % {"tag": asset.tag}}
    )


def _check_unique(asset: Asset) -> None:
    others = Asset.objects.filter(school_id=asset.school_id).exclude(pk=asset.pk)
    errors = {}
    clash = others.alias(tag_lower=Lower("tag")).filter(tag_lower=asset.tag.lower()).first()
    if clash:
        errors["tag"] = f"The tag “{asset.tag}” is already used by {clash.reference} ({clash.description})."
    if asset.serial:
        clash = others.alias(serial_lower=Lower("serial")).filter(serial_lower=asset.serial.lower()).first()
        if clash:
            errors["serial"] = (
                f"Serial number “{asset.serial}” is already recorded for {clash.tag} ({clash.reference})."
            )
    if errors:
        raise ValidationError(errors)


# --- types ------------------------------------------------------------------------------------
def asset_types_ensure(*, school=None, school_ids=()) -> None:
    """Idempotent: the preset types every school starts with, for the schools that have none yet (called
    when a school first uses the register). One query when there is nothing to do."""
    wanted = {school.pk} if school is not None else set(school_ids)
    having = AssetType.objects.filter(school_id__in=wanted).values_list("school_id", flat=True).distinct()
    missing = wanted - set(having)
    if missing:
        AssetType.objects.bulk_create(
            [
                AssetType(school_id=school_id, name=name)
                for school_id in sorted(missing)
                for name in DEFAULT_ASSET_TYPES
            ],
            ignore_conflicts=True,
        )
        forget_choices(AssetType)  # bulk: no signal tells the drop-downs


@transaction.atomic
def asset_type_save(*, asset_type: AssetType, by, version: int | None = None) -> AssetType:
    require(by, "assets.change_types", asset_type)
    version_claim(asset_type, version)  # a save from an older page is refused (core/concurrency.py)
    asset_type.name = asset_type.name.strip()
    asset_type.full_clean(validate_unique=False, validate_constraints=False)  # the name's clash: in words below
    clash = AssetType.objects.filter(school_id=asset_type.school_id, name__iexact=asset_type.name)
    if clash.exclude(pk=asset_type.pk).exists():
        raise ValidationError({"name": _("There is already a type called “%(name)s”.") % {"name": asset_type.name}})
    try:
        with transaction.atomic():
            asset_type.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"name": _("There is already a type called “%(name)s”.") % {"name": asset_type.name}}
        ) from exc
    audit_record(actor=by, school=asset_type.school, action="save", obj=asset_type, summary=f"Asset type {asset_type}")
    return asset_type


# --- one asset --------------------------------------------------------------------------------
@transaction.atomic
def asset_save(*, asset: Asset, by, version: int | None = None, note: str = "") -> Asset:
    """Add an asset (no pk) or change one. Tags and serial numbers are unique within a school."""
    require(by, "assets.change", asset)
    asset.tag = asset.tag.strip()
    asset.serial = asset.serial.strip()
    if asset.status == AssetStatus.ON_LOAN and not asset_is_lent(asset):
        raise ValidationError({"issued_to": _("Say who has it on loan.")})
    asset.full_clean(validate_unique=False, validate_constraints=False)
    _check_unique(asset)
    created = asset.pk is None
    before = None if created else version_lock(asset, version, related=("school",))  # the edit page's words
    if before is not None:
        asset.version = before.version
    try:
        with transaction.atomic():
            if created:
                asset.save()
            else:
                _save(asset)
    except IntegrityError as exc:
        raise duplicate_message(exc, asset) from exc
    if created:
        _event(asset, EventKind.CREATED, by, note=note or f"{asset.tag}: {asset.description}")
    else:
        kinds = {"location": EventKind.MOVED, "status": EventKind.STATUS}
        for name in TRACKED_FIELDS:
            old, new = _show(before, name), _show(asset, name)
            if old != new:
                label = str(Asset._meta.get_field(name).verbose_name)
                _event(asset, kinds.get(name, EventKind.CHANGED), by, field=label, old=old, new=new, note=note)
    audit_record(
        actor=by,
        school=asset.school,
        action="create" if created else "update",
        obj=asset,
        summary=f"Asset {asset.tag} saved",
    )
    return asset


@transaction.atomic
def asset_move(*, asset: Asset, location, by, note: str = "") -> Asset:
    require(by, "assets.change", asset)
    asset = _lock(asset, None)
    if location is not None and (location.school_id != asset.school_id or location.is_archived):
        raise ValidationError({"location": _("Choose a location from this school's list.")})
    if location == asset.location:
        return asset
    old = str(asset.location or "")
    asset.location = location
    _save(asset)
    _event(asset, EventKind.MOVED, by, field="location", old=old, new=str(location or ""), note=note)
    return asset


def _check_person(asset: Asset, person) -> None:
    if not Membership.objects.filter(user=person, school_id=asset.school_id).exists() and not (
        Membership.objects.filter(user=person, organisation_id=asset.school.organisation_id).exists()
    ):
        raise ValidationError({"person": _("Choose someone from this school.")})


def asset_issue(*, asset: Asset, person, by, loan_due_on: date | None = None, note: str = "") -> Asset:
    """Issue to a member of staff (in use), or lend with an expected return date (on loan): a Loan, through the
    one lending service (schooldesk/loans/services.py, through assets/lending.py), which keeps `issued_to` and
    `loan_due_on` as its summary."""
    loan = lending().issue(asset=asset, person=person, due_on=loan_due_on, by=by, note=note)
    return loan.asset


def asset_return(
    *,
    asset: Asset,
    by,
    status: str = AssetStatus.SPARE,
    location=None,
    note: str = "",
    condition_in: str = "",
    is_data_wiped: bool = False,
) -> Asset:
    """Back from a person or a loan: in stock (spare) or straight back in use, optionally somewhere new. Ends the
    asset's open loan (schooldesk/loans/services.py, through assets/lending.py)."""
    loan = lending().take_back(
        asset=asset,
        by=by,
        status=status,
        location=location,
        note=note,
        condition_in=condition_in,
        is_data_wiped=is_data_wiped,
    )
    return loan.asset


def asset_is_lent(asset: Asset) -> bool:
    """Issued to someone, or with an open loan (the asset's own relation to the loans that name it)."""
    return bool(asset.issued_to_id) or (asset.pk is not None and asset.loans.open().exists())


@transaction.atomic
def asset_status_set(*, asset: Asset, status: str, by, note: str = "") -> Asset:
    require(by, "assets.change", asset)
    asset = _lock(asset, None)
    if status not in AssetStatus.values or status == AssetStatus.DISPOSED:
        raise ValidationError({"status": _("Choose a status from the list (record a disposal with its own form).")})
    if status == AssetStatus.ON_LOAN and not asset_is_lent(asset):
        raise ValidationError({"status": _("Lend it to someone with “Issue or lend”.")})
    if status == asset.status:
        return asset
    old = asset.get_status_display()
    asset.status = status
    if status != AssetStatus.ON_LOAN:
        asset.loan_due_on = None
    _save(asset)
    _event(asset, EventKind.STATUS, by, field="status", old=old, new=asset.get_status_display(), note=note)
    return asset


@transaction.atomic
def asset_dispose(
    *,
    asset: Asset,
    by,
    disposed_on: date,
    method: str,
    reference: str = "",
    is_data_wiped: bool = False,
    note: str = "",
) -> Asset:
    """The disposal record: when, how, the certificate, and whether storage was wiped."""
    require(by, "assets.dispose", asset)
    asset = _lock(asset, None)
    if disposed_on > timezone.localdate():
        raise ValidationError({"disposed_on": _("The disposal date is in the future.")})
    old = asset.get_status_display()
    asset.status, asset.disposed_on, asset.disposal_method = AssetStatus.DISPOSED, disposed_on, method
    asset.disposal_reference, asset.is_data_wiped = reference.strip(), is_data_wiped
    asset.issued_to, asset.loan_due_on = None, None
    asset.full_clean(validate_unique=False, validate_constraints=False)
    _save(asset)
    lending().end(assets=[asset], by=by)
    wiped = "data wiped" if is_data_wiped else "data NOT recorded as wiped"
    _event(
        asset,
        EventKind.DISPOSED,
        by,
        field="status",
        old=old,
        new=asset.get_status_display(),
        note=note
        or f"{asset.get_disposal_method_display()} on {disposed_on:%d/%m/%Y}; {wiped}"
        f"{'; ref. ' + asset.disposal_reference if asset.disposal_reference else ''}",
    )
    audit_record(actor=by, school=asset.school, action="dispose", obj=asset, summary=f"Asset {asset.tag} disposed of")
    return asset


# --- many assets ------------------------------------------------------------------------------
@transaction.atomic
def assets_bulk_update(*, assets, by, location=None, status: str = "", note: str = "") -> int:
    """Move a selection and/or change its status, with one history line per asset and change."""
    assets = list(assets.select_for_update(of=("self",)).select_related("location"))
    if not assets:
        raise ValidationError(_("Tick at least one asset."))
    if location is None and not status:
        raise ValidationError(_("Choose a location or a status to apply."))
    for school_id in {a.school_id for a in assets}:
        require(by, "assets.bulk", school_id)
    if status and (status not in AssetStatus.values or status in (AssetStatus.DISPOSED, AssetStatus.ON_LOAN)):
        raise ValidationError(
            {"status": _("Choose in use, spare, in repair or retired (loans and disposals one by one).")}
        )
    if location is not None and any(a.school_id != location.school_id for a in assets):
        raise ValidationError({"location": _("The location belongs to another school than some of the assets.")})
    actor = by if getattr(by, "is_authenticated", False) else None
    events, changed, retired = [], [], []
    labels = dict(AssetStatus.choices)
    for asset in assets:
        touched = False
        if location is not None and asset.location_id != location.pk:
            events.append(
                AssetEvent(
                    asset=asset,
                    kind=EventKind.MOVED,
                    by=actor,
                    field="location",
                    note=note,
                    old_value=str(asset.location or "")[:200],
                    new_value=str(location)[:200],
                )
            )
            asset.location, touched = location, True
        if status and asset.status != status:
            events.append(
                AssetEvent(
                    asset=asset,
                    kind=EventKind.STATUS,
                    by=actor,
                    field="status",
                    old_value=str(labels[asset.status]),
                    new_value=str(labels[status]),
                    note=note,
                )
            )
            asset.status, touched = status, True
            if status == AssetStatus.RETIRED:
                asset.issued_to = None
                retired.append(asset)
        if touched:
            asset.version += 1
            asset.updated_at = timezone.now()
            changed.append(asset)
    Asset.objects.bulk_update(changed, ["location", "status", "issued_to", "version", "updated_at"], batch_size=500)
    AssetEvent.objects.bulk_create(events, batch_size=1000)
    if retired:  # a retired device is lent to nobody
        lending().end(assets=retired, by=by)
    return len(changed)


# --- relationships ----------------------------------------------------------------------------
@transaction.atomic
def relationship_add(*, from_asset: Asset, kind: str, to_asset: Asset, by, note: str = "") -> AssetRelationship:
    require(by, "assets.change", from_asset)
    if to_asset.school_id != from_asset.school_id:
        raise ValidationError({"to_asset": _("Choose an asset of the same school.")})
    if to_asset.pk == from_asset.pk:
        raise ValidationError({"to_asset": _("An asset cannot be related to itself.")})
    relation = AssetRelationship(
        school_id=from_asset.school_id, from_asset=from_asset, kind=kind, to_asset=to_asset, note=note.strip()
    )
    relation.full_clean(validate_unique=False, validate_constraints=False)
    if AssetRelationship.objects.filter(from_asset=from_asset, kind=kind, to_asset=to_asset).exists():
        raise ValidationError({"to_asset": _("That relationship is already recorded.")})
    try:
        with transaction.atomic():
            relation.save()
    except IntegrityError as exc:
        raise ValidationError({"to_asset": _("That relationship is already recorded.")}) from exc
    label = f"{relation.get_kind_display()} {to_asset.tag} ({to_asset.description})"
    _event(from_asset, EventKind.RELATED, by, note=label)
    return relation


@transaction.atomic
def relationship_remove(*, relationship: AssetRelationship, by) -> None:
    require(by, "assets.change", relationship)
    label = f"No longer {relationship.get_kind_display()} {relationship.to_asset.tag}"
    _event(relationship.from_asset, EventKind.RELATED, by, note=label)
    relationship.delete()


# --- audit by scan ----------------------------------------------------------------------------
@transaction.atomic
def asset_audit_record(*, location, found, by, move_here: bool = False) -> int:
    """Record a walk-round: every asset scanned in `location` was seen today; those that belong elsewhere
    are moved here when `move_here` is set. Returns how many assets were recorded."""
    require(by, "assets.change", location)
    today = timezone.localdate()
    assets = list(
        Asset.objects.select_for_update(of=("self",))
        .filter(pk__in=[a.pk for a in found], school_id=location.school_id)
        .select_related("location")
    )
    actor = by if getattr(by, "is_authenticated", False) else None
    events = []
    for asset in assets:
        where = "" if asset.location_id == location.pk else f"; recorded in {asset.location or 'no location'}"
        events.append(
            AssetEvent(asset=asset, kind=EventKind.AUDITED, by=actor, note=f"Seen in {location}{where}"[:300])
        )
        if move_here and asset.location_id != location.pk:
            events.append(
                AssetEvent(
                    asset=asset,
                    kind=EventKind.MOVED,
                    by=actor,
                    field="location",
                    old_value=str(asset.location or "")[:200],
                    new_value=str(location)[:200],
                    note="Found here in an audit",
                )
            )
            asset.location = location
            asset.version += 1
        asset.last_audited_on = today
        asset.updated_at = timezone.now()
    Asset.objects.bulk_update(assets, ["location", "last_audited_on", "version", "updated_at"], batch_size=500)
    AssetEvent.objects.bulk_create(events, batch_size=1000)
    audit_record(
        actor=by,
        school=location.school,
        action="audit",
        obj=location,
        summary=f"Audit of {location}: {len(assets)} assets seen",
    )
    return len(assets)


# --- a device console's sync (schooldesk/devicesync, docs/decisions/0030) ------------------------------------------
#: the fields a console's sync may write on an asset it already holds
SYNC_FIELDS = ("make", "model", "issued_to", "support_ends_on", "location")


def asset_types_named(*, school_id: int, names) -> dict[str, AssetType]:
    """The school's types of these names (found whatever their case, archived or not), made where missing."""
    asset_types_ensure(school_ids=[school_id])
    found = {t.name.lower(): t for t in AssetType.objects.filter(school_id=school_id)}
    missing = sorted({n for n in names if n.lower() not in found})
    if missing:
        AssetType.objects.bulk_create([AssetType(school_id=school_id, name=n) for n in missing], ignore_conflicts=True)
        forget_choices(AssetType)
        found = {t.name.lower(): t for t in AssetType.objects.filter(school_id=school_id)}
    return {n: found[n.lower()] for n in names}


@transaction.atomic
def assets_sync_write(*, school, creates: list[Asset], changes: list[tuple[Asset, dict]], by, note: str) -> list[Asset]:
    """A console's sync for one school, in bulk: `creates` added (their tags and serials already checked free by
    the caller, which loaded the school's register), `changes` [(asset, {field: new value}), …] written (FKs as
    objects, the assets loaded with them), with one history line per asset added and per field changed, each
    with `note` ("From the Google sync"). The console's own record of what it wrote is the caller's."""
    require(by, "assets.change", school)
    actor = by if getattr(by, "is_authenticated", False) else None
    for asset in creates:
        if asset.school_id != school.pk or asset.asset_type.school_id != school.pk:
            raise ValidationError("An asset of the sync belongs to another school.")
        asset.tag, asset.serial = asset.tag.strip()[:40], asset.serial.strip()[:80]
        asset.make, asset.model = asset.make[:60], asset.model[:80]
    try:
        with transaction.atomic():
            created = Asset.objects.bulk_create(creates, batch_size=500)
    except IntegrityError as exc:
        raise ValidationError(f"The register changed during the sync: {exc}") from exc
    events = [
        AssetEvent(asset=a, kind=EventKind.CREATED, by=actor, note=f"{note}: {a.tag} {a.description}"[:300])
        for a in created
    ]
    changed, now = [], timezone.now()
    for asset, values in changes:
        if asset.school_id != school.pk:
            raise ValidationError("An asset of the sync belongs to another school.")
        touched = False
        for name, value in values.items():
            if name not in SYNC_FIELDS:
                raise ValidationError(f"The sync does not write {name}.")
            old = _show(asset, name)
            setattr(asset, name, value[: 60 if name == "make" else 80] if isinstance(value, str) else value)
            new = _show(asset, name)
            if old != new:
                label = str(Asset._meta.get_field(name).verbose_name)
                kind = EventKind.MOVED if name == "location" else EventKind.CHANGED
                events.append(
                    AssetEvent(
                        asset=asset, kind=kind, by=actor, field=label, old_value=old, new_value=new, note=note[:300]
                    )
                )
                touched = True
        if touched:
            asset.version += 1
            asset.updated_at = now
            changed.append(asset)
    Asset.objects.bulk_update(changed, [*SYNC_FIELDS, "version", "updated_at"], batch_size=500)
    AssetEvent.objects.bulk_create(events, batch_size=1000)
    if created or changed:
        audit_record(
            actor=by,
            school=school,
            action="sync",
            obj=school,
            label=school.name,
            summary=f"{note}: {len(created)} assets added, {len(changed)} changed",
        )
    return created

"""Importing a school's asset spreadsheet: upload, map the columns, check every row, then write all
of it in one transaction or nothing. Locations, types and suppliers the file names that the school
does not have yet are listed, and created only when the SPOC confirms."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from schooldesk.accounts.models import User
from schooldesk.assets.choices import AssetStatus, EventKind
from schooldesk.assets.models import Asset, AssetEvent, AssetImport, AssetType
from schooldesk.assets.services import asset_types_ensure
from schooldesk.core import scanning, spreadsheets
from schooldesk.core.audit import audit_record
from schooldesk.core.choice_cache import forget_choices
from schooldesk.core.permissions import require
from schooldesk.core.spreadsheets import CellError, ImportFileError
from schooldesk.locations.models import Location
from schooldesk.suppliers.models import Supplier

#: (field, label, required, headings that mean it in schools' spreadsheets)
FIELDS = [
    (
        "tag",
        "Asset tag",
        True,
        ["asset tag", "tag", "asset no", "asset number", "asset id", "inventory number", "barcode", "asset"],
    ),
    ("asset_type", "Type", True, ["type", "device type", "asset type", "category", "kind", "equipment"]),
    ("make", "Make", False, ["make", "manufacturer", "brand"]),
    ("model", "Model", False, ["model", "model name", "model number"]),
    ("serial", "Serial number", False, ["serial", "serial number", "serial no", "serial no.", "s/n", "sn"]),
    ("location", "Location", False, ["location", "room", "where", "place"]),
    ("status", "Status", False, ["status", "state", "condition"]),
    ("issued_to", "Issued to", False, ["issued to", "assigned to", "user", "person", "member of staff"]),
    (
        "purchased_on",
        "Purchase date",
        False,
        ["purchase date", "purchased", "date purchased", "purchased on", "bought", "date bought"],
    ),
    ("cost", "Cost (£)", False, ["cost", "price", "purchase cost", "value", "cost (£)"]),
    ("supplier", "Supplier", False, ["supplier", "vendor", "bought from", "reseller"]),
    (
        "order_reference",
        "Order reference",
        False,
        ["order reference", "order ref", "po", "po number", "order number", "purchase order"],
    ),
    (
        "warranty_ends_on",
        "Warranty ends",
        False,
        ["warranty ends", "warranty end", "warranty", "warranty expiry", "warranty expires", "warranty end date"],
    ),
    (
        "support_ends_on",
        "Support ends",
        False,
        [
            "support ends",
            "support end",
            "support end date",
            "end of support",
            "end of support date",
            "eos",
            "auto update expiration",
            "auto-update expiration",
            "auto update expiry",
            "auto-update expiry",
            "auto update expiration date",
            "aue",
            "aue date",
            "end of life",
            "eol",
            "eol date",
            "end of life date",
            "support until",
        ],
    ),
    ("funding_source", "Funding source", False, ["funding source", "funding", "funded by", "budget"]),
    ("notes", "Notes", False, ["notes", "comments", "comment", "note"]),
]
FIELD_LABELS = {name: label for name, label, _r, _s in FIELDS}
REQUIRED = [name for name, _l, required, _s in FIELDS if required]
STATUS_WORDS = {
    **{value: value for value in AssetStatus.values},
    **{str(label).lower(): value for value, label in AssetStatus.choices},
    "": AssetStatus.IN_USE,
    "active": AssetStatus.IN_USE,
    "deployed": AssetStatus.IN_USE,
    "in service": AssetStatus.IN_USE,
    "stock": AssetStatus.SPARE,
    "in stock": AssetStatus.SPARE,
    "spare": AssetStatus.SPARE,
    "storage": AssetStatus.SPARE,
    "repair": AssetStatus.IN_REPAIR,
    "broken": AssetStatus.IN_REPAIR,
    "faulty": AssetStatus.IN_REPAIR,
    "loan": AssetStatus.ON_LOAN,
    "on loan": AssetStatus.ON_LOAN,
    "loaned": AssetStatus.ON_LOAN,
    "retired": AssetStatus.RETIRED,
    "decommissioned": AssetStatus.RETIRED,
}
PREVIEW_ROWS = 20
NAME_LIMITS = {"asset_type": 60, "location": 100, "supplier": 150, "issued_to": 150}


@dataclass
class RowError:
    line: int
    column: str
    message: str


@dataclass
class ImportCheck:
    total: int = 0
    errors: list[RowError] = field(default_factory=list)
    assets: list[tuple[int, Asset]] = field(default_factory=list)  # (line, unsaved asset)
    new_types: dict[str, str] = field(default_factory=dict)  # lower → as written
    new_locations: dict[str, str] = field(default_factory=dict)
    new_suppliers: dict[str, str] = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.assets)

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.new_types or self.new_locations or self.new_suppliers)

    @property
    def bad_lines(self) -> int:
        return len({e.line for e in self.errors})


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """Our field → the file's heading, from the usual names schools give their columns."""
    lowered = {h.strip().lower().rstrip(":"): h for h in headers if h}
    mapping = {}
    for name, label, _required, synonyms in FIELDS:
        for word in [label.lower(), *synonyms]:
            if word in lowered and lowered[word] not in mapping.values():
                mapping[name] = lowered[word]
                break
    return mapping


def check_mapping(mapping: dict[str, str], headers: list[str]) -> None:
    errors = {}
    for name in REQUIRED:
        if not mapping.get(name):
            errors[name] = f"Choose the column that holds the {FIELD_LABELS[name].lower()}."
    used: dict[str, str] = {}
    for name, heading in mapping.items():
        if not heading:
            continue
        if heading not in headers:
            errors[name] = f"The file has no column “{heading}”."
        elif heading in used:
            errors[name] = f"“{heading}” is already used for {FIELD_LABELS[used[heading]].lower()}."
        used.setdefault(heading, name)
    if errors:
        raise ValidationError(errors)


# --- upload -----------------------------------------------------------------------------------
@transaction.atomic
def asset_import_upload(*, school, upload, by) -> AssetImport:
    """Keep the file (once it can be read) and guess which column is which."""
    require(by, "assets.import", school)
    try:
        table = spreadsheets.read_table(upload, upload.name)
    except ImportFileError as exc:
        raise ValidationError({"file": exc.message}) from exc
    if not table.rows:
        raise ValidationError({"file": _("The file has headings but no rows of assets under them.")})
    try:
        scanning.scan(upload)  # the file is kept (docs/decisions/0015)
    except scanning.ScanRefused as exc:
        raise ValidationError({"file": exc.message}) from exc
    extension = Path(upload.name).suffix.lower() or ".csv"
    record = AssetImport(
        school=school,
        uploaded_by=by,
        original_name=Path(upload.name).name[:200],
        stored_name=f"{secrets.token_hex(16)}{extension}",
        headers=table.headers,
    )
    record.mapping = guess_mapping(table.headers)
    upload.seek(0)
    record.file.save(record.stored_name, ContentFile(upload.read()), save=True)
    record.file.storage.save(_parsed_name(record), ContentFile(spreadsheets.table_dumps(table)))
    return record


def _parsed_name(record: AssetImport) -> str:
    return f"{record.file.name}.rows.json"


def _table(record: AssetImport) -> spreadsheets.Table:
    """The rows as read at upload (a parsed copy beside the file), or the file read again."""
    storage = record.file.storage
    try:
        if storage.exists(_parsed_name(record)):
            with storage.open(_parsed_name(record), "rb") as handle:
                return spreadsheets.table_loads(handle.read())
        with record.file.open("rb") as handle:
            return spreadsheets.read_table(handle, record.original_name)
    except FileNotFoundError as exc:
        raise ValidationError(_("The uploaded file is no longer there: upload it again.")) from exc
    except ImportFileError as exc:
        raise ValidationError(exc.message) from exc


# --- checking ---------------------------------------------------------------------------------
class _Lookups:
    """Everything a row is matched against, read once per check (a few queries whatever the size)."""

    def __init__(self, school):
        asset_types_ensure(school=school)
        self.types = {t.name.lower(): t for t in AssetType.objects.filter(school=school)}
        self.locations = {}
        for location in Location.objects.filter(school=school):
            self.locations.setdefault(str(location).lower(), location)
            self.locations.setdefault(location.name.lower(), location)
        self.suppliers = {s.name.lower(): s for s in Supplier.objects.filter(organisation_id=school.organisation_id)}
        self.tags = dict(Asset.objects.filter(school=school).annotate(key=Lower("tag")).values_list("key", "pk"))
        self.serials = dict(
            Asset.objects.filter(school=school)
            .exclude(serial="")
            .annotate(key=Lower("serial"))
            .values_list("key", "tag")
        )
        self.people = {}
        members = User.objects.filter(memberships__school=school).distinct()
        for person in members:
            for key in (person.username, person.email, person.get_full_name()):
                if key:
                    self.people.setdefault(key.lower(), person)


def asset_import_check(*, record: AssetImport, mapping: dict[str, str]) -> ImportCheck:
    """Check every row of the file against the register. Writes nothing."""
    table = _table(record)
    check_mapping(mapping, table.headers)
    school = record.school
    lookups = _Lookups(school)
    index = {name: table.headers.index(heading) for name, heading in mapping.items() if heading}
    result = ImportCheck(total=len(table.rows))
    seen_tags: dict[str, int] = {}
    seen_serials: dict[str, int] = {}
    lengths = {f.name: f.max_length for f in Asset._meta.fields if getattr(f, "max_length", None)}

    for line, cells in table.rows:
        row_errors: list[RowError] = []

        def cell(name, cells=cells):
            position = index.get(name)
            return cells[position] if position is not None and position < len(cells) else None

        def fail(name, message, line=line, row_errors=row_errors):
            row_errors.append(RowError(line, FIELD_LABELS[name], message))

        values = {}
        for name in (
            "tag",
            "asset_type",
            "make",
            "model",
            "serial",
            "location",
            "status",
            "issued_to",
            "supplier",
            "order_reference",
            "funding_source",
            "notes",
        ):
            try:
                limit = NAME_LIMITS.get(name) or lengths.get(name)
                values[name] = spreadsheets.text(cell(name), max_length=limit)
            except CellError as exc:
                fail(name, str(exc))
                values[name] = ""
        for name, parse in (
            ("purchased_on", spreadsheets.day),
            ("warranty_ends_on", spreadsheets.day),
            ("support_ends_on", spreadsheets.day),
            ("cost", spreadsheets.money),
        ):
            try:
                values[name] = parse(cell(name))
            except CellError as exc:
                fail(name, str(exc))
                values[name] = None

        tag = values["tag"]
        if not tag and not any(e.column == FIELD_LABELS["tag"] for e in row_errors):
            fail("tag", "is empty: every asset needs a tag")
        elif tag:
            if tag.lower() in seen_tags:
                fail("tag", f"“{tag}” is also on line {seen_tags[tag.lower()]}")
            elif tag.lower() in lookups.tags:
                fail("tag", f"“{tag}” is already in the register (AST-{lookups.tags[tag.lower()]:06d})")
            seen_tags.setdefault(tag.lower(), line)
        serial = values["serial"]
        if serial:
            if serial.lower() in seen_serials:
                fail("serial", f"“{serial}” is also on line {seen_serials[serial.lower()]}")
            elif serial.lower() in lookups.serials:
                fail("serial", f"“{serial}” is already recorded for {lookups.serials[serial.lower()]}")
            seen_serials.setdefault(serial.lower(), line)
        type_name = values["asset_type"]
        if not type_name and not any(e.column == FIELD_LABELS["asset_type"] for e in row_errors):
            fail("asset_type", "is empty: say what kind of equipment it is (Laptop, Projector, …)")
        elif type_name and type_name.lower() not in lookups.types:
            result.new_types.setdefault(type_name.lower(), type_name)
        if values["location"] and values["location"].lower() not in lookups.locations:
            result.new_locations.setdefault(values["location"].lower(), values["location"])
        if values["supplier"] and values["supplier"].lower() not in lookups.suppliers:
            result.new_suppliers.setdefault(values["supplier"].lower(), values["supplier"])
        status = STATUS_WORDS.get(values["status"].lower())
        if status is None:
            allowed = ", ".join(
                str(label).lower() for value, label in AssetStatus.choices if value != AssetStatus.DISPOSED
            )
            fail("status", f"“{values['status'][:30]}” is not a status we know: use {allowed}")
        elif values["status"].lower() in ("disposed",):
            fail("status", "disposed equipment is recorded with its disposal record: import it as retired")
        person = None
        if values["issued_to"]:
            person = lookups.people.get(values["issued_to"].lower())
            if person is None:
                fail(
                    "issued_to",
                    f"nobody called “{values['issued_to'][:40]}” has a SchoolDesk login in this school: "
                    "give their username or email, or leave it empty",
                )
        if status == AssetStatus.ON_LOAN and person is None and not values["issued_to"]:
            fail("status", "on loan, but the “issued to” cell is empty")

        if row_errors:
            result.errors.extend(row_errors)
            continue
        asset = Asset(
            school=school,
            tag=tag,
            make=values["make"],
            model=values["model"],
            serial=serial,
            status=status,
            issued_to=person,
            purchased_on=values["purchased_on"],
            cost=values["cost"],
            order_reference=values["order_reference"],
            warranty_ends_on=values["warranty_ends_on"],
            support_ends_on=values["support_ends_on"],
            funding_source=values["funding_source"],
            notes=values["notes"],
        )
        asset._import_names = (type_name.lower(), values["location"].lower(), values["supplier"].lower())
        asset.import_type, asset.import_location = type_name, values["location"]
        asset.asset_type = lookups.types.get(type_name.lower())
        asset.location = lookups.locations.get(values["location"].lower()) if values["location"] else None
        asset.supplier = lookups.suppliers.get(values["supplier"].lower()) if values["supplier"] else None
        result.assets.append((line, asset))
    return result


# --- writing ----------------------------------------------------------------------------------
@transaction.atomic
def asset_import_apply(*, record: AssetImport, mapping: dict[str, str], by, create_missing: bool) -> int:
    """Check the whole file again and write every row, or nothing. Returns the number of assets added."""
    require(by, "assets.import", record)
    record = AssetImport.objects.select_for_update().select_related("school").get(pk=record.pk)
    if record.imported_at:
        imported_at = timezone.localtime(record.imported_at)
        raise ValidationError(
            _("This file was imported on %(date)s at %(time)s.")
            % {"date": f"{imported_at:%d/%m/%Y}", "time": f"{imported_at:%H:%M}"}
        )
    result = asset_import_check(record=record, mapping=mapping)
    if result.errors:
        raise ValidationError(_("%(count)s rows have problems: nothing was imported.") % {"count": result.bad_lines})
    if not result.assets:
        raise ValidationError(_("There are no rows to import."))
    if result.needs_confirmation and not create_missing:
        raise ValidationError(_("Tick the box to add the new locations, types and suppliers, or correct the file."))
    school = record.school
    types = {
        t.name.lower(): t
        for t in AssetType.objects.bulk_create(
            [AssetType(school=school, name=name) for name in result.new_types.values()]
        )
    }
    locations = {
        loc.name.lower(): loc
        for loc in Location.objects.bulk_create(
            [Location(school=school, name=name) for name in result.new_locations.values()]
        )
    }
    suppliers = {
        s.name.lower(): s
        for s in Supplier.objects.bulk_create(
            [
                Supplier(organisation_id=school.organisation_id, name=name, kind="reseller")
                for name in result.new_suppliers.values()
            ]
        )
    }
    forget_choices(AssetType, Location, Supplier)  # bulk: no signal tells the drop-downs
    assets = []
    for _line, asset in result.assets:
        type_key, location_key, supplier_key = asset._import_names
        if not asset.asset_type_id:
            asset.asset_type = types[type_key]
        if location_key and asset.location is None:
            asset.location = locations[location_key]
        if supplier_key and asset.supplier is None:
            asset.supplier = suppliers[supplier_key]
        assets.append(asset)
    try:
        with transaction.atomic():
            Asset.objects.bulk_create(assets, batch_size=1000)
    except IntegrityError as exc:
        raise ValidationError(
            _(
                "Someone added an asset with one of these tags or serial numbers while the file was "
                "being imported. Nothing was imported: check the file again."
            )
        ) from exc
    actor = by if getattr(by, "is_authenticated", False) else None
    note = f"Imported from {record.original_name}"[:250]
    AssetEvent.objects.bulk_create(
        [
            AssetEvent(asset=asset, kind=EventKind.IMPORTED, by=actor, note=f"{note}, line {line}")
            for (line, _a), asset in zip(result.assets, assets, strict=True)
        ],
        batch_size=2000,
    )
    record.mapping, record.imported_at, record.rows_imported = mapping, timezone.now(), len(assets)
    record.save(update_fields=["mapping", "imported_at", "rows_imported", "updated_at"])
    audit_record(
        actor=by,
        school=school,
        action="import",
        obj=record,
        summary=f"{len(assets)} assets imported from {record.original_name}",
        changes={
            "locations": list(result.new_locations.values()),
            "types": list(result.new_types.values()),
            "suppliers": list(result.new_suppliers.values()),
        },
    )
    return len(assets)

"""One sync run: read every device of the console, route each to its school, match it to the register, write what
changed (through assets.services, in bulk, with the history), mark what has gone, keep the report.

Matching, per school, with the school's register loaded once (a handful of queries per school, none per device):
the serial number (any case), then the console's own id (the DeviceLink). A device with neither match and no
serial is left alone ("no serial number").

Who wins (docs/decisions/0030): the link keeps, field by field, the value the sync last wrote. A field is written
only while the desk's value is still that one (or is empty and the sync never wrote it): once a person changes it
in the desk, the console's value is left alone and the report says so. The sync never empties a field.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection as db
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import capfirst

from schooldesk.assets.choices import AssetStatus
from schooldesk.assets.models import Asset
from schooldesk.assets.services import SYNC_FIELDS, asset_types_named, assets_sync_write
from schooldesk.devicesync.choices import SOURCE_LABELS, ConsoleKind, LeftReason, LineKind, RunStatus
from schooldesk.devicesync.consoles import Client, ConsoleError, Device
from schooldesk.devicesync.models import DeviceLink, SyncLine, SyncRun
from schooldesk.locations.models import Location
from schooldesk.schools.models import School

logger = logging.getLogger(__name__)
TAG_PREFIXES = {"Chromebook": "CB", "Laptop": "LT", "Tablet": "TAB"}
FIELD_LABELS = {name: capfirst(str(Asset._meta.get_field(name).verbose_name)) for name in SYNC_FIELDS}


# --- routing ----------------------------------------------------------------------------------------------------
def parse_routing(text: str, organisation_id: int) -> tuple[list[tuple[str, School]], list[str]]:
    """ "/Schools/Oak = 123456" lines -> [(what the console says, school)], and the lines' faults in words."""
    schools = list(School.objects.filter(organisation_id=organisation_id))
    rules, faults = [], []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, name = line.rpartition("=")
        key, name = key.strip(), name.strip()
        if not sep or not key or not name:
            faults.append(f"Line {number}: write “what the console says = school”.")
            continue
        found = [
            s for s in schools if name.lower() in (s.urn.lower(), s.name.lower(), (s.short_name or "").lower()) and name
        ]
        if len(found) != 1:
            faults.append(f"Line {number}: no school of the organisation is called or numbered “{name}”.")
            continue
        rules.append((key, found[0]))
    return rules, faults


def route_to(kind: str, value: str, rules: list[tuple[str, School]]) -> School | None:
    """Google: the longest unit path the device's unit is in; Intune and Jamf: the exact value (any case)."""
    value = (value or "").strip()
    if kind == ConsoleKind.GOOGLE:
        best, length = None, -1
        for key, school in rules:
            key = key.rstrip("/") or "/"
            if (value == key or value.startswith(key.rstrip("/") + "/")) and len(key) > length:
                best, length = school, len(key)
        return best
    return next((school for key, school in rules if key.lower() == value.lower()), None)


# --- the run ------------------------------------------------------------------------------------------------------
@dataclass
class Report:
    run: SyncRun
    lines: list[SyncLine] = field(default_factory=list)

    def add(self, kind, device: str, *, school=None, asset=None, reason="", detail=""):
        self.lines.append(
            SyncLine(
                run=self.run, kind=kind, reason=reason, school=school, asset=asset, device=device[:200], detail=detail
            )
        )


def _device_name(device: Device) -> str:
    return " · ".join(
        p for p in (device.serial or device.console_id, device.name if device.name != device.serial else "") if p
    )


def sync_run(run: SyncRun) -> SyncRun:
    """Run a queued run to its end (done or failed, with the reason); returns it."""
    claimed = SyncRun.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return run
    run.refresh_from_db()
    connection = run.connection
    report = Report(run)
    client = Client(connection)
    try:
        devices = list(client.devices())
        _apply(run, connection, devices, report, client)
    except (ConsoleError, ValueError, PermissionDenied) as exc:
        run.status, run.error = RunStatus.FAILED, str(exc)[:2000]
    except ValidationError as exc:
        run.status, run.error = RunStatus.FAILED, " ".join(exc.messages)[:2000]
    except Exception as exc:  # the run must not stay "running": the report says it failed, the log says why
        logger.exception("Sync run %s of console %s failed", run.pk, connection.pk)
        run.status, run.error = RunStatus.FAILED, f"Unexpected error: {exc.__class__.__name__}"
    else:
        run.status = RunStatus.DONE
    run.pages = client.stats["pages"]
    run.finished_at = timezone.now()
    SyncLine.objects.bulk_create(report.lines, batch_size=1000)
    for kind, name in (
        (LineKind.ADDED, "added"),
        (LineKind.CHANGED, "changed"),
        (LineKind.LEFT, "left_alone"),
        (LineKind.GONE, "gone"),
    ):
        setattr(run, name, sum(1 for line in report.lines if line.kind == kind))
    run.save()
    return run


def _apply(run, connection, devices: list[Device], report: Report, client: Client) -> None:
    run.seen = len(devices)
    present = {d.console_id for d in devices if d.console_id}
    if connection.school_id:
        by_school = {connection.school: [d for d in devices if d.is_present]}
    else:
        rules, faults = parse_routing(connection.routing, connection.organisation_id)
        if faults:
            raise ValueError(" ".join(faults))
        by_school = defaultdict(list)
        for device in devices:
            if not device.is_present:
                continue
            school = route_to(connection.kind, device.route, rules)
            if school is None:
                report.add(
                    LineKind.LEFT, _device_name(device), reason=LeftReason.NOT_ROUTED, detail=device.route or "—"
                )
            else:
                by_school[school].append(device)
    note = f"From the {SOURCE_LABELS[connection.kind]}"
    for school, school_devices in by_school.items():
        _sync_school(run, connection, school, school_devices, report, note, client)
    _mark_gone(connection, present, report)


def _user_ids(school: School, emails: set[str]) -> dict[str, object]:
    """email (lower case) -> the User of the school or its organisation with that address (one query)."""
    if not emails:
        return {}
    users = (
        get_user_model()
        .objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=emails)
        .filter(Q(memberships__school=school) | Q(memberships__organisation_id=school.organisation_id))
        .distinct()
    )
    return {u.email_lower: u for u in users}


def _wanted(device: Device, connection, users: dict, locations: dict) -> dict:
    """field -> (value to write, what is compared and remembered); fields the console says nothing of left out."""
    values = {}
    if device.make:
        values["make"] = (device.make[:60], device.make[:60])
    if device.model:
        values["model"] = (device.model[:80], device.model[:80])
    user = users.get(device.user_email.lower()) if device.user_email else None
    if user is not None:
        values["issued_to"] = (user, user.pk)
    if device.support_ends_on:
        values["support_ends_on"] = (device.support_ends_on, device.support_ends_on.isoformat())
    if device.location and not connection.write_back:  # with write-back, the desk says where it is
        place = locations.get(device.location.lower())
        if place is not None:
            values["location"] = (place, place.pk)
    return values


def _current(asset: Asset, name: str):
    if name == "issued_to":
        return asset.issued_to_id
    if name == "location":
        return asset.location_id
    if name == "support_ends_on":
        return asset.support_ends_on.isoformat() if asset.support_ends_on else None
    return getattr(asset, name) or None


def _shown(value) -> str:
    return "" if value is None else str(value)


def _free_tag(wanted: str, prefix: str, tags: set[str], counter: dict) -> str:
    wanted = (wanted or "").strip()[:40]
    if wanted and wanted.lower() not in tags:
        tags.add(wanted.lower())
        return wanted
    while True:
        counter[prefix] = counter.get(prefix, 0) + 1
        tag = f"{prefix}-{counter[prefix]:05d}"
        if tag.lower() not in tags:
            tags.add(tag.lower())
            return tag


@transaction.atomic
def _sync_school(
    run, connection, school: School, devices: list[Device], report: Report, note: str, client: Client
) -> None:
    now = timezone.now()
    types = asset_types_named(school_id=school.pk, names={d.kind for d in devices} or {"Laptop"})
    assets = list(Asset.objects.filter(school=school).select_related("issued_to", "location", "asset_type"))
    by_serial = {a.serial.lower(): a for a in assets if a.serial}
    by_pk = {a.pk: a for a in assets}
    tags = {a.tag.lower() for a in assets}
    links = {link.asset_id: link for link in DeviceLink.objects.filter(school=school)}
    by_console = {
        link.console_id: by_pk.get(link.asset_id) for link in links.values() if link.connection_id == connection.pk
    }
    users = _user_ids(school, {d.user_email.lower() for d in devices if d.user_email})
    locations = {place.name.lower(): place for place in Location.objects.filter(school=school, is_archived=False)}
    creates, changes, link_new, link_changed, done = [], [], [], [], set()
    pending = []  # (device, new asset, synced) for the lines and links once the assets have their keys
    counter: dict[str, int] = {}
    serials_seen: set[str] = set()
    for device in devices:
        name, serial = _device_name(device), device.serial.lower()
        if serial and serial in serials_seen:
            report.add(
                LineKind.LEFT,
                name,
                school=school,
                reason=LeftReason.CLASH,
                detail="The console lists this serial number twice.",
            )
            continue
        serials_seen.add(serial)
        asset = by_serial.get(serial) if serial else None
        asset = asset or by_console.get(device.console_id)
        wanted = _wanted(device, connection, users, locations)
        if asset is None:
            if not serial:
                report.add(LineKind.LEFT, name, school=school, reason=LeftReason.NO_SERIAL)
                continue
            asset_type = types[device.kind]
            new = Asset(
                school=school,
                asset_type=asset_type,
                serial=device.serial[:80],
                status=AssetStatus.IN_USE,
                tag=_free_tag(device.asset_tag, TAG_PREFIXES.get(device.kind, "DEV"), tags, counter),
            )
            for key, (value, _remembered) in wanted.items():
                setattr(new, key, value)
            creates.append(new)
            pending.append((device, new, {key: remembered for key, (_v, remembered) in wanted.items()}))
            continue
        if asset.pk in done:
            report.add(
                LineKind.LEFT,
                name,
                school=school,
                asset=asset,
                reason=LeftReason.CLASH,
                detail="Another device of the console matched the same asset.",
            )
            continue
        done.add(asset.pk)
        link = links.get(asset.pk)
        if link is not None and link.connection_id != connection.pk:
            report.add(
                LineKind.LEFT,
                name,
                school=school,
                asset=asset,
                reason=LeftReason.CLASH,
                detail=f"Already kept in step with {link.connection}.",
            )
            continue
        synced = dict(link.synced) if link else {}
        updates, edited, shown = {}, [], []
        for key, (value, remembered) in wanted.items():
            current = _current(asset, key)
            if current == remembered:
                synced[key] = remembered
            elif (key in synced and current == synced[key]) or (key not in synced and current is None):
                old = _shown(getattr(asset, key))
                updates[key] = value
                synced[key] = remembered
                shown.append(f"{FIELD_LABELS[key]}: {old or '—'} → {_shown(value)}")
            else:
                edited.append(
                    f"{FIELD_LABELS[key]} (desk: {_shown(getattr(asset, key)) or '—'}; console: {_shown(value)})"
                )
        if updates:
            changes.append((asset, updates))
            report.add(LineKind.CHANGED, name, school=school, asset=asset, detail="; ".join(shown))
        if edited:
            report.add(
                LineKind.LEFT, name, school=school, asset=asset, reason=LeftReason.EDITED, detail="; ".join(edited)
            )
        if link is None:
            link = DeviceLink(school=school, asset=asset, connection=connection, console_id=device.console_id)
            link_new.append(link)
            _fill_link(link, device, synced)
        else:
            if link.gone_since:
                report.add(LineKind.BACK, name, school=school, asset=asset)
            before = _link_values(link)
            _fill_link(link, device, synced)
            if _link_values(link) != before:
                link_changed.append(link)
    created = assets_sync_write(school=school, creates=creates, changes=changes, by=run.requested_by, note=note)
    for device, asset, synced in pending:
        link = DeviceLink(school=school, asset=asset, connection=connection, console_id=device.console_id)
        _fill_link(link, device, synced)
        link_new.append(link)
        report.add(
            LineKind.ADDED, _device_name(device), school=school, asset=asset, detail=f"{asset.tag}: {asset.description}"
        )
    assert len(created) == len(pending)
    DeviceLink.objects.bulk_create(link_new, batch_size=500)
    _links_update(link_changed, now)
    if connection.write_back and connection.kind == ConsoleKind.GOOGLE:
        _write_back(run, client, devices, school, report)


LINK_FIELDS = ("console_id", "synced", "os_version", "last_seen_at", "enrolled_user", "org_unit", "gone_since")


def _link_values(link: DeviceLink) -> tuple:
    return tuple(getattr(link, name) for name in LINK_FIELDS)


def _links_update(links: list[DeviceLink], now) -> None:
    """Every night each device's "last seen" moves: one UPDATE by primary key per link, sent as one batch
    (executemany), rather than bulk_update's CASE over every row, which took a minute for 10,000 links."""
    if not links:
        return
    fields = [DeviceLink._meta.get_field(name) for name in (*LINK_FIELDS, "updated_at")]
    table = db.ops.quote_name(DeviceLink._meta.db_table)
    columns = ", ".join(f"{db.ops.quote_name(f.column)} = %s" for f in fields)
    rows = []
    for link in links:
        link.updated_at = now
        rows.append([f.get_db_prep_save(getattr(link, f.attname), db) for f in fields] + [link.pk])
    with db.cursor() as cursor:
        for start in range(0, len(rows), 1000):
            cursor.executemany(f"UPDATE {table} SET {columns} WHERE id = %s", rows[start : start + 1000])  # noqa: S608


def _fill_link(link: DeviceLink, device: Device, synced: dict) -> None:
    link.console_id = device.console_id[:120]
    link.synced = synced
    link.os_version = device.os_version[:80]
    link.last_seen_at = device.last_seen
    link.enrolled_user = device.user_email[:200]
    link.org_unit = device.route[:300]
    link.gone_since = None


def _write_back(run, client: Client, devices: list[Device], school: School, report: Report) -> None:
    """The desk's tag and location's name to the console, where they differ from what the console holds."""
    serials = {d.serial.lower(): d for d in devices if d.serial}
    for asset in Asset.objects.filter(school=school, console_link__connection=run.connection).select_related(
        "location", "console_link"
    ):
        device = serials.get(asset.serial.lower()) if asset.serial else None
        if device is None or device.console_id != asset.console_link.console_id:
            continue
        place = asset.location.name if asset.location_id else ""
        if device.asset_tag != asset.tag or device.location != place:
            client.google_update(device.console_id, {"annotatedAssetId": asset.tag, "annotatedLocation": place})
            run.written_back += 1


def _mark_gone(connection, present: set[str], report: Report) -> None:
    now = timezone.now()
    live = DeviceLink.objects.filter(connection=connection, gone_since__isnull=True)
    missing = [pk for pk, console_id in live.values_list("pk", "console_id") if console_id not in present]
    gone = list(DeviceLink.objects.filter(pk__in=missing).select_related("asset", "school")) if missing else []
    for link in gone:
        link.gone_since = now
        report.add(
            LineKind.GONE,
            link.asset.serial or link.console_id,
            school=link.school,
            asset=link.asset,
            detail=link.asset.tag,
        )
    DeviceLink.objects.bulk_update(gone, ["gone_since"], batch_size=500)

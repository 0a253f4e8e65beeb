"""Demo device console for Oakfield: a Google Workspace connection for its Chromebooks and last night's finished
sync, whose report shows devices added, changed and left alone (and why), so that `make run` shows the console
pages with content. Written directly (a handful of rows, after the register): no console is called. The demo holds
no key, so the connection does not sync every night; "Sync now" says what is missing."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst

from schooldesk.assets.choices import AssetStatus
from schooldesk.assets.models import Asset, AssetType
from schooldesk.devicesync.choices import ConsoleKind, LeftReason, LineKind, RunStatus
from schooldesk.devicesync.models import ConsoleConnection, DeviceLink, SyncLine, SyncRun

OU = "/Pupils/Year 7"
EDITED = "Model (desk: Chromebook 511, screen replaced; console: Chromebook 511 (C736))"
SUPPORT = capfirst(str(Asset._meta.get_field("support_ends_on").verbose_name))  # as the sync names it


@transaction.atomic
def devicesync_demo(demo) -> ConsoleConnection | None:
    school = demo.schools.get("oakfield")
    if school is None:
        return None
    spoc = school.spoc
    connection = ConsoleConnection.objects.create(
        school=school,
        name="Chromebooks (Google Admin)",
        kind=ConsoleKind.GOOGLE,
        admin_email=f"ict.admin@{school.short_name.lower()}.example",
        is_active=False,
        created_by=spoc,
    )
    kind, _created = AssetType.objects.get_or_create(school=school, name="Chromebook")
    known = list(Asset.objects.filter(school=school, asset_type=kind).exclude(serial="").order_by("pk")[:4])
    added = [
        Asset.objects.create(
            school=school,
            asset_type=kind,
            tag=f"CB-{9001 + n}",
            make="Acer",
            model="Chromebook 311",
            serial=f"NXAT{7100 + n}",
            status=AssetStatus.SPARE,
            notes="Added by the Google sync.",
        )
        for n in range(2)
    ]
    finished = timezone.now().replace(hour=2, minute=15, second=0, microsecond=0) - timedelta(days=1)
    run = SyncRun.objects.create(
        connection=connection,
        status=RunStatus.DONE,
        requested_by=None,
        pages=1,
        started_at=finished - timedelta(seconds=9),
        finished_at=finished,
    )
    lines = [
        SyncLine(
            run=run,
            kind=LineKind.ADDED,
            school=school,
            asset=a,
            device=f"{a.serial} · {a.tag}",
            detail=f"{a.tag}: {a.description}",
        )
        for a in added
    ]
    for n, asset in enumerate(known):
        name = f"{asset.serial} · {asset.tag}"
        if n == 0:
            lines.append(
                SyncLine(
                    run=run,
                    kind=LineKind.CHANGED,
                    school=school,
                    asset=asset,
                    device=name,
                    detail="Model: Chromebook 511 → Chromebook 511 (C736)",
                )
            )
        elif n == 1:
            lines.append(
                SyncLine(
                    run=run,
                    kind=LineKind.CHANGED,
                    school=school,
                    asset=asset,
                    device=name,
                    detail=f"{SUPPORT}: 01/06/2029 → 01/06/2031",
                )
            )
        elif n == 2:
            lines.append(
                SyncLine(
                    run=run,
                    kind=LineKind.LEFT,
                    reason=LeftReason.EDITED,
                    school=school,
                    asset=asset,
                    device=name,
                    detail=EDITED,
                )
            )
    lines.append(
        SyncLine(
            run=run,
            kind=LineKind.LEFT,
            reason=LeftReason.NO_SERIAL,
            school=school,
            device="5f3c9a2e-demo · Chromebook in the ICT office",
        )
    )
    SyncLine.objects.bulk_create(lines)
    counts = {k: sum(1 for line in lines if line.kind == k) for k in (LineKind.ADDED, LineKind.CHANGED, LineKind.LEFT)}
    run.seen = len(added) + len(known) + 1
    run.added, run.changed, run.left_alone = counts[LineKind.ADDED], counts[LineKind.CHANGED], counts[LineKind.LEFT]
    run.save(update_fields=["seen", "added", "changed", "left_alone"])
    DeviceLink.objects.bulk_create(
        [
            DeviceLink(
                school=school,
                asset=asset,
                connection=connection,
                console_id=f"demo-{asset.pk}",
                os_version="120.0",
                last_seen_at=finished - timedelta(hours=n + 3),
                org_unit=OU,
                enrolled_user=f"pupil{n + 1}@{school.short_name.lower()}.example",
            )
            for n, asset in enumerate([*added, *known])
        ]
    )
    return connection

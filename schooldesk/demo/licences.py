"""Demo licence lists: curriculum and admin software as a primary and a secondary school hold them,
with both over- and under-licensed products, a site licence, per-pupil subscriptions against the
school's roll, an expired one still installed, and renewals coming up (see schooldesk/demo/assets.py)."""

from __future__ import annotations

import random
import string
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from schooldesk.assets.choices import AssetStatus
from schooldesk.licences.models import Allocation, Installation, Licence
from schooldesk.licences.services import licence_counts_refresh, licence_key_digest

# product, publisher, type, quantity, cost, months since it started, months it runs, what it is on
# ("install": asset types it is installed on, up to `limit`; "allocate": [(location, seats)]; "people": n)
CATALOGUE = {
    "oakfield": [
        ("Microsoft 365 A1 for education", "Microsoft", "site", None, 0, 30, 36, {}),
        ("Purple Mash", "2Simple", "per_pupil", 210, 1295, 7, 12, {}),
        ("Times Tables Rock Stars", "Maths Circle", "per_pupil", 250, 340, 2, 12, {}),
        ("Sophos Intercept X Advanced", "Sophos", "per_device", 150, 1120, 10, 36, {"install": ["Desktop", "Laptop"]}),
        ("Microsoft Office LTSC Standard 2021", "Microsoft", "per_device", 12, 1068, 26, 60, {"install": ["Desktop"]}),
        ("Espresso Primary", "Discovery Education", "subscription", 10, 1480, 9, 12, {"people": 13}),
        ("2Simple Serif DrawPlus", "Serif", "per_device", 16, 180, 40, 24, {"install": ["Desktop"]}),
        ("SIMS Primary", "ESS", "subscription", 8, 2650, 5, 12, {"people": 6}),
    ],
    "riverside": [
        (
            "Microsoft 365 A3 (staff)",
            "Microsoft",
            "per_user",
            160,
            9850,
            4,
            12,
            {"allocate": [("Staff room", 140), ("School office", 25)]},
        ),
        (
            "Adobe Creative Cloud All Apps (shared device)",
            "Adobe",
            "per_device",
            30,
            3960,
            8,
            12,
            {"install": ["Desktop"], "limit": 34},
        ),
        ("Autodesk Fusion for education", "Autodesk", "site", None, 0, 14, 36, {"install": ["Desktop"], "limit": 30}),
        ("SketchUp Studio for Schools", "Trimble", "concurrent", 30, 0, 6, 12, {"allocate": [("DT workshop", 30)]}),
        ("Sparx Maths", "Sparx Learning", "per_pupil", 1200, 8400, 3, 12, {}),
        ("GCSEPod", "Access Education", "per_pupil", 1000, 3150, 10, 12, {}),
        ("Sophos Intercept X Advanced", "Sophos", "per_device", 450, 3150, 10, 36, {"install": ["Desktop", "Laptop"]}),
        ("Microsoft Office LTSC Standard 2021", "Microsoft", "per_device", 90, 7990, 26, 60, {"install": ["Desktop"]}),
        ("Kerboodle (science)", "Oxford University Press", "subscription", 40, 1540, 14, 12, {"people": 12}),
        ("Arbor MIS", "Arbor Education", "site", None, 6400, 9, 12, {}),
    ],
}


def _key(rng: random.Random) -> str:
    return "-".join("".join(rng.choices(string.ascii_uppercase + string.digits, k=5)) for _ in range(5))


def demo_licences_create(*, school, people, suppliers, assets, seed: int = 2026, today: date | None = None) -> list:
    today = today or timezone.localdate()
    rng = random.Random(f"{seed}-licences-{school.pk}")
    rooms = {a.location.name: a.location for a in assets if a.location_id}
    working = [a for a in assets if a.status in (AssetStatus.IN_USE, AssetStatus.SPARE, AssetStatus.IN_REPAIR)]
    colleagues = [*people.staff, people.by_role["reporter"], people.by_role["spoc"], people.by_role["owner"]]
    licences, allocations, installations = [], [], []
    for product, publisher, kind, quantity, cost, started, months, spread in CATALOGUE.get(
        (school.short_name or "").lower(), CATALOGUE["oakfield"]
    ):
        starts = today - timedelta(days=int(started * 30.4))
        ends = starts + timedelta(days=int(months * 30.4)) - timedelta(days=1)
        licence = Licence(
            school=school,
            product=product,
            publisher=publisher,
            licence_type=kind,
            quantity=quantity,
            starts_on=starts,
            ends_on=ends,
            renews_on=ends - timedelta(days=30) if ends >= today else None,
            cost=Decimal(cost) if cost else None,
            supplier=suppliers.get("reseller") if cost else None,
            order_reference=f"PO-{starts.year}-{rng.randint(100, 999)}" if cost else "",
            key=_key(rng) if kind in ("per_device", "site") and publisher != "Arbor Education" else "",
            notes="Free for schools under the education programme." if not cost else "",
        )
        licences.append((licence, spread))

    for licence, _ in licences:
        licence.key_digest = licence_key_digest(licence.key)
    Licence.objects.bulk_create([licence for licence, _ in licences])
    for licence, spread in licences:
        if "install" in spread:
            targets = [a for a in working if a.asset_type.name in spread["install"]]
            for asset in targets[: spread.get("limit", len(targets))]:
                installations.append(
                    Installation(school=school, licence=licence, asset=asset, installed_on=licence.starts_on)
                )
        for room, seats in spread.get("allocate", ()):
            if room in rooms:
                allocations.append(Allocation(school=school, licence=licence, location=rooms[room], quantity=seats))
        for person in colleagues[: spread.get("people", 0)]:
            allocations.append(Allocation(school=school, licence=licence, person=person))
    Allocation.objects.bulk_create(allocations, batch_size=1000)
    Installation.objects.bulk_create(installations, batch_size=1000)

    licence_counts_refresh(school_ids=[school.pk])
    return [licence for licence, _ in licences]

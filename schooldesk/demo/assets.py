"""Demo registers: each demo school gets a realistic asset register (the network in the comms room,
a panel, visualiser and teacher laptop in every classroom, an ICT suite, trolleys of Chromebooks
and iPads, printers, phones; a few spares, repairs, loans and disposals), the relationships that
show what a failed switch or server takes down, and a licence list (schooldesk/demo/licences.py)
that has over- and under-licensed products. Some of the demo calls are linked to the device they
are about. Written with bulk inserts: a second or two per school. The same seed gives the same data."""

from __future__ import annotations

import random
import string
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from schooldesk.assets.choices import AssetStatus, EventKind, RelationshipKind
from schooldesk.assets.models import Asset, AssetEvent, AssetRelationship, AssetType
from schooldesk.assets.services import asset_types_ensure
from schooldesk.core.calendar import LONDON
from schooldesk.demo.licences import demo_licences_create
from schooldesk.demo.schools import historic_timestamps
from schooldesk.incidents.models import Incident
from schooldesk.locations.models import Location

# (type, make, model, cost £, warranty years)
KIT = {
    "router": ("Router", "DrayTek", "Vigor 2927ax", 420, 3),
    "core": ("Switch", "HPE Aruba", "2930F 48G PoE+", 2350, 5),
    "edge": ("Switch", "HPE Aruba", "2530 24G PoE+", 780, 5),
    "server": ("Server", "Dell", "PowerEdge T150", 2900, 5),
    "nas": ("Server", "Synology", "RackStation RS1221+", 1450, 3),
    "ap": ("Access point", "Ubiquiti", "UniFi U6 Pro", 165, 2),
    "panel": ("Interactive panel or whiteboard", "Promethean", 'ActivPanel 9 75"', 2650, 5),
    "panel2": ("Interactive panel or whiteboard", "Clevertouch", 'UX Pro 2 65"', 2190, 5),
    "projector": ("Projector", "Epson", "EB-L630U", 1750, 5),
    "visualiser": ("Visualiser", "IPEVO", "V4K", 95, 1),
    "teacher_laptop": ("Laptop", "Lenovo", "ThinkPad E14 Gen 5", 689, 3),
    "desktop": ("Desktop", "Dell", "OptiPlex 3000 Micro", 545, 3),
    "chromebook": ("Chromebook", "Acer", "Chromebook 511", 289, 3),
    "ipad": ("Tablet", "Apple", 'iPad 10.2" (9th gen)', 319, 1),
    "copier": ("Printer", "Canon", "imageRUNNER ADVANCE DX C3826i", 4200, 5),
    "printer": ("Printer", "HP", "LaserJet Pro M404dn", 240, 1),
    "phone": ("Phone", "Yealink", "T46U", 115, 2),
    "camera": ("Camera", "Hikvision", "DS-2CD2347G2-LU", 180, 3),
    "trolley": ("Other", "LapSafe", "Diamond 32-bay charging trolley", 1150, 5),
}
FUNDING = ["School budget", "School budget", "Devolved capital", "Devolved capital", "PTA", "Pupil premium", "LA grant"]
CLASSROOM_PRESETS = {"Library", "Hall", "Music room", "Science lab", "SENCo room"}
PLANS = {  # per school: how much of each fleet
    "oakfield": {
        "suite": 16,
        "chromebooks": 64,
        "ipads": 30,
        "edge_per_building": 1,
        "servers": ["server"],
        "laptop_spares": 3,
        "suites": ["ICT suite"],
        "cameras": 0,
    },
    "riverside": {
        "suite": 30,
        "chromebooks": 96,
        "ipads": 32,
        "edge_per_building": 2,
        "servers": ["server", "server", "nas"],
        "laptop_spares": 6,
        "cameras": 6,
        "suites": ["ICT suite", "Room 21 (computing)", "Room 22 (computing)"],
    },
}
#: what the demo calls' free-text device starts with → the asset type it is about
CALL_DEVICES = {
    "Projector": "Projector",
    "Interactive panel": "Interactive panel or whiteboard",
    "Visualiser": "Visualiser",
    "iPad": "Tablet",
    "Pupil laptop": "Laptop",
    "Teacher laptop": "Laptop",
    "Chromebook": "Chromebook",
    "Wireless access point": "Access point",
    "Office copier": "Printer",
    "Staff room copier": "Printer",
    "Classroom printer": "Printer",
    "Library printer": "Printer",
    "Desktop PC": "Desktop",
    "Network switch": "Switch",
    "Desk phone": "Phone",
}


class _Register:
    def __init__(self, school, people, suppliers, rng: random.Random, today: date):
        self.school, self.people, self.rng, self.today = school, people, rng, today
        self.prefix = (school.short_name or school.name)[:3].upper()
        asset_types_ensure(school=school)
        self.types = {t.name: t for t in AssetType.objects.filter(school=school)}
        self.rooms = {loc.name: loc for loc in Location.objects.filter(school=school)}
        self.reseller = suppliers.get("reseller")
        self.assets: list[Asset] = []
        self.links: list[tuple[Asset, str, Asset]] = []
        self.serials: set[str] = set()

    def serial(self, make: str) -> str:
        while True:
            body = "".join(self.rng.choices(string.ascii_uppercase + string.digits, k=10))
            serial = {"Apple": "DMP", "Dell": "", "Lenovo": "PF"}.get(make, "") + body
            if serial not in self.serials:
                self.serials.add(serial)
                return serial

    def add(
        self, kit: str, where: str | None, *, status=AssetStatus.IN_USE, years_old=None, person=None, notes: str = ""
    ) -> Asset:
        type_name, make, model, cost, warranty = KIT[kit]
        years_old = self.rng.uniform(0.2, 6.5) if years_old is None else years_old
        bought = self.today - timedelta(days=int(years_old * 365))
        asset = Asset(
            school=self.school,
            tag=f"{self.prefix}-{len(self.assets) + 1:04d}",
            asset_type=self.types[type_name],
            make=make,
            model=model,
            serial=self.serial(make),
            location=self.rooms.get(where) if where else None,
            status=status,
            issued_to=person,
            purchased_on=bought,
            cost=Decimal(cost),
            supplier=self.reseller,
            order_reference=f"PO-{bought.year}-{self.rng.randint(100, 999)}",
            warranty_ends_on=bought + timedelta(days=365 * warranty),
            funding_source=self.rng.choice(FUNDING),
            notes=notes,
        )
        self.assets.append(asset)
        return asset

    def build(self, plan: dict) -> None:
        comms = "Server / comms room"
        router = self.add("router", comms, years_old=2.5)
        core = self.add("core", comms, years_old=4.5)
        self.links.append((core, RelationshipKind.CONNECTED_TO, router))
        servers = [self.add(kind, comms, years_old=3.8) for kind in plan["servers"]]
        for server in servers:
            self.links.append((server, RelationshipKind.CONNECTED_TO, core))
        buildings = sorted({loc.building for loc in self.rooms.values() if loc.building}) or ["Main building"]
        edges = {}
        for building in buildings:
            edges[building] = [
                self.add("edge", comms, years_old=4.5, notes=f"Serves the {building}")
                for _ in range(plan["edge_per_building"])
            ]
            for edge in edges[building]:
                self.links.append((edge, RelationshipKind.CONNECTED_TO, core))
        everyone = self.people.staff + [self.people.by_role["reporter"]]
        classrooms = [
            loc
            for loc in self.rooms.values()
            if (not loc.is_preset or loc.name in CLASSROOM_PRESETS)
            and loc.name not in plan["suites"]
            and loc.name not in ("Kitchen", "Canteen", "Reprographics", "Exams office")
        ]
        for n, room in enumerate(sorted(classrooms, key=lambda r: r.name)):
            switch = self.rng.choice(edges.get(room.building) or edges[buildings[0]])
            ap = self.add("ap", room.name, years_old=2.2)
            self.links.append((ap, RelationshipKind.CONNECTED_TO, switch))
            if room.name in ("Hall", "Sports hall", "Drama studio"):
                self.add("projector", room.name)
                continue
            self.add("panel" if n % 3 else "panel2", room.name)
            self.add("visualiser", room.name)
            teacher = everyone[n % len(everyone)]
            self.add("teacher_laptop", room.name, person=teacher, years_old=self.rng.uniform(0.5, 3.5))
        for suite in plan["suites"]:
            switch = self.rng.choice(edges[buildings[0]])
            self.add("panel", suite)
            for _ in range(plan["suite"]):
                desktop = self.add("desktop", suite, years_old=2.8)
                self.links.append((desktop, RelationshipKind.DEPENDS_ON, servers[0]))
            self.links.append((self.add("ap", suite, years_old=2.2), RelationshipKind.CONNECTED_TO, switch))
        trolley_room = "Mobile (laptop trolley)"
        for fleet, count in (("chromebook", plan["chromebooks"]), ("ipad", plan["ipads"])):
            for start in range(0, count, 32):
                trolley = self.add("trolley", trolley_room, years_old=3)
                for _ in range(min(32, count - start)):
                    device = self.add(fleet, trolley_room, years_old=1.5 if fleet == "ipad" else 2.5)
                    self.links.append((device, RelationshipKind.PART_OF, trolley))
        for room, kit in (
            ("School office", "copier"),
            ("Staff room", "copier"),
            ("Library", "printer"),
            ("Reprographics", "copier"),
            ("SENCo room", "printer"),
        ):
            if room in self.rooms:
                printer = self.add(kit, room)
                self.links.append((printer, RelationshipKind.CONNECTED_TO, self.rng.choice(edges[buildings[0]])))
        for room in ("Reception", "School office", "Head teacher's office", "Staff room", "SENCo room", "Exams office"):
            if room in self.rooms:
                self.add("phone", room)
        for _ in range(plan["cameras"]):
            self.add("camera", "Playground / outdoors")
        self.extras(plan)

    def extras(self, plan: dict) -> None:
        """Spares, repairs, loans (one overdue), retired and disposed kit: every status on show."""
        comms, staff = "Server / comms room", self.people.staff
        for _ in range(plan["laptop_spares"]):
            self.add("teacher_laptop", comms, status=AssetStatus.SPARE, years_old=1.2)
        self.add("chromebook", comms, status=AssetStatus.IN_REPAIR, notes="Cracked screen: with the reseller (RMA)")
        self.add("teacher_laptop", None, status=AssetStatus.IN_REPAIR, notes="Keyboard replacement under warranty")
        for days in (12, -6):
            loan = self.add(
                "teacher_laptop",
                None,
                status=AssetStatus.ON_LOAN,
                person=self.rng.choice(staff),
                years_old=1,
                notes="Lent for a residential trip" if days > 0 else "Lent over half-term",
            )
            loan.loan_due_on = self.today + timedelta(days=days)
        for _ in range(2):
            self.add("desktop", comms, status=AssetStatus.RETIRED, years_old=7.5, notes="Too slow for Windows 11")
        for n in range(2):
            old = self.add("projector", None, status=AssetStatus.DISPOSED, years_old=9)
            old.disposed_on = self.today - timedelta(days=120 + 30 * n)
            old.disposal_method, old.is_data_wiped = "weee", True
            old.disposal_reference = f"WEEE-{self.rng.randint(10000, 99999)}"


@transaction.atomic
def demo_assets_create(*, school, people, suppliers, seed: int = 2026, today: date | None = None) -> list[Asset]:
    today = today or timezone.localdate()
    register = _Register(school, people, suppliers, random.Random(f"{seed}-assets-{school.pk}"), today)
    register.build(PLANS.get((school.short_name or "").lower(), PLANS["oakfield"]))
    Asset.objects.bulk_create(register.assets, batch_size=500)
    AssetRelationship.objects.bulk_create(
        [AssetRelationship(school=school, from_asset=a, kind=kind, to_asset=b) for a, kind, b in register.links],
        batch_size=500,
    )
    events = []
    for asset in register.assets:
        at = datetime.combine(asset.purchased_on, time(10, 0), tzinfo=LONDON)
        events.append(
            AssetEvent(
                asset=asset,
                kind=EventKind.CREATED,
                note=f"{asset.tag}: {asset.description}",
                created_at=at,
                updated_at=at,
            )
        )
        if asset.status == AssetStatus.ON_LOAN:
            events.append(
                AssetEvent(
                    asset=asset,
                    kind=EventKind.LOANED,
                    by=people.by_role["spoc"],
                    field="issued to",
                    new_value=str(asset.issued_to),
                    note=f"Until {asset.loan_due_on:%d/%m/%Y}",
                    created_at=at + timedelta(days=300),
                    updated_at=at + timedelta(days=300),
                )
            )

    with historic_timestamps(AssetEvent):
        AssetEvent.objects.bulk_create(events, batch_size=1000)
    return register.assets


def demo_calls_link(*, school, assets: list[Asset], seed: int = 2026) -> int:
    """Link the demo calls that name a kind of device to a device of that kind in the call's room."""

    rng = random.Random(f"{seed}-links-{school.pk}")
    by_place: dict[tuple, list[Asset]] = {}
    for asset in assets:
        if asset.status not in (AssetStatus.RETIRED, AssetStatus.DISPOSED):
            by_place.setdefault((asset.location_id, asset.asset_type.name), []).append(asset)
    calls = list(Incident.objects.filter(school=school).exclude(device="").only("pk", "device", "location_id"))
    linked = []
    for call in calls:
        kind = next((t for word, t in CALL_DEVICES.items() if call.device.startswith(word)), None)
        choices = by_place.get((call.location_id, kind))
        if choices:
            call.asset = choices[0] if rng.random() < 0.6 else rng.choice(choices)  # some devices keep failing
            linked.append(call)
    Incident.objects.bulk_update(linked, ["asset"], batch_size=500)
    return len(linked)


def demo_registers_create(demo, *, seed: int = 2026) -> None:
    """What `manage.py demo_seed` adds to the demo desk: each school's asset register and licence list."""

    for key, school in demo.schools.items():
        assets = demo_assets_create(school=school, people=demo.people[key], suppliers=demo.suppliers, seed=seed)
        demo_calls_link(school=school, assets=assets, seed=seed)
        demo_licences_create(school=school, people=demo.people[key], suppliers=demo.suppliers, assets=assets, seed=seed)

"""Reads of the asset register, each in a fixed number of queries."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.utils import timezone

from schooldesk.accounts.access import access_for
from schooldesk.assets.choices import ASSET_ROLES, GONE_STATUSES, PRESENT_STATUSES, REFERENCE_PREFIX, RelationshipKind
from schooldesk.assets.models import Asset, AssetEvent, AssetRelationship, AssetType

LIST_RELATED = ("school", "asset_type", "location", "issued_to")
REPEAT_WINDOW_DAYS = 90
AFFECTED_LIMIT = 100


def asset_school_ids(user, roles=ASSET_ROLES) -> list[int]:
    return access_for(user).school_ids(roles)


def asset_list(user, roles=ASSET_ROLES):
    """The register as this person may see it: the schools where they hold a register role."""
    return Asset.objects.visible_to(user).filter(access_for(user).schools_q(roles)).select_related(*LIST_RELATED)


#: above this many schools, place and type drop-downs wait for a school to be chosen (an LA has 200 schools and
#: 6,000 rooms: one drop-down of them all would be a page of options nobody can use)
MANY_SCHOOLS = 5


def schools_for_choices(user, chosen=None, roles=ASSET_ROLES) -> list[int]:
    """The schools whose rooms and types a drop-down offers: the chosen one, or all of a few."""
    school_ids = asset_school_ids(user, roles)
    if chosen is not None and str(chosen).isdigit() and int(chosen) in school_ids:
        return [int(chosen)]
    return school_ids if len(school_ids) <= MANY_SCHOOLS else []


def asset_get(user, pk: int) -> Asset:
    return asset_list(user).select_related("supplier", "school__organisation").get(pk=pk)


def asset_types(user, roles=ASSET_ROLES):
    return AssetType.objects.visible_to(user).filter(school_id__in=asset_school_ids(user, roles))


def asset_history(asset: Asset, limit: int = 100):
    return asset.events.select_related("by")[:limit]


def asset_incidents(user, asset: Asset, limit: int = 20) -> dict:
    """The calls about this asset that the person may see, and how often it has gone wrong."""
    from schooldesk.incidents.choices import ACTIVE_STATUSES
    from schooldesk.incidents.selectors import incident_list

    calls = incident_list(user).filter(asset=asset)
    since = timezone.now() - timedelta(days=REPEAT_WINDOW_DAYS)
    counts = calls.aggregate(total=Count("pk"), recent=Count("pk", filter=Q(logged_at__gte=since)),
                             open=Count("pk", filter=Q(status__in=ACTIVE_STATUSES)))
    return {"rows": list(calls.order_by("-logged_at")[:limit]), "window_days": REPEAT_WINDOW_DAYS,
            "is_repeat": counts["recent"] >= 2, **counts}


def asset_relationships(asset: Asset) -> dict:
    related = ("from_asset__asset_type", "to_asset__asset_type", "from_asset__location", "to_asset__location")
    relations = AssetRelationship.objects.filter(Q(from_asset=asset) | Q(to_asset=asset)).select_related(*related)
    out, into = [], []
    for relation in relations:
        (out if relation.from_asset_id == asset.pk else into).append(relation)
    return {"out": out, "into": into}


def assets_affected_by(asset: Asset) -> list[Asset]:
    """What stops working if `asset` fails: everything connected to or depending on it (directly or
    through others), and anything it is part of. Two queries whatever the size of the network."""
    edges = (AssetRelationship.objects.filter(school_id=asset.school_id)
             .values_list("from_asset_id", "kind", "to_asset_id"))
    downstream: dict[int, set[int]] = {}
    for from_id, kind, to_id in edges:
        if kind == RelationshipKind.PART_OF:
            downstream.setdefault(from_id, set()).add(to_id)  # a failed part affects the whole
        else:
            downstream.setdefault(to_id, set()).add(from_id)  # what hangs off a failed switch or server
    seen, queue = {asset.pk}, deque([asset.pk])
    while queue:
        for nxt in downstream.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    seen.discard(asset.pk)
    if not seen:
        return []
    return list(Asset.objects.filter(pk__in=list(seen)[:AFFECTED_LIMIT * 5]).exclude(status__in=GONE_STATUSES)
                .select_related("asset_type", "location").order_by("location__name", "tag")[:AFFECTED_LIMIT])


def asset_choices_for(user, *, location_id=None, school_ids=None):
    """What a person reporting a fault may pick: the school's working kit, in one place or all."""
    assets = Asset.objects.visible_to(user).exclude(status__in=GONE_STATUSES).select_related("asset_type")
    if school_ids is not None:
        assets = assets.filter(school_id__in=school_ids)
    if location_id:
        assets = assets.filter(location_id=location_id)
    return assets.order_by("tag")


def assets_warranty_ending(queryset, *, within_days: int = 90, today: date | None = None):
    """For reminders (diary, mail): working kit whose warranty ends in the next `within_days`."""
    today = today or timezone.localdate()
    return queryset.exclude(status__in=GONE_STATUSES).filter(warranty_ends_on__gte=today,
                                                             warranty_ends_on__lte=today + timedelta(days=within_days))


def loans_overdue(queryset, today: date | None = None):
    from schooldesk.assets.choices import AssetStatus

    return queryset.filter(status=AssetStatus.ON_LOAN, loan_due_on__lt=today or timezone.localdate())


# --- audit by scan ----------------------------------------------------------------------------
ASSET_URL = re.compile(r"/assets/(?:here/)?(\d+)/?")
LOCATION_URL = re.compile(r"/incidents/here/(\d+)/?")


@dataclass
class AuditResult:
    location: object
    expected: list = field(default_factory=list)
    found_here: list = field(default_factory=list)  # expected here and scanned
    missing: list = field(default_factory=list)  # expected here, not scanned
    wrong_room: list = field(default_factory=list)  # scanned here, recorded somewhere else
    unknown: list = field(default_factory=list)  # codes that match nothing in the register
    gone: list = field(default_factory=list)  # scanned but retired or disposed

    @property
    def found(self) -> list:
        return self.found_here + self.wrong_room + self.gone


def scanned_codes(text: str) -> list[str]:
    """One code per line (a scanner types the code and Enter); commas and spaces also separate tags."""
    codes, seen = [], set()
    for raw in re.split(r"[\r\n,;\t]+", text or ""):
        code = raw.strip()
        if code and code.lower() not in seen:
            seen.add(code.lower())
            codes.append(code)
    return codes[:2000]


def asset_audit_check(*, user, location, codes: list[str]) -> AuditResult:
    """Compare what was scanned in a room with what the register says is there. Reads only."""
    school_assets = Asset.objects.visible_to(user).filter(school_id=location.school_id)
    pks, refs, tags = set(), set(), {}
    for code in codes:
        if (match := ASSET_URL.search(code)) is not None:
            pks.add(int(match.group(1)))
        elif code.upper().startswith(REFERENCE_PREFIX) and code[len(REFERENCE_PREFIX):].isdecimal():
            refs.add(int(code[len(REFERENCE_PREFIX):]))
        elif not LOCATION_URL.search(code):
            tags[code.lower()] = code
    matched = list(
        school_assets.alias(tag_lower=Lower("tag"), serial_lower=Lower("serial"))
        .filter(Q(pk__in=pks | refs) | Q(tag_lower__in=list(tags)) | Q(serial_lower__in=list(tags)))
        .select_related("asset_type", "location")
    )
    known = {a.tag.lower() for a in matched} | {a.serial.lower() for a in matched if a.serial}
    result = AuditResult(location=location)
    result.unknown = [code for key, code in tags.items() if key not in known]
    result.unknown += [f"{REFERENCE_PREFIX}{pk:06d}" for pk in (pks | refs) - {a.pk for a in matched}]
    result.expected = list(school_assets.filter(location=location, status__in=PRESENT_STATUSES)
                           .select_related("asset_type").order_by("tag"))
    scanned = {a.pk for a in matched}
    for asset in sorted(matched, key=lambda a: a.tag):
        if asset.status in GONE_STATUSES:
            result.gone.append(asset)
        elif asset.location_id == location.pk:
            result.found_here.append(asset)
        else:
            result.wrong_room.append(asset)
    result.missing = [a for a in result.expected if a.pk not in scanned]
    return result


def recent_events(user, limit: int = 20):
    return AssetEvent.objects.filter(asset__school_id__in=asset_school_ids(user)).select_related("asset", "by")[:limit]

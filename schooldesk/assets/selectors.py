"""Reads of the asset register, each in a fixed number of queries."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear, Lower
from django.utils import timezone
from django.utils.translation import gettext

from schooldesk.assets.choices import (
    ASSET_DESK_ROLES,
    ASSET_ROLES,
    GONE_STATUSES,
    PRESENT_STATUSES,
    REFERENCE_PREFIX,
    AssetStatus,
    RelationshipKind,
)
from schooldesk.assets.models import Asset, AssetEvent, AssetImport, AssetRelationship, AssetType
from schooldesk.core.access import access_for
from schooldesk.diary.selectors import financial_year, financial_year_starting
from schooldesk.incidents.choices import ACTIVE_STATUSES
from schooldesk.incidents.selectors import incident_list
from schooldesk.locations.models import Location
from schooldesk.schools.models import School

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from schooldesk.accounts.models import User

LIST_RELATED = ("school", "asset_type", "location", "issued_to")
REPEAT_WINDOW_DAYS = 90
AFFECTED_LIMIT = 100


def asset_school_ids(*, user: User, roles: frozenset[str] = ASSET_ROLES) -> list[int]:
    """The schools where `user` holds one of `roles` (the register's, or its desk's: ASSET_DESK_ROLES)."""
    return access_for(user).school_ids(roles)


def asset_list(*, user: User, roles: frozenset[str] = ASSET_ROLES) -> QuerySet[Asset]:
    """The register as this person may see it: the schools where they hold a register role."""
    return Asset.objects.visible_to(user).filter(access_for(user).schools_q(roles)).select_related(*LIST_RELATED)


#: above this many schools, place and type drop-downs wait for a school to be chosen (an LA has 200 schools and
#: 6,000 rooms: one drop-down of them all would be a page of options nobody can use)
MANY_SCHOOLS = 5


def schools_for_choices(*, user: User, chosen=None, roles: frozenset[str] = ASSET_ROLES) -> list[int]:
    """The schools whose rooms and types a drop-down offers: the chosen one, or all of a few."""
    school_ids = asset_school_ids(user=user, roles=roles)
    if chosen is not None and str(chosen).isdigit() and int(chosen) in school_ids:
        return [int(chosen)]
    return school_ids if len(school_ids) <= MANY_SCHOOLS else []


def asset_get(*, user: User, pk: int) -> Asset:
    return asset_list(user=user).select_related("supplier", "school__organisation").get(pk=pk)


def asset_types(*, user: User, roles: frozenset[str] = ASSET_ROLES) -> QuerySet[AssetType]:
    return AssetType.objects.visible_to(user).filter(school_id__in=asset_school_ids(user=user, roles=roles))


def asset_type_list(*, user: User) -> QuerySet[AssetType]:
    """The Types page: the types of the schools whose desk `user` runs, with how many assets each has."""
    return (
        asset_types(user=user, roles=ASSET_DESK_ROLES)
        .select_related("school")
        .annotate(n=Count("asset"))
        .order_by("school__name", "name")
    )


def label_rooms(*, user: User) -> QuerySet[Location]:
    """The rooms whose labels `user` may print: the current rooms of the schools whose desk they run."""
    school_ids = asset_school_ids(user=user, roles=ASSET_DESK_ROLES)
    return Location.objects.visible_to(user).filter(school_id__in=school_ids, is_archived=False)


def asset_imports(*, user: User) -> QuerySet[AssetImport]:
    """The spreadsheet imports of the schools whose desk `user` runs."""
    return (
        AssetImport.objects.visible_to(user)
        .filter(access_for(user).schools_q(ASSET_DESK_ROLES))
        .select_related("school", "uploaded_by")
    )


def asset_history(*, asset: Asset, limit: int = 100) -> QuerySet[AssetEvent]:
    return asset.events.select_related("by")[:limit]


def asset_incidents(*, user: User, asset: Asset, limit: int = 20) -> dict:
    """The calls about this asset that the person may see, and how often it has gone wrong."""
    # imported here: incidents imports the register (a call names its device), and the register's page shows the
    # calls about a device; the two apps read each other, so one side reads the other late

    calls = incident_list(user=user).filter(asset=asset)
    since = timezone.now() - timedelta(days=REPEAT_WINDOW_DAYS)
    counts = calls.aggregate(
        total=Count("pk"),
        recent=Count("pk", filter=Q(logged_at__gte=since)),
        open=Count("pk", filter=Q(status__in=ACTIVE_STATUSES)),
    )
    return {
        "rows": list(calls.order_by("-logged_at")[:limit]),
        "window_days": REPEAT_WINDOW_DAYS,
        "is_repeat": counts["recent"] >= 2,
        **counts,
    }


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
    edges = AssetRelationship.objects.filter(school_id=asset.school_id).values_list(
        "from_asset_id", "kind", "to_asset_id"
    )
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
    return list(
        Asset.objects.filter(pk__in=list(seen)[: AFFECTED_LIMIT * 5])
        .exclude(status__in=GONE_STATUSES)
        .select_related("asset_type", "location")
        .order_by("location__name", "tag")[:AFFECTED_LIMIT]
    )


def asset_choices_for(*, user: User, location_id: int | None = None, school_ids=None) -> QuerySet[Asset]:
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
    return queryset.exclude(status__in=GONE_STATUSES).filter(
        warranty_ends_on__gte=today, warranty_ends_on__lte=today + timedelta(days=within_days)
    )


def loans_overdue(queryset, today: date | None = None):

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
        elif code.upper().startswith(REFERENCE_PREFIX) and code[len(REFERENCE_PREFIX) :].isdecimal():
            refs.add(int(code[len(REFERENCE_PREFIX) :]))
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
    result.expected = list(
        school_assets.filter(location=location, status__in=PRESENT_STATUSES)
        .select_related("asset_type")
        .order_by("tag")
    )
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


def recent_events(*, user: User, limit: int = 20) -> QuerySet[AssetEvent]:
    return AssetEvent.objects.filter(asset__school_id__in=asset_school_ids(user=user)).select_related("asset", "by")[
        :limit
    ]


# --- end of support: the replacement forecast (decision 0022) ----------------------------------------
FORECAST_YEARS = 5


def support_financial_year():
    """SQL: the calendar year in which the financial year holding the asset's support end starts, counted in
    the asset's own school's financial year (April–March maintained; an academy's own start month, e.g.
    September, as the school records it)."""

    before_start = When(support_ends_on__month__lt=F("school__financial_year_start_month"), then=Value(1))
    return ExtractYear("support_ends_on") - Case(before_start, default=Value(0), output_field=IntegerField())


def forecast_assets(queryset, when: str, today: date):
    """The assets in service behind one figure of the forecast: `when` is "ended" (support already over) or the
    year a financial year starts in (support ending in it, from today on)."""
    queryset = queryset.exclude(status__in=GONE_STATUSES).filter(support_ends_on__isnull=False)
    if when == "ended":
        return queryset.filter(support_ends_on__lt=today)
    if when.isdecimal():
        return queryset.alias(support_fy=support_financial_year()).filter(
            support_fy=int(when), support_ends_on__gte=today
        )
    return queryset.none()


def replacement_forecast(*, user: User, today: date, school_ids=None, years: int = FORECAST_YEARS) -> dict:
    """What falls out of support and what replacing it would cost, per asset type and financial year: the
    equipment in service whose support has ended ("ended") or ends in each of the next `years` financial years
    (the current one from today), counted and priced at its type's typical price; a type without a price is
    counted and flagged. Types are grouped by name across schools. One grouped SQL query, any size."""

    ids = asset_school_ids(user=user)
    if school_ids is not None:
        ids = [pk for pk in ids if pk in set(school_ids)]
    schools = list(School.objects.filter(pk__in=ids).order_by("name").only("id", "name", "financial_year_start_month"))
    start_months = {s.financial_year_start_month for s in schools} or {4}
    first = min(financial_year(m, today).starts_on.year for m in start_months)
    columns = [{"key": "ended", "label": gettext("Out of support now")}]
    for n in range(years):
        label = f"{first + n}–{(first + n + 1) % 100:02d}"
        columns.append({"key": str(first + n), "label": label, "year": first + n})
    money = DecimalField(max_digits=14, decimal_places=2)
    base = (
        Asset.objects.filter(school_id__in=ids)
        .exclude(status__in=GONE_STATUSES)
        .filter(support_ends_on__isnull=False, support_ends_on__lt=date(first + years + 1, 12, 31))
    )
    ended = ExpressionWrapper(Q(support_ends_on__lt=today), output_field=BooleanField())
    grouped = (
        base.annotate(support_fy=support_financial_year(), ended=ended)
        .order_by()
        .values("asset_type__name", "support_fy", "ended")
        .annotate(
            n=Count("pk"),
            unpriced=Count("pk", filter=Q(asset_type__typical_price__isnull=True)),
            cost=Coalesce(Sum("asset_type__typical_price"), Value(Decimal("0.00")), output_field=money),
        )
    )
    keys = [c["key"] for c in columns]
    empty = {"n": 0, "unpriced": 0, "cost": Decimal("0.00")}
    rows: dict[str, dict] = {}
    totals = {key: dict(empty) for key in keys}
    for group in grouped:
        key = "ended" if group["ended"] else str(group["support_fy"])
        if key not in totals:
            continue  # beyond the forecast's last year
        name = group["asset_type__name"]
        row = rows.setdefault(name.lower(), {"name": name, "cells": {k: dict(empty) for k in keys}})
        for cell in (row["cells"][key], totals[key]):
            cell["n"] += group["n"]
            cell["unpriced"] += group["unpriced"]
            cell["cost"] += group["cost"]
    ordered = [rows[k] for k in sorted(rows)]
    for row in ordered:
        row["list"] = [row["cells"][k] for k in keys]
    return {
        "columns": columns,
        "rows": ordered,
        "totals": [totals[k] for k in keys],
        "schools": schools,
        "start_months": sorted(start_months),
        "today": today,
    }


def replacement_cost(*, school, year: int, today: date) -> dict:
    """For the budget page: the equipment in service of `school` whose support ends in the financial year
    starting in `year`, counted and priced at its type's typical price; for the current year also what is
    already out of support and still in service (the backlog). One aggregate query. The caller has already
    decided that the person may read the school's budget."""

    fy = financial_year_starting(school.financial_year_start_month, year)
    is_current = fy == financial_year(school.financial_year_start_month, today)
    in_year = Q(support_ends_on__gte=fy.starts_on, support_ends_on__lte=fy.ends_on)
    backlog = Q(support_ends_on__lt=fy.starts_on) if is_current else Q(pk__in=[])
    no_price = Q(asset_type__typical_price__isnull=True)
    money = DecimalField(max_digits=14, decimal_places=2)

    def cost(condition):
        return Coalesce(Sum("asset_type__typical_price", filter=condition), Value(Decimal("0.00")), output_field=money)

    figures = (
        Asset.objects.filter(school=school, support_ends_on__isnull=False)
        .exclude(status__in=GONE_STATUSES)
        .aggregate(
            n=Count("pk", filter=in_year),
            unpriced=Count("pk", filter=in_year & no_price),
            cost=cost(in_year),
            backlog_n=Count("pk", filter=backlog),
            backlog_unpriced=Count("pk", filter=backlog & no_price),
            backlog_cost=cost(backlog),
        )
    )
    return {**figures, "year": fy, "is_current": is_current}

"""Report figures, all computed by SQL aggregates (never by loading every row into Python).

The service report compares its period with one or two others (the one before, the same one a year
earlier). Each period's calls are counted by a grouped query of their own that reads only that period's
rows (the (school, logged_at) and logged_at indexes) and keeps its few groups in memory: on an LA's million
calls this is several times faster than one query over all the periods with a filter per period and figure
(whose grouping PostgreSQL cannot estimate, so it sorts on disk). The groups are added up in Python."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.apps import apps
from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import Lower, Trim
from django.urls import reverse
from django.utils import timezone

from schooldesk.core.access import access_for
from schooldesk.core.models import AuditEntry
from schooldesk.core.periods import period_bounds
from schooldesk.incidents.choices import ACTIVE_STATUSES, IncidentKind, IncidentStatus, SupportLevel
from schooldesk.incidents.models import Incident
from schooldesk.incidents.selectors import incidents_escalated_to_me, satisfaction_counts, satisfaction_shares
from schooldesk.reports.choices import GroupedRow
from schooldesk.schools.choices import Priority

if TYPE_CHECKING:
    from schooldesk.accounts.models import User
    from schooldesk.schools.models import School

TOP_ROWS = 12
REPEAT_ROWS = 10


def _grouped(queryset, field: str, label_field: str | None = None) -> list[dict]:
    rows = queryset.values(field).annotate(n=Count("pk")).order_by("-n", field)
    return [{"key": row[field] if row[field] not in (None, "") else "–", "n": row["n"]} for row in rows]


def incident_report(*, user: User, start: date, end: date, school: School | None = None) -> dict:
    begin, finish = period_bounds(start, end)
    calls = Incident.objects.reportable_by(user).filter(logged_at__gte=begin, logged_at__lt=finish)
    if school is not None:
        calls = calls.filter(school=school)
    totals = calls.aggregate(
        total=Count("pk"),
        responded=Count("pk", filter=Q(responded_at__isnull=False)),
        response_met=Count("pk", filter=Q(responded_at__lte=F("response_due_at"))),
        resolved=Count("pk", filter=Q(resolved_at__isnull=False)),
        resolve_met=Count("pk", filter=Q(resolved_at__lte=F("resolve_due_at"))),
        at_desk=Count("pk", filter=Q(resolved_at__isnull=False, support_level="desk")),
        avg_resolve=Avg(
            ExpressionWrapper(F("resolved_at") - F("logged_at"), output_field=DurationField()),
            filter=Q(resolved_at__isnull=False),
        ),
        rated=Count("pk", filter=~Q(satisfaction="")),
        rated_good=Count("pk", filter=Q(satisfaction="good")),
    )
    totals["satisfaction"] = _rate(totals["rated_good"], totals["rated"])  # % of the ratings that were good
    status_labels, level_labels = dict(IncidentStatus.choices), dict(SupportLevel.choices)
    by_status = [{**r, "key": status_labels.get(r["key"], r["key"])} for r in _grouped(calls, "status")]
    by_level = [{**r, "key": level_labels.get(r["key"], r["key"])} for r in _grouped(calls, "support_level")]
    by_priority = [{**r, "key": dict(Priority.choices).get(r["key"], r["key"])} for r in _grouped(calls, "priority")]
    by_priority.sort(key=lambda r: r["key"])
    repeat_locations = [r for r in _grouped(calls, "location__name") if r["n"] >= 2][:15]
    repeat_devices = [r for r in _grouped(calls.exclude(device=""), "device") if r["n"] >= 2][:15]
    return {
        "start": start,
        "end": end,
        "school": school,
        "totals": totals,
        "response_rate": _rate(totals["response_met"], totals["responded"]),
        "resolve_rate": _rate(totals["resolve_met"], totals["resolved"]),
        "desk_rate": _rate(totals["at_desk"], totals["resolved"]),
        "tables": [
            ("status", "Calls by status", by_status),
            ("priority", "Calls by priority", by_priority),
            ("category", "Calls by category", _grouped(calls, "category__name")),
            ("location", "Calls by location", _grouped(calls, "location__name")[:25]),
            ("support_level", "Calls by support level", by_level),
            ("repeat_location", "Repeat calls by location", repeat_locations),
            ("repeat_device", "Repeat calls by device", repeat_devices),
        ],
    }


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


# --- the service report: reactive statistics ------------------------------------------------------
def window(period, field: str = "logged_at") -> Q:
    begin, finish = period_bounds(period.start, period.end)
    return Q(**{f"{field}__gte": begin, f"{field}__lt": finish})


def any_window(periods, field: str = "logged_at") -> Q:
    condition = Q(pk__in=[])
    for _tag, period in periods:
        condition |= window(period, field)
    return condition


def reactive_conditions(now: datetime) -> dict[str, Q]:
    return {
        "calls": Q(),
        "requests": Q(kind=IncidentKind.REQUEST),
        "major": Q(priority=Priority.P1),
        "restricted": Q(is_restricted=True),
        "responded": Q(responded_at__isnull=False),
        "response_met": Q(responded_at__lte=F("response_due_at")),
        "resolved": Q(resolved_at__isnull=False),
        "resolve_met": Q(resolved_at__lte=F("resolve_due_at")),
        "open_late": Q(status__in=ACTIVE_STATUSES, resolve_due_at__lt=now),
        "at_desk": Q(resolved_at__isnull=False, support_level=SupportLevel.DESK),
        "at_first": Q(resolved_at__isnull=False, support_level=SupportLevel.FIRST),
        "at_second": Q(resolved_at__isnull=False, support_level=SupportLevel.SECOND),
        # satisfaction (decision 0022): "satisfied" is a rating of good
        "asked": Q(satisfaction_asked_at__isnull=False),
        "rated": ~Q(satisfaction=""),
        "satisfied": Q(satisfaction="good"),
        "rated_ok": Q(satisfaction="ok"),
        "rated_poor": Q(satisfaction="poor"),
    }


#: per priority, in the current period only: targets met
PRIORITY_TARGETS = ("responded", "response_met", "resolved", "resolve_met")


def reactive_totals(calls, periods, now: datetime, *, by_school: bool = False) -> dict:
    """{tag: {figure: value}} for every period, with the calls by priority (and, used for the current period,
    the targets met per priority) and the ratings (good / OK / poor); with `by_school`, also {"schools": {school_id:
    figures of the current period, with "before": its calls in the previous one}}. A single pass over
    the calls: one query per period, grouped by priority (a few small groups per school), added up here."""
    conditions = reactive_conditions(now)
    keys = ["priority", *(["school_id"] if by_school else [])]
    counts = {name: Count("pk", filter=condition) for name, condition in conditions.items()}
    # one query per period: each reads only its period's calls, and its few groups are hashed in memory
    groups = (
        dict(group, period=tag)
        for tag, period in periods
        for group in calls.filter(window(period)).order_by().values(*keys).annotate(**counts)
    )
    names = list(conditions)
    figures = {
        tag: dict.fromkeys(
            [
                *names,
                *(f"n_{p}" for p in Priority.values),
                *(f"{n}_{p}" for n in PRIORITY_TARGETS for p in Priority.values),
            ],
            0,
        )
        for tag, _p in periods
    }
    schools: dict[int, dict] = {}
    current, previous = periods[0][0], periods[1][0] if len(periods) > 1 else None
    for group in groups:
        row = figures[group["period"]]
        for name in names:
            row[name] += group[name]
        if by_school and group["period"] in (current, previous):
            school = schools.setdefault(group["school_id"], {**dict.fromkeys(names, 0), "before": 0})
            if group["period"] == previous:
                school["before"] += group["calls"]
            else:
                for name in names:
                    school[name] += group[name]
        if group["priority"] in Priority.values:
            row[f"n_{group['priority']}"] += group["calls"]
            for name in PRIORITY_TARGETS:
                row[f"{name}_{group['priority']}"] += group[name]
    for row in figures.values():
        row["incidents"] = row["calls"] - row["requests"]
        row["response_rate"] = _rate(row["response_met"], row["responded"])
        row["resolve_rate"] = _rate(row["resolve_met"], row["resolved"])
        for level in ("at_desk", "at_first", "at_second"):
            row[f"{level}_rate"] = _rate(row[level], row["resolved"])
        row["satisfied_rate"] = row["satisfaction"] = _rate(row["satisfied"], row["rated"])  # % rated good
        row["ok_rate"], row["poor_rate"] = _rate(row["rated_ok"], row["rated"]), _rate(row["rated_poor"], row["rated"])
        row["answered_rate"] = _rate(row["rated"], row["asked"])
    for school in schools.values():
        school["satisfaction"] = _rate(school["satisfied"], school["rated"])
        school["response_rate"] = _rate(school["response_met"], school["responded"])
        school["resolve_rate"] = _rate(school["resolve_met"], school["resolved"])
    return {**figures, "schools": schools} if by_school else figures


def _grouped_by(calls, periods, field: str) -> list[dict]:
    """One row per value of `field`, with its calls in each period (`n_<tag>`), the busiest now first."""
    rows: dict = {}
    for tag, period in periods:  # one small hashed grouping per period, as for the totals
        for row in calls.filter(window(period)).order_by().values(field).annotate(n=Count("pk")):
            empty = {field: row[field], **{f"n_{t}": 0 for t, _p in periods}}
            rows.setdefault(row[field], empty)[f"n_{tag}"] = row["n"]
    return sorted(rows.values(), key=lambda r: (-r[f"n_{periods[0][0]}"], str(r[field] or "")))


def by_priority(totals: dict, periods) -> list[dict]:
    now = totals[periods[0][0]]
    rows = []
    for value, label in Priority.choices:
        row = {
            "key": value,
            "label": str(label),
            **{f"n_{tag}": totals[tag][f"n_{value}"] for tag, _p in periods},
            **{name: now[f"{name}_{value}"] for name in PRIORITY_TARGETS},
        }
        row["response_rate"] = _rate(row["response_met"], row["responded"])
        row["resolve_rate"] = _rate(row["resolve_met"], row["resolved"])
        rows.append(row)
    return rows


def reactive_tables(calls, periods) -> dict:
    """By category and location; repeat calls."""
    categories = _top(_grouped_by(calls, periods, "category__name"), "category__name", periods)
    locations = _top(_grouped_by(calls, periods, "location__name"), "location__name", periods)
    return {"category": categories, "location": locations, "repeats": repeat_calls(calls.filter(window(periods[0][1])))}


def _top(rows: list[dict], field: str, periods) -> list[dict]:
    """The first TOP_ROWS rows by the current period, the rest added up in one row (key GroupedRow.EVERYTHING_ELSE).
    A row's `key` names the rows that are not one value (None for a named one); its `label` is for people."""
    tags = [tag for tag, _p in periods]
    top = [
        {
            "key": None if row[field] else GroupedRow.NOT_CATEGORISED,
            "label": row[field] or str(GroupedRow.NOT_CATEGORISED.label),
            **{tag: row[f"n_{tag}"] for tag in tags},
        }
        for row in rows[:TOP_ROWS]
        if row[f"n_{tags[0]}"]
    ]
    rest = rows[len(top) :]
    if any(row[f"n_{tag}"] for row in rest for tag in tags):
        top.append(
            {
                "key": GroupedRow.EVERYTHING_ELSE,
                "label": str(GroupedRow.EVERYTHING_ELSE.label),
                **{tag: sum(row[f"n_{tag}"] for row in rest) for tag in tags},
            }
        )
    return top


class SumOfCounts(Func):
    """`SUM(COUNT(…)) OVER ()`: in a grouped query, the rows of all the groups (Django's own Sum refuses an
    aggregate inside an aggregate)."""

    template = "SUM(COUNT(%(expressions)s)) OVER ()"
    contains_aggregate = False
    contains_over_clause = True
    output_field = IntegerField()

    def get_group_by_cols(self):
        return []


def repeat_calls(calls) -> dict:
    """Calls about a device that had already been reported in the period: the same device from the register,
    or the same description in the same school. One query: the worst devices, with the number of devices and
    of calls on them over all the groups (window functions). Restricted calls are left out (their devices are
    not for a governors' report)."""
    keyed = (
        calls.exclude(is_restricted=True)
        .filter(Q(asset__isnull=False) | ~Q(device=""))
        .annotate(
            described_as=Case(
                When(asset__isnull=False, then=Value("")), default=Lower(Trim("device")), output_field=CharField()
            )
        )
    )
    groups = (
        keyed.order_by()
        .values("school_id", "asset_id", "described_as")
        .annotate(n=Count("pk"), tag=Max("asset__tag"), described=Max("device"))
        .filter(n__gte=2)
        .annotate(devices=Window(Count("school_id")), on_them=SumOfCounts("pk"))
    )
    rows = list(groups.order_by("-n", "tag", "described_as")[:REPEAT_ROWS])
    top = [{"label": row["tag"] or row["described"], "n": row["n"]} for row in rows]
    devices, on_them = (rows[0]["devices"], rows[0]["on_them"]) if rows else (0, 0)
    return {"top": top, "devices": devices, "calls": on_them, "repeats": on_them - devices}


def technician_figures(school_ids, period) -> list[dict]:
    """The technician's scorecard: the period's calls forwarded to each technician, fixed, fixed within target,
    and how their reporters rated the handling (good / OK / poor). One grouped query."""
    rows = (
        Incident.objects.filter(school_id__in=school_ids, assigned_to__isnull=False)
        .filter(window(period))
        .order_by()
        .values("assigned_to_id", "assigned_to__first_name", "assigned_to__last_name", "assigned_to__username")
        .annotate(
            calls=Count("pk"),
            fixed=Count("pk", filter=Q(resolved_at__isnull=False)),
            fixed_in_time=Count("pk", filter=Q(resolved_at__lte=F("resolve_due_at"))),
            **satisfaction_counts(),
        )
        .order_by("-calls", "assigned_to__last_name", "assigned_to_id")
    )
    out = []
    for row in rows:
        name = f"{row['assigned_to__first_name']} {row['assigned_to__last_name']}".strip()
        out.append(
            satisfaction_shares(
                {**row, "name": name or row["assigned_to__username"], "rate": _rate(row["fixed_in_time"], row["fixed"])}
            )
        )
    return out


def reactive_figures(school_ids, periods, now: datetime | None = None, *, compare_schools: bool = False) -> dict:
    now = now or timezone.now()
    calls = Incident.objects.filter(school_id__in=school_ids)
    totals = reactive_totals(calls, periods, now, by_school=compare_schools)
    schools = totals.pop("schools", None)
    figures = {"totals": totals, "priority": by_priority(totals, periods), **reactive_tables(calls, periods)}
    if compare_schools:
        figures["schools"] = schools
    return figures


# --- the audit trail ---------------------------------------------------------------------------------------------
#: the records an entry links to while they exist: model name -> (model, URL name, the URL's parameter)
AUDIT_LINKS = {
    "incident": ("incidents.Incident", "incidents:incident_detail", "pk"),
    "asset": ("assets.Asset", "assets:asset_detail", "pk"),
    "licence": ("licences.Licence", "licences:licence_detail", "pk"),
    "supplier": ("suppliers.Supplier", "suppliers:supplier_detail", "pk"),
    "contract": ("suppliers.Contract", "suppliers:contract_detail", "contract_pk"),
    "changerequest": ("changes.ChangeRequest", "changes:change_detail", "pk"),
    "problem": ("problems.Problem", "problems:problem_detail", "pk"),
    "diaryentry": ("diary.DiaryEntry", "diary:entry_detail", "pk"),
    "school": ("schools.School", "schools:school_detail", "pk"),
}


def audit_trail(*, user: User) -> QuerySet[AuditEntry]:
    """The entries this person may read (an ICT owner's or DPO's schools; an LA officer's organisation), newest
    first, with who did it and where."""
    return AuditEntry.objects.visible_to(user).select_related("actor", "school").order_by("-at", "-pk")


def audit_links(*, user: User, entries: Iterable[AuditEntry]) -> dict[int, str]:
    """entry id -> the address of its record, for the records that still exist and that this person may open.
    One query per kind of record on the page, whatever the number of entries."""
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        if entry.object_type in AUDIT_LINKS and entry.object_id.isdigit():
            wanted.setdefault(entry.object_type, set()).add(int(entry.object_id))
    existing: dict[str, set[int]] = {}
    for kind, ids in wanted.items():
        manager = apps.get_model(AUDIT_LINKS[kind][0]).objects
        existing[kind] = set(manager.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    links = {}
    for entry in entries:
        if entry.object_id.isdigit() and int(entry.object_id) in existing.get(entry.object_type, ()):
            _model, name, parameter = AUDIT_LINKS[entry.object_type]
            links[entry.pk] = reverse(name, kwargs={parameter: int(entry.object_id)})
    return links


def escalated_to_my_supplier(*, user: User, limit: int = 25) -> list[Incident] | None:
    """The home page's open calls escalated to the supplier a provider works for; None for someone who is no
    supplier's provider in any school."""
    access = access_for(user)
    if not access.suppliers_by_school:
        return None
    return list(incidents_escalated_to_me(user=user, access=access)[:limit])

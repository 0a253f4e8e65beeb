"""The annual IT support review, built from a year of the desk: calls against their targets by month and
priority, satisfaction, the suppliers' scorecards, spend against budget, contracts coming up for renewal with
their decisions, and the standards page's state. The ICT owner's findings and actions are its own pages'."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth

from schooldesk.budgets.selectors import budget_vs_spend, years_for
from schooldesk.core.calendar import LONDON
from schooldesk.incidents.models import Incident
from schooldesk.incidents.selectors import satisfaction_summary
from schooldesk.suppliers.choices import IN_FORCE_STATUSES
from schooldesk.suppliers.models import Contract, ContractDecision
from schooldesk.suppliers.selectors import supplier_performance


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(start, datetime.min.time(), tzinfo=LONDON),
        datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=LONDON),
    )


def _rate(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def review_satisfaction(school, start: date, end: date) -> dict:
    """The satisfaction section: how reporters rated the calls resolved in the review's year (good, OK, poor),
    from the incidents app's one summary (schooldesk/incidents/selectors.py, decision 0022)."""

    return satisfaction_summary(schools=[school], start=start, end=end)


def review_calls(school, start: date, end: date) -> dict:

    low, high = _bounds(start, end)
    calls = Incident.objects.filter(school=school, logged_at__gte=low, logged_at__lt=high)
    rows = list(
        calls.annotate(month=TruncMonth("logged_at", tzinfo=LONDON))
        .order_by()
        .values("month", "priority")
        .annotate(
            n=Count("pk"),
            response_targeted=Count("pk", filter=Q(response_due_at__isnull=False, responded_at__isnull=False)),
            response_met=Count("pk", filter=Q(responded_at__lte=F("response_due_at"))),
            resolve_targeted=Count("pk", filter=Q(resolve_due_at__isnull=False, resolved_at__isnull=False)),
            resolve_met=Count("pk", filter=Q(resolved_at__lte=F("resolve_due_at"))),
        )
        .order_by("month", "priority")
    )
    totals = {
        key: sum(r[key] for r in rows)
        for key in ("n", "response_targeted", "response_met", "resolve_targeted", "resolve_met")
    }
    for row in [*rows, totals]:
        row["response_rate"] = _rate(row["response_met"], row["response_targeted"])
        row["resolve_rate"] = _rate(row["resolve_met"], row["resolve_targeted"])
    by_priority: dict[str, dict] = {}
    for row in rows:
        line = by_priority.setdefault(
            row["priority"],
            {
                "priority": row["priority"],
                "n": 0,
                "response_targeted": 0,
                "response_met": 0,
                "resolve_targeted": 0,
                "resolve_met": 0,
            },
        )
        for key in ("n", "response_targeted", "response_met", "resolve_targeted", "resolve_met"):
            line[key] += row[key]
    for line in by_priority.values():
        line["response_rate"] = _rate(line["response_met"], line["response_targeted"])
        line["resolve_rate"] = _rate(line["resolve_met"], line["resolve_targeted"])
    return {
        "rows": rows,
        "totals": totals,
        "by_priority": sorted(by_priority.values(), key=lambda r: r["priority"]),
        "satisfaction": review_satisfaction(school, start, end),
    }


def review_suppliers(user, school, start: date, end: date) -> list[dict]:
    """Each supplier's scorecard (schooldesk/suppliers/selectors.py) over the review's year, for the contracts
    shared with the school."""

    contracts = list(
        Contract.objects.visible_to(user)
        .filter(shares__school=school)
        .select_related("supplier")
        .order_by("supplier__name", "name")
    )
    found = []
    for supplier_id in dict.fromkeys(c.supplier_id for c in contracts):
        mine = [c for c in contracts if c.supplier_id == supplier_id]
        performance = supplier_performance(user=user, supplier_id=supplier_id, contracts=mine, today=end, since=start)
        found.append({"supplier": mine[0].supplier, "contracts": performance["contracts"]})
    return found


def review_renewals(user, school, today: date) -> list:
    """Contracts whose term ends within the next year, with the decisions made about them."""
    from django.db.models import Prefetch

    return list(
        Contract.objects.visible_to(user)
        .filter(shares__school=school, status__in=IN_FORCE_STATUSES, term_ends_on__lte=today + timedelta(days=366))
        .select_related("supplier")
        .prefetch_related(Prefetch("decisions", ContractDecision.objects.select_related("decided_by")))
        .order_by("term_ends_on")
    )


def review_report(user, school, review, today: date) -> dict:
    from schooldesk.standards.parts import standards_states
    from schooldesk.standards.selectors import review_period

    start, end = review_period(review.year, review.review_month)
    return {
        "start": start,
        "end": end,
        "calls": review_calls(school, start, end),
        "suppliers": review_suppliers(user, school, start, end),
        "budget": budget_vs_spend(user=user, years=years_for([school], end)),
        "renewals": review_renewals(user, school, today),
        "standards": standards_states([school], today)[school.pk],
        "today": today,
    }

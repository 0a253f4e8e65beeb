"""The service report beyond the calls: proactive statistics (problems, known errors, licence compliance,
warranty and end of life ahead, contract renewals), change statistics, supplier performance and spend
against budget. SQL aggregates, a fixed number of queries whatever the number of rows; the lists are
short and capped."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import (
    Avg,
    Count,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from schooldesk.assets.choices import PRESENT_STATUSES
from schooldesk.assets.models import Asset
from schooldesk.budgets.selectors import budget_vs_spend, years_for
from schooldesk.changes.choices import OPEN_STATUSES, ChangeStatus, Decision, Outcome
from schooldesk.changes.models import Approval, ChangeRequest
from schooldesk.core.templatetags.desk_format import duration
from schooldesk.diary.models import Payment
from schooldesk.incidents.models import Incident
from schooldesk.incidents.selectors import satisfaction_counts, satisfaction_shares
from schooldesk.licences.choices import ComplianceState
from schooldesk.licences.models import Licence
from schooldesk.licences.selectors import compliance_summary, licences_due_for_renewal, with_compliance
from schooldesk.problems.choices import ACTIVE_PROBLEM_STATUSES, ProblemStatus
from schooldesk.problems.models import Problem
from schooldesk.reports.selectors import any_window, window
from schooldesk.suppliers.choices import IN_FORCE_STATUSES, LIVE_STATUSES
from schooldesk.suppliers.models import Contract, ContractDecision, ContractShare

LIST_ROWS = 8
WARRANTY_DAYS = 90
#: kit older than this is due for replacement (the usual school replacement cycle for computers)
REPLACEMENT_YEARS = 5
RENEWAL_DAYS = 180
MONEY = DecimalField(max_digits=14, decimal_places=2)
ZERO = Decimal("0.00")


def _by_tag(values: dict, tags) -> dict[str, dict]:
    figures = {tag: {} for tag in tags}
    for key, value in values.items():
        tag, name = key.split("__", 1)
        figures.setdefault(tag, {})[name] = value
    return figures


# --- problems and known errors -------------------------------------------------------------------
def problem_figures(school_ids, periods, today: date) -> dict:

    problems = Problem.objects.filter(school_id__in=school_ids)
    aggregates = {}
    for tag, period in periods:
        aggregates[f"{tag}__raised"] = Count("pk", filter=window(period, "created_at"))
        aggregates[f"{tag}__known_errors"] = Count("pk", filter=window(period, "known_error_at"))
        aggregates[f"{tag}__resolved"] = Count("pk", filter=window(period, "resolved_at"))
    active = Q(status__in=ACTIVE_PROBLEM_STATUSES)
    aggregates.update(
        {
            "now__open_now": Count("pk", filter=active),
            "now__known_errors_now": Count("pk", filter=Q(status=ProblemStatus.KNOWN_ERROR)),
            "now__overdue_now": Count("pk", filter=active & Q(due_on__lt=today)),
        }
    )
    figures = _by_tag(problems.aggregate(**aggregates), [tag for tag, _p in periods])
    open_list = list(
        problems.filter(active)
        .select_related("school")
        .annotate(calls=Count("links"))
        .order_by("priority", "created_at", "pk")[:LIST_ROWS]
    )
    return {"figures": figures, "open": open_list}


# --- licences --------------------------------------------------------------------------------------
def licence_figures(school_ids, today: date) -> dict:

    licences = Licence.objects.filter(school_id__in=school_ids)
    checked = with_compliance(licences, today)
    summary = compliance_summary(checked)
    short = list(
        checked.filter(state=ComplianceState.UNDER)
        .select_related("school")
        .order_by("-shortfall", "product")[:LIST_ROWS]
    )
    renewing = licences_due_for_renewal(licences, within_days=WARRANTY_DAYS, today=today).aggregate(
        n=Count("pk"), cost=Coalesce(Sum("cost"), Value(ZERO), output_field=MONEY)
    )
    return {"summary": summary, "short": short, "renewing": renewing}


# --- warranty and end of life ----------------------------------------------------------------------
def asset_figures(school_ids, today: date) -> dict:
    """Working kit by type: warranties ending in the next 90 days or already ended, and kit past (or
    reaching within a year) the replacement age."""

    old = today - relativedelta(years=REPLACEMENT_YEARS)
    rows = list(
        Asset.objects.filter(school_id__in=school_ids, status__in=PRESENT_STATUSES)
        .order_by()
        .values("asset_type__name")
        .annotate(
            total=Count("pk"),
            warranty_ending=Count(
                "pk", filter=Q(warranty_ends_on__gte=today, warranty_ends_on__lte=today + timedelta(days=WARRANTY_DAYS))
            ),
            warranty_ended=Count("pk", filter=Q(warranty_ends_on__lt=today)),
            replace_now=Count("pk", filter=Q(purchased_on__lte=old)),
            replace_soon=Count("pk", filter=Q(purchased_on__gt=old, purchased_on__lte=old + relativedelta(years=1))),
        )
        .order_by("-replace_now", "-warranty_ending", "asset_type__name")
    )
    names = ("total", "warranty_ending", "warranty_ended", "replace_now", "replace_soon")
    totals = {name: sum(row[name] for row in rows) for name in names}
    return {
        "types": [{**row, "label": row["asset_type__name"]} for row in rows],
        "totals": totals,
        "warranty_days": WARRANTY_DAYS,
        "replacement_years": REPLACEMENT_YEARS,
    }


# --- contracts ---------------------------------------------------------------------------------------
def _contracts(school_ids):

    return Contract.objects.filter(pk__in=ContractShare.objects.filter(school_id__in=school_ids).values("contract_id"))


def contract_figures(school_ids, today: date) -> dict:
    """Contracts in force whose notice date or end falls in the next six months, and whether the school
    has decided about them yet."""

    horizon = today + timedelta(days=RENEWAL_DAYS)
    decided = ContractDecision.objects.filter(contract=OuterRef("pk"), term_ends_on=OuterRef("term_ends_on"))
    due = (
        _contracts(school_ids)
        .filter(status__in=LIVE_STATUSES, term_ends_on__gte=today)
        .filter(
            Q(notice_number__gt=0, notice_by_on__gte=today, notice_by_on__lte=horizon) | Q(term_ends_on__lte=horizon)
        )
    )
    rows = list(
        due.select_related("supplier")
        .annotate(decided=Exists(decided))
        .order_by("notice_by_on", "term_ends_on", "pk")[: LIST_ROWS * 2]
    )
    counts = due.aggregate(n=Count("pk"), undecided=Count("pk", filter=~Exists(decided)))
    return {"rows": rows, "count": counts["n"], "undecided": counts["undecided"], "days": RENEWAL_DAYS}


# --- change statistics -------------------------------------------------------------------------------
def change_figures(school_ids, periods) -> dict:

    changes = ChangeRequest.objects.filter(school_id__in=school_ids)
    failed = (Outcome.FAILED, Outcome.BACKED_OUT)
    aggregates = {}
    for tag, period in periods:
        aggregates[f"{tag}__raised"] = Count("pk", filter=window(period, "created_at"))
        aggregates[f"{tag}__implemented"] = Count(
            "pk", filter=window(period, "completed_at") & Q(outcome=Outcome.SUCCESSFUL)
        )
        aggregates[f"{tag}__failed"] = Count("pk", filter=window(period, "completed_at") & Q(outcome__in=failed))
    aggregates["now__open_now"] = Count("pk", filter=Q(status__in=OPEN_STATUSES))
    aggregates["now__awaiting_now"] = Count("pk", filter=Q(status=ChangeStatus.SUBMITTED))
    tags = [tag for tag, _p in periods]
    figures = _by_tag(changes.aggregate(**aggregates), tags)
    decisions = {}
    for tag, period in periods:
        decisions[f"{tag}__authorised"] = Count(
            "pk", filter=window(period, "created_at") & Q(decision__in=(Decision.AUTHORISED, Decision.PREAUTHORISED))
        )
        decisions[f"{tag}__rejected"] = Count("pk", filter=window(period, "created_at") & Q(decision=Decision.REJECTED))
    for tag, values in _by_tag(
        Approval.objects.filter(change__school_id__in=school_ids)
        .filter(any_window(periods, "created_at"))
        .aggregate(**decisions),
        tags,
    ).items():
        figures[tag].update(values)
    done = list(
        changes.filter(window(periods[0][1], "completed_at"))
        .select_related("school")
        .order_by("-completed_at", "-pk")[:LIST_ROWS]
    )
    return {"figures": figures, "done": done}


# --- supplier performance ----------------------------------------------------------------------------
def supplier_figures(school_ids, period) -> dict:
    """The period's calls escalated to each supplier: acknowledged (the supplier's reference recorded),
    fixed, fixed within the call's target (in the school's service hours) and the average time from
    escalation to fix; beside them the fix times each supplier's contract promises."""

    took = ExpressionWrapper(F("resolved_at") - F("escalated_at"), output_field=DurationField())
    rows = list(
        Incident.objects.filter(school_id__in=school_ids, supplier__isnull=False, escalated_at__isnull=False)
        .filter(window(period))
        .order_by()
        .values("supplier_id", "supplier__name")
        .annotate(
            escalated=Count("pk"),
            acknowledged=Count("pk", filter=~Q(supplier_reference="")),
            fixed=Count("pk", filter=Q(resolved_at__isnull=False)),
            fixed_in_time=Count("pk", filter=Q(resolved_at__lte=F("resolve_due_at"))),
            still_open=Count("pk", filter=Q(resolved_at__isnull=True, closed_at__isnull=True)),
            average=Avg(took, filter=Q(resolved_at__isnull=False)),
            **satisfaction_counts(),
        )
        .order_by("-escalated", "supplier__name")
    )
    promised: dict[int, list] = {}
    if rows:
        for supplier_id, name, targets in (
            _contracts(school_ids)
            .filter(supplier_id__in=[r["supplier_id"] for r in rows], status__in=IN_FORCE_STATUSES)
            .order_by("supplier_id", "-starts_on")
            .values_list("supplier_id", "name", "targets")
        ):
            promised.setdefault(supplier_id, []).append({"name": name, "targets": targets or {}})
    for row in rows:
        row["rate"] = round(100 * row["fixed_in_time"] / row["fixed"], 1) if row["fixed"] else None
        row["average_time"] = duration(row["average"]) if row["average"] else None
        row["contracts"] = promised.get(row["supplier_id"], [])
        row["promise"] = _promise(row["contracts"])
        satisfaction_shares(row)
    return {"rows": rows}


def _promise(contracts: list[dict]) -> str:
    """ "P1 4 h · P2 8 h 30 min · …" from the first contract that sets fix targets."""
    for contract in contracts:
        parts = [
            f"{p} {duration(t['fix'])}"
            for p, t in sorted(contract["targets"].items())
            if isinstance(t, dict) and t.get("fix")
        ]
        if parts:
            return " · ".join(parts)
    return ""


# --- spend against budget ----------------------------------------------------------------------------
def spend_figures(user, schools, periods) -> dict:
    """Payments due and paid in each period (before VAT), and the budget of the financial year in which
    the report's period ends, against what is committed and paid in it."""

    period = periods[0][1]
    year = budget_vs_spend(user=user, years=years_for(schools, period.end))
    aggregates = {}
    for tag, p in periods:
        aggregates[f"{tag}__due"] = Coalesce(
            Sum("amount", filter=window_dates(p, "due_on")), Value(ZERO), output_field=MONEY
        )
        aggregates[f"{tag}__paid"] = Coalesce(
            Sum("amount", filter=window_dates(p, "paid_on")), Value(ZERO), output_field=MONEY
        )
    inside = Q(pk__in=[])
    for _tag, p in periods:
        inside |= window_dates(p, "due_on") | window_dates(p, "paid_on")
    values = (
        Payment.objects.visible_to(user)
        .filter(school_id__in=[s.pk for s in schools])
        .filter(inside)
        .aggregate(**aggregates)
    )
    return {"year": year, "periods": _by_tag(values, [tag for tag, _p in periods])}


def window_dates(period, field: str) -> Q:
    return Q(**{f"{field}__gte": period.start, f"{field}__lte": period.end})

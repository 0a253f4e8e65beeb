"""Reads of the budget against spend, in SQL: two grouped queries whatever the number of schools and payments.

Spend is the diary's payments in the same budget categories, before VAT (schools reclaim it), counted in
each school's own financial year (April–March maintained, September–August academies):
- committed: every payment due in the year, paid or not (what the year will cost as things stand);
- paid: those paid so far;
- remaining: budget − committed (negative when the year is set to overspend)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce

from schooldesk.budgets.choices import BUDGET_VIEW_ROLES
from schooldesk.budgets.models import Budget
from schooldesk.core.access import access_for
from schooldesk.diary.models import Payment
from schooldesk.diary.selectors import FinancialYear, financial_year, financial_year_starting
from schooldesk.schools.models import School
from schooldesk.suppliers.choices import SpendCategory

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from schooldesk.accounts.models import User

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=14, decimal_places=2)


def budget_schools(*, user: User, roles: frozenset[str] = BUDGET_VIEW_ROLES) -> QuerySet[School]:
    """The schools whose budget `user` reads, by name."""
    return School.objects.filter(pk__in=access_for(user).school_ids(roles)).order_by("name")


def years_for(schools, day: date | None = None, *, year: int | None = None) -> dict[int, FinancialYear]:
    """Each school's financial year containing `day`, or the one starting in `year`."""
    if year is not None:
        return {s.pk: financial_year_starting(s.financial_year_start_month, year) for s in schools}
    return {s.pk: financial_year(s.financial_year_start_month, day) for s in schools}


def _conditions(years: dict[int, FinancialYear]) -> tuple[Q, Q]:
    """One term per distinct financial year (schools sharing a start month share it), not one per school."""
    groups: dict[FinancialYear, list[int]] = defaultdict(list)
    for school_id, fy in years.items():
        groups[fy].append(school_id)
    budgets, payments = Q(pk__in=[]), Q(pk__in=[])
    for fy, ids in groups.items():
        budgets |= Q(school_id__in=sorted(ids), year=fy.starts_on.year)
        payments |= Q(school_id__in=sorted(ids), due_on__gte=fy.starts_on, due_on__lte=fy.ends_on)
    return budgets, payments


def _money(expression, condition=None):
    return Coalesce(Sum(expression, filter=condition), Value(ZERO), output_field=MONEY)


def budget_vs_spend(*, user: User, years: dict[int, FinancialYear]) -> dict:
    """Budget, committed and paid by category and by school, for each school's financial year in `years`."""
    empty = {
        "rows": [],
        "schools": {},
        "totals": _line(ZERO, ZERO, ZERO),
        "years": years,
        "has_budget": False,
        "year_label": "",
    }
    if not years:
        return empty
    budget_condition, payment_condition = _conditions(years)
    budgets = (
        Budget.objects.visible_to(user)
        .filter(budget_condition)
        .order_by()
        .values_list("school_id", "category")
        .annotate(total=_money("amount"))
    )
    spend = (
        Payment.objects.visible_to(user)
        .filter(payment_condition)
        .order_by()
        .values_list("school_id", "category")
        .annotate(committed=_money("amount"), paid=_money("amount", Q(paid_on__isnull=False)))
    )
    cells: dict[tuple[int, str], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])
    for school_id, category, total in budgets:
        cells[school_id, category][0] += total
    for school_id, category, committed, paid in spend:
        cells[school_id, category][1] += committed
        cells[school_id, category][2] += paid
    by_category: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])
    by_school: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])
    for (school_id, category), values in cells.items():
        for n in range(3):
            by_category[category][n] += values[n]
            by_school[school_id][n] += values[n]
    labels = dict(SpendCategory.choices)
    rows = [
        {"category": c, "label": str(labels.get(c, c)), **_line(*by_category[c])}
        for c in SpendCategory.values
        if c in by_category
    ]
    rows += [{"category": c, "label": c, **_line(*v)} for c, v in by_category.items() if c not in labels]
    totals = [sum((v[n] for v in by_category.values()), ZERO) for n in range(3)]
    year_labels = sorted({fy.label for fy in years.values()})
    return {
        "rows": rows,
        "schools": {pk: _line(*v) for pk, v in by_school.items()},
        "totals": _line(*totals),
        "years": years,
        "has_budget": totals[0] > 0,
        "year_label": year_labels[0] if len(year_labels) == 1 else ", ".join(year_labels),
    }


def _line(budget: Decimal, committed: Decimal, paid: Decimal) -> dict:
    return {
        "budget": budget,
        "committed": committed,
        "paid": paid,
        "remaining": budget - committed,
        "percent": round(100 * committed / budget) if budget else None,
        "over": bool(budget) and committed > budget,
    }


def budget_api_list(*, user: User) -> QuerySet[Budget]:
    """The API's budget lines: those of the schools whose budget `user` reads."""
    access = access_for(user)
    rows = Budget.objects.visible_to(user)
    return rows.filter(access.schools_q(BUDGET_VIEW_ROLES)) if access.school_ids(BUDGET_VIEW_ROLES) else rows.none()


def budget_lines(*, user: User, school: School, year: int) -> dict[str, Decimal]:
    """The school's budget lines for the financial year starting in `year` (for the form)."""
    return dict(Budget.objects.visible_to(user).filter(school=school, year=year).values_list("category", "amount"))

"""Writes for the ICT budget. Views and the demo call these."""

from __future__ import annotations

import hashlib
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from schooldesk.budgets.choices import MAX_LINE
from schooldesk.budgets.models import Budget
from schooldesk.core.audit import audit_record
from schooldesk.core.concurrency import stale_message
from schooldesk.core.exceptions import ConflictError
from schooldesk.core.permissions import require
from schooldesk.core.templatetags.desk_format import money
from schooldesk.schools.models import School
from schooldesk.suppliers.choices import SpendCategory

PENNY = Decimal("0.01")


@transaction.atomic
def budget_version(school, year: int) -> str:
    """The version of a school's budget for a year, for the edit check (core/concurrency.py): a digest of its lines,
    as a year's budget is several rows, not one record with a counter."""
    lines = sorted(Budget.objects.filter(school=school, year=year).values_list("category", "amount"))
    return hashlib.sha256(repr([(c, str(a)) for c, a in lines]).encode()).hexdigest()[:16]


def budget_set(
    *, school, year: int, amounts: dict[str, Decimal | None], by, version: str | None = None
) -> dict[str, Decimal]:
    """Set the school's budget lines for the financial year starting in `year`. A line left empty (or 0) is
    removed; the lines not named are left as they are. Returns the year's lines after the change. `version` (from
    `budget_version` when the page was drawn): refused if someone else set the year's lines since."""
    require(by, "budgets.set", school)
    errors = {}
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Choose a financial year between 2000 and 2100.")})
    cleaned: dict[str, Decimal | None] = {}
    for category, amount in amounts.items():
        if category not in SpendCategory.values:
            errors[category] = "Not a budget category."
            continue
        if amount in (None, ""):
            cleaned[category] = None
            continue
        try:
            value = Decimal(amount).quantize(PENNY)
        except (InvalidOperation, TypeError, ValueError):
            errors[category] = "Give an amount in pounds, e.g. 1500 or 1500.50."
            continue
        if value < 0:
            errors[category] = "A budget cannot be negative."
        elif value > MAX_LINE:
            errors[category] = f"Give an amount under £{MAX_LINE:,}."
        else:
            cleaned[category] = value or None
    if errors:
        raise ValidationError(errors)
    # the school's row, not only the lines, so that a line someone else is adding is waited for too
    School.objects.select_for_update(no_key=True).filter(pk=school.pk).first()
    lines = {b.category: b for b in Budget.objects.select_for_update().filter(school=school, year=year)}
    if version and (current := budget_version(school, year)) != version:
        raise ConflictError(stale_message(_("budget")), current_version=current)
    changes = {}
    for category, value in cleaned.items():
        line = lines.get(category)
        old = line.amount if line else None
        if value == old:
            continue
        if value is None:
            line.delete()
            del lines[category]
        elif line is None:
            lines[category] = Budget.objects.create(
                school=school,
                year=year,
                category=category,
                amount=value,
                set_by=by if getattr(by, "is_authenticated", False) else None,
            )
        else:
            line.amount = value
            line.set_by = by if getattr(by, "is_authenticated", False) else None
            line.save(update_fields=["amount", "set_by", "updated_at"])
        changes[category] = [str(old) if old is not None else None, str(value) if value is not None else None]
    if changes:
        total = sum((b.amount for b in lines.values()), Decimal("0"))
        audit_record(
            actor=by,
            school=school,
            action="budget_set",
            obj=school,
            changes=changes,
            summary=f"ICT budget for the financial year starting in {year} set: {money(total)} in all",
        )
    return {category: line.amount for category, line in lines.items()}

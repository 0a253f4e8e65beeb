"""Demo ICT budgets (after schooldesk/demo/schools.py): each demo school's budget for the current
financial year and the one before, line by line. Riverside's hardware line is set below its Chromebook
roll-out, so the demo shows an overspend to talk about. `manage.py demo_seed` calls `budgets_demo(demo)`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone

from schooldesk.budgets.services import budget_set
from schooldesk.diary.selectors import financial_year

BUDGETS = {
    "oakfield": {
        "la_services": 5000,
        "connectivity": 4500,
        "hardware": 6000,
        "software": 2500,
        "consumables": 800,
        "training": 600,
        "maintenance": 500,
    },
    "riverside": {
        "support": 4000,
        "connectivity": 6500,
        "mis": 6500,
        "maintenance": 2500,
        "hardware": 15000,
        "software": 9000,
        "consumables": 2500,
        "training": 1500,
    },
}


def budgets_demo(demo, *, today: date | None = None) -> None:
    today = today or timezone.localdate()
    for key, lines in BUDGETS.items():
        school = demo.schools.get(key)
        if school is None:
            continue
        year = financial_year(school.financial_year_start_month, today).starts_on.year
        for offset, scale in ((-1, Decimal("0.92")), (0, Decimal("1"))):
            budget_set(
                school=school,
                year=year + offset,
                by=None,
                amounts={
                    category: (Decimal(amount) * scale).quantize(Decimal("1")) for category, amount in lines.items()
                },
            )

"""School A's budget for the tenancy walk (schooldesk/core/tests/test_tenancy.py). A budget line holds no text
of its own (category and amount): the walk checks that another school's people get 404 on school A's page."""

from decimal import Decimal

from schooldesk.budgets.models import Budget

SECTION = "budgets"
PK = "budget"
PARAMS = {"school_pk": "school"}


def build(cast, secret):
    return {
        "budget": Budget.objects.create(school=cast.school, year=2026, category="hardware", amount=Decimal("4321.00"))
    }

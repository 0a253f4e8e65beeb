"""The offer matches the refusal: for each of the cast, the budget pages offer the budget's form exactly when the
rule "budgets.set" allows it (schooldesk/permissions/rules.py), and the service refuses with the rule's words."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from schooldesk.budgets.services import budget_set
from schooldesk.core.permissions import can

pytestmark = pytest.mark.django_db

CAST = ("reporter", "spoc", "technician", "provider", "owner", "viewer", "dpo")


@pytest.mark.parametrize("role", CAST)
def test_the_budget_page_offers_what_the_rules_allow(cast, login, role):
    user = getattr(cast, role)
    client = login(user)
    page = client.get(reverse("budgets:budget_edit", args=[cast.school.pk]))
    if not can(user, "budgets.view", cast.school):
        assert page.status_code == 403
        return
    text = page.content.decode()
    may_set = can(user, "budgets.set", cast.school)
    assert ('<input type="hidden" name="year"' in text) == may_set  # the budget's form
    if not may_set:
        answer = client.post(reverse("budgets:budget_edit", args=[cast.school.pk]), {"hardware": "500"})
        assert answer.status_code == 403


def test_a_refusal_carries_the_rules_words(cast):
    with pytest.raises(PermissionDenied, match="Only the ICT owner can set the budget."):
        budget_set(school=cast.school, year=2026, amounts={"hardware": Decimal("500")}, by=cast.spoc)

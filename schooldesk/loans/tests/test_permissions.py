"""The offer matches the refusal: for each of the cast, a loan's page, the loaner pool and the charges offer an action
exactly when the rule the service asks allows it (schooldesk/permissions/rules.py), and the asset register's page
(which lends through loans) offers lending on the same rule."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from schooldesk.core.permissions import can
from schooldesk.loans.charges import charge_raise
from schooldesk.loans.tests.factories_pool import loan as make_loan

pytestmark = pytest.mark.django_db

CAST = ("reporter", "spoc", "technician", "provider", "owner", "viewer", "dpo")


@pytest.mark.parametrize("role", CAST)
def test_a_loans_page_offers_what_the_rules_allow(cast, login, role):
    user, loan = getattr(cast, role), make_loan(school=cast.school, by=cast.spoc)
    client = login(user)
    page = client.get(reverse("loans:loan_detail", args=[loan.pk]))
    if not can(user, "loans.lend", loan):
        assert page.status_code in (403, 404)
        assert client.post(reverse("loans:loan_return", args=[loan.pk]), {"status": "spare"}).status_code in (403, 404)
        loan.refresh_from_db()
        assert loan.returned_on is None
        return
    text = page.content.decode()
    assert reverse("loans:loan_return", args=[loan.pk]) in text
    assert (reverse("loans:loan_repairs", args=[loan.pk]) in text) == can(user, "loans.pool", loan)
    assert (reverse("loans:charge_create", args=[loan.pk]) in text) == can(user, "loans.charge", loan)
    if not can(user, "loans.charge", loan):
        assert client.get(reverse("loans:charge_create", args=[loan.pk])).status_code in (403, 404)


@pytest.mark.parametrize("role", CAST)
def test_the_pool_offers_what_the_rules_allow(cast, login, role):
    user = getattr(cast, role)
    client = login(user)
    page = client.get(reverse("loans:pool_detail", args=[cast.school.pk]))
    if not can(user, "loans.pool", cast.school):
        assert page.status_code in (403, 404)
        return
    text = page.content.decode()
    assert (reverse("loans:pool_settings", args=[cast.school.pk]) in text) == can(
        user, "loans.pool_settings", cast.school
    )
    assert (reverse("loans:charge_list") in text) == can(user, "loans.charge", cast.school)
    if not can(user, "loans.pool_settings", cast.school):
        assert client.get(reverse("loans:pool_settings", args=[cast.school.pk])).status_code in (403, 404)


def test_a_refusal_carries_the_rules_words(cast):
    loan = make_loan(school=cast.school, by=cast.spoc)
    with pytest.raises(PermissionDenied, match="Only the SPOC or the ICT owner can raise and change charges."):
        charge_raise(loan=loan, by=cast.technician, reason="damage", description="Cracked screen", amount=20)

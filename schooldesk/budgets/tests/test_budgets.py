from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from schooldesk.budgets.models import Budget
from schooldesk.budgets.selectors import budget_vs_spend, years_for
from schooldesk.budgets.services import budget_set
from schooldesk.core.models import AuditEntry
from schooldesk.diary.selectors import financial_year
from schooldesk.reports.tests.factories import payment

pytestmark = pytest.mark.django_db


def this_year(school):
    return financial_year(school.financial_year_start_month, timezone.localdate())


def test_the_owner_sets_lines_and_an_empty_line_is_removed(cast):
    year = this_year(cast.school).starts_on.year
    budget_set(school=cast.school, year=year, amounts={"hardware": Decimal("2500"), "software": "400.5"}, by=cast.owner)
    lines = budget_set(
        school=cast.school, year=year, amounts={"hardware": Decimal("3000"), "software": None}, by=cast.owner
    )
    assert lines == {"hardware": Decimal("3000.00")}
    assert Budget.objects.get(school=cast.school).set_by == cast.owner
    audit = AuditEntry.objects.filter(action="budget_set").first()
    assert audit.changes == {"hardware": ["2500.00", "3000.00"], "software": ["400.50", None]}


@pytest.mark.parametrize(
    "amounts,field",
    [
        ({"hardware": "-1"}, "hardware"),
        ({"hardware": "lots"}, "hardware"),
        ({"gold": "10"}, "gold"),
        ({"hardware": "99999999"}, "hardware"),
    ],
)
def test_bad_amounts_change_nothing(cast, amounts, field):
    budget_set(school=cast.school, year=2026, amounts={"training": Decimal("100")}, by=cast.owner)
    with pytest.raises(ValidationError) as error:
        budget_set(school=cast.school, year=2026, amounts={"training": Decimal("5"), **amounts}, by=cast.owner)
    assert field in error.value.error_dict
    assert Budget.objects.get(school=cast.school).amount == Decimal("100.00")


@pytest.mark.parametrize("role", ["spoc", "viewer", "technician"])
def test_only_the_owner_sets_the_budget(cast, other, role):
    with pytest.raises(PermissionDenied):
        budget_set(school=cast.school, year=2026, amounts={"hardware": 1}, by=getattr(cast, role))
    with pytest.raises(PermissionDenied):
        budget_set(school=cast.school, year=2026, amounts={"hardware": 1}, by=other.owner)


def test_budget_against_spend_in_each_schools_own_financial_year(cast, other):
    academy = other.school
    academy.financial_year_start_month = 9
    academy.save()
    budget_set(school=cast.school, year=2026, amounts={"hardware": 1000}, by=cast.owner)
    budget_set(school=cast.school, year=2025, amounts={"hardware": 9999}, by=cast.owner)  # another year
    payment(cast, "600", date(2026, 5, 1), paid=True)
    payment(cast, "700", date(2027, 3, 31))
    payment(cast, "50", date(2027, 4, 1))  # the next year
    data = budget_vs_spend(user=cast.owner, years=years_for([cast.school], date(2026, 11, 23)))
    assert data["year_label"] == "2026–27"
    assert data["totals"] == {
        "budget": Decimal("1000.00"),
        "committed": Decimal("1300.00"),
        "paid": Decimal("600.00"),
        "remaining": Decimal("-300.00"),
        "percent": 130,
        "over": True,
    }
    years = years_for([cast.school, academy], date(2026, 11, 23))
    assert years[academy.pk].starts_on == date(2026, 9, 1) and years[cast.school.pk].starts_on == date(2026, 4, 1)
    assert budget_vs_spend(user=other.owner, years=years)["totals"]["budget"] == Decimal("0")  # not cast's budget


def test_the_owner_sets_the_budget_on_its_page(cast, login):
    year = this_year(cast.school).starts_on.year
    client = login(cast.owner)
    page = client.get(f"/budgets/{cast.school.pk}/")
    assert page.status_code == 200 and "Save the budget" in page.content.decode()
    response = client.post(
        f"/budgets/{cast.school.pk}/", {"year": year, "hardware": "1500", "training": "", "software": "250.50"}
    )
    assert response.status_code == 302 and response["Location"] == f"/budgets/{cast.school.pk}/?year={year}"
    assert dict(Budget.objects.values_list("category", "amount")) == {
        "hardware": Decimal("1500.00"),
        "software": Decimal("250.50"),
    }
    listing = client.get("/budgets/").content.decode()
    assert "£1,750.50" in listing


def test_bad_input_is_shown_again_with_a_message(cast, login):
    response = login(cast.owner).post(
        f"/budgets/{cast.school.pk}/", {"hardware": "12abc", "software": "-4", "training": "80"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Give an amount in pounds" in page and 'value="12abc"' in page and 'value="80"' in page
    assert not Budget.objects.exists()


def test_the_desk_and_governors_read_it_and_cannot_change_it(cast, login):
    budget_set(school=cast.school, year=this_year(cast.school).starts_on.year, amounts={"hardware": 10}, by=cast.owner)
    for role in ("spoc", "viewer"):
        client = login(getattr(cast, role))
        page = client.get(f"/budgets/{cast.school.pk}/").content.decode()
        assert "The ICT owner sets the budget." in page and "disabled" in page
        assert client.post(f"/budgets/{cast.school.pk}/", {"hardware": "99"}).status_code == 403
    assert Budget.objects.get().amount == Decimal("10.00")
    for role in ("technician", "reporter"):
        assert login(getattr(cast, role)).get("/budgets/").status_code == 403


def test_another_schools_budget_is_not_found(cast, other, login):
    client = login(other.owner)
    assert client.get(f"/budgets/{cast.school.pk}/").status_code == 404
    assert client.post(f"/budgets/{cast.school.pk}/", {"hardware": "1"}).status_code == 404


def test_pages_do_a_fixed_number_of_queries(cast, client):
    client.force_login(cast.owner)

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = {url: count(url) for url in ("/budgets/", f"/budgets/{cast.school.pk}/")}
    year = this_year(cast.school).starts_on.year
    budget_set(school=cast.school, year=year, amounts={"hardware": 1, "software": 2, "training": 3}, by=cast.owner)
    for n in range(12):
        payment(
            cast,
            str(10 + n),
            timezone.localdate() - timedelta(days=n),
            paid=n % 2 == 0,
            category=["hardware", "software", "mis"][n % 3],
        )
    assert {url: count(url) for url in before} == before

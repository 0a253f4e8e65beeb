"""A school's budget for a year set through the API as the budget page sets it: `budget_set` (the ICT owner), the
page's form for the amounts, the year's digest as its ETag for If-Match (docs/decisions/0025)."""

from decimal import Decimal

import pytest

from schooldesk.budgets.models import Budget
from schooldesk.core.tests.test_api import token_client

pytestmark = pytest.mark.django_db


def test_the_ict_owner_sets_a_years_budget_lines_with_if_match(cast, other):
    owner = token_client(cast.owner)
    read = owner.get(f"/api/v1/budgets/year/?school={cast.school.pk}&year=2026")
    assert read.status_code == 200 and read.json()["lines"] == {}, read.content
    body = {"school": cast.school.pk, "year": 2026, "lines": {"support": "1500", "connectivity": "900.50"}}
    made = owner.post("/api/v1/budgets/year/", body, format="json", HTTP_IF_MATCH=read["ETag"])
    assert made.status_code == 200, made.content
    assert made.json()["lines"] == {"support": "1500.00", "connectivity": "900.50"} and made["ETag"] != read["ETag"]
    stale = owner.post(
        "/api/v1/budgets/year/", {**body, "lines": {"support": "1"}}, format="json", HTTP_IF_MATCH=read["ETag"]
    )
    assert stale.status_code == 412 and stale.json()["error"]["code"] == "precondition_failed"
    changed = owner.post(
        "/api/v1/budgets/year/",
        {**body, "lines": {"support": "1750", "connectivity": None}},
        format="json",
        HTTP_IF_MATCH=made["ETag"],
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["lines"] == {"support": "1750.00"}  # an empty line removed, as on the page
    invalid = owner.post("/api/v1/budgets/year/", {**body, "lines": {"support": "-5", "sweets": "1"}}, format="json")
    assert invalid.status_code == 400 and "support" in invalid.json()["error"]["fields"], invalid.content

    spoc = token_client(cast.spoc)
    assert spoc.get(f"/api/v1/budgets/year/?school={cast.school.pk}&year=2026").status_code == 200
    refused = spoc.post("/api/v1/budgets/year/", body, format="json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied"
    assert token_client(cast.owner, "read").post("/api/v1/budgets/year/", body, format="json").status_code == 403
    elsewhere = token_client(other.owner)
    assert elsewhere.get(f"/api/v1/budgets/year/?school={cast.school.pk}&year=2026").status_code == 404
    assert elsewhere.post("/api/v1/budgets/year/", body, format="json").status_code == 404
    assert list(Budget.objects.filter(school=cast.school).values_list("category", "amount")) == [
        ("support", Decimal("1750.00"))
    ]

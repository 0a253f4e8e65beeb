"""The budget page shows, beside the budget lines, what replacing the equipment whose support ends in the
year would cost (decision 0022): priced at each type's typical price, unpriced kit counted and flagged, and for
the current year the kit already out of support."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from schooldesk.assets.models import AssetType
from schooldesk.assets.tests.factories import AssetFactory, asset_type
from schooldesk.diary.selectors import financial_year

pytestmark = pytest.mark.django_db


def test_the_budget_page_shows_the_forecast_replacement_cost(cast, login):
    today = timezone.localdate()
    fy = financial_year(cast.school.financial_year_start_month, today)
    laptop = asset_type(cast.school, "Laptop")
    AssetType.objects.filter(pk=laptop.pk).update(typical_price=Decimal("450.00"))
    in_year = min(today + timedelta(days=1), fy.ends_on)
    for _ in range(2):
        AssetFactory(school=cast.school, support_ends_on=in_year)
    AssetFactory(school=cast.school, type_name="Switch", support_ends_on=in_year)  # no price
    AssetFactory(school=cast.school, support_ends_on=fy.starts_on - timedelta(days=3))  # already out
    AssetFactory(school=cast.school, status="disposed", disposed_on=today, support_ends_on=in_year)  # gone
    AssetFactory(school=cast.school, support_ends_on=fy.ends_on + timedelta(days=2))  # next year's
    client = login(cast.owner)
    url = f"/budgets/{cast.school.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    section = page[page.index('id="replacing"') :]
    assert f"3 devices' support ends in {fy.label}: replacing them would cost about £900.00." in section
    assert "1 with no price" in section
    assert "1 more device in service is already out of support (about £450.00 to replace)." in section
    assert f"/assets/forecast/?school={cast.school.pk}" in section
    next_year = client.get(url, {"year": fy.starts_on.year + 1}).content.decode()
    assert "1 device's support ends in" in next_year and "already out of support" not in next_year
    viewer = login(cast.viewer).get(url).content.decode()  # governors read the figure; the register is not theirs
    assert "replacing them would cost" in viewer and "/assets/forecast/" not in viewer
    for _ in range(10):
        AssetFactory(school=cast.school, support_ends_on=in_year)
    client = login(cast.owner)
    client.get(url)
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(queries)

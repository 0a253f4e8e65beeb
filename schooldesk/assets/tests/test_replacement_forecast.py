"""The replacement forecast (decision 0022): equipment in service whose support has ended or ends in each of the
school's financial years, counted and priced at its type's typical price (a type without one is counted and
flagged), types as rows and years as columns, each figure linking to the assets behind it."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from schooldesk.assets.models import Asset, AssetType
from schooldesk.assets.selectors import replacement_forecast
from schooldesk.assets.tests.factories import AssetFactory, asset_type
from schooldesk.diary.selectors import financial_year

pytestmark = pytest.mark.django_db
URL = "/assets/forecast/"


def priced(school, name, price):
    kind = asset_type(school, name)
    AssetType.objects.filter(pk=kind.pk).update(typical_price=price)
    return kind


@pytest.fixture
def register(cast, other):
    """This school's kit across the years (April–March), with what must never be counted beside it."""
    today = timezone.localdate()
    fy = financial_year(cast.school.financial_year_start_month, today)
    priced(cast.school, "Laptop", Decimal("500.00"))
    priced(cast.school, "Chromebook", None)  # no typical price: counted and flagged
    this_year = min(today + timedelta(days=1), fy.ends_on)
    made = {
        "ended": AssetFactory(school=cast.school, support_ends_on=today - timedelta(days=30)),
        "this_year": AssetFactory(school=cast.school, support_ends_on=this_year),
        "next_1": AssetFactory(school=cast.school, support_ends_on=fy.ends_on + timedelta(days=1)),
        "next_2": AssetFactory(school=cast.school, support_ends_on=fy.ends_on + timedelta(days=200)),
        "chromebook": AssetFactory(
            school=cast.school, type_name="Chromebook", support_ends_on=fy.ends_on + timedelta(days=10)
        ),
        "retired": AssetFactory(school=cast.school, status="retired", support_ends_on=fy.ends_on + timedelta(days=5)),
        "unknown": AssetFactory(school=cast.school),  # no support end recorded
        "far": AssetFactory(school=cast.school, support_ends_on=fy.ends_on + timedelta(days=366 * 6)),
        "theirs": AssetFactory(school=other.school, support_ends_on=fy.ends_on + timedelta(days=1)),
    }
    return {"today": today, "fy": fy, "assets": made}


def cells(forecast, name):
    row = next(r for r in forecast["rows"] if r["name"] == name)
    return {
        c["key"]: (cell["n"], cell["unpriced"], cell["cost"])
        for c, cell in zip(forecast["columns"], row["list"], strict=True)
        if cell["n"]
    }


def test_the_forecast_counts_and_prices_what_falls_out_of_support(cast, register):
    forecast = replacement_forecast(user=cast.spoc, today=register["today"])
    start = register["fy"].starts_on.year
    assert [c["key"] for c in forecast["columns"]] == ["ended", *[str(start + n) for n in range(5)]]
    assert forecast["columns"][1]["label"] == f"{start}–{(start + 1) % 100:02d}"
    assert cells(forecast, "Laptop") == {
        "ended": (1, 0, Decimal("500.00")),
        str(start): (1, 0, Decimal("500.00")),
        str(start + 1): (2, 0, Decimal("1000.00")),
    }
    assert cells(forecast, "Chromebook") == {str(start + 1): (1, 1, Decimal("0.00"))}
    totals = {c["key"]: cell["n"] for c, cell in zip(forecast["columns"], forecast["totals"], strict=True)}
    assert totals == {"ended": 1, str(start): 1, str(start + 1): 3, **{str(start + n): 0 for n in range(2, 5)}}


def test_an_academy_counts_in_its_own_financial_year(cast):
    cast.school.financial_year_start_month = 9  # an academy's year: September to August
    cast.school.save()
    today = timezone.localdate()
    fy = financial_year(9, today)
    priced(cast.school, "Laptop", Decimal("400.00"))
    july = date(fy.ends_on.year + 1, 7, 31)  # in an April year this would fall a year later
    AssetFactory(school=cast.school, support_ends_on=july)
    forecast = replacement_forecast(user=cast.spoc, today=today)
    assert cells(forecast, "Laptop") == {str(fy.starts_on.year + 1): (1, 0, Decimal("400.00"))}


def test_each_figure_links_to_the_assets_behind_it(cast, register, login):
    client = login(cast.spoc)
    page = client.get(URL)
    assert page.status_code == 200
    forecast = page.context["forecast"]
    laptop = next(r for r in forecast["rows"] if r["name"] == "Laptop")
    a = register["assets"]
    next_year = laptop["list"][2]
    listed = client.get(next_year["url"]).context["object_list"]
    assert {x.tag for x in listed} == {a["next_1"].tag, a["next_2"].tag}  # not the retired one, nor theirs
    assert next_year["url"] in page.content.decode().replace("&amp;", "&")
    ended = client.get(forecast["totals"][0]["url"]).context["object_list"]
    assert [x.tag for x in ended] == [a["ended"].tag]


def test_the_asset_list_filters_by_support(cast, register, login):
    client = login(cast.spoc)
    a = register["assets"]
    ended = {x.tag for x in client.get("/assets/", {"support": "ended"}).context["object_list"]}
    assert ended == {a["ended"].tag}
    soon = {x.tag for x in client.get("/assets/", {"support": "90"}).context["object_list"]}
    assert a["this_year"].tag in soon and a["ended"].tag not in soon and a["far"].tag not in soon
    unknown = {x.tag for x in client.get("/assets/", {"support": "none"}).context["object_list"]}
    assert a["unknown"].tag in unknown and a["ended"].tag not in unknown


def test_the_forecast_and_the_register_export_as_csv_and_xlsx(cast, register, login):
    client = login(cast.spoc)
    start = register["fy"].starts_on.year
    response = client.get(URL, {"format": "csv"})
    assert response["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Type", "Financial year", "Devices", "Devices without a price", "Replacement cost (£)"]
    assert ["Chromebook", f"{start + 1}–{(start + 2) % 100:02d}", "1", "1", "0.00"] in rows
    book = load_workbook(io.BytesIO(client.get(URL, {"format": "xlsx"}).content))
    sheet = book.active
    assert sheet.title == "Replacement forecast" and sheet["C2"].value == 0  # numbers stay numbers
    assert sum(row[2] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] == "Laptop") == 4
    register_csv = client.get("/assets/export/", {"format": "csv"}).content.decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(register_csv)))
    assert "Support ends" in header
    assert register["assets"]["ended"].support_ends_on.strftime("%d/%m/%Y") in register_csv


def test_the_forecast_page_does_a_fixed_number_of_queries(cast, register, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(cast.spoc)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    fy = register["fy"]
    for n in range(40):
        AssetFactory(
            school=cast.school,
            type_name=("Desktop", "Projector", "Laptop")[n % 3],
            support_ends_on=fy.ends_on + timedelta(days=30 * n),
        )
    with CaptureQueriesContext(connection) as many:
        assert client.get(URL).status_code == 200
    assert len(many) == len(few) <= 8, [q["sql"][:120] for q in many]


def test_another_schools_assets_never_show(cast, other, register, login):
    client = login(other.spoc)
    forecast = client.get(URL, {"school": cast.school.pk}).context["forecast"]
    assert [s.pk for s in forecast["schools"]] == [other.school.pk]  # a school not theirs is ignored
    assert sum(cell["n"] for cell in forecast["totals"]) == 1
    assert Asset.objects.filter(school=cast.school).count() == 8

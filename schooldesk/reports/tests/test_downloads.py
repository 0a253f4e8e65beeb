"""The report downloads as the download walk (schooldesk/core/tests/test_download_walk.py) found them broken:
"Download CSV" of the incident, change and problem reports answered 400 unless Show had been pressed first, and
a service report table whose title holds a colon answered 500 as XLSX (Excel forbids : \\ / ? * [ ] in a sheet's
name, and more than 31 characters)."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from schooldesk.core.exports import sheet_title
from schooldesk.core.tests.downloads import offers
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.problems.tests.factories import ProblemFactory

pytestmark = pytest.mark.django_db

REPORTS = ["/reports/incidents/", "/changes/report/", "/problems/report/"]


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv"), response.status_code
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize("page", REPORTS)
def test_download_csv_works_from_the_page_as_first_rendered(cast, login, page):
    IncidentFactory(school=cast.school, by=cast.reporter)
    ProblemFactory(school=cast.school, title="Projector bulbs")
    client = login(cast.spoc)
    response = client.get(page)
    assert response.status_code == 200
    button = next(o for o in offers(response.content.decode(), page, declared={}) if "Download CSV" in o.what)
    today = timezone.localdate()
    assert f"start={today - timedelta(days=30)}" in button.url and f"end={today}" in button.url
    assert csv_rows(client.get(button.url))[0]  # the period the page showed, with its header row
    # An address without the dates (a bookmark, the old link) gets the page's default period, not "required".
    name = csv_rows(client.get(page, {"format": "csv"}))
    assert name[0] == csv_rows(client.get(button.url))[0]


@pytest.mark.parametrize("page", REPORTS)
def test_a_date_the_person_cleared_is_still_asked_for(cast, login, page):
    response = login(cast.spoc).get(page, {"start": "", "end": str(timezone.localdate()), "format": "csv"})
    assert response.status_code == 400 and "This field is required." in response.content.decode()


@pytest.mark.parametrize(
    "title,expected",
    [
        ("Equipment: warranty and replacement ahead", "Equipment warranty and replacem"),
        ("Calls by category", "Calls by category"),
        ("a/b\\c?d*e[f]g", "a b c d e f g"),
        ("'quoted'", "quoted"),
        (":::", "Sheet"),
    ],
)
def test_sheet_titles_are_ones_excel_accepts(title, expected):
    assert sheet_title(title) == expected


def test_sheet_titles_are_unique_whatever_their_case():
    used = {"summary"}
    names = [sheet_title(t, used) for t in ("Summary", "A" * 40, "a" * 40, "A" * 40)]
    assert names == ["Summary (2)", "A" * 31, "a" * 27 + " (2)", "A" * 27 + " (3)"]
    assert all(len(name) <= 31 for name in names)


def test_every_table_of_the_service_report_opens_as_xlsx(world, cast, login):
    client = login(cast.owner)
    tables = client.get("/reports/service/").context["sections"]
    keys = [table.key for section in tables for table in section["tables"]]
    assert "equipment" in keys
    for key in keys:
        response = client.get("/reports/service/", {"format": "xlsx", "table": key})
        assert response.status_code == 200, key
        book = load_workbook(io.BytesIO(response.content))
        assert book.active["A1"].value, key
    book = load_workbook(io.BytesIO(client.get("/reports/service/", {"format": "xlsx"}).content))
    assert "Equipment warranty and replacem" in book.sheetnames
    assert len({name.lower() for name in book.sheetnames}) == len(book.sheetnames)

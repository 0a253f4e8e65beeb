"""Tables made one way (decision 0039): a Table of Columns reads its rows and core.exports writes it as CSV and XLSX."""

import csv
import datetime
import io
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from openpyxl import Workbook, load_workbook

from schooldesk.core.exports import XLSX, export_response, write_sheet
from schooldesk.core.tables import Column, Table, csv_text, many_schools

UTC = datetime.UTC
SUMMER = datetime.datetime(2026, 7, 1, 23, 30, tzinfo=UTC)  # 00:30 on 2 July in London


def thing(**kwargs):
    return SimpleNamespace(
        name="=SUM(A1)",
        school=SimpleNamespace(name="Oak Primary"),
        supplier=None,
        get_status_display=lambda: "In use",
        **kwargs,
    )


def test_a_column_reads_a_path_a_method_a_function_a_key_or_its_place():
    row = thing(cost=Decimal("12.50"))
    assert Column("School", "school.name").read(row, 0) == "Oak Primary"
    assert Column("Status", "get_status_display").read(row, 0) == "In use"
    assert Column("Supplier", "supplier.name").read(row, 0) is None, "None on the way reads as None"
    assert Column("Cost", lambda r: r.cost * 2, "money").read(row, 0) == Decimal("25.00")
    assert Column("School", "school.name").read({"school": row.school}, 0) == "Oak Primary"
    assert Column("Second").read(["a", "b"], 1) == "b"


def test_a_column_refuses_a_format_it_does_not_know():
    with pytest.raises(ValueError, match="'euros' is not a table format"):
        Column("Cost", "cost", "euros")


def test_each_format_writes_its_csv_text():
    day = datetime.date(2026, 9, 1)
    assert csv_text(None, "date") == "" and csv_text(None, "text") == ""
    assert csv_text(day, "date") == "01/09/2026"
    assert csv_text(SUMMER, "date") == "02/07/2026", "a moment's London day"
    assert csv_text(SUMMER, "datetime") == "02/07/2026 00:30"
    assert csv_text(day, "isodate") == day and str(csv_text(day, "isodate")) == "2026-09-01"
    assert csv_text(Decimal("3.10"), "money") == Decimal("3.10")


TABLE = Table(
    sheet="Things",
    columns=[
        Column("Name", "name"),
        Column("School", "school.name"),
        Column("Bought", "bought", "date"),
        Column("Seen", "seen", "datetime"),
        Column("Cost (£)", "cost", "money"),
        Column("Supplier", "supplier.name"),
    ],
)


def rows():
    return [
        thing(bought=datetime.date(2026, 9, 1), seen=SUMMER, cost=Decimal("12.50")),
        thing(bought=None, seen=None, cost=None),
    ]


def test_a_table_downloads_as_csv_with_its_headings_and_safe_cells():
    response = export_response(TABLE, "csv", "things-2026-09-01", rows())
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="things-2026-09-01.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(text.removeprefix("\ufeff")))) == [
        ["Name", "School", "Bought", "Seen", "Cost (£)", "Supplier"],
        ["'=SUM(A1)", "Oak Primary", "01/09/2026", "02/07/2026 00:30", "12.50", ""],
        ["'=SUM(A1)", "Oak Primary", "", "", "", ""],
    ]


def test_a_table_downloads_as_xlsx_with_numbers_and_dates_kept():
    response = export_response(TABLE, "xlsx", "things", rows())
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == 'attachment; filename="things.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content))["Things"]
    header, first, second = list(sheet.iter_rows())
    assert [c.value for c in header] == TABLE.header and all(c.font.b for c in header)
    assert [c.value for c in first] == [
        "'=SUM(A1)",
        "Oak Primary",
        datetime.datetime(2026, 9, 1),
        datetime.datetime(2026, 7, 2, 0, 30),  # London time, as the pages show it
        12.5,
        None,
    ]
    assert first[2].number_format == "dd/mm/yyyy" and first[3].number_format == "dd/mm/yyyy hh:mm"
    assert [c.value for c in second][2:] == [None, None, None, None]


def test_a_built_table_writes_its_own_rows_and_sheets_are_named_once():
    built = Table("t", "Calls: by type?", [Column("Type"), Column("Calls", format="int")], rows=[["Fault", 3]])
    assert list(built.cells()) == [["Fault", 3]] and built.formats == ["text", "int"]
    book, used = Workbook(write_only=True), set()
    assert write_sheet(book, built, used=used).title == "Calls by type"
    assert write_sheet(book, built, used=used).title == "Calls by type (2)"
    book.save(io.BytesIO())
    assert Table(columns=[]).sheet_name == "Export"


def test_headings_are_read_in_the_language_of_the_download():
    from django.utils import translation
    from django.utils.translation import gettext_lazy

    table = Table(sheet=gettext_lazy("Breach log"), columns=[Column(gettext_lazy("Breach log"), "name")])
    with translation.override("cy"):
        assert table.header == ["Cofnod torri data"] and table.sheet_name == "Cofnod torri data"
    with translation.override("en"):
        assert table.header == ["Breach log"] and table.sheet_name == "Breach log"


# --- the list pages: the same declarations drawn as HTML (core/templatetags/desk_tables.py) -------------------------


def _page(template_source: str, **context) -> str:
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/things/", {"q": "oak", "page": "3", **context.pop("query", {})})
    return Template("{% load desk_tables %}" + template_source).render(Context({"request": request, **context}))


def test_a_page_table_has_its_caption_headings_and_each_cell_its_data_label():
    table = Table(
        caption="Things",
        columns=[
            Column("Name", "name"),
            Column("School", "school.name", css="text-end"),
            Column("When", "at", "date", cell_css="text-nowrap"),
        ],
    )
    html = _page("{% list_table table rows %}", table=table, rows=[thing(at=SUMMER)])
    assert '<caption class="visually-hidden">Things</caption>' in html
    assert '<th scope="col">Name</th><th scope="col" class="text-end">School</th>' in html
    assert '<td data-label="Name">=SUM(A1)</td>' in html
    assert '<td class="text-end" data-label="School">Oak Primary</td>' in html
    assert '<th scope="col">When</th>' in html, "a class for the cells alone is not the heading's"
    assert '<td class="text-nowrap" data-label="When">02/07/2026</td>' in html, "the London day, as the report"
    assert 'class="table table-sm align-middle table-responsive-stack"' in html


def test_a_page_cell_escapes_a_value_and_shows_nothing_as_a_dash():
    table = Table(columns=[Column("Name", lambda row: "<b>Oak</b>"), Column("Supplier", "supplier.name")])
    html = _page("{% list_table table rows %}", table=table, rows=[thing()])
    assert "&lt;b&gt;Oak&lt;/b&gt;" in html and "<b>" not in html
    assert '<td data-label="Supplier">–</td>' in html


def test_a_column_with_a_cell_template_draws_each_row_with_it_in_the_pages_context(settings, tmp_path):
    (tmp_path / "cells").mkdir()
    (tmp_path / "cells" / "name.html").write_text('<a href="/things/{{ row.pk }}/">{{ row.name }}</a> {{ today }}')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0].get("DIRS", [])]}]
    table = Table(columns=[Column("Name", cell="cells/name.html")], row_class=lambda row: f"row-{row.pk}")
    rows = [SimpleNamespace(pk=1, name="<Oak>"), SimpleNamespace(pk=2, name="Ash")]
    html = _page("{% list_table table rows %}", table=table, rows=rows, today="Monday")
    assert '<tr class="row-1"><td data-label="Name"><a href="/things/1/">&lt;Oak&gt;</a> Monday</td></tr>' in html
    assert '<a href="/things/2/">Ash</a> Monday' in html


def test_a_column_that_sorts_links_its_heading_keeping_the_filters_and_says_which_way():
    table = Table(columns=[Column("Name", "name", sort="name"), Column("School", "school.name")])
    html = _page("{% list_table table rows %}", table=table, rows=[thing()])
    assert '<th scope="col"><a href="?q=oak&amp;ordering=name" title="Sort by Name">Name</a></th>' in html
    assert '<th scope="col">School</th>' in html, "a column without a sort key has a plain heading"
    html = _page("{% list_table table rows %}", table=table, rows=[thing()], query={"ordering": "name"})
    assert '<th scope="col" aria-sort="ascending"><a href="?q=oak&amp;ordering=-name"' in html
    html = _page("{% list_table table rows %}", table=table, rows=[thing()], query={"ordering": "-name"})
    assert '<th scope="col" aria-sort="descending"><a href="?q=oak&amp;ordering=name"' in html


def test_a_column_shows_when_the_page_says_so_and_a_hidden_heading_is_still_its_label():
    table = Table(
        columns=[
            Column("Select", lambda row: "", heading_hidden=True, when=lambda context: context.get("bulk")),
            Column("School", "school.name", when=many_schools),
            Column("Name", "name"),
        ]
    )
    one_school = _page("{% list_table table rows %}", table=table, rows=[thing()], nav={"school_count": 1})
    assert "Select" not in one_school and "School" not in one_school
    both = _page(
        "{% list_table table rows caption='Mine' %}", table=table, rows=[thing()], bulk=True, nav={"school_count": 2}
    )
    assert '<th scope="col"><span class="visually-hidden">Select</span></th>' in both
    assert '<td data-label="Select">' in both and '<td data-label="School">Oak Primary</td>' in both
    assert '<caption class="visually-hidden">Mine</caption>' in both


def test_a_page_table_and_its_download_share_a_column_and_the_download_is_still_its_declaration():
    from schooldesk.reports.tables import AUDIT_EXPORT, AUDIT_PAGE

    assert AUDIT_PAGE.columns[0] is AUDIT_EXPORT.columns[0], "the audit trail's When, declared once"
    response = export_response(AUDIT_EXPORT, "csv", "trail", [])
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header == ["When", "School", "Who", "What happened", "Kind of record", "Record", "Details"]


@pytest.mark.parametrize("url", ["/locations/", "/suppliers/", "/reports/audit/"])
def test_a_list_filtered_by_htmx_draws_its_table_in_the_results_partial(cast, login, url):
    """Filtering a list asks for its `#results` partial alone (FilteredListView), drawn by a proxy template: its
    cell templates are found all the same."""
    client = login(cast.owner)
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')  # a fresh mask each answer
    page = token.sub("", client.get(url).content.decode())
    partial = token.sub("", client.get(url, HTTP_HX_REQUEST="true").content.decode())
    assert "<html" not in partial and '<th scope="col">' in partial and 'data-label="' in partial
    table = page[page.index("<table") : page.index("</table>")]
    assert table in partial, "the same table as the whole page's"

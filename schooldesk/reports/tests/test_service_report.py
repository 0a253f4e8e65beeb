import csv
import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from schooldesk.reports import periods as P
from schooldesk.reports.service_report import report_tables, service_report

pytestmark = pytest.mark.django_db


def report_for(user, world, school=None):
    options = P.period_options([world.terms["this"].school_id], world.today)
    period = next(p for p in options[P.TERM] if p.label == "This term")
    return service_report(user, period=period, comparisons=P.comparisons(options, period), school=school)


def test_reactive_figures_compare_three_periods(world, cast):
    report = report_for(cast.owner, world)
    assert [label for _tag, label in report["columns"]] == [
        "This term",
        "Last term (previous)",
        "This term last year (a year earlier)",
    ]
    totals = report["reactive"]["totals"]
    now = totals["now"]
    assert (now["calls"], totals["previous"]["calls"], totals["last_year"]["calls"]) == (5, 2, 1)
    assert (now["responded"], now["response_met"], now["resolved"], now["resolve_met"]) == (4, 3, 3, 2)
    assert (now["response_rate"], now["resolve_rate"]) == (75.0, 66.7)
    assert (now["at_desk"], now["at_first"], now["at_second"]) == (1, 1, 1)
    assert (now["asked"], now["rated"], now["satisfied"], now["satisfaction"]) == (3, 3, 1, 33.3)
    assert (now["major"], now["requests"], now["restricted"], now["open_late"]) == (1, 1, 1, 2)
    assert (now["rated_ok"], now["rated_poor"], now["ok_rate"], now["poor_rate"]) == (1, 1, 33.3, 33.3)


def test_calls_by_priority_category_and_location_and_repeats(world, cast):
    reactive = report_for(cast.owner, world)["reactive"]
    p1 = next(row for row in reactive["priority"] if row["key"] == "P1")
    assert (p1["n_now"], p1["response_rate"], p1["resolve_rate"]) == (1, 100.0, 100.0)
    assert [row["key"] for row in reactive["priority"]] == ["P1", "P2", "P3", "P4", "P5"]
    hall = next(row for row in reactive["location"] if row["label"] == "Hall")
    assert (hall["now"], hall["previous"]) == (2, 0)
    # the same projector twice (described two ways); the restricted call about it is left out
    assert reactive["repeats"]["top"] == [{"label": "PROJ-1", "n": 2}]
    assert (reactive["repeats"]["devices"], reactive["repeats"]["repeats"]) == (1, 1)


def test_proactive_change_supplier_and_spend_figures(world, cast):
    report = report_for(cast.owner, world)
    problems = report["problems"]["figures"]
    assert (problems["now"]["raised"], problems["now"]["known_errors"], problems["now"]["resolved"]) == (2, 1, 1)
    assert (problems["previous"]["raised"], problems["now"]["open_now"]) == (1, 2)
    assert report["licences"]["summary"]["under"] == 1 and report["licences"]["summary"]["short"] == 1
    assert [x.product for x in report["licences"]["short"]] == ["Paint Pro"]
    assets = report["assets"]["totals"]
    assert (assets["warranty_ending"], assets["replace_now"]) == (1, 1)
    assert report["contracts"]["count"] == 1 and report["contracts"]["undecided"] == 1
    changes = report["changes"]["figures"]["now"]
    assert (
        changes["raised"],
        changes["authorised"],
        changes["rejected"],
        changes["implemented"],
        changes["failed"],
    ) == (2, 1, 1, 1, 0)
    [supplier] = report["suppliers"]["rows"]
    assert (supplier["escalated"], supplier["acknowledged"], supplier["fixed"], supplier["rate"]) == (1, 1, 1, 100.0)
    assert supplier["promise"] == "P1 4 hours"
    year = report["spend"]["year"]["totals"]
    assert (year["budget"], year["committed"], year["paid"], year["over"]) == (
        Decimal("1000.00"),
        Decimal("1300.00"),
        Decimal("600.00"),
        True,
    )
    assert report["spend"]["periods"]["now"] == {"due": Decimal("1300.00"), "paid": Decimal("600.00")}


def test_summary_is_plain_english_and_asks_the_questions(world, cast):
    report = report_for(cast.owner, world)
    text = " ".join(report["summary"])
    assert "staff reported 5 faults and requests" in text
    assert "up from 2 to 5 compared with Last term" in text and "150%" not in text  # a base under 20
    assert "75% were answered within the agreed time and 67% were put right within it" in text
    assert "There was 1 critical (P1) incident." in text
    assert "1 software licence covers less than is in use (1 more needed)" in text
    assert "over budget" in text
    assert "1 call concerned data protection or safeguarding" in text
    assert any("brought into line" in q for q in report["questions"])
    assert any("over the budget" in q for q in report["questions"])


def test_another_schools_data_is_never_counted(world, cast, other):
    mine = report_for(cast.viewer, world)
    assert mine["reactive"]["totals"]["now"]["calls"] == 5 and [s.pk for s in mine["schools"]] == [cast.school.pk]
    theirs = report_for(other.viewer, world)
    assert theirs["reactive"]["totals"]["now"]["calls"] == 5  # their own five (same dates), not ten
    assert theirs["spend"]["year"]["totals"]["budget"] == Decimal("1000.00")


def test_every_table_has_rows_and_a_heading_per_column(world, cast):
    tables = report_tables(report_for(cast.owner, world))
    keys = [t.key for section in tables.values() for t in section]
    assert keys == [
        "calls",
        "priority",
        "category",
        "location",
        "support_level",
        "satisfaction",
        "technicians",
        "repeats",
        "problems",
        "open_problems",
        "licences",
        "licences_short",
        "equipment",
        "contracts",
        "changes",
        "changes_done",
        "suppliers",
        "spend",
        "spend_periods",
    ]
    for section in tables.values():
        for table in section:
            assert all(len(row) == len(table.columns) for row in table.rows), table.key


# --- the page and its downloads ---------------------------------------------------------------------
def test_the_page_shows_the_term_under_way_with_charts(world, cast, login):
    response = login(cast.owner).get("/reports/service/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Summary: This term" in page and "staff reported 5 faults and requests" in page
    assert 'data-chart="chart-priority-data"' in page and "vendor/chart.umd.min.js" in page
    assert response.context["report"]["period"].label == "This term"
    assert "Questions governors may wish to ask" in page


def test_csv_and_xlsx_of_a_table_and_the_whole_workbook(world, cast, login):
    client = login(cast.spoc)
    key = response_key(client)
    response = client.get("/reports/service/", {"period": key, "format": "csv", "table": "priority"})
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="service-report-oak-primary-school-this-term-priority.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Priority", "This term"] and rows[1][:2] == ["P1 – critical", "1"]
    response = client.get("/reports/service/", {"period": key, "format": "xlsx", "table": "location"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "Location" and sheet["B2"].value == 2  # numbers stay numbers
    book = load_workbook(io.BytesIO(client.get("/reports/service/", {"period": key, "format": "xlsx"}).content))
    assert book.sheetnames[0] == "Summary" and "Calls by category" in book.sheetnames and len(book.sheetnames) == 20
    assert book["Summary"]["A7"].value.startswith("In This term so far")


def response_key(client):
    return client.get("/reports/service/").context["report"]["period"].key


def test_spreadsheet_formulas_are_neutralised(world, cast, login):
    from schooldesk.locations.models import Location
    from schooldesk.reports.tests.factories import at_noon, call_at

    evil = Location.objects.create(school=cast.school, name='=HYPERLINK("x")')
    call_at(cast, at_noon(world.today), create={"location": evil})
    client = login(cast.spoc)
    response = client.get("/reports/service/", {"format": "csv", "table": "location"})
    assert "'=HYPERLINK" in response.content.decode("utf-8-sig")
    sheet = load_workbook(io.BytesIO(client.get("/reports/service/", {"format": "xlsx", "table": "location"}).content))
    assert any(str(c.value).startswith("'=HYPERLINK") for row in sheet.active.iter_rows() for c in row)


def test_pdf_has_the_summary_first_and_the_charts(world, cast, login):
    response = login(cast.owner).get("/reports/service/", {"format": "pdf"})
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].endswith('.pdf"')
    html = response_html(login(cast.owner))
    assert html.count("<svg") >= 5 and "Questions governors may wish to ask" in html
    if pdftotext := shutil.which("pdftotext"):  # poppler-utils: the words as a reader sees them
        text = subprocess.run(
            [pdftotext, "-layout", "-", "-"],
            input=response.content,
            capture_output=True,  # noqa: S603
            check=True,
        ).stdout.decode()
        first_page = text.split("\f")[0]
        assert "ICT service report" in first_page and "Oak Primary School" in first_page
        assert "Summary" in first_page and "staff reported 5 faults and requests" in first_page.replace("\n", " ")
        assert "Calls by priority" in text and "Budget against committed spend" in text


def response_html(client):
    from django.template.loader import render_to_string

    from schooldesk.reports.charts import report_charts
    from schooldesk.reports.service_report import report_sections

    report = client.get("/reports/service/").context["report"]
    sections = report_sections(report_tables(report), report_charts(report))
    return render_to_string("reports/service_report_pdf.html", {"report": report, "sections": sections})


def test_bad_period_and_unknown_table(world, cast, login):
    client = login(cast.owner)
    response = client.get("/reports/service/", {"period": "term:2026-12-01:2026-01-01"})
    assert response.status_code == 400 and "Choose a period from the list." in response.content.decode()
    assert client.get("/reports/service/", {"format": "csv", "table": "nope"}).status_code == 404


def test_a_month_report_and_another_school_refused_quietly(world, cast, other, login):
    client = login(cast.owner)
    key = P.month_period(world.today.year, world.today.month).key
    response = client.get("/reports/service/", {"period": key, "school": other.school.pk})
    assert response.status_code == 200  # the other school is not offered: the report is of one's own schools
    assert [s.pk for s in response.context["report"]["schools"]] == [cast.school.pk]


@pytest.mark.parametrize(
    "role,status",
    [
        ("reporter", 403),
        ("technician", 403),
        ("provider", 403),
        ("dpo", 403),
        ("viewer", 200),
        ("spoc", 200),
        ("owner", 200),
    ],
)
def test_who_may_read_the_service_report(cast, login, role, status):
    assert login(getattr(cast, role)).get("/reports/service/").status_code == status


def test_the_tenancy_walks_objects_do_show_to_their_own_school(cast, login):
    """The tenancy walk (core/tests/test_tenancy.py) must be able to fail on these pages."""
    from schooldesk.reports.tests import tenancy

    tenancy.build(cast, "OAKSECRET")
    client = login(cast.owner)
    for url in ("/reports/service/", "/reports/dashboards/desk/", "/reports/dashboards/owner/"):
        assert b"OAKSECRET" in client.get(url).content, url

"""The service report's tables as CSV (one table) and XLSX (one table, or every table in one workbook, a sheet
each), written by core.exports from the tables' own columns (decision 0039): formulas neutralised, numbers kept as
numbers."""

from __future__ import annotations

import re

from django.http import HttpResponse

from schooldesk.core.exports import export_response, spreadsheet_safe, workbook_response, write_sheet
from schooldesk.core.tables import Table


def filename(report: dict, suffix: str) -> str:
    school = report["school"] or (report["schools"][0] if len(report["schools"]) == 1 else None)
    where = (school.short_name or school.name) if school else "all-schools"
    slug = re.sub(r"[^a-z0-9]+", "-", f"{where} {report['period'].label}".lower()).strip("-")
    return f"service-report-{slug}{suffix}"


def table_csv(report: dict, table: Table) -> HttpResponse:
    return export_response(table, "csv", filename(report, f"-{table.key}"))


def table_xlsx(report: dict, table: Table) -> HttpResponse:
    return export_response(table, "xlsx", filename(report, f"-{table.key}"))


def workbook(report: dict, tables: list[Table]) -> HttpResponse:
    """Every table in one workbook: a summary sheet first (period, schools, the plain-English summary), then a sheet
    per table with its note below it."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    first = book.create_sheet("Summary")
    title = WriteOnlyCell(first, value="Service report")
    title.font = Font(bold=True)
    first.append([title])
    period = report["period"]
    first.append(["Period", spreadsheet_safe(f"{period.label} ({period.dates})")])
    first.append(["Schools", spreadsheet_safe(", ".join(s.name for s in report["schools"]))])
    for _tag, label in report["columns"][1:]:
        first.append(["Compared with", spreadsheet_safe(label)])
    first.append([])
    for sentence in report["summary"]:
        first.append([spreadsheet_safe(sentence)])
    used = {"summary"}
    for table in tables:
        sheet = write_sheet(book, table, used=used)
        if table.note:
            sheet.append([])
            sheet.append([spreadsheet_safe(table.note)])
    return workbook_response(book, filename(report, ".xlsx"))


def pdf(request, report: dict, sections: list[dict]) -> HttpResponse:
    """The report as a PDF for the governors' pack: the same tables and charts, drawn as SVG."""
    return pdf_response(
        request, "reports/service_report_pdf.html", {"report": report, "sections": sections}, filename(report, ".pdf")
    )


def pdf_response(request, template: str, context: dict, name: str) -> HttpResponse:
    """A template drawn as a PDF by WeasyPrint, as a download: the one way the desk's governors' PDFs are made."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    html = render_to_string(template, context, request=request)
    document = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

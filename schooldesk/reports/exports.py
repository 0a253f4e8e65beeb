"""The service report's tables as CSV (one table) and XLSX (one table, or every table in one workbook, a sheet
each), safe to open in a spreadsheet (core.exports: formulas neutralised, numbers kept as numbers)."""

from __future__ import annotations

import datetime
import io
import re

from django.http import HttpResponse

from schooldesk.core.exports import csv_response, sheet_title, spreadsheet_safe, xlsx_cell, xlsx_response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def filename(report: dict, suffix: str) -> str:
    school = report["school"] or (report["schools"][0] if len(report["schools"]) == 1 else None)
    where = (school.short_name or school.name) if school else "all-schools"
    slug = re.sub(r"[^a-z0-9]+", "-", f"{where} {report['period'].label}".lower()).strip("-")
    return f"service-report-{slug}{suffix}"


def _csv_cell(value, fmt: str):
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return "" if value is None else value


def table_csv(report: dict, table) -> HttpResponse:
    rows = ([_csv_cell(v, f) for v, f in zip(row, table.formats, strict=False)] for row in table.rows)
    return csv_response(filename(report, f"-{table.key}.csv"), table.header, rows)


def table_xlsx(report: dict, table) -> HttpResponse:
    return xlsx_response(filename(report, f"-{table.key}.xlsx"), table.header, table.rows, sheet=table.title)


def workbook(report: dict, tables: list) -> HttpResponse:
    """Every table in one workbook: a summary sheet first (period, schools, the plain-English summary)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    bold = Font(bold=True)

    def cell(sheet, value, *, heading=False):
        value = xlsx_cell(value)
        out = WriteOnlyCell(sheet, value=value)
        if heading:
            out.font = bold
        if isinstance(value, datetime.date):
            out.number_format = "dd/mm/yyyy"
        return out

    first = book.create_sheet("Summary")
    period = report["period"]
    first.append([cell(first, "Service report", heading=True)])
    first.append(["Period", spreadsheet_safe(f"{period.label} ({period.dates})")])
    first.append(["Schools", spreadsheet_safe(", ".join(s.name for s in report["schools"]))])
    for _tag, label in report["columns"][1:]:
        first.append(["Compared with", spreadsheet_safe(label)])
    first.append([])
    for sentence in report["summary"]:
        first.append([spreadsheet_safe(sentence)])
    used = {"summary"}
    for table in tables:
        sheet = book.create_sheet(sheet_title(table.title, used))
        sheet.append([cell(sheet, title, heading=True) for title in table.header])
        for row in table.rows:
            sheet.append([cell(sheet, value) for value in row])
        if table.note:
            sheet.append([])
            sheet.append([spreadsheet_safe(table.note)])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename(report, ".xlsx")}"'
    return response


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

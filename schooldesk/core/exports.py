"""Exports that are safe to open in a spreadsheet."""

import csv
import re
from collections.abc import Iterable

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: what Excel (and so openpyxl) refuses in a worksheet's name
SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_LENGTH = 31


def spreadsheet_safe(value) -> str:
    """A cell that a spreadsheet would run as a formula is prefixed with an apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so Excel reads UTF-8
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return response


def sheet_title(title, used: set[str] | None = None) -> str:
    """A worksheet name Excel accepts, from a table's title: none of : \\ / ? * [ ], no apostrophe at either end,
    31 characters at most, never blank; numbered if `used` (lower-cased names, updated) already has it, as Excel
    compares names without regard to case."""
    name = " ".join(SHEET_FORBIDDEN.sub(" ", str(title)).split())[:SHEET_LENGTH].strip(" '") or "Sheet"
    taken = used if used is not None else set()
    candidate, n = name, 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate = name[: SHEET_LENGTH - len(suffix)].rstrip(" '") + suffix
        n += 1
    taken.add(candidate.lower())
    return candidate


def xlsx_cell(value):
    """Numbers and dates stay numbers and dates; text is made safe (openpyxl would store "=…" as a formula)."""
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, datetime.date):
        return value
    return spreadsheet_safe(value)


def xlsx_response(filename: str, header: list[str], rows: Iterable[Iterable], sheet: str = "Export") -> HttpResponse:
    """An Excel workbook (one sheet, a bold header row) built row by row in write-only mode."""
    import datetime
    import io

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet_title(sheet))
    bold = Font(bold=True)
    heading = []
    for title in header:
        cell = WriteOnlyCell(worksheet, value=spreadsheet_safe(title))
        cell.font = bold
        heading.append(cell)
    worksheet.append(heading)
    for row in rows:
        cells = []
        for value in row:
            value = xlsx_cell(value)
            if isinstance(value, datetime.date):  # British dates, as the pages show them
                cell = WriteOnlyCell(worksheet, value=value)
                cell.number_format = "dd/mm/yyyy hh:mm" if isinstance(value, datetime.datetime) else "dd/mm/yyyy"
                value = cell
            cells.append(value)
        worksheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

"""Downloads that are safe to open in a spreadsheet: a `core.tables.Table` as CSV or XLSX (decision 0039)."""

import csv
import re
from collections.abc import Iterable

from django.http import HttpResponse

from schooldesk.core.tables import Table, csv_text

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: what Excel (and so openpyxl) refuses in a worksheet's name
SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_LENGTH = 31
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def spreadsheet_safe(value) -> str:
    """A cell that a spreadsheet would run as a formula is prefixed with an apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


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


def export_response(table: Table, fmt: str, name: str, objects: Iterable | None = None) -> HttpResponse:
    """The table as `name`.csv or `name`.xlsx (`fmt`), its rows read from `objects` (or the table's own rows)."""
    if fmt == "xlsx":
        return table_xlsx(table, f"{name}.xlsx", objects)
    return table_csv(table, f"{name}.csv", objects)


def table_csv(table: Table, filename: str, objects: Iterable | None = None) -> HttpResponse:
    """A CSV download: the headings, then each row's cells as its column's format writes them, made safe."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so Excel reads UTF-8
    writer = csv.writer(response)
    writer.writerow(table.header)
    formats = table.formats
    for row in table.cells(objects):
        writer.writerow([spreadsheet_safe(csv_text(value, fmt)) for value, fmt in zip(row, formats, strict=True)])
    return response


def table_xlsx(table: Table, filename: str, objects: Iterable | None = None) -> HttpResponse:
    """An Excel workbook of one sheet (the table's `sheet_name`), built row by row in write-only mode."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    write_sheet(book, table, objects)
    return workbook_response(book, filename)


def write_sheet(book, table: Table, objects: Iterable | None = None, *, used: set[str] | None = None):
    """One sheet of a write-only workbook: a bold header row, then the rows; numbers and dates stay numbers and
    dates (British dates, as the pages show them), text is made safe. `used`: the sheet names taken (sheet_title)."""
    import datetime

    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    worksheet = book.create_sheet(sheet_title(table.sheet_name, used))
    bold = Font(bold=True)
    heading = []
    for title in table.header:
        cell = WriteOnlyCell(worksheet, value=spreadsheet_safe(title))
        cell.font = bold
        heading.append(cell)
    worksheet.append(heading)
    for row in table.cells(objects):
        cells = []
        for value in row:
            value = xlsx_cell(value)
            if isinstance(value, datetime.date):
                cell = WriteOnlyCell(worksheet, value=value)
                cell.number_format = "dd/mm/yyyy hh:mm" if isinstance(value, datetime.datetime) else "dd/mm/yyyy"
                value = cell
            cells.append(value)
        worksheet.append(cells)
    return worksheet


def workbook_response(book, filename: str) -> HttpResponse:
    import io

    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

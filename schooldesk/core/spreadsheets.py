"""Reading a school's spreadsheet (CSV or XLSX) into rows, with a clear message for every file that
cannot be read. The one reader of every import: assets, licence installations, staff and pupils.

A file-level problem (wrong encoding, a title row or merged heading cells, too many rows, not a
spreadsheet) raises `ImportFileError`; row-level problems are the caller's, reported by line number."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

MAX_ROWS = 20_000
MAX_BYTES = 15 * 1024 * 1024
#: a workbook is a zip of XML parts: all of them together, unpacked, and how many (docs/decisions/0015)
MAX_UNZIPPED_BYTES = 150 * 1024 * 1024
MAX_PARTS = 1_000
#: columns read from each row: a cell further right is reported, not read (a sheet can have 16,384)
MAX_COLUMNS = 200
DATE_FORMATS = (
    "%d/%m/%Y",
    "%d/%m/%y",
    "%Y-%m-%d",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d %b %Y",
    "%d %B %Y",
    "%d-%b-%Y",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
)


class ImportFileError(Exception):
    """The whole file cannot be used; the message says why and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class CellError(ValueError):
    """One cell cannot be used; the message says why."""


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list]] = field(default_factory=list)  # (line number in the file, cells)


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: how a spreadsheet names the column."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def read_table(upload, name: str | None = None, *, max_rows: int = MAX_ROWS) -> Table:
    """The headings (first row) and the non-blank rows of the first sheet, each with its line number."""
    name = name or getattr(upload, "name", "") or ""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ImportFileError(
            f"The file is {size / 1024 / 1024:.0f} MB; SchoolDesk imports files up to "
            f"{MAX_BYTES // 1024 // 1024} MB. Split it into smaller files."
        )
    upload.seek(0)
    raw = upload.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise ImportFileError(f"The file is larger than {MAX_BYTES // 1024 // 1024} MB. Split it into smaller files.")
    if not raw.strip():
        raise ImportFileError("The file is empty.")
    extension = Path(name).suffix.lower()
    if extension == ".xls" or raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            "This is an old-style Excel file (.xls). In Excel use File → Save As and choose "
            "“Excel Workbook (.xlsx)” or “CSV UTF-8”, then upload that."
        )
    if raw.startswith(b"PK\x03\x04"):
        if extension not in (".xlsx", ".xlsm", ""):
            raise ImportFileError(
                f"“{name}” is a compressed file, not a spreadsheet SchoolDesk can read. Upload an .xlsx or .csv file."
            )
        table = _read_xlsx(raw, max_rows)
    elif extension in (".xlsx", ".xlsm"):
        raise ImportFileError(
            f"“{name}” is called .xlsx but is not an Excel workbook. Open it in Excel and save it "
            "again as .xlsx, or as CSV UTF-8."
        )
    elif extension not in (".csv", ".txt", ".tsv", ""):
        raise ImportFileError(f"SchoolDesk imports .csv and .xlsx files, not {extension} files.")
    else:
        table = _read_csv(raw, max_rows)
    _check_headings(table)
    return table


def _decode(raw: bytes) -> str:
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ImportFileError(
                "The file says it is UTF-16 text but cannot be read as such. Save it again as "
                "“CSV UTF-8” or upload the .xlsx file."
            ) from exc
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ImportFileError(
            f"The file is not saved as UTF-8 text: line {line} has a character SchoolDesk cannot read "
            f"(byte 0x{raw[exc.start]:02X}, often a £ sign or an accented letter saved by older Excel). In Excel use "
            "File → Save As and choose “CSV UTF-8 (Comma delimited)”, or upload the .xlsx file itself."
        ) from exc


def _read_csv(raw: bytes, max_rows: int) -> Table:
    text = _decode(raw)
    if "\x00" in text:
        raise ImportFileError(
            "This does not look like a CSV file (it contains binary data). Upload a .csv or .xlsx file."
        )
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = next(reader, None)
        if headers is None:
            raise ImportFileError("The file is empty.")
        table = Table(headers=[h.strip() for h in headers])
        for cells in reader:
            if any(cell.strip() for cell in cells):
                if len(table.rows) >= max_rows:
                    raise _too_many(max_rows)
                table.rows.append((reader.line_num, cells))
    except csv.Error as exc:
        raise ImportFileError(
            f"The CSV file is malformed near line {reader.line_num}: {exc}. Check for a stray quotation mark."
        ) from exc
    return table


def _too_many(max_rows: int) -> ImportFileError:
    return ImportFileError(
        f"The file has more than {max_rows:,} rows. SchoolDesk imports up to {max_rows:,} rows "
        "at a time so that a mistake is easy to find: split it into smaller files."
    )


CANNOT_OPEN = (
    "The workbook could not be opened: it may be damaged or password-protected. Open it in Excel and "
    "save it again as .xlsx, or as CSV UTF-8."
)


def _check_zip(raw: bytes) -> None:
    """Before any XML is read: the parts' unpacked sizes, as the zip declares them (zipfile never unpacks a part
    beyond its declared size, so a part that lies about it ends early and fails to parse)."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportFileError(CANNOT_OPEN) from exc
    if len(parts) > MAX_PARTS or sum(part.file_size for part in parts) > MAX_UNZIPPED_BYTES:
        raise ImportFileError(
            f"The workbook unpacks to more than {MAX_UNZIPPED_BYTES // 1024 // 1024} MB, far more than a register "
            "of this size needs (pictures or many sheets?). Save the first sheet alone as CSV UTF-8 and upload that."
        )


def _read_xlsx(raw: bytes, max_rows: int) -> Table:
    """The first sheet, parsed safely: openpyxl parses with defusedxml (installed: no entities, no DTD), the zip is
    checked first, and neither a sheet's declared size nor a cell far to the right or far down is taken on trust.
    Any other failure of the XML or the zip is the usual "could not be opened", never an error page."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    _check_zip(raw)
    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, SyntaxError) as exc:
        raise ImportFileError(CANNOT_OPEN) from exc
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # the sheet's own <dimension> is not believed: rows are read as they come
        rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
        headers = next(rows, None)
        if headers is None:
            raise ImportFileError("The first sheet of the workbook is empty. Put the assets on the first sheet.")
        table = Table(headers=["" if h is None else str(h).strip() for h in headers])
        _check_width(headers, 1)
        for line, cells in enumerate(rows, start=2):
            if line > 2 * max_rows:  # blank rows are skipped, not free: a sheet may not go on for ever
                raise _too_many(max_rows)
            if any(cell is not None and str(cell).strip() for cell in cells):
                if len(table.rows) >= max_rows:
                    raise _too_many(max_rows)
                _check_width(cells, line)
                table.rows.append((line, list(cells)))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError, IndexError, TypeError) as exc:
        raise ImportFileError(CANNOT_OPEN) from exc
    finally:
        workbook.close()
    width = max(_used_width(cells) for cells in [table.headers, *(cells for _line, cells in table.rows)])
    table.headers = table.headers[:width]
    table.rows = [(line, cells[:width]) for line, cells in table.rows]
    return table


def _used_width(cells) -> int:
    """How many columns up to the last with something in it (rows were read MAX_COLUMNS + 1 wide)."""
    return next((i + 1 for i in range(len(cells) - 1, -1, -1) if cells[i] is not None and cells[i] != ""), 0)


def _check_width(cells, line: int) -> None:
    if len(cells) > MAX_COLUMNS and any(cell is not None and str(cell).strip() for cell in cells[MAX_COLUMNS:]):
        raise ImportFileError(
            f"Line {line} has data beyond column {column_letter(MAX_COLUMNS - 1)}: SchoolDesk "
            f"reads the first {MAX_COLUMNS} columns. Delete the columns on the right that are "
            "not part of the register."
        )


def _check_headings(table: Table) -> None:
    width = max([len(table.headers)] + [len(cells) for _, cells in table.rows[:200]])
    headers = table.headers + [""] * (width - len(table.headers))
    named = [h for h in headers if h]
    if not named:
        raise ImportFileError("The first row is empty. Put the column headings (Asset tag, Type, …) in the first row.")
    used = {i for _, cells in table.rows for i, cell in enumerate(cells) if cell is not None and str(cell).strip()}
    if len(named) == 1 and len(used - {headers.index(named[0])}) >= 1:
        raise ImportFileError(
            f"The first row holds only “{named[0][:60]}”: it looks like a title, or heading cells merged across "
            "the columns. Delete the title row or unmerge the cells so that the first row has one heading per column."
        )
    blank = [column_letter(i) for i, h in enumerate(headers) if not h and i in used]
    if blank:
        raise ImportFileError(
            f"Column{'s' if len(blank) > 1 else ''} {', '.join(blank[:10])} "
            f"{'have' if len(blank) > 1 else 'has'} data but no heading in the first row. Merged heading cells do "
            "this: unmerge them and give every column its own heading."
        )
    seen: dict[str, int] = {}
    for i, heading in enumerate(headers):
        if heading:
            key = heading.lower()
            if key in seen:
                raise ImportFileError(
                    f"Two columns are headed “{heading}” ({column_letter(seen[key])} and "
                    f"{column_letter(i)}). Rename one of them."
                )
            seen[key] = i
    table.headers = headers


# --- cells ------------------------------------------------------------------------------------
def is_formula(value) -> bool:
    if isinstance(value, str):
        return value.lstrip().startswith("=") and len(value.strip()) > 1
    plain = str | int | float | Decimal | date | datetime | time | timedelta | bool
    return value is not None and not isinstance(value, plain)


def text(value, *, max_length: int | None = None) -> str:
    if value is None:
        return ""
    if is_formula(value):
        formula = str(getattr(value, "text", value))[:40]
        raise CellError(f"holds a formula ({formula}): replace it with its value")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        value = value.strftime("%d/%m/%Y")
    result = " ".join(str(value).split())
    if max_length and len(result) > max_length:
        raise CellError(f"is longer than {max_length} characters")
    return result


def day(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = text(value)
    if not raw:
        return None
    for fmt in DATE_FORMATS:
        try:
            parsed = datetime.strptime(raw, fmt).date()  # noqa: DTZ007 - a calendar date, no time zone
        except ValueError:
            continue
        if 1980 <= parsed.year <= 2100:
            return parsed
    raise CellError(f"“{raw[:30]}” is not a date: write dates as dd/mm/yyyy")


def money(value) -> Decimal | None:
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        amount = Decimal(str(value))
    else:
        raw = text(value).replace("£", "").replace(",", "").replace(" ", "")
        if not raw:
            return None
        try:
            amount = Decimal(raw)
        except InvalidOperation as exc:
            raise CellError(f"“{raw[:30]}” is not an amount of money") from exc
    if not amount.is_finite() or amount < 0:
        raise CellError("is not an amount of money of zero or more")
    if amount >= Decimal("100000000"):
        raise CellError("is more than £99,999,999.99")
    return amount.quantize(Decimal("0.01"))


# --- a parsed copy ------------------------------------------------------------------------------
def _cell_out(value):
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, time | timedelta):
        return str(value)
    return {"f": str(getattr(value, "text", value))}  # a formula object: kept as text, reported as a formula


def _cell_in(value):
    if isinstance(value, dict):
        if "dt" in value:
            return datetime.fromisoformat(value["dt"])
        if "d" in value:
            return date.fromisoformat(value["d"])
        return _Formula(value["f"])
    return value


class _Formula:
    """An Excel formula object read back from the parsed copy (never a str, so is_formula() reports it)."""

    def __init__(self, text: str):
        self.text = text


def table_dumps(table: Table) -> bytes:
    """The rows as JSON, so that checking and importing do not parse a workbook again (openpyxl takes
    seconds for 10,000 rows; this reads back in a fraction of that)."""
    import json

    return json.dumps(
        {"headers": table.headers, "rows": [[line, [_cell_out(c) for c in cells]] for line, cells in table.rows]}
    ).encode()


def table_loads(data: bytes) -> Table:
    import json

    raw = json.loads(data)
    return Table(headers=raw["headers"], rows=[(line, [_cell_in(c) for c in cells]) for line, cells in raw["rows"]])

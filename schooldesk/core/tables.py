"""Tables made one way (decision 0039): a `Table` is its columns, each a `Column` (a heading, how to read its value
from a row, a format), declared once in the app's `tables.py`; the same declaration writes CSV and XLSX
(`core/exports.py`) and, for the service report, the page and the PDF (`reports/templatetags/report_tags.py`).

Values stay what they are (numbers stay numbers, dates stay dates); the format says how a column shows them:

- ``text``, ``int``, ``num``, ``pct``, ``money``: written as they are (the page shows the numbers formatted);
- ``date``: a date (a moment's London day), written ``dd/mm/yyyy`` in CSV, a date cell in XLSX;
- ``datetime``: a moment, written ``dd/mm/yyyy hh:mm`` (London time) in CSV, a date-and-time cell in XLSX;
- ``isodate``: a date for another system (a finance system's import), written ``yyyy-mm-dd`` in CSV.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

FORMATS = ("text", "int", "num", "pct", "money", "date", "datetime", "isodate")
NUMERIC = frozenset({"int", "num", "pct", "money"})


@dataclass(frozen=True)
class Column:
    """One column: its heading, how to read its value from a row, and its format.

    `value` is an attribute path ("school.name"; a method at its end is called, as templates do: "get_status_display";
    None anywhere on the way reads as None), a function of the row, or None: the row is a list of values already
    (a built table's, as the service report's) and the column reads its own place in it."""

    heading: Any
    value: str | Callable[[Any], Any] | None = None
    format: str = "text"

    def __post_init__(self):
        if self.format not in FORMATS:
            raise ValueError(f"{self.format!r} is not a table format ({', '.join(FORMATS)})")

    def read(self, row, index: int):
        if self.value is None:
            return row[index]
        if callable(self.value):
            return self.value(row)
        value = row
        for name in self.value.split("."):
            value = value.get(name) if isinstance(value, dict) else getattr(value, name)
            if callable(value):
                value = value()
            if value is None:
                return None
        return value


@dataclass
class Table:
    """Columns, and for a built table (the service report's) its key, title, rows of values and a note. An export
    declares only its columns (and `sheet`, its XLSX sheet's name; else the title): its view gives the rows."""

    key: str = ""
    title: Any = ""
    columns: list[Column] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)
    note: Any = ""
    sheet: Any = ""

    @property
    def header(self) -> list[str]:
        return [str(column.heading) for column in self.columns]

    @property
    def formats(self) -> list[str]:
        return [column.format for column in self.columns]

    @property
    def sheet_name(self) -> str:
        return str(self.sheet or self.title or "Export")

    def cells(self, objects: Iterable | None = None) -> Iterator[list]:
        """Each row's values, read from `objects` (the rows an export's view picked) or the table's own rows."""
        columns = list(enumerate(self.columns))
        for row in self.rows if objects is None else objects:
            yield [column.read(row, i) for i, column in columns]


def csv_text(value, fmt: str):
    """A value as a CSV cell shows it (before core.exports makes it spreadsheet-safe)."""
    if value is None:
        return ""
    if fmt == "date" and isinstance(value, datetime.date):
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%d/%m/%Y")
    if fmt == "datetime" and isinstance(value, datetime.datetime):
        return f"{timezone.localtime(value) if timezone.is_aware(value) else value:%d/%m/%Y %H:%M}"
    return value

"""Tables made one way (decision 0039): a `Table` is its columns, each a `Column` (a heading, how to read its value
from a row, a format), declared once in the app's `tables.py`; the same declaration writes CSV and XLSX
(`core/exports.py`), the service report's page and PDF (`reports/templatetags/report_tags.py`) and each list page's
HTML table (`{% list_table table rows %}`, core/templatetags/desk_tables.py; FilteredListView's `table`).

On a page a column may also say how one row's cell looks (`cell`, a small template given `row`, where the cell
needs markup: a link, a badge; else its value shown in its format), which ordering key its heading sorts by
(`sort`), a CSS class, a heading only screen readers hear (`heading_hidden`, a checkbox column's), and when it is
shown at all (`when`, a function of the page's context: `many_schools`, the School column only to people in two).

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
from decimal import Decimal
from typing import Any

from django.utils import timezone

from schooldesk.core.templatetags.desk_format import NONE, money, percent

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
    #: on a page: the template drawing this column's cell for one `row` (None: the value, shown in its format)
    cell: str | None = None
    #: on a page: the filterset's ordering key this heading sorts by (None: the heading does not sort)
    sort: str | None = None
    #: on a page: a class for the heading and each cell ("text-end" for figures), and one for the cells alone
    css: str = ""
    cell_css: str = ""
    #: on a page: a heading only screen readers hear (a select-all column's "Select")
    heading_hidden: bool = False
    #: on a page: the template drawing the heading's content instead (a select-all box beside the hidden heading)
    head: str | None = None
    #: on a page: whether the column is shown, asked of the page's context (None: always)
    when: Callable[[Any], bool] | None = field(default=None, compare=False)

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

    @property
    def label(self) -> str:
        """The heading as text: the `data-label` a phone shows before each cell (app.css)."""
        return str(self.heading)

    def shown(self, context) -> bool:
        return self.when is None or bool(self.when(context))


def many_schools(context) -> bool:
    """A `when` for a School column: shown to people who work in more than one school (`nav.school_count`)."""
    nav = context.get("nav") or {}
    count = nav.get("school_count") if isinstance(nav, dict) else getattr(nav, "school_count", 0)
    return (count or 0) > 1


#: a list page's table, as the pages have always drawn it: small, rows centred, stacked on a phone (app.css)
PAGE_CSS = "table table-sm align-middle table-responsive-stack"


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
    #: on a page: the caption (visually hidden, read by screen readers), the table's class, whether it sits in a
    #: scrolling `.table-responsive` box, and a function of the row giving the row's class
    caption: Any = ""
    css: str = PAGE_CSS
    scrolls: bool = False
    row_class: Callable[[Any], str] | None = field(default=None, compare=False)
    #: on a page: the table element's other attributes, asked of the page's context (a dict; None: none)
    attrs: Callable[[Any], dict] | None = field(default=None, compare=False)
    #: on a page: a function of the page's context and the rows that draws every row at once (`<tr>`s, each cell
    #: with its column's `data-label`), for the one table shown with up to a hundred rows on the hottest pages: the
    #: call table's rows are a Jinja2 fragment (decision 0038). None: the rows are drawn from the columns.
    body: Callable[[Any, Any], str] | None = field(default=None, compare=False)

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


def display(value, fmt: str) -> str:
    """A value as a page shows it in its format: "–" for nothing, British dates, money and percentages as
    desk_format writes them, counts with thousands separated."""
    if value is None or value == "":
        return NONE
    if fmt == "datetime" and isinstance(value, datetime.datetime):
        return f"{timezone.localtime(value) if timezone.is_aware(value) else value:%d/%m/%Y %H:%M}"
    if fmt in ("date", "isodate") and isinstance(value, datetime.date):
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%d/%m/%Y")
    if fmt == "pct":
        return percent(value)
    if fmt == "money":
        return money(value)
    if fmt == "num" and isinstance(value, float | Decimal):
        return f"{float(value):,.1f}"
    if fmt in ("int", "num") and isinstance(value, int | float | Decimal):
        return f"{value:,.0f}" if float(value).is_integer() else f"{float(value):,.1f}"
    return str(value)


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

"""Showing report figures: one formatter per kind of column, shared by the page and the PDF."""

import datetime
from decimal import Decimal

from django import template

from schooldesk.core import tables
from schooldesk.core.templatetags.desk_format import money, percent
from schooldesk.reports.charts import svg

register = template.Library()

NUMERIC = tables.NUMERIC


def show(value, fmt: str) -> str:
    if value is None or value == "":
        return "–"
    if fmt == "date" and isinstance(value, datetime.date):
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


@register.filter
def figure(value, fmt: str = "int") -> str:
    return show(value, fmt)


@register.filter
def cells(row, table):
    """[(text, is_number), …] for one row of a report table."""
    return [(show(value, fmt), fmt in NUMERIC) for value, fmt in zip(row, table.formats, strict=False)]


@register.filter
def numeric(fmt: str) -> bool:
    return fmt in NUMERIC


@register.filter
def chart_svg(spec):
    return svg(spec)

"""Showing report figures: one formatter per kind of column, shared by the page and the PDF."""

from django import template

from schooldesk.core import tables
from schooldesk.reports.charts import svg

register = template.Library()

NUMERIC = tables.NUMERIC


#: a value as the page and the PDF show it in its column's format: the list pages' own way (core/tables.py)
show = tables.display


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

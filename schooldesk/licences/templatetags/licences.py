"""The compliance badge of a licence, shown on each row of the licence tables and on its page."""

from functools import lru_cache

from django import template
from django.utils.translation import get_language

from schooldesk.core.fragments import render_fragment
from schooldesk.licences.choices import LicenceType
from schooldesk.licences.tables import LICENCE_PAGE

register = template.Library()


@lru_cache(maxsize=16)
def _type_labels(language: str) -> dict[str, str]:
    return {value: str(label) for value, label in LicenceType.choices}


@register.filter
def licence_type_label(value) -> str:
    """A licence type's words, translated once per language (the list shows up to a hundred rows)."""
    return _type_labels(get_language()).get(value, value)


@register.simple_tag
def licence_state_badge(lic):
    """The licence's compliance badge, drawn by the licences/state_badge.html fragment (Jinja2, decision 0038): a
    licence table shows fifty rows, and an include per row cost more than the rest of the row."""
    return render_fragment("licences/state_badge.html", {"lic": lic})


@register.simple_tag
def licence_page_table():
    """The licence table's declaration (licences/tables.py), for pages drawing it outside the licence list (the
    compliance page, through licences/licence_table.html)."""
    return LICENCE_PAGE

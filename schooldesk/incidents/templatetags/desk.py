"""Template tags for calls: the SLA and priority badges, and the call table (incidents/tables.py).

Their markup is in Jinja2 fragments (`incidents/jinja2/incidents/`: badges.html, call_rows.html), drawn through
`core.fragments` (decision 0038): the call table runs them for each cell of up to a hundred rows, and Django's
template engine cost about six times what Jinja2 costs for the same rows. Here: only what the fragments are given,
the words of the statuses and of the clock translated once per language (not once per row)."""

from django import template
from django.utils.translation import get_language

from schooldesk.core.fragments import fragment
from schooldesk.core.tables import Table
from schooldesk.incidents.tables import CALL_TABLE, draw_call_rows, sla_words

register = template.Library()


def _badges():
    return fragment("incidents/badges.html").module


@register.simple_tag
def sla_badge(incident, now):
    return _badges().sla_badge(incident, now, sla_words(get_language()))


@register.simple_tag
def priority_badge(incident):
    return _badges().priority_badge(incident)


@register.simple_tag(takes_context=True)
def call_rows(context, rows, select=None):
    """The rows of the call table alone (incidents/tables.py draws them for the table)."""
    return draw_call_rows(context, rows, select)


@register.simple_tag
def call_table() -> Table:
    """`{% call_table as table %}{% list_table table rows %}`: the call table's declaration, for the pages that
    show calls (incidents/incident_table.html)."""
    return CALL_TABLE

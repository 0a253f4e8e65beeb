"""Template tags for calls: the SLA and priority badges, and the rows of the call table.

Their markup is in Jinja2 fragments (`incidents/jinja2/incidents/`: badges.html, call_rows.html), drawn through
`core.fragments` (decision 0038): the call table runs them for each cell of up to a hundred rows, and Django's
template engine cost about six times what Jinja2 costs for the same rows. Here: only what the fragments are given,
the words of the statuses and of the clock translated once per language (not once per row)."""

from functools import lru_cache

from django import template
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from schooldesk.core.fragments import fragment, render_fragment
from schooldesk.incidents.choices import IncidentStatus, SlaState

register = template.Library()


@lru_cache(maxsize=16)
def sla_words(language: str) -> dict[str, str]:
    """The clock's states in words, and the line under the badge ("response due 07/12/2026 11:00")."""
    words = {value: str(label) for value, label in SlaState.choices}
    words.update(response_due=_("response due"), resolution_due=_("resolution due"))
    return words


@lru_cache(maxsize=16)
def status_words(language: str) -> dict[str, str]:
    return {value: str(label) for value, label in IncidentStatus.choices}


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
    """The rows of the call table (incidents/incident_table.html), drawn by the call_rows.html fragment.

    With `select` (a prefix for the boxes' ids, unique on the page), each row starts with a box to tick it for the
    page's bulk actions; the calls in `ticked` (a failed bulk form) come back ticked."""
    language = get_language()
    return render_fragment(
        "incidents/call_rows.html",
        {
            "rows": rows,
            "now": context.get("now") or timezone.now(),
            "many_schools": context.get("nav", {}).get("school_count", 0) > 1,
            "statuses": status_words(language),
            "sla": sla_words(language),
            "select": select,
            "ticked": context.get("ticked") or (),
        },
    )

from functools import lru_cache

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import get_language

from schooldesk.incidents.choices import SlaState

register = template.Library()


@lru_cache(maxsize=16)
def _sla_labels(language: str) -> dict[str, str]:
    return {value: str(label) for value, label in SlaState.choices}


@register.filter
def label_of(value, labels: dict):
    """`{{ i.status|label_of:labels.status }}`: a choice's label from a dict translated once per request."""
    return labels.get(value, value)


@register.simple_tag
def sla_badge(incident, now):
    state = incident.sla_state(now)
    if state is None:
        return ""
    due = incident.next_due_at
    label = _sla_labels(get_language())[state]
    if state != SlaState.PAUSED and due:
        what = "resolution" if incident.responded_at else "response"
        return format_html('<span class="badge badge-sla-{}">{}</span> <span class="small">{} due {}</span>',
                           state, label, what, date_format(localtime(due), "d/m/Y H:i"))
    return format_html('<span class="badge badge-sla-{}">{}</span>', state, label)


@register.simple_tag
def priority_badge(incident):
    return format_html('<span class="badge badge-priority badge-priority-{}">{}</span>',
                       incident.priority, incident.priority)

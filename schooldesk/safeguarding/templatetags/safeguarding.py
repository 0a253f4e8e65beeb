"""The restricted lane's panels on pages other apps own: the DPO's and DSL's part of the home page, and the
desk's "a restricted call exists" rows on the triage queue. One query each, whatever the number of rows."""

from django import template
from django.utils import timezone

from schooldesk.safeguarding.selectors import (
    breaches_on_the_clock,
    filter_requests_waiting,
    lane_records,
    restricted_held,
)

register = template.Library()


@register.inclusion_tag("safeguarding/_home_panel.html", takes_context=True)
def restricted_lane_panel(context):
    user = context["request"].user
    return {
        "clocks": breaches_on_the_clock(user=user),
        "waiting": filter_requests_waiting(user=user),
        "now": timezone.now(),
    }


@register.inclusion_tag("safeguarding/_held.html", takes_context=True)
def restricted_held_rows(context):
    return {"held": restricted_held(user=context["request"].user)}


@register.simple_tag
def hours_left(breach, now) -> int:
    """Whole hours left of the 72 (negative once they have passed)."""
    seconds = (breach.deadline_at - now).total_seconds()
    return int(seconds // 3600) if seconds >= 0 else -int(-seconds // 3600) - 1


@register.inclusion_tag("safeguarding/_lane_links.html", takes_context=True)
def lane_links(context, incident):
    """On a restricted call's page, for those who hold it: its breach record or its concern."""
    return lane_records(user=context["request"].user, incident=incident)

"""The restricted lane's panels on pages other apps own: the DPO's and DSL's part of the home page, and the
desk's "a restricted call exists" rows on the triage queue. One query each, whatever the number of rows."""

from django import template
from django.utils import timezone

register = template.Library()


@register.inclusion_tag("safeguarding/_home_panel.html", takes_context=True)
def restricted_lane_panel(context):
    from schooldesk.safeguarding.selectors import breaches_on_the_clock, filter_requests_waiting

    user = context["request"].user
    return {"clocks": breaches_on_the_clock(user), "waiting": filter_requests_waiting(user), "now": timezone.now()}


@register.inclusion_tag("safeguarding/_held.html", takes_context=True)
def restricted_held_rows(context):
    from schooldesk.safeguarding.selectors import restricted_held

    return {"held": restricted_held(context["request"].user)}


@register.simple_tag
def hours_left(breach, now) -> int:
    """Whole hours left of the 72 (negative once they have passed)."""
    seconds = (breach.deadline_at - now).total_seconds()
    return int(seconds // 3600) if seconds >= 0 else -int(-seconds // 3600) - 1


@register.inclusion_tag("safeguarding/_lane_links.html", takes_context=True)
def lane_links(context, incident):
    """On a restricted call's page, for those who hold it: its breach record or its concern."""
    from schooldesk.accounts.access import access_for
    from schooldesk.accounts.choices import BREACH_ROLES, SAFEGUARDING_ROLES
    from schooldesk.safeguarding.models import Breach, Concern

    access = access_for(context["request"].user)
    breach = concern = None
    if access.has_role(incident.school_id, BREACH_ROLES):
        breach = Breach.objects.filter(incident=incident).values_list("pk", flat=True).first()
    if access.has_role(incident.school_id, SAFEGUARDING_ROLES):
        concern = Concern.objects.filter(incident=incident).values_list("pk", flat=True).first()
    return {"breach": breach, "concern": concern}

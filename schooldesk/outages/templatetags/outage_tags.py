from django import template

from schooldesk.core.permissions import can
from schooldesk.outages import selectors

register = template.Library()


@register.inclusion_tag("outages/incident_panel.html", takes_context=True)
def outage_panel(context, incident):
    """On the call page: the outage it is part of, its approval, the change raised from it, and "declare an outage
    from this call". Three queries whatever the call holds."""
    request = context.get("request")
    user = getattr(request, "user", None) if request is not None else None
    approval = selectors.approvals_for_call(incident=incident).first()
    raised = selectors.change_for_call(incident=incident)
    return {
        "incident": incident,
        "link": selectors.outage_for_call(incident=incident),
        "approval": approval,
        "raised": raised,
        "can_declare": user is not None and can(user, "outages.declare", incident) and incident.is_active,
        "can_raise_change": (
            user is not None
            and can(user, "changes.create", incident)
            and raised is None
            and not incident.is_restricted
            and incident.status != "waiting_approval"
            and incident.status not in ("cancelled", "duplicate")
        ),
    }


@register.inclusion_tag("outages/change_panel.html")
def call_for_change(change):
    """On a request for change raised from a call: the call and its approval decision."""
    link = selectors.call_for_change(change=change)
    approval = selectors.approvals_for_call(incident=link.incident).first() if link else None
    return {"link": link, "approval": approval}

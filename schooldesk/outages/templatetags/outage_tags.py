from django import template

register = template.Library()


@register.inclusion_tag("outages/incident_panel.html")
def outage_panel(incident, who):
    """On the call page: the outage it is part of, its approval, the change raised from it, and "declare an outage
    from this call". Three queries whatever the call holds."""
    from schooldesk.outages.selectors import approvals_for_call, change_for_call, outage_for_call

    approval = approvals_for_call(incident).first()
    raised = change_for_call(incident)
    return {
        "incident": incident,
        "link": outage_for_call(incident),
        "approval": approval,
        "raised": raised,
        "can_declare": who.get("is_staff") and incident.is_active,
        "can_raise_change": (
            who.get("is_staff")
            and raised is None
            and not incident.is_restricted
            and incident.status != "waiting_approval"
            and incident.status not in ("cancelled", "duplicate")
        ),
    }


@register.inclusion_tag("outages/change_panel.html")
def call_for_change(change):
    """On a request for change raised from a call: the call and its approval decision."""
    from schooldesk.outages.selectors import approvals_for_call, call_for_change

    link = call_for_change(change)
    approval = approvals_for_call(link.incident).first() if link else None
    return {"link": link, "approval": approval}

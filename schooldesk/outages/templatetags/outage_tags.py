from django import template

register = template.Library()


@register.inclusion_tag("outages/incident_panel.html")
def outage_panel(incident, who):
    """On the call page: the outage it is part of, its approval, and "declare an outage from this call". Two
    queries whatever the call holds."""
    from schooldesk.outages.selectors import approvals_for_call, outage_for_call

    return {"incident": incident, "link": outage_for_call(incident),
            "approval": approvals_for_call(incident).first(),
            "can_declare": who.get("is_staff") and incident.is_active}

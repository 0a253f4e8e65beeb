from django import template

from schooldesk.devicesync.selectors import asset_console

register = template.Library()


@register.inclusion_tag("devicesync/_asset_console.html")
def console_facts(asset):
    """What a device console says of the asset, on its page: its console, last seen, OS, enrolled user, and
    whether it has gone from the console (one query)."""
    return {"link": asset_console(asset=asset)}

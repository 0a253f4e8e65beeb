"""{% can "assets.change" asset as may_change %}: a template asks the same rule the service enforces."""

from django import template

from schooldesk.core.permissions import can as _can

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, name, obj=None):
    request = context.get("request")
    return _can(getattr(request, "user", None) if request else None, name, obj) if request else False

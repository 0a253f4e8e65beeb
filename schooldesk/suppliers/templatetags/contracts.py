from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def support_hours(minutes) -> str:
    """Minutes of support time as hours and minutes: 95 → "1 h 35 min"."""
    if minutes is None or minutes == "":
        return "–"
    minutes = round(float(minutes))
    hours, rest = divmod(minutes, 60)
    if not hours:
        return _("%(m)s min") % {"m": rest}
    return _("%(h)s h %(m)02d min") % {"h": hours, "m": rest} if rest else _("%(h)s h") % {"h": hours}


@register.filter
def percent_of(share_percent, amount):
    """A school's part of an amount: {{ share.percent|percent_of:contract.value }}."""
    return (Decimal(amount) * Decimal(share_percent) / 100).quantize(Decimal("0.01"))

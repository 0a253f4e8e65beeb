from decimal import Decimal

from django import template

from schooldesk.core.templatetags.desk_format import duration

register = template.Library()


@register.filter
def support_hours(minutes) -> str:
    """Minutes of support time in words: 95 → "1 hour 35 minutes", 5280 → "3 days 16 hours" (core's
    `duration`, the one way durations are written)."""
    return duration(minutes)


@register.filter
def percent_of(share_percent, amount):
    """A school's part of an amount: {{ share.percent|percent_of:contract.value }}."""
    return (Decimal(amount) * Decimal(share_percent) / 100).quantize(Decimal("0.01"))

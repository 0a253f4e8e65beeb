"""Durations, money and changes as people write them, in one home for every page, email, report and CSV.

- durations: "35 minutes", "5 hours 20 minutes", "3 days 16 hours" (never "88:00" or "3.67 days");
- money: "£2,400.00" (thousands separated, two decimals; "−£12.50" when negative);
- percentages: "87%"; a change of a count as a percentage only from a base of `PERCENT_BASE` or more,
  otherwise as the two numbers ("up from 12 to 143"), never "1092% more".

Plain functions, usable from Python (reports, CSV labels, services' messages), and template filters:
`{% load desk_format %}{{ contract.value|money }} {{ p.fix_avg|duration }} {{ rate|percent }}`."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()

#: below this many, a change is told as "from X to Y": a percentage of a small base says more than it means
PERCENT_BASE = 20
NONE = "–"


def _minutes(value) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.timedelta):
        return value.total_seconds() / 60
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


@register.filter
def duration(value) -> str:
    """Minutes (a number) or a timedelta as words: 95 → "1 hour 35 minutes", 5280 → "3 days 16 hours".

    A day is 24 hours of whatever clock the figure was counted in (service or support hours); from a day
    up the minutes are rounded into the hours, as people say it."""
    minutes = _minutes(value)
    if minutes is None:
        return NONE
    sign = "−" if minutes < 0 else ""
    minutes = round(abs(minutes))
    if minutes < 60:
        return sign + ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes}
    hours, rest = divmod(minutes, 60)
    if hours < 24:
        said = ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours}
        if rest:
            said += " " + ngettext("%(n)s minute", "%(n)s minutes", rest) % {"n": rest}
        return sign + said
    hours = round(minutes / 60)
    days, hours = divmod(hours, 24)
    said = ngettext("%(n)s day", "%(n)s days", days) % {"n": days}
    if hours:
        said += " " + ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours}
    return sign + said


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _pounds(value, places: int) -> str:
    amount = _decimal(value)
    if amount is None:
        return NONE
    amount = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"−£{-amount:,.{places}f}" if amount < 0 else f"£{amount:,.{places}f}"


@register.filter
def money(value) -> str:
    """An amount in pounds: 2400 → "£2,400.00"; -12.5 → "−£12.50"; None → "–"."""
    return _pounds(value, 2)


@register.filter
def money_whole(value) -> str:
    """Whole pounds, for the scale of a chart: 12500 → "£12,500"."""
    return _pounds(value, 0)


@register.filter
def percent(value) -> str:
    """A share already in per cent: 87.4 → "87%"."""
    number = _decimal(value)
    return NONE if number is None else f"{number.quantize(Decimal('1'), rounding=ROUND_HALF_UP):,.0f}%"


@register.simple_tag
def count_change(now, before) -> str:
    """How a count moved: "up 25%" or "down 10%" from a base of `PERCENT_BASE` or more, otherwise "up from
    12 to 143" (or "down from 12 to 5"); "no change" when equal; "" when there is nothing to compare."""
    if now is None or before is None:
        return ""
    now, before = float(now), float(before)
    if now == before:
        return _("no change")
    if before >= PERCENT_BASE:
        diff = round(100 * (now - before) / before)
        if diff == 0:
            return _("about the same")
        return _("up %(n)s%%") % {"n": diff} if diff > 0 else _("down %(n)s%%") % {"n": -diff}
    numbers = {"before": _number(before), "now": _number(now)}
    return (
        _("up from %(before)s to %(now)s") % numbers if now > before else _("down from %(before)s to %(now)s") % numbers
    )


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


@register.filter
def field_change(row, record) -> str:
    """A recorded change to one field of `record` (a row with `field`, `old_value` and `new_value`) as a sentence
    in the field's own words: "Location changed from Room 4 to Library", never "location: Room 4 → Library"."""
    name = row.field
    try:
        label = str(record._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - a field since removed, or a name the service made up: read it as words
        label = name.replace("_", " ")
    label = label[:1].upper() + label[1:]
    old, new = row.old_value, row.new_value
    if old and new:
        return _("%(field)s changed from %(old)s to %(new)s") % {"field": label, "old": old, "new": new}
    if new:
        return _("%(field)s set to %(new)s") % {"field": label, "new": new}
    if old:
        return _("%(field)s cleared (was %(old)s)") % {"field": label, "old": old}
    return _("%(field)s changed") % {"field": label}

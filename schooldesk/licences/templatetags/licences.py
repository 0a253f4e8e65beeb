"""The compliance badge of a licence, shown on each row of the licence tables and on its page."""

from functools import lru_cache
from html import escape

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from schooldesk.licences.choices import LicenceType

register = template.Library()


@lru_cache(maxsize=16)
def _type_labels(language: str) -> dict[str, str]:
    return {value: str(label) for value, label in LicenceType.choices}


@register.filter
def licence_type_label(value) -> str:
    """A licence type's words, translated once per language (the list shows up to a hundred rows)."""
    return _type_labels(get_language()).get(value, value)


@register.simple_tag
def licence_state_badge(lic):
    """Built in Python: a licence table shows fifty rows, and an include per row cost more than the rest of the
    row. The words are the same messages the template used, so their translations still apply."""
    state = lic.state
    if state == "under":
        css, text = "danger", _("Under-licensed by %(n)s") % {"n": lic.shortfall}
    elif state == "over":
        css, text = "warning", _("Over-licensed: %(n)s unused") % {"n": lic.difference}
    elif state == "expired":
        css, text = "dark", _("Expired")
    elif state == "site":
        css, text = "info", _("Site licence")
    else:
        css, text = "success", _("Compliant")
    return mark_safe(f'<span class="badge text-bg-{css}">{escape(text)}</span>')  # noqa: S308 - escaped

"""The call list's bulk action "Link to an outage" (incidents/bulk.py's registry): the ticked calls are linked to
the outage through the same service as the outage page's "Link calls", one call at a time."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from schooldesk.incidents.bulk import BulkAction, register
from schooldesk.incidents.forms import BulkForm
from schooldesk.outages.models import REFERENCE_PREFIX, Outage
from schooldesk.outages.services import outage_link_calls


def _outage(by, text: str) -> Outage:
    digits = (text or "").strip().upper().removeprefix(REFERENCE_PREFIX).lstrip("0")
    outage = (
        Outage.objects.visible_to(by).filter(pk=int(digits)).first()
        if digits.isascii() and digits.isdecimal()
        else None
    )
    if outage is None:
        raise ValidationError(_("there is no outage %(ref)s at its school") % {"ref": text.strip()})
    return outage


def _link(incident, by, data) -> None:
    outage_link_calls(outage=_outage(by, data.get("outage", "")), by=by, incidents=[incident])


def register_actions() -> None:
    BulkForm.extra_fields["outage"] = forms.CharField(
        required=False, max_length=20, label=gettext_lazy("Outage (reference, e.g. OUT-000003)")
    )
    register(
        BulkAction(
            "outage",
            gettext_lazy("Link to an outage"),
            lambda n: ngettext("%(n)s linked to the outage", "%(n)s linked to the outage", n) % {"n": n},
            _link,
            rule="incidents.bulk_link",
            fields=("outage",),
            required=("outage",),
        )
    )

"""The breach log's download, declared once (decision 0039): core.exports writes it as CSV and XLSX. Moments are
written as London time, as text (dd/mm/yyyy hh:mm), in both."""

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from schooldesk.core.tables import Column, Table


def _when(value) -> str:
    return f"{timezone.localtime(value):%d/%m/%Y %H:%M}" if value else ""


def _yes_no(value) -> str:
    return gettext("yes") if value else gettext("no")


BREACH_LOG = Table(
    sheet=_("Breach log"),
    columns=[
        Column(_("Call"), "incident.reference"),
        Column(_("School"), "school.name"),
        Column(_("Became aware"), lambda b: _when(b.aware_at)),
        Column(_("What data"), "data_involved"),
        Column(_("How many people"), "people_affected", "int"),
        Column(_("Special category"), lambda b: _yes_no(b.is_special_category)),
        Column(_("Children"), lambda b: _yes_no(b.involves_children)),
        Column(_("Likely consequences"), "consequences"),
        Column(_("Containment"), "containment"),
        Column(_("Notifiable"), "get_notifiable_display"),
        Column(_("Reason"), "notifiable_reason"),
        Column(_("Decided by"), lambda b: str(b.decided_by or "")),
        Column(_("ICO told"), lambda b: _when(b.ico_told_at)),
        Column(_("ICO reference"), "ico_reference"),
        Column(_("People affected told"), "get_people_told_display"),
    ],
)

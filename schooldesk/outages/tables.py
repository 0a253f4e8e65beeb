"""The outage list's table (outages/outage_list.html), declared once (decision 0039)."""

from django.utils.translation import gettext_lazy as _

from schooldesk.core.tables import Column, Table

OUTAGE_PAGE = Table(
    caption=_("Outages"),
    scrolls=True,
    columns=[
        Column(_("Outage"), cell="outages/cells/outage.html"),
        Column(_("Schools"), cell="outages/cells/schools.html"),
        Column(_("Since"), "started_at", "datetime"),
        Column(_("State"), cell="outages/cells/state.html"),
        Column(_("People affected"), "people"),
        Column(_("Calls linked"), "linked"),
    ],
)

"""The list of email received by the desk (mail/inbound_list.html), declared once (decision 0039)."""

from django.utils.translation import gettext_lazy as _

from schooldesk.core.tables import Column, Table

INBOUND_PAGE = Table(
    caption=_("Email received"),
    columns=[
        Column(_("Received"), cell="mail/cells/received.html"),
        Column(_("From"), cell="mail/cells/from.html"),
        Column(_("Subject"), cell="mail/cells/subject.html"),
        Column(_("Status"), cell="mail/cells/status.html"),
        Column(_("Call"), cell="mail/cells/call.html"),
    ],
)

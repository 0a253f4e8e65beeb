"""The location list's table, declared once (decision 0039): the page draws it with `{% list_table %}`."""

from django.utils.translation import gettext_lazy as _

from schooldesk.core.tables import Column, Table, many_schools

LOCATION_PAGE = Table(
    caption=_("Locations"),
    columns=[
        Column(_("Name"), cell="locations/cells/name.html"),
        Column(_("School"), "school.name", when=many_schools),
        Column(_("Calls"), "calls"),
        Column(_("Actions"), cell="locations/cells/actions.html", cell_css="d-flex flex-wrap gap-1"),
    ],
)

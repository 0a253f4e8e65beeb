"""The change report's download, declared once (decision 0039): core.exports writes it as CSV. Its headings are in
English whatever the page's language, as they always were."""

from django.utils.translation import gettext_lazy as _

from schooldesk.core.tables import Column, Table

CHANGE_REPORT_EXPORT = Table(
    columns=[
        Column("Reference", "reference"),
        Column("School", "school.name"),
        Column("Title", "title"),
        Column("Type", "get_change_type_display"),
        Column("Status", "get_status_display"),
        Column("Risk", "get_risk_display"),
        Column("Estimated cost (£)", "estimated_cost", "money"),
        Column("Problem", "problem.reference"),
        Column("Raised", "created_at", "date"),
        Column("Decided", "decided_at", "date"),
        Column("Implemented on", "implemented_on", "date"),
        Column("Outcome", "get_outcome_display"),
    ],
)

#: the list of requests for change (changes/change_list.html), in the page's language
CHANGE_PAGE = Table(
    caption=_("Requests for change"),
    scrolls=True,
    columns=[
        Column(_("Change"), cell="changes/cells/change.html"),
        Column(_("Type"), "get_change_type_display"),
        Column(_("Status"), cell="changes/cells/status.html"),
        Column(_("Progress"), cell="changes/cells/progress.html"),
        Column(_("Next milestone"), cell="changes/cells/next.html"),
        Column(_("Implementation"), lambda change: change.implemented_on or change.planned_on, "date"),
    ],
)

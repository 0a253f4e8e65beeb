"""The problem report's download, declared once (decision 0039): core.exports writes it as CSV. Its headings are in
English whatever the page's language, as they always were."""

from django.utils.translation import gettext_lazy as _

from schooldesk.core.tables import Column, Table
from schooldesk.core.templatetags.desk_format import duration

PROBLEM_REPORT_EXPORT = Table(
    columns=[
        Column("Reference", "reference"),
        Column("School", "school.name"),
        Column("Title", "title"),
        Column("Status", "get_status_display"),
        Column("Priority", "priority"),
        Column("Category", "category.name"),
        Column("Raised", "created_at", "date"),
        Column("Known error", "known_error_at", "date"),
        Column("Resolved", "resolved_at", "date"),
        Column("Time to resolve", lambda p: duration(p.time_to_resolve) if p.time_to_resolve else ""),
        Column("Calls", "calls", "int"),
    ],
)

#: the problem list (problems/problem_list.html), in the page's language
PROBLEM_PAGE = Table(
    caption=_("Problems"),
    scrolls=True,
    columns=[
        Column(_("Problem"), cell="problems/cells/problem.html"),
        Column(_("Status"), cell="problems/cells/status.html"),
        Column(_("Priority"), cell="problems/cells/priority.html"),
        Column(_("About"), cell="problems/cells/about.html"),
        Column(_("Calls"), "call_count"),
        Column(_("Owner"), "assigned_to"),
        Column(_("Aim to solve by"), "due_on", "date"),
    ],
)

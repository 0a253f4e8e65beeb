"""The call table, declared once (decision 0039): its columns give the headings, as every list's do; its rows, up to
a hundred on a SPOC's queue and shown on the triage queue, the call list, the dashboards and eight other pages, are
drawn all at once by a Jinja2 fragment (incidents/jinja2/incidents/call_rows.html, decision 0038), each cell with
its column's heading as `data-label`. The words of the statuses and of the clock are translated once per language,
not once per row."""

from functools import lru_cache

from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from schooldesk.core.fragments import render_fragment
from schooldesk.core.tables import Column, Table
from schooldesk.incidents.choices import IncidentStatus, SlaState


@lru_cache(maxsize=16)
def sla_words(language: str) -> dict[str, str]:
    """The clock's states in words, and the line under the badge ("response due 07/12/2026 11:00")."""
    words = {value: str(label) for value, label in SlaState.choices}
    words.update(response_due=_("response due"), resolution_due=_("resolution due"))
    return words


@lru_cache(maxsize=16)
def status_words(language: str) -> dict[str, str]:
    return {value: str(label) for value, label in IncidentStatus.choices}


def draw_call_rows(context, rows, select: str | None = None) -> str:
    """The `<tr>`s of the call table for `rows`. With `select` (a prefix for the boxes' ids, unique on the page),
    each row starts with a box to tick it for the page's bulk actions; the calls in `ticked` (a failed bulk form)
    come back ticked."""
    language = get_language()
    return render_fragment(
        "incidents/call_rows.html",
        {
            "rows": rows,
            "now": context.get("now") or timezone.now(),
            "many_schools": context.get("nav", {}).get("school_count", 0) > 1,
            "statuses": status_words(language),
            "sla": sla_words(language),
            "select": select,
            "ticked": context.get("ticked") or (),
        },
    )


def _bulk(context) -> bool:
    """Whether the page offers bulk actions on the calls it lists (BulkMixin's `bulk`)."""
    return bool(context.get("bulk"))


CALL_TABLE = Table(
    caption=gettext_lazy("Calls"),
    scrolls=True,
    columns=[
        Column(gettext_lazy("Select"), head="incidents/cells/pick_all.html", when=_bulk),
        Column(gettext_lazy("Call")),
        Column(gettext_lazy("Priority")),
        Column(gettext_lazy("Status")),
        Column(gettext_lazy("Where")),
        Column(gettext_lazy("With")),
        Column(gettext_lazy("SLA")),
        Column(gettext_lazy("Logged")),
    ],
    attrs=lambda context: {"data-call-table": ""} if _bulk(context) else {},
    body=lambda context, rows: draw_call_rows(context, rows, (context.get("select") or "") if _bulk(context) else None),
)

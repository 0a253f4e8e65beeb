"""The hot fragments as they were drawn before decision 0038: HTML built in Python with format strings (from
incidents/templatetags/desk.py and core/forms.py at that time), kept only so that bench.fragments can compare."""

from functools import lru_cache
from html import escape

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from schooldesk.incidents.choices import IncidentStatus, SlaState


@lru_cache(maxsize=16)
def _sla_labels(language: str) -> dict[str, str]:
    return {value: escape(str(label)) for value, label in SlaState.choices}


@lru_cache(maxsize=16)
def _status_labels(language: str) -> dict[str, str]:
    """The statuses' words, translated once per language (not once per row)."""
    return {value: str(label) for value, label in IncidentStatus.choices}


def _when(moment) -> str:
    """dd/mm/yyyy hh:mm in the desk's time zone (what `|date:"d/m/Y H:i"` prints, without its formatter)."""
    return localtime(moment).strftime("%d/%m/%Y %H:%M")


def _sla_badge(incident, now) -> str:
    state = incident.sla_state(now)
    if state is None:
        return ""
    due = incident.next_due_at
    label = _sla_labels(get_language())[state]
    if state != SlaState.PAUSED and due:
        what = "resolution" if incident.responded_at else "response"
        return (
            f'<span class="badge badge-sla-{escape(state)}">{label}</span> '
            f'<span class="small">{what} due {_when(due)}</span>'
        )
    return f'<span class="badge badge-sla-{escape(state)}">{label}</span>'


def _priority_badge(incident) -> str:
    priority = escape(incident.priority)
    return f'<span class="badge badge-priority badge-priority-{priority}">{priority}</span>'


def sla_badge(incident, now):
    return mark_safe(_sla_badge(incident, now))  # noqa: S308 - built from escaped values


def priority_badge(incident):
    return mark_safe(_priority_badge(incident))  # noqa: S308 - built from escaped values


@lru_cache(maxsize=16)
def _row_words(language: str) -> dict[str, str]:
    words = {
        "call": _("Call"),
        "priority": _("Priority"),
        "status": _("Status"),
        "where": _("Where"),
        "with": _("With"),
        "sla": _("SLA"),
        "logged": _("Logged"),
        "next_visit": _("Next visit"),
        "desk": _("Desk"),
        "restricted": _("Restricted"),
        "select": _("Select"),
    }
    return {key: escape(value) for key, value in words.items()}


CALL_ROW = (
    '  <tr>\n    <td data-label="{w_call}"><a href="{url}">{reference}</a> {summary}{restricted}{school}</td>\n'
    '    <td data-label="{w_priority}">{priority}</td>\n'
    '    <td data-label="{w_status}">{status}</td>\n'
    '    <td data-label="{w_where}">{location}{device}</td>\n'
    '    <td data-label="{w_with}">{holder}</td>\n'
    '    <td data-label="{w_sla}">{sla}</td>\n'
    '    <td data-label="{w_logged}">{logged}</td>\n  </tr>\n'
)
SMALL = '<div class="small text-body-secondary">{}</div>'
#: the first cell of a row in a list whose calls can be ticked for a bulk action (the form is `#bulk-form`)
PICK_CELL = (
    '<td data-label="{w_select}"><input class="form-check-input" type="checkbox" name="call" value="{pk}" '
    'form="bulk-form" id="pick-{prefix}{pk}" data-pick{checked}>'
    '<label class="visually-hidden" for="pick-{prefix}{pk}">{w_select} {reference}</label></td>\n'
)


def call_rows(context, rows, select=None):
    """The rows of the call table (incidents/incident_table.html), built here rather than in the template.

    A SPOC's queue shows up to a hundred calls, and Django's template engine spent about 170 µs on each (a
    dozen lookups, two tags and a date filter per row); this does the same work in a fraction of the time.
    Everything people typed is escaped; `incidents/tests/test_call_table.py` reads the rows as users do.
    With `select` (a prefix for the boxes' ids, unique on the page), each row starts with a box to tick it for the
    page's bulk actions; the calls in `ticked` (a failed bulk form) come back ticked."""
    words = _row_words(get_language())
    w = {f"w_{key}": value for key, value in words.items()}
    statuses = _status_labels(get_language())
    now = context.get("now") or timezone.now()
    many_schools = context.get("nav", {}).get("school_count", 0) > 1
    detail = reverse("incidents:incident_detail", args=[0])[:-2]  # "/incidents/"; a call is "/incidents/<pk>/"
    restricted = f' <span class="badge text-bg-dark">{words["restricted"]}</span>'
    ticked = context.get("ticked") or ()
    out = []
    for i in rows:
        if i.supplier_id:
            holder = escape(i.supplier.name)
        elif i.assigned_to_id:
            holder = escape(str(i.assigned_to))
        else:
            holder = words["next_visit"] if i.for_next_visit else words["desk"]
        row = CALL_ROW.format(
            **w,
            url=f"{detail}{i.pk}/",
            reference=i.reference,
            summary=escape(i.summary),
            restricted=restricted if i.is_restricted else "",
            school=SMALL.format(escape(i.school.name)) if many_schools else "",
            priority=_priority_badge(i),
            status=escape(statuses.get(i.status, i.status)),
            location=escape(i.location.name) if i.location_id else "",
            device=SMALL.format(escape(i.device)) if i.device else "",
            holder=holder,
            sla=_sla_badge(i, now) or "–",  # a closed call has no clock: a dash, not an empty "SLA:" on a phone
            logged=_when(i.logged_at),
        )
        if select is not None:
            pick = PICK_CELL.format(
                w_select=words["select"],
                pk=i.pk,
                prefix=escape(select),
                reference=i.reference,
                checked=" checked" if i.pk in ticked else "",
            )
            row = row.replace("  <tr>\n", "  <tr>\n    " + pick, 1)
        out.append(row)
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


def _text(value) -> str:
    """What `{{ value|stringformat:'s' }}` prints: the value as text, escaped unless already safe."""
    return conditional_escape(value if isinstance(value, SafeData) else str(value))


def _attrs_html(attrs: dict) -> str:
    """What django/forms/widgets/attrs.html prints."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def select_html(widget: dict) -> str:
    """What django/forms/widgets/select.html prints for `widget` (a Select's or SelectMultiple's context)."""

    def label(value) -> str:  # what `{{ value }}` prints
        return conditional_escape(localize(value))

    out = [f'<select name="{_text(widget["name"])}"{_attrs_html(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{label(group_name)}">')
        out.extend(
            f'\n  <option value="{_text(option["value"])}"{_attrs_html(option["attrs"])}>'
            f"{label(option['label'])}</option>\n"
            for option in options
        )
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped

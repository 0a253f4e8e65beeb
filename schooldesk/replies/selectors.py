"""Reads for canned replies: the lists, and a reply rendered for one call with its placeholders filled."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from schooldesk.core.access import access_for
from schooldesk.core.permissions import can
from schooldesk.replies.choices import MANAGE_ROLES, PLACEHOLDERS
from schooldesk.replies.models import CannedReply

if TYPE_CHECKING:
    from schooldesk.accounts.models import User
    from schooldesk.incidents.models import Incident
    from schooldesk.schools.models import School

#: `{{ first_name }}`, with or without the spaces
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]+)\s*\}\}")
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def placeholders_in(text: str) -> set[str]:
    return {name.lower() for name in PLACEHOLDER.findall(text)}


def unknown_placeholders(text: str) -> list[str]:
    return sorted(placeholders_in(text) - set(PLACEHOLDERS))


def render_placeholders(text: str, values: dict[str, str]) -> str:
    """Each `{{ name }}` replaced by its value, an empty one (or an unknown name) by nothing; then the gaps an
    empty value leaves are closed ("Hello ," -> "Hello,"), so a reply never shows braces or stray spaces."""
    filled = PLACEHOLDER.sub(lambda m: str(values.get(m.group(1).lower()) or ""), text)
    lines = []
    for line in filled.splitlines():
        line = re.sub(r"\([ \t]*\)", "", line)
        line = re.sub(r"[ \t]{2,}", " ", line)
        line = re.sub(r"[ \t]+([,.;:!?)])", r"\1", line)
        lines.append(line.rstrip())
    return "\n".join(lines).strip()


def _days(days: set[int]) -> str:
    ordered = sorted(d for d in days if 0 <= d <= 6)
    if not ordered:
        return ""
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{WEEKDAY_NAMES[ordered[0]]}–{WEEKDAY_NAMES[ordered[-1]]}"
    return ", ".join(WEEKDAY_NAMES[d] for d in ordered)


def spoc_hours(school: School) -> str:
    """The SPOC's agreed days and hours, as a reporter reads them: "Mon–Fri 08:00–16:00"."""
    if not school.spoc_id:
        return ""
    days = _days(school.spoc_weekdays)
    hours = f"{school.spoc_from:%H:%M}–{school.spoc_until:%H:%M}" if school.spoc_from and school.spoc_until else ""
    return " ".join(part for part in (days, hours) if part)


def call_values(*, incident: Incident, user: User) -> dict[str, str]:
    """What each placeholder means on this call, for this person writing."""
    school = incident.school
    if incident.reported_by_id:
        first = incident.reported_by.first_name or ""
    else:
        first = (incident.reporter_name or "").split(" ")[0]
    spoc = school.spoc if school.spoc_id else None
    return {
        "first_name": first,
        "reference": incident.reference,
        "summary": incident.summary,
        "school": school.name,
        "spoc_name": (spoc.get_full_name() or spoc.username) if spoc else "",
        "spoc_hours": spoc_hours(school),
        "my_name": user.get_full_name() or user.get_username(),
    }


def replies_for_call(*, user: User, incident: Incident) -> list[tuple[CannedReply, str]]:
    """The replies this person may insert on this call (its school's and its organisation's), each rendered for
    the call. Two queries: the replies, and the school's SPOC."""
    if not can(user, "replies.use", incident):
        return []
    replies = CannedReply.objects.filter(
        Q(school_id=incident.school_id) | Q(organisation_id=incident.school.organisation_id)
    ).order_by("title", "pk")
    if incident.school.spoc_id:
        incident.school.spoc  # noqa: B018 - read once here, not once per reply
    values = call_values(incident=incident, user=user)
    return [(reply, render_placeholders(reply.body, values)) for reply in replies]


def reply_list(*, user: User) -> QuerySet[CannedReply]:
    """The replies the desk's list shows: the schools' own and their organisations' shared ones."""
    return CannedReply.objects.visible_to(user).select_related("school", "organisation")


def replies_managed_by(*, user: User) -> QuerySet[CannedReply]:
    """The replies this person may change: their desk schools' and their organisations' (held organisation-wide)."""
    access = access_for(user)
    condition = Q(school_id__in=access.school_ids(MANAGE_ROLES))
    organisations = [org for org, roles in access.roles_by_organisation.items() if roles & MANAGE_ROLES]
    if organisations:
        condition |= Q(organisation_id__in=organisations)
    return CannedReply.objects.filter(condition)


def manageable_school_ids(*, user: User) -> list[int]:
    """The schools whose own replies this person keeps: the choices of a new reply's school."""
    return access_for(user).school_ids(MANAGE_ROLES)


def manageable_organisations(*, user: User) -> list[int]:
    """The organisations whose shared replies this person keeps (a role held across the organisation itself)."""
    return sorted(org for org, roles in access_for(user).roles_by_organisation.items() if roles & MANAGE_ROLES)

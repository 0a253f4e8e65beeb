from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db.models import Count, Q
from django.http import QueryDict
from django.utils.translation import gettext_lazy

from schooldesk.accounts.models import User
from schooldesk.core.access import access_for
from schooldesk.core.calendar import LONDON
from schooldesk.core.expressions import Rare
from schooldesk.core.periods import period_bounds
from schooldesk.core.roles import DESK_ROLES, STAFF_ROLES
from schooldesk.diary.choices import DiaryKind
from schooldesk.diary.models import DiaryEntry
from schooldesk.incidents.choices import ACTIVE_STATUSES, PAUSED_STATUSES, IncidentStatus, SlaState
from schooldesk.incidents.models import Category, Incident, SavedView
from schooldesk.schools.models import School
from schooldesk.suppliers.models import Supplier

if TYPE_CHECKING:
    from datetime import date, datetime

    from django.db.models import QuerySet
    from django.http import HttpRequest

    from schooldesk.core.access import Access
    from schooldesk.incidents.models import IncidentUpdate

DUE_SOON = timedelta(hours=2)
LIST_RELATED = ("school", "location", "category", "reported_by", "assigned_to", "supplier")


#: lists never show these: not loading them keeps list pages light whatever the calls hold
LIST_DEFERRED = (
    "description",
    "expected",
    "happened",
    "checked",
    "resolution",
    "school__priority_matrix",
    "school__sla_targets",
)


#: what a row of the call table (incidents/incident_table.html) shows, and no more: a page of rows is
#: built in Python, and every column and joined model not loaded is work not done on each row
TABLE_FIELDS = (
    "school__name",
    "summary",
    "is_restricted",
    "priority",
    "status",
    "location__name",
    "device",
    "supplier__name",
    "assigned_to__first_name",
    "assigned_to__last_name",
    "assigned_to__username",
    "for_next_visit",
    "logged_at",
    "response_due_at",
    "resolve_due_at",
    "responded_at",
    "sla_paused_at",
)


# --- choices for the forms (the schools a person works in) -------------------------------------------------------
def staff_school_ids(*, user: User) -> set[int]:
    """The schools where the person is staff: those a call may be logged for a caller in."""
    return access_for(user).school_ids(STAFF_ROLES)


def technician_choices(*, user: User) -> QuerySet[User]:
    """The staff of every school the person can see: the call list's "Technician" filter."""
    return User.objects.filter(
        access_for(user).schools_q(field="memberships__school_id"), memberships__role__in=STAFF_ROLES
    ).distinct()


def own_supplier_ids(*, user: User) -> list[int]:
    """The suppliers a provider works for, in every school: the call list's "Escalated to us"."""
    return sorted(set().union(*access_for(user).suppliers_by_school.values()))


def bulk_category_names(*, user: User) -> QuerySet:
    """The category names the bulk triage offers: those of every school the person runs the desk of."""
    return (
        Category.objects.filter(school_id__in=access_for(user).school_ids(DESK_ROLES), is_archived=False)
        .order_by("name")
        .values_list("name", flat=True)
        .distinct()
    )


def bulk_technicians(*, user: User) -> QuerySet[User]:
    """Who the bulk forward offers: the staff of every school the person runs the desk of."""
    desk = access_for(user).school_ids(DESK_ROLES)
    return (
        User.objects.filter(memberships__school_id__in=desk, memberships__role__in=STAFF_ROLES)
        .distinct()
        .order_by("first_name", "last_name")
    )


def bulk_suppliers(*, user: User) -> QuerySet[Supplier]:
    """The suppliers the bulk escalation offers: those of the organisations of the schools the person is staff in."""
    organisations = School.objects.filter(pk__in=access_for(user).school_ids(STAFF_ROLES)).values("organisation_id")
    return Supplier.objects.filter(organisation_id__in=organisations).order_by("name")


def incident_list(*, user: User) -> QuerySet[Incident]:
    return Incident.objects.visible_to(user).select_related(*LIST_RELATED).defer(*LIST_DEFERRED)


def incident_rows(queryset: QuerySet[Incident]) -> QuerySet[Incident]:
    """The calls of `queryset` with only what the call table shows."""
    return (
        queryset.select_related(None)
        .select_related("school", "location", "supplier", "assigned_to")
        .only(*TABLE_FIELDS)
    )


def incident_table(*, user: User) -> QuerySet[Incident]:
    """The call list's rows: the calls the person may see, with only what the call table shows."""
    return incident_rows(incident_list(user=user))


def incidents_escalated_to_me(*, user: User, access: Access) -> QuerySet[Incident]:
    """A provider's open calls, escalated to their supplier: the most urgent first (priority, then the
    resolution due time)."""
    suppliers = set().union(*access.suppliers_by_school.values()) if access.suppliers_by_school else set()
    if not suppliers:
        return Incident.objects.none()
    return incident_rows(
        incident_list(user=user)
        .filter(supplier_id__in=suppliers, status__in=ACTIVE_STATUSES)
        .order_by("priority", "resolve_due_at", "logged_at")
    )


def _breached(now) -> Q:
    return Q(resolve_due_at__lt=now) | Q(responded_at__isnull=True, response_due_at__lt=now)


def incidents_in_sla_state(*, queryset: QuerySet[Incident], state: str, now: datetime) -> QuerySet[Incident]:
    running = queryset.filter(status__in=ACTIVE_STATUSES, sla_paused_at__isnull=True)
    if state == SlaState.PAUSED:
        return queryset.filter(status__in=ACTIVE_STATUSES, sla_paused_at__isnull=False)
    if state == SlaState.BREACHED:
        return running.filter(_breached(now))
    if state == SlaState.DUE_SOON:
        return running.exclude(_breached(now)).filter(_breached(now + DUE_SOON))
    if state == SlaState.ON_TRACK:
        return running.exclude(_breached(now + DUE_SOON))
    return queryset


def incident_get(*, user: User, pk: int) -> Incident:
    return (
        Incident.objects.visible_to(user)
        .select_related(*LIST_RELATED, "logged_by", "duplicate_of", "school__organisation")
        .get(pk=pk)
    )


def incident_timeline(*, incident: Incident, include_internal: bool) -> QuerySet[IncidentUpdate]:
    updates = incident.updates.select_related("author").prefetch_related("attachments")
    return updates if include_internal else updates.filter(is_public=True)


TRIAGE_SECTION_SIZE = 25


def _triage_filters(user: User, now: datetime) -> tuple[QuerySet[Incident], Q]:
    """The calls of the schools where the person runs the desk, and the "at risk" condition.

    The base carries neither `incident_list`'s joins nor its deferred fields: the sections take only the
    table's columns (`incident_rows`) and the counts none, and a deferred `school__…` field makes Django
    walk every relation of School (a hundred or so, each hashed) to build the select mask of every query,
    the count's included: about 2,000 calls, a quarter of the home page's time (issue 23)."""
    base = Incident.objects.visible_to(user).filter(access_for(user).schools_q(DESK_ROLES))
    # Each section names its statuses exactly, so the (school, status, logged_at) index serves it.
    working = ACTIVE_STATUSES - PAUSED_STATUSES - {IncidentStatus.NEW}
    at_risk = Q(status__in=working, sla_paused_at__isnull=True) & _breached(now + DUE_SOON)
    return base, at_risk


def triage_counts(*, user: User, now: datetime) -> dict:
    """How many calls are in each section of the SPOC's queue, in one query (the home page's cards)."""
    base, at_risk = _triage_filters(user, now)
    return base.filter(status__in=ACTIVE_STATUSES).aggregate(
        new=Count("pk", filter=Q(status=IncidentStatus.NEW)),
        at_risk=Count("pk", filter=at_risk),
        waiting=Count("pk", filter=Q(status__in=PAUSED_STATUSES)),
        next_visit=Count("pk", filter=Q(for_next_visit=True)),
    )


def triage_queue(*, user: User, now: datetime) -> dict:
    """The SPOC's queue in a fixed number of queries: four short lists and one row of counts."""
    base, at_risk = _triage_filters(user, now)
    sections = {
        "new": base.filter(status=IncidentStatus.NEW).order_by("logged_at"),
        "at_risk": base.filter(at_risk).order_by("resolve_due_at"),
        # Few calls wait, among every call the school ever had: said so (Rare), SQLite reads only those through the
        # (school, status, logged_at) index and sorts them, instead of walking every call in date order for them.
        "waiting": base.filter(Rare(Q(status__in=PAUSED_STATUSES))).order_by("logged_at"),
        "next_visit": base.filter(status__in=ACTIVE_STATUSES, for_next_visit=True).order_by(
            "location__name", "logged_at"
        ),
    }
    counts = triage_counts(user=user, now=now)
    return {
        name: {"rows": list(incident_rows(qs)[:TRIAGE_SECTION_SIZE]), "count": counts[name]}
        for name, qs in sections.items()
    }


def visits_today_q(*, user: User, today: date) -> Q:
    """The calls where the person's technician visits today take them (the diary's visit entries, planned from
    the contracts' visit days): a visit naming a room, that room's calls; a visit to the school, all its calls."""
    start = dt.datetime.combine(today, dt.time.min, tzinfo=LONDON)
    visits = DiaryEntry.objects.visible_to(user).filter(
        kind=DiaryKind.VISIT, person=user, starts_at__gte=start, starts_at__lt=start + timedelta(days=1)
    )
    return Q(school_id__in=visits.filter(location__isnull=True).values("school_id")) | Q(
        location_id__in=visits.filter(location__isnull=False).values("location_id")
    )


# --- saved views ---------------------------------------------------------------------------------------------------
#: what each role starts with in its menu (not stored; a person's own saved views come after): role -> views
STARTING_VIEWS = {
    "technician": (
        (gettext_lazy("Mine, open"), "whose=mine&state=open&ordering=due"),
        (gettext_lazy("Here today"), "whose=here_today&state=open&ordering=priority"),
    ),
    "spoc": (
        (gettext_lazy("New calls, oldest first"), "status=new&ordering=logged"),
        (gettext_lazy("Breaching, open"), "sla=breached&ordering=due"),
    ),
    "owner": (
        (gettext_lazy("New calls, oldest first"), "status=new&ordering=logged"),
        (gettext_lazy("Breaching, open"), "sla=breached&ordering=due"),
    ),
    "provider": ((gettext_lazy("Escalated to us, open"), "whose=ours&state=open&ordering=due"),),
}
SAVED_VIEW_COUNTS_SECONDS = 60


@dataclass
class NamedQuery:
    name: str
    query: str
    pk: int | None = None  # a saved one; None for a starting view
    count: int | None = None


def saved_views_for(*, user: User) -> list[NamedQuery]:
    """The person's starting views (by the roles they hold) and their own saved ones: one query."""
    held = set().union(*access_for(user).roles_by_school.values()) if access_for(user).roles_by_school else set()
    views, seen = [], set()
    for role, starting in STARTING_VIEWS.items():
        if role in held:
            for name, query in starting:
                if query not in seen:
                    seen.add(query)
                    views.append(NamedQuery(str(name), query))
    views += [NamedQuery(v.name, v.query, v.pk) for v in SavedView.objects.filter(user=user).order_by("name", "pk")]
    return views


def saved_view_counts(*, request: HttpRequest, views: list[NamedQuery]) -> list[NamedQuery]:
    """How many calls each view holds, in one aggregate query for all of them (each view's filters are a
    subquery), kept for a minute per person and set of views so a busy desk's every page does not recount."""
    from schooldesk.incidents.filtersets import IncidentFilterSet  # a real circle: the filterset reads selectors

    user = request.user
    digest = hashlib.sha256("|".join(v.query for v in views).encode()).hexdigest()[:32]
    key = f"saved-view-counts:{user.pk}:{digest}"
    counts = cache.get(key)
    if counts is None:
        base = Incident.objects.visible_to(user)
        aggregates = {}
        for n, view in enumerate(views):
            filterset = IncidentFilterSet(QueryDict(view.query), queryset=base, request=request)
            aggregates[f"v{n}"] = Count("pk", filter=Q(pk__in=filterset.qs.order_by().values("pk")))
        counts = base.aggregate(**aggregates) if aggregates else {}
        cache.set(key, counts, SAVED_VIEW_COUNTS_SECONDS)
    for n, view in enumerate(views):
        view.count = counts.get(f"v{n}")
    return views


# --- satisfaction (decision 0022) ---------------------------------------------------------------------------
def satisfaction_counts() -> dict:
    """Aggregates for a queryset of calls: asked, rated, good, OK and poor (one SQL pass, any grouping)."""
    return {
        "asked": Count("pk", filter=Q(satisfaction_asked_at__isnull=False)),
        "rated": Count("pk", filter=~Q(satisfaction="")),
        "good": Count("pk", filter=Q(satisfaction="good")),
        "ok": Count("pk", filter=Q(satisfaction="ok")),
        "poor": Count("pk", filter=Q(satisfaction="poor")),
    }


def satisfaction_shares(row: dict) -> dict:
    """Adds each answer's share of the ratings and the share of those asked who answered (per cent, 1 place)."""

    def share(part, whole):
        return round(100 * part / whole, 1) if whole else None

    for answer in ("good", "ok", "poor"):
        row[f"{answer}_share"] = share(row[answer], row["rated"])
    row["answered_share"] = share(row["rated"], row["asked"])
    return row


def satisfaction_summary(*, schools, start, end) -> dict:
    """How reporters rated the calls resolved (and so asked) from `start` to `end` inclusive, in `schools`
    (schools or their ids): {"asked", "rated", "good", "ok", "poor", "good_share", "ok_share", "poor_share",
    "answered_share"}, shares in per cent of the ratings (of those asked for "answered_share"), None when there
    is nothing to divide. One query. The caller has already decided which schools the person may see."""

    ids = [getattr(school, "pk", school) for school in schools]
    begin, finish = period_bounds(start, end)
    row = Incident.objects.filter(
        school_id__in=ids, satisfaction_asked_at__gte=begin, satisfaction_asked_at__lt=finish
    ).aggregate(**satisfaction_counts())
    return satisfaction_shares(row)

from datetime import timedelta

from django.db.models import Count, Q

from schooldesk.incidents.choices import ACTIVE_STATUSES, PAUSED_STATUSES, IncidentStatus, SlaState
from schooldesk.incidents.models import Incident

DUE_SOON = timedelta(hours=2)
LIST_RELATED = ("school", "location", "category", "reported_by", "assigned_to", "supplier")


#: lists never show these: not loading them keeps list pages light whatever the calls hold
LIST_DEFERRED = ("description", "expected", "happened", "checked", "resolution", "school__priority_matrix",
                 "school__sla_targets")


#: what a row of the call table (incidents/incident_table.html) shows, and no more: a page of rows is
#: built in Python, and every column and joined model not loaded is work not done on each row
TABLE_FIELDS = ("school__name", "summary", "is_restricted", "priority", "status", "location__name", "device",
                "supplier__name", "assigned_to__first_name", "assigned_to__last_name", "assigned_to__username",
                "for_next_visit", "logged_at", "response_due_at", "resolve_due_at", "responded_at", "sla_paused_at")


def incident_list(user):
    return Incident.objects.visible_to(user).select_related(*LIST_RELATED).defer(*LIST_DEFERRED)


def incident_rows(queryset):
    """The calls of `queryset` with only what the call table shows."""
    return queryset.select_related(None).select_related("school", "location", "supplier", "assigned_to").only(
        *TABLE_FIELDS)


def incidents_escalated_to_me(user, access):
    """A provider's open calls, escalated to their supplier: the most urgent first (priority, then the
    resolution due time)."""
    suppliers = set().union(*access.suppliers_by_school.values()) if access.suppliers_by_school else set()
    if not suppliers:
        return Incident.objects.none()
    return incident_rows(incident_list(user).filter(supplier_id__in=suppliers, status__in=ACTIVE_STATUSES)
                         .order_by("priority", "resolve_due_at", "logged_at"))


def _breached(now) -> Q:
    return Q(resolve_due_at__lt=now) | Q(responded_at__isnull=True, response_due_at__lt=now)


def incidents_in_sla_state(queryset, state: str, now):
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


def incident_get(user, pk: int) -> Incident:
    return (
        Incident.objects.visible_to(user)
        .select_related(*LIST_RELATED, "logged_by", "duplicate_of", "school__organisation")
        .get(pk=pk)
    )


def incident_timeline(incident, *, include_internal: bool):
    updates = incident.updates.select_related("author").prefetch_related("attachments")
    return updates if include_internal else updates.filter(is_public=True)


TRIAGE_SECTION_SIZE = 25


def _triage_filters(user, now):
    from schooldesk.accounts.access import access_for
    from schooldesk.accounts.choices import DESK_ROLES

    base = incident_list(user).filter(access_for(user).schools_q(DESK_ROLES))
    # Each section names its statuses exactly, so the (school, status, logged_at) index serves it.
    working = ACTIVE_STATUSES - PAUSED_STATUSES - {IncidentStatus.NEW}
    at_risk = Q(status__in=working, sla_paused_at__isnull=True) & _breached(now + DUE_SOON)
    return base, at_risk


def triage_counts(user, now) -> dict:
    """How many calls are in each section of the SPOC's queue, in one query (the home page's cards)."""
    base, at_risk = _triage_filters(user, now)
    return base.filter(status__in=ACTIVE_STATUSES).aggregate(
        new=Count("pk", filter=Q(status=IncidentStatus.NEW)),
        at_risk=Count("pk", filter=at_risk),
        waiting=Count("pk", filter=Q(status__in=PAUSED_STATUSES)),
        next_visit=Count("pk", filter=Q(for_next_visit=True)),
    )


def triage_queue(user, now) -> dict:
    """The SPOC's queue in a fixed number of queries: four short lists and one row of counts."""
    base, at_risk = _triage_filters(user, now)
    sections = {
        "new": base.filter(status=IncidentStatus.NEW).order_by("logged_at"),
        "at_risk": base.filter(at_risk).order_by("resolve_due_at"),
        "waiting": base.filter(status__in=PAUSED_STATUSES).order_by("logged_at"),
        "next_visit": base.filter(status__in=ACTIVE_STATUSES, for_next_visit=True)
                          .order_by("location__name", "logged_at"),
    }
    counts = triage_counts(user, now)
    return {name: {"rows": list(incident_rows(qs)[:TRIAGE_SECTION_SIZE]), "count": counts[name]}
            for name, qs in sections.items()}


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
    from schooldesk.reports.selectors import period_bounds

    ids = [getattr(school, "pk", school) for school in schools]
    begin, finish = period_bounds(start, end)
    row = Incident.objects.filter(school_id__in=ids, satisfaction_asked_at__gte=begin,
                                  satisfaction_asked_at__lt=finish).aggregate(**satisfaction_counts())
    return satisfaction_shares(row)

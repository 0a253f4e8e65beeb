"""Reads of the restricted lane and the filtering register, each a fixed number of queries."""

from __future__ import annotations

from django.db.models import Q

from schooldesk.accounts.access import access_for
from schooldesk.accounts.choices import BREACH_ROLES, DESK_ROLES, RESTRICTED_ROLES, SAFEGUARDING_ROLES
from schooldesk.safeguarding import choices
from schooldesk.safeguarding.models import Breach, Concern, FilterRequest, FilterReview


def breach_log(user):
    """Every breach of the schools where the person is DPO or ICT owner, newest first: the school's breach log."""
    return (
        Breach.objects.visible_to(user).select_related("school", "incident", "decided_by").order_by("-aware_at", "-pk")
    )


def breach_get(user, pk: int) -> Breach:
    return breach_log(user).get(pk=pk)


def breaches_on_the_clock(user):
    """The DPO's home page: breaches whose 72 hours still run (not decided 'not notifiable', ICO not told)."""
    if not access_for(user).any_role(BREACH_ROLES):
        return []
    return list(
        breach_log(user)
        .filter(ico_told_at__isnull=True)
        .exclude(notifiable=choices.Notifiable.NO)
        .order_by("aware_at")[:25]
    )


def concern_list(user):
    return Concern.objects.visible_to(user).select_related("school", "incident").order_by("-created_at")


def concern_get(user, pk: int) -> Concern:
    return concern_list(user).prefetch_related("actions__by").get(pk=pk)


def filter_register(user):
    return (
        FilterRequest.objects.visible_to(user)
        .select_related("school", "requested_by", "decided_by", "incident", "removal_incident")
        .order_by("-created_at", "-pk")
    )


def filter_requests_waiting(user):
    if not access_for(user).any_role(SAFEGUARDING_ROLES):
        return []
    return list(
        filter_register(user).filter(
            access_for(user).schools_q(SAFEGUARDING_ROLES), status=choices.FilterStatus.REQUESTED
        )[:25]
    )


def review_list(user):
    return FilterReview.objects.visible_to(user).select_related("school", "dsl_signed_by", "governor_signed_by")


def restricted_held(user) -> list[dict]:
    """For a desk that cannot read them: the restricted calls of its schools that are still open, each as its
    reference and who holds it, and nothing of what it says."""
    from schooldesk.incidents.choices import ACTIVE_STATUSES
    from schooldesk.incidents.models import Incident

    access = access_for(user)
    ids = set(access.school_ids(DESK_ROLES)) - set(access.school_ids(RESTRICTED_ROLES))
    if not ids:
        return []
    rows = (
        Incident.objects.filter(access.school_q(ids), is_restricted=True, status__in=ACTIVE_STATUSES)
        .exclude(Q(reported_by=user) | Q(logged_by=user) | Q(assigned_to=user))
        .order_by("logged_at")
        .values("pk", "breach__pk", "concern__pk")[:50]
    )
    return [{"reference": f"INC-{r['pk']:06d}", "holder": holder_of(r["breach__pk"], r["concern__pk"])} for r in rows]


def holder_of(breach_pk, concern_pk) -> str:
    from django.utils.translation import gettext as _

    if breach_pk:
        return _("the DPO")
    if concern_pk:
        return _("the DSL")
    return _("the DPO and the DSL")


def restricted_stub(user, pk: int) -> dict | None:
    """What the call page tells a desk about a restricted call it may not read: that it exists and who holds it."""
    from schooldesk.incidents.models import Incident

    access = access_for(user)
    ids = access.school_ids(DESK_ROLES)
    if not ids:
        return None
    row = (
        Incident.objects.filter(access.school_q(ids), pk=pk, is_restricted=True)
        .values("pk", "breach__pk", "concern__pk", "school__name")
        .first()
    )
    if row is None:
        return None
    return {
        "reference": f"INC-{row['pk']:06d}",
        "holder": holder_of(row["breach__pk"], row["concern__pk"]),
        "school": row["school__name"],
    }

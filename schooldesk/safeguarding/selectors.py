"""Reads of the restricted lane and the filtering register, each a fixed number of queries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from schooldesk.core.access import access_for
from schooldesk.core.roles import BREACH_ROLES, DESK_ROLES, RESTRICTED_ROLES, SAFEGUARDING_ROLES, Role
from schooldesk.incidents.choices import ACTIVE_STATUSES
from schooldesk.incidents.models import Incident
from schooldesk.safeguarding import choices
from schooldesk.safeguarding.models import Breach, Concern, FilterRequest, FilterReview

if TYPE_CHECKING:
    from schooldesk.accounts.models import User


def breach_log(*, user: User) -> QuerySet[Breach]:
    """Every breach of the schools where the person is DPO or ICT owner, newest first: the school's breach log."""
    return (
        Breach.objects.visible_to(user).select_related("school", "incident", "decided_by").order_by("-aware_at", "-pk")
    )


def breach_get(*, user: User, pk: int) -> Breach:
    return breach_log(user=user).get(pk=pk)


def breaches_on_the_clock(*, user: User) -> list[Breach]:
    """The DPO's home page: breaches whose 72 hours still run (not decided 'not notifiable', ICO not told)."""
    if not access_for(user).school_ids(BREACH_ROLES):  # no query for anybody else
        return []
    return list(
        breach_log(user=user)
        .filter(ico_told_at__isnull=True)
        .exclude(notifiable=choices.Notifiable.NO)
        .order_by("aware_at")[:25]
    )


def concern_list(*, user: User) -> QuerySet[Concern]:
    return Concern.objects.visible_to(user).select_related("school", "incident").order_by("-created_at")


def concern_get(*, user: User, pk: int) -> Concern:
    return concern_list(user=user).prefetch_related("actions__by").get(pk=pk)


def filter_register(*, user: User) -> QuerySet[FilterRequest]:
    return (
        FilterRequest.objects.visible_to(user)
        .select_related("school", "requested_by", "decided_by", "incident", "removal_incident")
        .order_by("-created_at", "-pk")
    )


def filter_request_get(*, user: User, pk: int) -> FilterRequest:
    return filter_register(user=user).get(pk=pk)


def filter_requests_waiting(*, user: User) -> list[FilterRequest]:
    """The DSL's home page: the requests waiting for a decision in the schools where they decide."""
    access = access_for(user)
    deciding = access.school_ids(SAFEGUARDING_ROLES)
    if not deciding:  # no query for anybody else
        return []
    return list(
        filter_register(user=user).filter(access.school_q(deciding), status=choices.FilterStatus.REQUESTED)[:25]
    )


def reads_the_register(*, user: User) -> bool:
    """Whether the person reads the whole register and its reviews (the DSL, the ICT owner, governors), not only the
    requests they made: the same schools as `FilterRequest.visible_to`'s readers."""
    return bool(access_for(user).school_ids(SAFEGUARDING_ROLES | {Role.VIEWER}))


def member_school_ids(*, user: User) -> list[int]:
    """The schools a filtering request may be asked for: every school the person belongs to."""
    return access_for(user).school_ids()


def review_school_ids(*, user: User) -> list[int]:
    """The schools whose yearly review the person may start."""
    return access_for(user).school_ids(SAFEGUARDING_ROLES)


def review_list(*, user: User) -> QuerySet[FilterReview]:
    return FilterReview.objects.visible_to(user).select_related("school", "dsl_signed_by", "governor_signed_by")


def review_get(*, user: User, pk: int) -> FilterReview:
    return review_list(user=user).get(pk=pk)


def lane_records(*, user: User, incident: Incident) -> dict:
    """On a restricted call's page: its breach record and its concern, each only for those who see it (the DPO's
    and the DSL's, `visible_to`)."""
    return {
        "breach": Breach.objects.visible_to(user).filter(incident=incident).values_list("pk", flat=True).first(),
        "concern": Concern.objects.visible_to(user).filter(incident=incident).values_list("pk", flat=True).first(),
    }


def restricted_held(*, user: User) -> list[dict]:
    """For a desk that cannot read them: the restricted calls of its schools that are still open, each as its
    reference and who holds it, and nothing of what it says."""
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


def restricted_stub(*, user: User, pk: int) -> dict | None:
    """What the call page tells a desk about a restricted call it may not read: that it exists and who holds it."""
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

"""Reads: the outages a person may see, the banner every page shows (cached per school) and the approvals."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db.models import Count, Prefetch, QuerySet

from schooldesk.core.access import access_for
from schooldesk.incidents.choices import ACTIVE_STATUSES, IncidentStatus
from schooldesk.incidents.models import Category, Incident
from schooldesk.incidents.selectors import incident_list, incident_rows
from schooldesk.outages.choices import OUTAGE_ROLES
from schooldesk.outages.models import AffectedPerson, CallApproval, CallChange, Outage, OutageCall, OutageSchool

if TYPE_CHECKING:
    from schooldesk.accounts.models import User
    from schooldesk.changes.models import ChangeRequest

#: one cache entry for the whole installation: {school id: [its active outages, as the banner shows them]}
BANNER_KEY = "outages:banner"
#: how long the banner is kept: the outage services drop it at once when they change an outage; this only bounds
#: how stale it can be if something else (the admin, a restored backup) changed outages behind their back
BANNER_SECONDS = 15 * 60
LINKABLE_LIMIT = 100


def banner_forget() -> None:
    """Drop the cached banner (the outage services call this when they change an outage, and after its commit)."""
    cache.delete(BANNER_KEY)


def banner_index() -> dict[int, list[dict]]:
    """Every active outage by school, as the banner shows them: no query while cached, one when not. Active outages
    are few (a school's Wi-Fi, an LA's broadband), so one entry holds them all: a page reads one key whatever the
    number of the person's schools, and an empty installation is known to have none without a query."""
    index = cache.get(BANNER_KEY)
    if index is None:
        index = {}
        rows = (
            OutageSchool.objects.filter(outage__resolved_at__isnull=True)
            .select_related("outage")
            .order_by("-outage__started_at", "-outage_id")
        )
        for row in rows:
            outage = row.outage
            index.setdefault(row.school_id, []).append(
                {
                    "pk": outage.pk,
                    "reference": outage.reference,
                    "title": outage.title,
                    "advice": outage.advice,
                    "started_at": outage.started_at,
                }
            )
        cache.set(BANNER_KEY, index, BANNER_SECONDS)
    return index


def banner_outages(school_ids) -> list[dict]:
    """The active outages of these schools, each once (an LA's outage reaches many of a person's schools)."""
    index = banner_index()
    seen, banner = set(), []
    for school_id in school_ids:
        for item in index.get(school_id, ()):
            if item["pk"] not in seen:
                seen.add(item["pk"])
                banner.append(item)
    return sorted(banner, key=lambda item: item["started_at"], reverse=True)


def outage_list(*, user: User) -> QuerySet[Outage]:
    return (
        Outage.objects.visible_to(user)
        .annotate(people=Count("affected_people", distinct=True), linked=Count("calls", distinct=True))
        .prefetch_related(Prefetch("affected_schools", OutageSchool.objects.select_related("school")))
        .order_by("-started_at", "-id")
    )


def outage_get(*, user: User, pk: int) -> Outage:
    return (
        Outage.objects.visible_to(user)
        .select_related("category", "location", "source_incident", "declared_by", "resolved_by", "organisation")
        .prefetch_related(Prefetch("affected_schools", OutageSchool.objects.select_related("school")), "assets")
        .get(pk=pk)
    )


def outage_calls(*, outage: Outage, user: User) -> QuerySet[OutageCall]:
    """The calls linked to the outage that this person can see (a restricted call stays restricted)."""
    visible = Incident.objects.visible_to(user)
    return OutageCall.objects.filter(outage=outage, incident__in=visible).select_related(
        "incident", "incident__location", "incident__reported_by"
    )


def outage_people(*, outage: Outage) -> QuerySet[AffectedPerson]:
    return AffectedPerson.objects.filter(outage=outage).select_related("person", "school")


def linkable_calls(*, user: User, outage: Outage) -> QuerySet[Incident]:
    """The open calls of the outage's schools this person can see, not linked to an outage yet: newest first."""
    school_ids = [row.school_id for row in outage.affected_schools.all()]
    calls = (
        incident_list(user=user)
        .filter(
            school_id__in=school_ids,
            status__in=ACTIVE_STATUSES - {IncidentStatus.WAITING_APPROVAL},
            outage_link__isnull=True,
        )
        .order_by("-logged_at")
    )
    newest = calls.values("pk")[:LINKABLE_LIMIT]  # a subquery: the form can still check what was ticked
    return incident_rows(calls.model.objects.filter(pk__in=newest)).order_by("-logged_at")


def outage_for_call(*, incident: Incident) -> OutageCall | None:
    return OutageCall.objects.filter(incident=incident).select_related("outage").first()


def approval_get(*, user: User, pk: int) -> CallApproval:
    return (
        CallApproval.objects.visible_to(user)
        .select_related(
            "incident",
            "incident__school",
            "incident__category",
            "incident__reported_by",
            "approver",
            "decided_by",
            "requested_by",
        )
        .get(pk=pk)
    )


def approvals_for_call(*, incident: Incident) -> QuerySet[CallApproval]:
    return CallApproval.objects.filter(incident=incident).select_related("approver", "decided_by")


def change_for_call(*, incident: Incident) -> CallChange | None:
    return CallChange.objects.filter(incident=incident).select_related("change").first()


def call_for_change(*, change: ChangeRequest) -> CallChange | None:
    return CallChange.objects.filter(change=change).select_related("incident").first()


def category_get(*, pk: int) -> Category | None:
    """A category, with its school (the page it is changed on is the school's)."""
    return Category.objects.filter(pk=pk).select_related("school").first()


def declarable_school_ids(*, user: User) -> list[int]:
    """The schools this person may declare an outage for: those where they work on the desk."""
    return access_for(user).school_ids(OUTAGE_ROLES)


def banner_for(*, user: User) -> list[dict]:
    """The banner's outages for this person: those of every school they hold a role in."""
    return banner_outages(access_for(user).roles_by_school)

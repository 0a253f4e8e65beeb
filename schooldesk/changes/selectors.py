"""Reads for requests for change, the owner's progress page and the change report; fixed query counts."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext

from schooldesk.changes.choices import (
    AUTHORISE_ROLES,
    CHANGE_ROLES,
    OPEN_STATUSES,
    PROGRESS_ROLES,
    ChangeStatus,
    Decision,
    Outcome,
)
from schooldesk.changes.models import Approval, ChangeEvent, ChangeRequest, Milestone, StandardChange
from schooldesk.core.access import access_for
from schooldesk.core.periods import period_bounds
from schooldesk.problems.choices import ACTIVE_PROBLEM_STATUSES
from schooldesk.problems.models import Problem, ProblemNote
from schooldesk.schools.models import School

if TYPE_CHECKING:
    from schooldesk.accounts.models import User

LIST_RELATED = ("school", "assigned_to", "problem", "raised_by")
PROGRESS_LIMIT = 200
#: what the progress page follows: open changes, and those implemented (or failed) but not yet reviewed
FOLLOWED_STATUSES = OPEN_STATUSES | {ChangeStatus.IMPLEMENTED, ChangeStatus.FAILED}


def change_school_ids(*, user: User, roles: frozenset[str] = CHANGE_ROLES) -> list[int]:
    return access_for(user).school_ids(roles)


def with_progress(queryset, today: date):
    """Milestones in all, done and overdue, and the next one (title, date, who), as SQL annotations."""
    upcoming = Milestone.objects.filter(change=OuterRef("pk"), done_at__isnull=True).order_by("due_on", "pk")
    return queryset.annotate(
        milestones_total=Count("milestones", distinct=True),
        milestones_done=Count("milestones", filter=Q(milestones__done_at__isnull=False), distinct=True),
        milestones_overdue=Count(
            "milestones", filter=Q(milestones__done_at__isnull=True, milestones__due_on__lt=today), distinct=True
        ),
        next_title=Subquery(upcoming.values("title")[:1]),
        next_due_on=Subquery(upcoming.values("due_on")[:1]),
        next_who_first=Subquery(upcoming.values("assigned_to__first_name")[:1]),
        next_who_last=Subquery(upcoming.values("assigned_to__last_name")[:1]),
    )


def progress_percent(change) -> int:
    total = getattr(change, "milestones_total", 0)
    return round(100 * change.milestones_done / total) if total else 0


def change_list(*, user: User, today: date | None = None) -> QuerySet[ChangeRequest]:
    """The changes a person may see, with their milestones' progress, newest first."""
    return with_progress(
        ChangeRequest.objects.visible_to(user).select_related(*LIST_RELATED), today or timezone.localdate()
    ).order_by("-created_at", "-pk")


def change_get(*, user: User, pk: int) -> ChangeRequest:
    return (
        ChangeRequest.objects.visible_to(user)
        .select_related(*LIST_RELATED, "standard_change", "completed_by", "reviewed_by", "school__organisation")
        .prefetch_related("affected_locations")
        .get(pk=pk)
    )


def change_plan(change: ChangeRequest) -> dict:
    """Everything on the change's page below its details, one query each."""
    milestones = list(change.milestones.select_related("assigned_to", "done_by"))
    done = sum(1 for m in milestones if m.is_done)
    return {
        "approvals": list(Approval.objects.filter(change=change).select_related("decided_by", "standard_change")),
        "milestones": milestones,
        "done": done,
        "percent": round(100 * done / len(milestones)) if milestones else 0,
        "new_assets": list(change.new_assets.select_related("asset_type", "location", "supplier", "asset")),
        "new_licences": list(change.new_licences.select_related("supplier", "licence")),
        "affected_assets": list(
            change.affected_assets.select_related("asset__asset_type", "asset__location", "new_location")
        ),
        "events": list(ChangeEvent.objects.filter(change=change).select_related("author")),
    }


def standard_changes(*, user: User, active_only: bool = True) -> QuerySet[StandardChange]:
    queryset = StandardChange.objects.visible_to(user).select_related("school", "authorised_by")
    return queryset.filter(is_active=True) if active_only else queryset


# --- the owner's progress page -------------------------------------------------------------------
def progress(*, user: User, school: School | None = None, today: date | None = None) -> dict:
    """Every open RFC (and those awaiting their review) and every open problem with its progress, next
    milestone, what is overdue and who holds it.
    Six queries whatever the number of rows (each list capped at PROGRESS_LIMIT, with its full count)."""
    today = today or timezone.localdate()
    school_ids = change_school_ids(user=user)
    if school is not None:
        school_ids = [pk for pk in school_ids if pk == school.pk]
    changes = with_progress(
        ChangeRequest.objects.filter(school_id__in=school_ids, status__in=FOLLOWED_STATUSES).select_related(
            "school", "assigned_to", "problem", "raised_by"
        ),
        today,
    )
    changes = changes.order_by(F("planned_on").asc(nulls_last=True), "pk")
    last_note = ProblemNote.objects.filter(problem=OuterRef("pk")).order_by("-created_at", "-pk")
    open_change = ChangeRequest.objects.filter(problem=OuterRef("pk"), status__in=FOLLOWED_STATUSES).order_by("pk")
    problems = (
        Problem.objects.filter(school_id__in=school_ids, status__in=ACTIVE_PROBLEM_STATUSES)
        .select_related("school", "assigned_to")
        .annotate(
            call_count=Count("links", distinct=True),
            last_note_at=Subquery(last_note.values("created_at")[:1]),
            last_note_body=Subquery(last_note.values("body")[:1]),
            change_pk=Subquery(open_change.values("pk")[:1]),
            has_change=Exists(open_change),
        )
        .order_by(F("due_on").asc(nulls_last=True), "priority", "pk")
    )
    overdue = (
        Milestone.objects.filter(
            change__school_id__in=school_ids, change__status__in=OPEN_STATUSES, done_at__isnull=True, due_on__lt=today
        )
        .select_related("change__school", "assigned_to")
        .order_by("due_on", "pk")
    )
    counts = {"changes": changes.count(), "problems": problems.count(), "overdue_milestones": overdue.count()}
    changes, problems = list(changes[:PROGRESS_LIMIT]), list(problems[:PROGRESS_LIMIT])
    for change in changes:
        change.percent = progress_percent(change)
        change.next_who = f"{change.next_who_first or ''} {change.next_who_last or ''}".strip()
        change.holder = _holder(change)
        change.is_late = bool(change.is_open and change.planned_on and change.planned_on < today)
    late_problems = [p for p in problems if p.due_on and p.due_on < today]
    counts["awaiting"] = sum(1 for c in changes if c.status == ChangeStatus.SUBMITTED)
    return {
        "changes": changes,
        "problems": problems,
        "overdue": list(overdue[:PROGRESS_LIMIT]),
        "late_problems": late_problems,
        "counts": counts,
        "today": today,
        "limit": PROGRESS_LIMIT,
    }


def _holder(change) -> str:
    """Who holds the change now: the owner for a decision, the raiser for a draft, the desk for the review,
    otherwise whoever has the next milestone, or the implementer."""
    if change.status == ChangeStatus.SUBMITTED:
        return gettext("ICT owner (to decide)")
    if change.status in (ChangeStatus.IMPLEMENTED, ChangeStatus.FAILED):
        return gettext("The desk (post-implementation review)")
    if change.status == ChangeStatus.DRAFT:
        return gettext("%(who)s (draft)") % {"who": change.raised_by or gettext("The raiser")}
    return change.next_who or str(change.assigned_to or gettext("No implementer yet"))


# --- the change report ---------------------------------------------------------------------------
def change_report(*, user: User, start: date, end: date, school: School | None = None) -> dict:
    """Raised, authorised, rejected, implemented and failed in the period: SQL aggregates."""

    begin, finish = period_bounds(start, end)
    changes = ChangeRequest.objects.reportable_by(user)
    if school is not None:
        changes = changes.filter(school=school)

    def within(field):
        return Q(**{f"{field}__gte": begin, f"{field}__lt": finish})

    totals = changes.aggregate(
        raised=Count("pk", filter=within("created_at")),
        implemented=Count("pk", filter=within("completed_at") & Q(outcome=Outcome.SUCCESSFUL)),
        failed=Count("pk", filter=within("completed_at") & Q(outcome__in=(Outcome.FAILED, Outcome.BACKED_OUT))),
        open_now=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
    )
    decisions = (
        Approval.objects.filter(change__in=changes)
        .filter(within("created_at"))
        .aggregate(
            authorised=Count("pk", filter=Q(decision=Decision.AUTHORISED)),
            preauthorised=Count("pk", filter=Q(decision=Decision.PREAUTHORISED)),
            rejected=Count("pk", filter=Q(decision=Decision.REJECTED)),
        )
    )
    totals.update(decisions)
    in_period = within("created_at") | within("decided_at") | within("completed_at")
    rows = changes.filter(in_period).select_related("school", "problem").order_by("-created_at", "-pk")
    type_rows = changes.filter(within("created_at")).values("change_type").annotate(n=Count("pk")).order_by("-n")
    status_rows = changes.filter(within("created_at")).values("status").annotate(n=Count("pk")).order_by("-n")
    from schooldesk.changes.choices import ChangeType

    types, statuses = dict(ChangeType.choices), dict(ChangeStatus.choices)
    return {
        "start": start,
        "end": end,
        "school": school,
        "totals": totals,
        "rows": rows,
        "tables": [
            ("type", "Raised, by type", [{"key": types.get(r["change_type"]), "n": r["n"]} for r in type_rows]),
            ("status", "Raised, by status now", [{"key": statuses.get(r["status"]), "n": r["n"]} for r in status_rows]),
        ],
    }


def problem_for_change(*, user: User, pk: int) -> Problem | None:
    """A problem a change is raised from: one of the schools whose changes this person works, that they see."""
    return Problem.objects.visible_to(user).filter(pk=pk, school_id__in=change_school_ids(user=user)).first()


def standard_change_for_owner(*, user: User, pk: int) -> StandardChange | None:
    """A standard change this person may pre-authorise (an ICT owner's school's)."""
    school_ids = change_school_ids(user=user, roles=AUTHORISE_ROLES)
    return StandardChange.objects.visible_to(user).filter(school_id__in=school_ids, pk=pk).first()


def schools_for_progress(*, user: User) -> QuerySet[School]:
    """The schools whose progress page this person reads."""
    return School.objects.filter(pk__in=change_school_ids(user=user, roles=PROGRESS_ROLES))

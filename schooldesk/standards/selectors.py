"""Reads of the scheduled checks, the schools a person sees the standards of, and the review's period."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from schooldesk.core.access import access_for
from schooldesk.schools.models import School
from schooldesk.standards.choices import CHECK_EDIT_ROLES, CHECK_ROLES, STANDARDS_VIEW_ROLES, CheckStatus
from schooldesk.standards.models import CheckItem, CheckRule, ReviewSetting, Statement

if TYPE_CHECKING:
    from schooldesk.accounts.models import User

MISSED_SHOWN = 10


def standards_schools(*, user: User, roles: frozenset[str] = STANDARDS_VIEW_ROLES) -> QuerySet[School]:
    """The schools whose standards this person reads (or, with `roles`, acts on)."""
    return School.objects.filter(pk__in=access_for(user).school_ids(roles)).order_by("name")


def check_items(*, user: User) -> QuerySet[CheckItem]:
    return CheckItem.objects.visible_to(user).select_related("rule", "school", "assigned_to", "done_by", "incident")


def check_rules(*, user: User) -> QuerySet[CheckRule]:
    """The scheduled checks this person may change (the desk's schools')."""
    return (
        CheckRule.objects.visible_to(user)
        .filter(access_for(user).schools_q(CHECK_EDIT_ROLES))
        .select_related("school", "assigned_to")
    )


def checks_missed(*, user: User, school_ids: Iterable[int], today: date) -> dict:
    """The checks past their day and not done, in the given schools: how many, and the oldest few."""
    missed = check_items(user=user).filter(school_id__in=list(school_ids), status=CheckStatus.DUE, due_on__lt=today)
    rows = list(missed.order_by("due_on", "pk")[:MISSED_SHOWN])
    count = len(rows) if len(rows) < MISSED_SHOWN else missed.count()
    return {"rows": rows, "count": count}


def checks_to_do(*, user: User) -> QuerySet[CheckItem]:
    """The checks this person records: those of the schools where they work the calls."""
    return check_items(user=user).filter(access_for(user).schools_q(CHECK_ROLES))


def check_school_count(*, user: User) -> int:
    """How many schools this person records checks in (a column for the school when more than one)."""
    return len(access_for(user).school_ids(CHECK_ROLES))


def check_rule_school_ids(*, user: User) -> list[int]:
    """The schools whose schedule this person may change: the choices of a new scheduled check's school."""
    return access_for(user).school_ids(CHECK_EDIT_ROLES)


def statement_file(*, user: User, pk: int) -> Statement | None:
    return Statement.objects.visible_to(user).exclude(file="").filter(pk=pk).first()


def school_statements(*, school: School) -> list[Statement]:
    return list(Statement.objects.filter(school=school).select_related("recorded_by")[:100])


def review_month_for(school) -> int:
    setting = ReviewSetting.objects.filter(school=school).first()
    return setting.review_month if setting else ReviewSetting._meta.get_field("review_month").default


def review_year(month: int, today: date) -> int:
    """The review due most recently: the one of this year once its month has come, else last year's."""
    return today.year if today.month >= month else today.year - 1


def review_period(year: int, month: int) -> tuple[date, date]:
    """The twelve months a review covers: from the 1st of its month a year before to the end of the month
    before it."""
    return date(year - 1, month, 1), date(year, month, 1) - timedelta(days=1)

"""Reads of the scheduled checks, the schools a person sees the standards of, and the review's period."""

from __future__ import annotations

from datetime import date

from schooldesk.accounts.access import access_for
from schooldesk.standards.choices import CHECK_EDIT_ROLES, STANDARDS_VIEW_ROLES, CheckStatus
from schooldesk.standards.models import CheckItem, CheckRule, ReviewSetting

MISSED_SHOWN = 10


def standards_schools(user, roles=STANDARDS_VIEW_ROLES):
    from schooldesk.schools.models import School

    return School.objects.filter(pk__in=access_for(user).school_ids(roles)).order_by("name")


def check_items(user):
    return CheckItem.objects.visible_to(user).select_related("rule", "school", "assigned_to", "done_by", "incident")


def check_rules(user):
    return (
        CheckRule.objects.visible_to(user)
        .filter(access_for(user).schools_q(CHECK_EDIT_ROLES))
        .select_related("school", "assigned_to")
    )


def checks_missed(user, school_ids, today: date) -> dict:
    """The checks past their day and not done, in the given schools: how many, and the oldest few."""
    missed = check_items(user).filter(school_id__in=list(school_ids), status=CheckStatus.DUE, due_on__lt=today)
    rows = list(missed.order_by("due_on", "pk")[:MISSED_SHOWN])
    count = len(rows) if len(rows) < MISSED_SHOWN else missed.count()
    return {"rows": rows, "count": count}


def review_month_for(school) -> int:
    setting = ReviewSetting.objects.filter(school=school).first()
    return setting.review_month if setting else ReviewSetting._meta.get_field("review_month").default


def review_year(month: int, today: date) -> int:
    """The review due most recently: the one of this year once its month has come, else last year's."""
    return today.year if today.month >= month else today.year - 1


def review_period(year: int, month: int) -> tuple[date, date]:
    """The twelve months a review covers: from the 1st of its month a year before to the end of the month
    before it."""
    from datetime import timedelta

    return date(year - 1, month, 1), date(year, month, 1) - timedelta(days=1)

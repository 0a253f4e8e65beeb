"""When scheduled checks come due, on a frozen clock (each call is given its day) across a half-term, INSET
days and the summer holiday (docs/decisions/0021)."""

from datetime import date

import pytest

from schooldesk.core.models import AuditEntry
from schooldesk.standards.choices import CheckKind, CheckStatus, Recurrence
from schooldesk.standards.models import CheckItem, CheckRule
from schooldesk.standards.schedule import due_dates, school_days
from schooldesk.standards.services import checks_create_due, checks_setup_defaults

from .calendar import school_year

pytestmark = pytest.mark.django_db


def rule(school, recurrence, weekday=None, month=None, name="Check"):
    return CheckRule.objects.create(school=school, name=name, recurrence=recurrence, weekday=weekday, month=month)


def test_every_friday_in_term_time_skips_half_term_and_the_summer_and_an_inset_friday_moves_on(cast):
    school_year(cast.school)
    fridays = due_dates(
        rule(cast.school, Recurrence.WEEKLY_IN_TERM, weekday=4),
        school_days(cast.school),
        date(2026, 7, 1),
        date(2026, 11, 6),
    )
    assert fridays == [
        date(2026, 7, 3),
        date(2026, 7, 10),
        date(2026, 7, 17),  # the term ends on Wednesday 22 July
        date(2026, 9, 8),  # Friday 4 September is an INSET day, and so is Monday 7: the next school day
        date(2026, 9, 11),
        date(2026, 9, 18),
        date(2026, 9, 25),
        date(2026, 10, 2),
        date(2026, 10, 9),
        date(2026, 10, 16),
        date(2026, 10, 23),  # 30 October is half-term: skipped
        date(2026, 11, 6),
    ]


def test_the_first_monday_of_every_term_moves_off_an_inset_day(cast):
    school_year(cast.school)
    mondays = due_dates(
        rule(cast.school, Recurrence.TERM_FIRST_WEEKDAY, weekday=0),
        school_days(cast.school),
        date(2026, 1, 1),
        date(2026, 12, 31),
    )
    assert mondays == [date(2026, 4, 13), date(2026, 9, 8)]  # Monday 7 September is an INSET day


def test_the_first_school_day_of_every_month_and_none_in_august(cast):
    school_year(cast.school)
    firsts = due_dates(
        rule(cast.school, Recurrence.MONTHLY_FIRST_DAY), school_days(cast.school), date(2026, 5, 1), date(2026, 11, 30)
    )
    # 1 May; 1 June (after half-term); 1 July; August is all holiday; Thursday 3 September, the first day of
    # term; 1 October; Monday 2 November (the 1st is a Sunday)
    assert firsts == [
        date(2026, 5, 1),
        date(2026, 6, 1),
        date(2026, 7, 1),
        date(2026, 9, 3),
        date(2026, 10, 1),
        date(2026, 11, 2),
    ]


def test_every_september_is_the_first_school_day_of_september(cast):
    school_year(cast.school)
    yearly = due_dates(
        rule(cast.school, Recurrence.YEARLY_IN_MONTH, month=9),
        school_days(cast.school),
        date(2026, 1, 1),
        date(2026, 12, 31),
    )
    assert yearly == [date(2026, 9, 3)]


def test_without_terms_every_weekday_but_bank_holidays_counts(cast):
    fridays = due_dates(
        rule(cast.school, Recurrence.WEEKLY_IN_TERM, weekday=4),
        school_days(cast.school),
        date(2026, 3, 30),
        date(2026, 4, 17),
    )
    assert fridays == [date(2026, 4, 6 + 1), date(2026, 4, 10), date(2026, 4, 17)]  # Good Friday 3 April → Tuesday


def test_the_task_makes_each_due_item_once(cast):
    school_year(cast.school)
    checks_setup_defaults(school=cast.school)
    assert CheckRule.objects.filter(school=cast.school).count() == 6  # made with the school, not again
    made = checks_create_due(today=date(2026, 9, 30), since=date(2026, 9, 1))
    assert made == CheckItem.objects.count() > 0
    assert checks_create_due(today=date(2026, 9, 30), since=date(2026, 9, 1)) == 0
    restore = CheckItem.objects.get(rule__kind=CheckKind.RESTORE_TEST)
    assert restore.due_on == date(2026, 9, 8) and restore.status == CheckStatus.DUE
    weekly = list(CheckItem.objects.filter(rule__kind=CheckKind.BACKUP_CHECK).values_list("due_on", flat=True))
    assert weekly == [date(2026, 9, 8), date(2026, 9, 11), date(2026, 9, 18), date(2026, 9, 25)]


def test_a_rule_can_raise_a_call_for_its_technician(cast):
    school_year(cast.school)
    check = rule(cast.school, Recurrence.MONTHLY_FIRST_DAY, name="Patch check")
    check.raises_call, check.assigned_to = True, cast.technician
    check.save()
    checks_create_due(today=date(2026, 10, 1), since=date(2026, 10, 1))
    item = CheckItem.objects.get(rule=check)
    assert item.incident.summary == "Scheduled check: Patch check due 01/10/2026"
    assert item.incident.assigned_to == cast.technician
    assert not AuditEntry.objects.filter(action="check_done").exists()


def test_the_daily_task_makes_what_came_due_since_each_rule_was_made(cast):
    from datetime import timedelta

    from django.utils import timezone

    from schooldesk.standards.tasks import checks_due_task

    check = rule(cast.school, Recurrence.MONTHLY_FIRST_DAY, name="Patch check")
    CheckRule.objects.filter(pk=check.pk).update(created_at=timezone.now() - timedelta(days=40))
    CheckRule.objects.exclude(pk=check.pk).update(is_active=False)
    made = checks_due_task.call_local()
    assert made >= 1 and CheckItem.objects.filter(rule=check).count() == made
    assert checks_due_task.call_local() == 0

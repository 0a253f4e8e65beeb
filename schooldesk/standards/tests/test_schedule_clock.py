"""The daily task on a frozen clock: the real periodic task (`checks_due_task`) runs every morning at 05:45 from
1 July to 10 November 2026 with `django.utils.timezone.now` held at that morning, across the end of the summer
term, the summer holiday, two INSET days (Friday 4 and Monday 7 September) and the October half-term
(tests/calendar.py). Each check of the starter set is made on the morning it falls due and on no other; what was
missed then shows on the standards page and the ICT owner's dashboard, and doing it turns the parts met."""

from datetime import date, datetime, time, timedelta
from unittest.mock import patch

import pytest

from schooldesk.core.calendar import LONDON
from schooldesk.standards.choices import CheckKind
from schooldesk.standards.models import CheckItem, CheckRule
from schooldesk.standards.parts import standards_states
from schooldesk.standards.services import check_complete, checks_setup_defaults
from schooldesk.standards.tasks import checks_due_task

from .calendar import school_year

pytestmark = pytest.mark.django_db

#: what the starter set makes, by the morning it is made (every other morning makes nothing)
EXPECTED = {
    date(2026, 7, 1): {CheckKind.PATCH_CHECK, CheckKind.PAT},  # the first school day of July; PAT every July
    date(2026, 7, 3): {CheckKind.BACKUP_CHECK},
    date(2026, 7, 10): {CheckKind.BACKUP_CHECK},
    date(2026, 7, 17): {CheckKind.BACKUP_CHECK},  # the term ends on Wednesday 22 July: no check until September
    # Thursday 3 September, the first day of term: the first school day of the month, and of September
    date(2026, 9, 3): {CheckKind.PATCH_CHECK, CheckKind.FILTERING_REVIEW},
    # Friday 4 and Monday 7 are INSET days: Friday's backup check and the first Monday's restore test move to Tuesday
    date(2026, 9, 8): {CheckKind.BACKUP_CHECK, CheckKind.RESTORE_TEST},
    date(2026, 9, 11): {CheckKind.BACKUP_CHECK},
    date(2026, 9, 18): {CheckKind.BACKUP_CHECK},
    date(2026, 9, 25): {CheckKind.BACKUP_CHECK},
    date(2026, 10, 1): {CheckKind.PATCH_CHECK, CheckKind.CYBER_RISK},
    date(2026, 10, 2): {CheckKind.BACKUP_CHECK},
    date(2026, 10, 9): {CheckKind.BACKUP_CHECK},
    date(2026, 10, 16): {CheckKind.BACKUP_CHECK},
    date(2026, 10, 23): {CheckKind.BACKUP_CHECK},  # Friday 30 October is half-term: no check that week
    date(2026, 11, 2): {CheckKind.PATCH_CHECK},  # 1 November is a Sunday
    date(2026, 11, 6): {CheckKind.BACKUP_CHECK},
}


class Clock:
    def __init__(self, day: date):
        self.now = self.morning(day)

    @staticmethod
    def morning(day: date) -> datetime:
        return datetime.combine(day, time(5, 45), tzinfo=LONDON)  # when the worker runs the task


@pytest.fixture
def clock():
    """Holds django.utils.timezone.now (the clock the services, the task and auto_now fields read); no SchoolDesk
    code is replaced."""
    state = Clock(date(2026, 6, 30))
    with patch("django.utils.timezone.now", side_effect=lambda: state.now):
        yield state


def parts_on(school, day: date) -> dict:
    return {p.key: p for s in standards_states([school], day)[school.pk] for p in s["parts"]}


def test_each_morning_the_task_makes_what_falls_due_that_day_across_the_holidays(cast, clock, client):
    school_year(cast.school)
    checks_setup_defaults(school=cast.school)
    CheckRule.objects.filter(school=cast.school).update(created_at=clock.now)  # the school set up on 30 June
    assert CheckRule.objects.filter(school=cast.school).count() == 6
    parts = parts_on(cast.school, date(2026, 6, 30))
    # the yearly checks are scheduled (the starter set) but none has come due: said so, not "none is scheduled"
    assert parts["cyber_risk"].detail == "No cyber risk assessment has come due in the last year."
    assert parts["filtering_reviewed"].detail == "No filtering and monitoring review has come due in the last year."
    made_on: dict[date, set[str]] = {}
    day = date(2026, 7, 1)
    while day <= date(2026, 11, 10):
        clock.now = clock.morning(day)
        before = set(CheckItem.objects.values_list("pk", flat=True))
        assert checks_due_task.call_local() == CheckItem.objects.count() - len(before)
        new = list(CheckItem.objects.exclude(pk__in=before).values_list("rule__kind", "due_on"))
        assert all(due_on == day for _kind, due_on in new), (day, new)  # made on its own morning, not before
        if new:
            made_on[day] = {kind for kind, _due in new}
        day += timedelta(days=1)
    assert made_on == EXPECTED
    for quiet in (date(2026, 9, 4), date(2026, 9, 7), date(2026, 10, 30), date(2026, 8, 3), date(2026, 5, 29)):
        assert quiet not in made_on  # INSET days, half-term, the summer holiday
    assert checks_due_task.call_local() == 0  # a second run the same morning makes nothing

    # 10 November: nothing done since September shows as missed on the standards page and the owner's dashboard
    today = date(2026, 11, 10)
    parts = parts_on(cast.school, today)
    restore = CheckItem.objects.get(rule__kind=CheckKind.RESTORE_TEST)
    assert parts["restore_tested"].state == "not_met"
    assert f"/standards/checks/{restore.pk}/" in dict(parts["restore_tested"].links).values()
    assert parts["backup_checked"].state == "not_met"
    assert parts["backup_checked"].detail == "9 weekly checks missed this term."  # 8 Sep … 6 Nov, half-term skipped
    assert {parts[k].state for k in ("patching", "cyber_risk", "filtering_reviewed")} == {"not_met"}
    clock.now = datetime.combine(today, time(9, 0), tzinfo=LONDON)
    client.force_login(cast.owner)
    page = client.get("/reports/dashboards/owner/").content.decode()
    missed = page[page.index("Missed scheduled checks") :]
    assert f"/standards/checks/{restore.pk}/" in missed

    # the technician does them (the restore test with its log): the parts they evidence turn met
    for item in CheckItem.objects.filter(due_on__gte=date(2026, 9, 1)):
        check_complete(
            item=item,
            by=cast.technician,
            note="Done",
            answers=[(step, True) for step in item.rule.step_list],
        )
    parts = parts_on(cast.school, today)
    for key in ("restore_tested", "backup_checked", "patching", "cyber_risk", "filtering_reviewed"):
        assert parts[key].state == "met", (key, parts[key].detail)
    assert parts["restore_tested"].detail == "Done on 10/11/2026, in Autumn 2026."
    assert parts["backup_checked"].detail == "9 weekly checks done this term."

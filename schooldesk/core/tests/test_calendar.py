"""Service-hours arithmetic: the SLA clock counts only the minutes the desk is open.

Dates are chosen from the 2026/2027 calendar; bank holidays are checked against what the
`holidays` package itself says, so a table typed wrongly here fails rather than passes.
"""

from datetime import UTC, date, datetime, time, timedelta

import holidays
import pytest

from schooldesk.core.calendar import LONDON, ServiceCalendar, Term
from schooldesk.schools.models import Closure
from schooldesk.schools.models import Term as TermRow
from schooldesk.schools.selectors import school_calendar
from schooldesk.schools.tests.factories import SchoolFactory


def london(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# 2026/27 school year in an English LA (autumn half-term spans the October clock change).
AUTUMN_2026 = Term(date(2026, 9, 2), date(2026, 12, 18), date(2026, 10, 26), date(2026, 10, 30))
SPRING_2027 = Term(date(2027, 1, 4), date(2027, 3, 25), date(2027, 2, 15), date(2027, 2, 19))
SUMMER_2026 = Term(date(2026, 4, 13), date(2026, 7, 22), date(2026, 5, 26), date(2026, 5, 29))


@pytest.fixture
def calendar() -> ServiceCalendar:
    return ServiceCalendar()  # 08:00–16:30, Monday to Friday, England


@pytest.fixture
def term_calendar() -> ServiceCalendar:
    return ServiceCalendar(term_time_only=True, terms=(SUMMER_2026, AUTUMN_2026, SPRING_2027))


# --- add_minutes: evenings, weekends, before opening ----------------------------------------------
def test_call_at_four_with_an_hour_target_is_due_half_past_eight_next_morning(calendar):
    due = calendar.add_minutes(london(2026, 3, 10, 16, 0), 60)  # Tuesday
    assert due == london(2026, 3, 11, 8, 30)


def test_target_inside_one_day_is_plain_addition(calendar):
    assert calendar.add_minutes(london(2026, 3, 10, 10, 0), 90) == london(2026, 3, 10, 11, 30)


def test_target_ending_exactly_at_closing_time_is_due_at_closing_time(calendar):
    assert calendar.add_minutes(london(2026, 3, 10, 16, 0), 30) == london(2026, 3, 10, 16, 30)
    assert calendar.add_minutes(london(2026, 3, 10, 16, 0), 31) == london(2026, 3, 11, 8, 1)


def test_friday_afternoon_call_is_due_on_monday(calendar):
    assert calendar.add_minutes(london(2026, 3, 13, 16, 0), 60) == london(2026, 3, 16, 8, 30)


def test_a_whole_school_day_target_lands_at_the_same_time_next_day(calendar):
    assert calendar.minutes_per_day() == 510
    assert calendar.add_minutes(london(2026, 3, 10, 11, 15), 510) == london(2026, 3, 11, 11, 15)
    assert calendar.add_minutes(london(2026, 3, 13, 11, 15), 5 * 510) == london(2026, 3, 20, 11, 15)


@pytest.mark.parametrize(
    ("logged", "due"),
    [
        (london(2026, 3, 10, 7, 0), london(2026, 3, 10, 8, 30)),  # before opening: clock starts at 08:00
        (london(2026, 3, 10, 19, 45), london(2026, 3, 11, 8, 30)),  # evening
        (london(2026, 3, 14, 10, 0), london(2026, 3, 16, 8, 30)),  # Saturday
        (london(2026, 3, 15, 23, 59), london(2026, 3, 16, 8, 30)),  # Sunday night
        (london(2026, 4, 6, 9, 0), london(2026, 4, 7, 8, 30)),  # Easter Monday (England)
    ],
)
def test_calls_logged_while_closed_start_the_clock_at_next_opening(calendar, logged, due):
    assert calendar.add_minutes(logged, 30) == due


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (london(2026, 3, 10, 10, 17, 23), london(2026, 3, 10, 10, 17, 23)),  # open: now
        (london(2026, 3, 10, 6, 0), london(2026, 3, 10, 8, 0)),  # before opening: opening time
        (london(2026, 3, 10, 16, 30), london(2026, 3, 11, 8, 0)),  # at closing: next opening
        (london(2026, 3, 14, 12, 0), london(2026, 3, 16, 8, 0)),  # weekend: Monday opening
    ],
)
def test_zero_minutes_is_the_first_open_instant(calendar, start, expected):
    assert calendar.add_minutes(start, 0) == expected


def test_start_given_in_utc_is_read_as_london_wall_clock(calendar):
    # 23:30 UTC on Sunday 29 March 2026 is 00:30 BST on Monday: the clock starts at 08:00 BST Monday.
    due = calendar.add_minutes(utc(2026, 3, 29, 23, 30), 60)
    assert due == london(2026, 3, 30, 9, 0)
    assert due == utc(2026, 3, 30, 8, 0)


def test_result_is_in_utc(calendar):
    due = calendar.add_minutes(london(2026, 7, 1, 10, 0), 10)
    assert due.utcoffset() == timedelta(0)
    assert due == utc(2026, 7, 1, 9, 10)


def test_naive_start_is_refused(calendar):
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.add_minutes(datetime(2026, 3, 10, 10, 0), 30)


# --- the clock changes ----------------------------------------------------------------------------
def test_spring_clock_change_with_hours_ending_at_four():
    # Friday 27 March 2026 15:30 GMT, 120 minutes, 08:00–16:00: 30 minutes on Friday, 90 on Monday
    # (after the clocks go forward on Sunday 29 March): 09:30 BST, which is 08:30 UTC.
    calendar = ServiceCalendar(closes_at=time(16, 0))
    due = calendar.add_minutes(london(2026, 3, 27, 15, 30), 120)
    assert due == london(2026, 3, 30, 9, 30)
    assert due == utc(2026, 3, 30, 8, 30)


def test_spring_clock_change_with_default_hours(calendar):
    # 08:00–16:30: 60 minutes on Friday, 60 on Monday: 09:00 BST (08:00 UTC), not 10:00 BST as a
    # calculation with a fixed UTC offset would give.
    due = calendar.add_minutes(london(2026, 3, 27, 15, 30), 120)
    assert due == utc(2026, 3, 30, 8, 0)
    assert due.astimezone(LONDON).hour == 9


def test_autumn_clock_change(calendar):
    # Friday 23 October 2026 15:30 BST; clocks go back on Sunday 25 October; Monday 09:00 GMT.
    due = calendar.add_minutes(london(2026, 10, 23, 15, 30), 120)
    assert due == london(2026, 10, 26, 9, 0)
    assert due == utc(2026, 10, 26, 9, 0)
    assert calendar.minutes_between(london(2026, 10, 23, 15, 30), due) == 120


def test_opening_window_follows_the_wall_clock_either_side_of_the_change(calendar):
    assert calendar.window(date(2026, 3, 27)) == (utc(2026, 3, 27, 8, 0), utc(2026, 3, 27, 16, 30))
    assert calendar.window(date(2026, 3, 30)) == (utc(2026, 3, 30, 7, 0), utc(2026, 3, 30, 15, 30))
    assert calendar.window(date(2026, 10, 26)) == (utc(2026, 10, 26, 8, 0), utc(2026, 10, 26, 16, 30))


def test_minutes_across_the_spring_change_are_counted_once(calendar):
    # Friday 16:00 → Monday 09:00 BST: 30 minutes on Friday, 60 on Monday.
    assert calendar.minutes_between(london(2026, 3, 27, 16, 0), london(2026, 3, 30, 9, 0)) == 90


def test_durations_are_real_elapsed_minutes_on_the_night_the_clocks_go_forward():
    # A seven-day service open 00:30–03:30 wall clock: on 29 March 2026 01:00 GMT becomes 02:00 BST,
    # so only 120 real minutes pass between opening and closing.
    calendar = ServiceCalendar(opens_at=time(0, 30), closes_at=time(3, 30), weekdays=frozenset(range(7)))
    opens, closes = calendar.window(date(2026, 3, 29))
    assert closes - opens == timedelta(minutes=120)
    assert calendar.minutes_between(opens, closes) == 120
    assert calendar.add_minutes(opens, 120) == closes
    assert calendar.add_minutes(opens, 121) == london(2026, 3, 30, 0, 31)


# --- term time, half-term, INSET days -------------------------------------------------------------
def test_half_term_stops_the_clock_for_a_term_time_only_service(term_calendar, calendar):
    logged = london(2026, 10, 23, 15, 30)  # the Friday before half-term (and the clock change)
    assert term_calendar.add_minutes(logged, 120) == london(2026, 11, 2, 9, 0)
    assert calendar.add_minutes(logged, 120) == london(2026, 10, 26, 9, 0)  # all-year service


def test_call_logged_during_half_term_waits_for_the_first_day_back(term_calendar):
    assert term_calendar.add_minutes(london(2026, 10, 28, 11, 0), 45) == london(2026, 11, 2, 8, 45)
    assert term_calendar.minutes_between(london(2026, 10, 26, 8, 0), london(2026, 10, 30, 16, 30)) == 0


def test_holidays_between_terms_stop_the_clock(term_calendar):
    # The last day of the autumn term, to the first day of the spring term on Monday 4 January 2027.
    assert term_calendar.add_minutes(london(2026, 12, 18, 16, 0), 60) == london(2027, 1, 4, 8, 30)
    assert term_calendar.closure_reason(date(2026, 12, 21)) == "school holiday"
    assert term_calendar.closure_reason(date(2026, 8, 3)) == "school holiday"  # summer, between terms


def test_dates_beyond_the_last_entered_term_count_as_term_time(term_calendar):
    # Spring 2027 is the last term entered: the Easter holidays after it are not known yet.
    assert term_calendar.closure_reason(date(2027, 3, 25)) is None  # last day of the last term
    assert term_calendar.is_service_day(date(2027, 4, 5))  # a Monday after the last term
    assert term_calendar.is_service_day(date(2027, 6, 14))
    # ...but bank holidays still apply there: Good Friday and Easter Monday 2027.
    assert term_calendar.closure_reason(date(2027, 3, 26)) == "Good Friday"
    assert term_calendar.closure_reason(date(2027, 3, 29)) == "Easter Monday"
    assert term_calendar.add_minutes(london(2027, 3, 25, 16, 0), 60) == london(2027, 3, 30, 8, 30)


def test_term_time_only_without_any_terms_entered_runs_all_year():
    calendar = ServiceCalendar(term_time_only=True)
    assert calendar.is_service_day(date(2026, 8, 12))


def test_inset_days_stop_the_clock():
    calendar = ServiceCalendar(closed_dates=frozenset({date(2026, 3, 11), date(2026, 3, 12)}))
    assert calendar.add_minutes(london(2026, 3, 10, 16, 0), 60) == london(2026, 3, 13, 8, 30)
    assert calendar.closure_reason(date(2026, 3, 11)) == "school closure"
    assert calendar.minutes_between(london(2026, 3, 10, 16, 0), london(2026, 3, 13, 8, 30)) == 60


def test_term_covers_its_first_and_last_days_but_not_half_term():
    assert AUTUMN_2026.covers(date(2026, 9, 2))
    assert AUTUMN_2026.covers(date(2026, 12, 18))
    assert AUTUMN_2026.covers(date(2026, 10, 23))
    assert not AUTUMN_2026.covers(date(2026, 10, 26))
    assert not AUTUMN_2026.covers(date(2026, 10, 30))
    assert AUTUMN_2026.covers(date(2026, 11, 2))
    assert not AUTUMN_2026.covers(date(2026, 9, 1))
    assert not AUTUMN_2026.covers(date(2026, 12, 19))


# --- bank holidays per nation ---------------------------------------------------------------------
SUBDIVISIONS = {"england": "ENG", "wales": "WLS", "scotland": "SCT", "northern_ireland": "NIR"}
BANK_HOLIDAY_CASES = [
    # (day, nations on which it is a bank holiday); every other nation works that (week)day.
    (date(2026, 1, 2), {"scotland"}),  # 2 January (a Friday)
    (date(2026, 3, 17), {"northern_ireland"}),  # St Patrick's Day
    (date(2026, 4, 3), {"england", "wales", "scotland", "northern_ireland"}),  # Good Friday
    (date(2026, 4, 6), {"england", "wales", "northern_ireland"}),  # Easter Monday: not Scotland
    (date(2026, 7, 13), {"northern_ireland"}),  # Battle of the Boyne (observed)
    (date(2026, 8, 3), {"scotland"}),  # Scotland's summer bank holiday
    (date(2026, 8, 31), {"england", "wales", "northern_ireland"}),  # late summer: not Scotland
    (date(2026, 11, 30), {"scotland"}),  # St Andrew's Day
    (date(2026, 12, 28), {"england", "wales", "scotland", "northern_ireland"}),  # Boxing Day (observed)
    (date(2027, 1, 4), {"scotland"}),  # 2 January 2027 is a Saturday: observed on Monday
    (date(2027, 3, 17), {"northern_ireland"}),
    (date(2027, 3, 29), {"england", "wales", "northern_ireland"}),  # Easter Monday 2027
    (date(2027, 12, 27), {"england", "wales", "scotland", "northern_ireland"}),  # Christmas (observed)
]


@pytest.mark.parametrize("nation", sorted(SUBDIVISIONS))
@pytest.mark.parametrize(("day", "nations"), BANK_HOLIDAY_CASES, ids=lambda v: str(v) if isinstance(v, date) else "")
def test_bank_holidays_are_those_of_the_schools_nation(nation, day, nations):
    is_holiday = nation in nations
    # The table agrees with the holidays package...
    assert (day in holidays.country_holidays("GB", subdiv=SUBDIVISIONS[nation], years=day.year)) is is_holiday
    # ...and the calendar closes on exactly those days (all of them are weekdays).
    assert day.weekday() < 5
    assert ServiceCalendar(nation=nation).is_service_day(day) is not is_holiday


def test_closure_reason_names_the_bank_holiday():
    northern_ireland = ServiceCalendar(nation="northern_ireland")
    assert northern_ireland.closure_reason(date(2026, 3, 17)) == "Saint Patrick's Day"
    assert ServiceCalendar(nation="england").closure_reason(date(2026, 3, 17)) is None
    assert ServiceCalendar().closure_reason(date(2026, 3, 14)) == "weekend"


def test_new_year_call_is_due_later_in_scotland_than_in_england():
    logged = london(2025, 12, 31, 16, 0)
    assert ServiceCalendar(nation="england").add_minutes(logged, 60) == london(2026, 1, 2, 8, 30)
    assert ServiceCalendar(nation="scotland").add_minutes(logged, 60) == london(2026, 1, 5, 8, 30)


def test_easter_monday_counts_in_scotland_only():
    logged = london(2026, 4, 2, 16, 0)  # Thursday before Good Friday
    assert ServiceCalendar(nation="scotland").add_minutes(logged, 60) == london(2026, 4, 6, 8, 30)
    assert ServiceCalendar(nation="wales").add_minutes(logged, 60) == london(2026, 4, 7, 8, 30)


# --- minutes_between ------------------------------------------------------------------------------
def test_minutes_between_counts_only_service_time(calendar):
    assert calendar.minutes_between(london(2026, 3, 10, 10, 0), london(2026, 3, 10, 11, 45)) == 105
    assert calendar.minutes_between(london(2026, 3, 10, 15, 0), london(2026, 3, 11, 9, 0)) == 150
    assert calendar.minutes_between(london(2026, 3, 13, 12, 0), london(2026, 3, 16, 12, 0)) == 510
    assert calendar.minutes_between(london(2026, 3, 14, 9, 0), london(2026, 3, 15, 17, 0)) == 0  # weekend
    assert calendar.minutes_between(london(2026, 3, 10, 17, 0), london(2026, 3, 11, 7, 59)) == 0  # night


def test_minutes_between_is_zero_when_the_end_is_not_after_the_start(calendar):
    moment = london(2026, 3, 10, 10, 0)
    assert calendar.minutes_between(moment, moment) == 0
    assert calendar.minutes_between(moment, moment - timedelta(hours=3)) == 0


def test_minutes_between_counts_whole_minutes(calendar):
    start = london(2026, 3, 10, 10, 0)
    assert calendar.minutes_between(start, start + timedelta(seconds=59)) == 0
    assert calendar.minutes_between(start, start + timedelta(seconds=61)) == 1


def _starts():
    """Start times across a fortnight with a weekend, Good Friday, Easter Monday and the clock change."""
    moment = london(2026, 3, 26, 6, 13)
    while moment < london(2026, 4, 9, 0, 0):
        yield moment
        moment = (moment + timedelta(minutes=97)).astimezone(LONDON)


@pytest.mark.parametrize("nation", ["england", "scotland"])
def test_minutes_between_is_the_inverse_of_add_minutes(nation):
    calendar = ServiceCalendar(nation=nation, closed_dates=frozenset({date(2026, 4, 8)}))
    checked = 0
    for start in _starts():
        previous = None
        for minutes in (0, 1, 29, 30, 59, 509, 510, 511, 1234, 3 * 510 + 7):
            due = calendar.add_minutes(start, minutes)
            assert calendar.minutes_between(start, due) == minutes, (start, minutes, due)
            assert due >= start
            if previous is not None:
                assert due > previous  # more minutes, later due time
            if minutes:
                # the last minute before the due time is service time
                assert calendar.is_open_at(due - timedelta(seconds=30)), (start, minutes, due)
            previous = due
            checked += 1
        # adding in two steps lands where adding at once does
        assert calendar.add_minutes(calendar.add_minutes(start, 200), 400) == calendar.add_minutes(start, 600)
    assert checked > 1000


# --- add_service_days -----------------------------------------------------------------------------
def test_add_service_days_is_the_closing_time_of_the_nth_service_day_after(calendar):
    assert calendar.add_service_days(london(2026, 3, 10, 10, 0), 1) == london(2026, 3, 11, 16, 30)
    assert calendar.add_service_days(london(2026, 3, 10, 10, 0), 5) == london(2026, 3, 17, 16, 30)
    assert calendar.add_service_days(london(2026, 3, 13, 16, 0), 1) == london(2026, 3, 16, 16, 30)  # Friday
    assert calendar.add_service_days(london(2026, 3, 14, 10, 0), 1) == london(2026, 3, 16, 16, 30)  # Saturday


def test_add_service_days_skips_easter_and_knows_summer_time(calendar):
    # Thursday 2 April 2026 + 1 school day: Good Friday and Easter Monday skipped; 16:30 BST.
    end = calendar.add_service_days(london(2026, 4, 2, 11, 0), 1)
    assert end == london(2026, 4, 7, 16, 30)
    assert end == utc(2026, 4, 7, 15, 30)


def test_add_service_days_skips_half_term(term_calendar):
    assert term_calendar.add_service_days(london(2026, 10, 22, 9, 0), 2) == london(2026, 11, 2, 16, 30)


# --- is_open_at -----------------------------------------------------------------------------------
def test_is_open_at(calendar):
    assert calendar.is_open_at(london(2026, 3, 10, 8, 0))
    assert calendar.is_open_at(london(2026, 3, 10, 16, 29, 59))
    assert not calendar.is_open_at(london(2026, 3, 10, 16, 30))
    assert not calendar.is_open_at(london(2026, 3, 10, 7, 59))
    assert not calendar.is_open_at(london(2026, 3, 14, 10, 0))  # Saturday
    assert not calendar.is_open_at(london(2026, 5, 4, 10, 0))  # May Day
    assert calendar.is_open_at(utc(2026, 7, 1, 7, 0))  # 08:00 BST
    assert not calendar.is_open_at(utc(2026, 1, 7, 7, 0))  # 07:00 GMT


# --- configuration errors -------------------------------------------------------------------------
@pytest.mark.parametrize(("opens", "closes"), [(time(8, 0), time(8, 0)), (time(16, 30), time(8, 0))])
def test_service_hours_must_close_after_they_open(opens, closes):
    with pytest.raises(ValueError, match="close after they open"):
        ServiceCalendar(opens_at=opens, closes_at=closes)


def test_a_calendar_with_no_service_days_raises_instead_of_looping():
    calendar = ServiceCalendar(weekdays=frozenset())
    with pytest.raises(ValueError, match="No service day"):
        calendar.add_minutes(london(2026, 3, 10, 10, 0), 30)


def test_custom_weekdays_and_hours():
    tuesday_thursday = frozenset({1, 3})
    calendar = ServiceCalendar(opens_at=time(9, 0), closes_at=time(12, 0), weekdays=tuesday_thursday)
    assert calendar.minutes_per_day() == 180
    assert calendar.add_minutes(london(2026, 3, 10, 11, 0), 120) == london(2026, 3, 12, 10, 0)


# --- school_calendar: built from the school's own rows --------------------------------------------
@pytest.mark.django_db
def test_school_calendar_reads_the_schools_hours_terms_and_closures():
    school = SchoolFactory(
        nation="scotland",
        service_opens_at=time(8, 30),
        service_closes_at=time(15, 30),
        is_term_time_only=True,
    )
    neighbour = SchoolFactory()
    TermRow.objects.create(
        school=school,
        name="Autumn 2026",
        starts_on=date(2026, 8, 18),
        ends_on=date(2026, 12, 22),
        half_term_starts_on=date(2026, 10, 12),
        half_term_ends_on=date(2026, 10, 16),
    )
    TermRow.objects.create(school=school, name="Spring 2027", starts_on=date(2027, 1, 6), ends_on=date(2027, 3, 31))
    Closure.objects.create(school=school, name="INSET", starts_on=date(2026, 11, 4), ends_on=date(2026, 11, 6))
    Closure.objects.create(
        school=neighbour, name="Their INSET", starts_on=date(2026, 11, 10), ends_on=date(2026, 11, 10)
    )

    calendar = school_calendar(school=school)

    assert (calendar.opens_at, calendar.closes_at, calendar.nation) == (time(8, 30), time(15, 30), "scotland")
    assert calendar.term_time_only
    assert calendar.closed_dates == {date(2026, 11, 4), date(2026, 11, 5), date(2026, 11, 6)}
    assert calendar.closure_reason(date(2026, 10, 14)) == "school holiday"  # half-term
    assert calendar.closure_reason(date(2026, 12, 29)) == "school holiday"  # Christmas holidays
    assert calendar.closure_reason(date(2026, 11, 5)) == "school closure"  # INSET
    assert calendar.closure_reason(date(2026, 11, 30)) == "Saint Andrew's Day"
    assert calendar.is_service_day(date(2026, 11, 10))  # the other school's INSET day
    # Tuesday 3 November 15:00: 30 minutes, then three INSET days, then Monday 9 November.
    assert calendar.add_minutes(london(2026, 11, 3, 15, 0), 60) == london(2026, 11, 9, 9, 0)


@pytest.mark.django_db
def test_school_calendar_for_an_all_year_service_ignores_terms():
    school = SchoolFactory(is_term_time_only=False)
    TermRow.objects.create(school=school, name="Autumn", starts_on=date(2026, 9, 2), ends_on=date(2026, 12, 18))
    calendar = school_calendar(school=school)
    assert calendar.is_service_day(date(2026, 12, 21))
    assert calendar.closed_dates == frozenset()

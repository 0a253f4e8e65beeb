"""Contract date arithmetic on real calendars: month ends, leap years, multi-year terms, automatic
renewals rolling forward, a contract signed on 31 January. Expected dates are worked out by hand
(and, for the sweeps, against the calendar itself) rather than with the code under test."""

import calendar
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta

from schooldesk.suppliers.models import Contract, notice_by, term_end
from schooldesk.suppliers.services import contract_roll_forward

from .factories import make_contract


@pytest.mark.parametrize(
    ("starts", "months", "ends"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # no 31 February: the term ends on the last day of February
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # a leap year
        (date(2026, 1, 31), 12, date(2027, 1, 30)),  # signed on 31 January for a year
        (date(2026, 1, 31), 13, date(2027, 2, 28)),
        (date(2026, 1, 30), 1, date(2026, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),  # from a leap day
        (date(2024, 2, 29), 48, date(2028, 2, 28)),
        (date(2024, 3, 1), 12, date(2025, 2, 28)),
        (date(2023, 9, 1), 36, date(2026, 8, 31)),  # a three-year initial term
        (date(2026, 4, 1), 60, date(2031, 3, 31)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 12, 31), 2, date(2027, 2, 28)),
        (date(2026, 6, 15), 6, date(2026, 12, 14)),
    ],
)
def test_term_end(starts, months, ends):
    assert term_end(starts, months) == ends


def test_term_end_sweep_against_the_calendar():
    """Every start day over four years (one leap year) and terms of 1 to 37 months: the term ends the day
    before the same day of the month, or on the last day of that month when it has no such day."""
    day = date(2025, 1, 1)
    while day < date(2029, 1, 1):
        for months in (1, 2, 3, 6, 11, 12, 24, 36, 37):
            year, month = divmod(day.month - 1 + months, 12)
            year, month = day.year + year, month + 1
            last = calendar.monthrange(year, month)[1]
            expected = date(year, month, day.day) - timedelta(days=1) if day.day <= last else date(year, month, last)
            assert term_end(day, months) == expected, (day, months)
        day += timedelta(days=1)


@pytest.mark.parametrize(
    ("ends", "number", "unit", "by"),
    [
        (date(2027, 3, 31), 3, "months", date(2026, 12, 31)),
        (date(2027, 6, 30), 3, "months", date(2027, 3, 31)),  # three whole months: April, May and June
        (date(2027, 2, 28), 3, "months", date(2026, 11, 30)),
        (date(2028, 2, 29), 1, "months", date(2028, 1, 31)),
        (date(2027, 1, 30), 1, "months", date(2026, 12, 30)),  # the 31 January contract's first notice date
        (date(2027, 3, 31), 90, "days", date(2026, 12, 31)),
        (date(2028, 3, 31), 90, "days", date(2028, 1, 1)),  # February 2028 has 29 days
        (date(2027, 3, 31), 0, "days", date(2027, 3, 31)),
    ],
)
def test_notice_by(ends, number, unit, by):
    assert notice_by(ends, number, unit) == by


def test_notice_of_n_months_always_leaves_n_whole_months():
    day = date(2026, 1, 1)
    while day < date(2029, 1, 1):
        for months in (1, 2, 3, 6):
            last_day = notice_by(day, months, "months")
            after_end = day + timedelta(days=1)
            # notice given on last_day runs from the next day to the end: at least `months` whole months
            assert last_day + timedelta(days=1) + relativedelta(months=months) <= after_end, (day, months)
            # and, away from month ends (where a short month rounds it earlier, the safe way), the latest such day
            next_day = last_day + timedelta(days=2)
            if after_end.day <= 28 and next_day.day <= 28:
                assert next_day + relativedelta(months=months) > after_end, (day, months)
            assert (day - last_day).days <= 31 * months + 3
        day += timedelta(days=1)


def _terms(contract: Contract, n: int) -> list[tuple[date, date]]:
    return [contract.term_bounds(k) for k in range(n)]


def test_signed_on_31_january_renewing_monthly_has_no_gaps_or_overlaps():
    contract = Contract(starts_on=date(2026, 1, 31), initial_term_months=12, renewal="automatic", renewal_term_months=1)
    assert _terms(contract, 6) == [
        (date(2026, 1, 31), date(2027, 1, 30)),
        (date(2027, 1, 31), date(2027, 2, 28)),
        (date(2027, 3, 1), date(2027, 3, 30)),
        (date(2027, 3, 31), date(2027, 4, 30)),
        (date(2027, 5, 1), date(2027, 5, 30)),
        (date(2027, 5, 31), date(2027, 6, 30)),
    ]


def test_renewal_terms_are_counted_from_the_first_renewal_so_month_ends_do_not_drift():
    contract = Contract(starts_on=date(2025, 8, 31), initial_term_months=6, renewal="automatic", renewal_term_months=3)
    terms = _terms(contract, 40)
    for (_, end), (start, _) in zip(terms, terms[1:], strict=False):
        assert start == end + timedelta(days=1)
    # The initial term ends on 28/02/2026 (no 31 February); renewals count from 01/03/2026, so they end on
    # month ends for ever, where adding three months to each end would slide to the 28th (28 May, 28 Aug…).
    assert terms[0] == (date(2025, 8, 31), date(2026, 2, 28))
    assert [t[1] for t in terms[1:5]] == [date(2026, 5, 31), date(2026, 8, 31), date(2026, 11, 30), date(2027, 2, 28)]
    assert terms[-1][1] == date(2035, 11, 30)  # 39 renewals of 3 months after 01/03/2026


def test_leap_day_start_renews_on_the_right_days():
    contract = Contract(
        starts_on=date(2024, 2, 29), initial_term_months=12, renewal="automatic", renewal_term_months=12
    )
    assert [t[1] for t in _terms(contract, 5)] == [
        date(2025, 2, 28),
        date(2026, 2, 28),
        date(2027, 2, 28),
        date(2028, 2, 29),
        date(2029, 2, 28),
    ]


@pytest.mark.django_db
def test_a_three_year_contract_is_not_due_after_one_year_and_rolls_forward_after_three(cast):
    """GLPI's bug: a 36-month contract alerted after 12 months. Ours counts the initial term."""
    contract = make_contract(
        cast,
        starts_on=date(2023, 9, 1),
        initial_term_months=36,
        renewal="automatic",
        renewal_term_months=12,
        notice_number=3,
        notice_unit="months",
        today=date(2024, 9, 1),
    )
    assert (contract.term_ends_on, contract.notice_by_on) == (date(2026, 8, 31), date(2026, 5, 31))
    assert contract_roll_forward(contract=contract, today=date(2026, 8, 31)) is False
    assert contract_roll_forward(contract=contract, today=date(2026, 9, 1)) is True
    contract.refresh_from_db()
    assert (contract.renewals, contract.term_ends_on, contract.notice_by_on, contract.status) == (
        1,
        date(2027, 8, 31),
        date(2027, 5, 31),
        "renewed",
    )
    assert contract.term_starts_on == date(2026, 9, 1)


@pytest.mark.django_db
def test_an_old_automatic_contract_entered_today_starts_in_its_current_term(cast):
    contract = make_contract(
        cast,
        starts_on=date(2020, 1, 31),
        initial_term_months=12,
        renewal="automatic",
        renewal_term_months=12,
        notice_number=30,
        notice_unit="days",
        today=date(2026, 11, 23),
    )
    assert contract.renewals == 6
    assert (contract.term_starts_on, contract.term_ends_on) == (date(2026, 1, 31), date(2027, 1, 30))
    assert contract.notice_by_on == date(2026, 12, 31)


@pytest.mark.django_db
def test_a_contract_by_agreement_or_with_notice_given_expires_at_its_end(cast):
    contract = make_contract(cast, starts_on=date(2025, 9, 1), initial_term_months=12, today=date(2025, 9, 1))
    assert contract_roll_forward(contract=contract, today=date(2026, 9, 1)) is True
    contract.refresh_from_db()
    assert (contract.status, contract.term_ends_on, contract.renewals) == ("expired", date(2026, 8, 31), 0)
    auto = make_contract(
        cast,
        starts_on=date(2025, 9, 1),
        initial_term_months=12,
        renewal="automatic",
        renewal_term_months=12,
        today=date(2025, 9, 1),
    )
    auto.status = "notice_given"
    auto.save()
    contract_roll_forward(contract=auto, today=date(2026, 9, 2))
    auto.refresh_from_db()
    assert (auto.status, auto.renewals) == ("expired", 0)

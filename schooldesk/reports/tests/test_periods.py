from datetime import date

import pytest

from schooldesk.reports import periods as P
from schooldesk.reports.tests.factories import report_terms
from schooldesk.schools.models import Term

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)


def academic_terms(school):
    for name, first, last, ht_first, ht_last in (
        ("Autumn 2025", "2025-09-01", "2025-12-19", "2025-10-27", "2025-10-31"),
        ("Spring 2026", "2026-01-05", "2026-03-27", "2026-02-16", "2026-02-20"),
        ("Summer 2026", "2026-04-13", "2026-07-22", "2026-05-25", "2026-05-29"),
        ("Autumn 2026", "2026-09-01", "2026-12-18", "2026-10-26", "2026-10-30"),
    ):
        Term.objects.create(
            school=school,
            name=name,
            starts_on=first,
            ends_on=last,
            half_term_starts_on=ht_first,
            half_term_ends_on=ht_last,
        )


def test_terms_half_terms_months_and_years_are_offered(cast):
    academic_terms(cast.school)
    options = P.period_options([cast.school.pk], TODAY)
    assert [p.label for p in options[P.TERM]] == ["Autumn 2025", "Spring 2026", "Summer 2026", "Autumn 2026"]
    halves = {p.label: (p.start, p.end) for p in options[P.HALF_TERM]}
    assert halves["Autumn 2026, first half"] == (date(2026, 9, 1), date(2026, 10, 25))
    assert halves["Autumn 2026, second half"] == (date(2026, 10, 31), date(2026, 12, 18))
    assert options[P.MONTH][-1].label == "November 2026" and options[P.MONTH][-1].end == date(2026, 11, 30)
    assert len(options[P.MONTH]) == P.MONTHS_OFFERED
    assert options[P.YEAR][-1].label == "School year 2026–27"
    assert (options[P.YEAR][-1].start, options[P.YEAR][-1].end) == (date(2026, 9, 1), date(2027, 8, 31))


def test_the_term_under_way_is_the_default_and_is_compared_with_the_last_and_a_year_ago(cast):
    academic_terms(cast.school)
    options = P.period_options([cast.school.pk], TODAY)
    autumn = P.default_period(options, TODAY)
    assert autumn.label == "Autumn 2026"
    assert [(tag, p.label) for tag, p in P.comparisons(options, autumn)] == [
        ("previous", "Summer 2026"),
        ("last_year", "Autumn 2025"),
    ]
    second_half = options[P.HALF_TERM][-1]
    assert P.previous_period(options, second_half).label == "Autumn 2026, first half"
    assert P.same_period_last_year(options, second_half).label == "Autumn 2025, second half"


def test_months_and_years_compare_across_the_new_year(cast):
    options = P.period_options([cast.school.pk], TODAY)
    january = P.month_period(2026, 1)
    assert P.previous_period(options, january).label == "December 2025"
    assert P.same_period_last_year(options, january).label == "January 2025"
    year = P.school_year(2025)
    assert P.comparisons(options, year) == [("previous", P.school_year(2024))]  # the year before is both


def test_without_recorded_terms_the_month_is_the_default_and_a_term_is_shifted_a_year(cast):
    options = P.period_options([cast.school.pk], TODAY)
    assert options[P.TERM] == [] and P.default_period(options, TODAY).label == "November 2026"
    odd = P.Period(P.TERM, date(2026, 9, 1), date(2026, 12, 18), "Autumn 2026")
    assert (P.previous_period(options, odd).start, P.previous_period(options, odd).end) == (
        date(2026, 5, 15),
        date(2026, 8, 31),
    )
    assert (P.same_period_last_year(options, odd).start, P.same_period_last_year(options, odd).end) == (
        date(2025, 9, 1),
        date(2025, 12, 18),
    )


def test_schools_terms_are_grouped_by_name_across_schools(cast, other):
    report_terms(cast.school, TODAY)
    Term.objects.create(school=other.school, name="This term", starts_on=date(2026, 10, 1), ends_on=date(2027, 1, 31))
    terms = {p.label: p for p in P.period_options([cast.school.pk, other.school.pk], TODAY)[P.TERM]}
    assert (terms["This term"].start, terms["This term"].end) == (date(2026, 10, 1), date(2027, 1, 31))
    only_mine = {p.label: p for p in P.period_options([cast.school.pk], TODAY)[P.TERM]}
    assert only_mine["This term"].start == date(2026, 11, 3)


@pytest.mark.parametrize(
    "key",
    [
        "",
        "term",
        "term:2026-09-01",
        "week:2026-09-01:2026-09-07",
        "term:2026-13-01:2026-12-01",
        "term:2026-12-01:2026-09-01",
        "year:2020-09-01:2026-08-31",
        "term:x:y",
    ],
)
def test_bad_period_keys_are_refused(key):
    assert P.parse_key(key) is None


def test_a_key_round_trips_and_finds_its_label(cast):
    academic_terms(cast.school)
    options = P.period_options([cast.school.pk], TODAY)
    autumn = options[P.TERM][-1]
    assert P.find(options, P.parse_key(autumn.key)).label == "Autumn 2026"
    assert P.find(options, P.parse_key("month:2020-02-01:2020-02-29")).label == "February 2020"
    assert P.find(options, P.parse_key("term:2026-09-02:2026-12-18")).label == "02/09/2026 to 18/12/2026"

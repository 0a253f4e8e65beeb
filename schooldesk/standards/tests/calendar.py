"""One school year of a school's calendar for the scheduled-check tests: the summer term of 2026 (half-term
25–29 May, ends Wednesday 22 July), the summer holiday, the autumn term from Thursday 3 September (INSET days
Friday 4 and Monday 7 September, half-term 26–30 October, ends Friday 18 December)."""

from datetime import date

from schooldesk.schools.models import Closure, Term


def school_year(school) -> None:
    Term.objects.create(
        school=school,
        name="Summer 2026",
        starts_on=date(2026, 4, 13),
        ends_on=date(2026, 7, 22),
        half_term_starts_on=date(2026, 5, 25),
        half_term_ends_on=date(2026, 5, 29),
    )
    Term.objects.create(
        school=school,
        name="Autumn 2026",
        starts_on=date(2026, 9, 3),
        ends_on=date(2026, 12, 18),
        half_term_starts_on=date(2026, 10, 26),
        half_term_ends_on=date(2026, 10, 30),
    )
    Closure.objects.create(
        school=school, name="INSET", kind="inset", starts_on=date(2026, 9, 4), ends_on=date(2026, 9, 4)
    )
    Closure.objects.create(
        school=school, name="INSET", kind="inset", starts_on=date(2026, 9, 7), ends_on=date(2026, 9, 7)
    )

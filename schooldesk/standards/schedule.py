"""When a scheduled check is due, in the school's own calendar (docs/decisions/0021).

A school day is a weekday inside one of the school's terms (not its half-term), not a UK bank holiday of its
nation and not a closure (INSET day). Days before the first or after the last term recorded count as term time,
as they do for the SLA clock (the calendar page asks for next year's terms). A rule names a nominal day; the
check is due on it when it is a school day, or else:
- on a closure in term time (an INSET day, a bank holiday): the next school day, so an INSET day never
  swallows a check;
- in a holiday (half-term, between terms): a weekly check that week is skipped (nobody is in to do it); a
  monthly check moves to the next school day in the same month, or is skipped when the month has none
  (August); a termly check is the first such weekday that is a school day in the term; a yearly check is the
  first school day on or after the 1st of its month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from schooldesk.core.calendar import Term as CalendarTerm
from schooldesk.core.calendar import bank_holidays
from schooldesk.schools.models import Closure, Term
from schooldesk.standards.choices import Recurrence

LOOK_AHEAD_DAYS = 400


@dataclass(frozen=True)
class SchoolDays:
    nation: str
    terms: tuple[CalendarTerm, ...]
    closed: frozenset[date]

    def in_term(self, day: date) -> bool:
        if not self.terms or not self.terms[0].starts_on <= day <= self.terms[-1].ends_on:
            return True  # beyond the terms recorded so far: term time, as for the SLA clock (core/calendar.py)
        return any(t.covers(day) for t in self.terms)

    def is_school_day(self, day: date) -> bool:
        return (
            day.weekday() < 5
            and day not in bank_holidays(self.nation, day.year)
            and day not in self.closed
            and self.in_term(day)
        )

    def next_school_day(self, day: date, before: date) -> date | None:
        """The first school day on or after `day` and before `before`, or None."""
        while day < before:
            if self.is_school_day(day):
                return day
            day += timedelta(days=1)
        return None


def school_days(school) -> SchoolDays:
    """The school's terms, closures and nation: two queries."""
    return school_days_for([school])[school.pk]


def school_days_for(schools) -> dict[int, SchoolDays]:
    """Each school's terms, closures and nation: two queries whatever the number of schools."""
    schools = list(schools)
    ids = [s.pk for s in schools]
    closed: dict[int, set[date]] = {pk: set() for pk in ids}
    for school_id, starts_on, ends_on in Closure.objects.filter(school_id__in=ids).values_list(
        "school_id", "starts_on", "ends_on"
    ):
        day = starts_on
        while day <= ends_on:
            closed[school_id].add(day)
            day += timedelta(days=1)
    terms: dict[int, list[CalendarTerm]] = {pk: [] for pk in ids}
    for school_id, *row in (
        Term.objects.filter(school_id__in=ids)
        .order_by("starts_on")
        .values_list("school_id", "starts_on", "ends_on", "half_term_starts_on", "half_term_ends_on")
    ):
        terms[school_id].append(CalendarTerm(*row))
    return {s.pk: SchoolDays(s.nation, tuple(terms[s.pk]), frozenset(closed[s.pk])) for s in schools}


def _first_weekday_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _month_start(year: int, month: int) -> date:
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def due_dates(rule, days: SchoolDays, start: date, end: date) -> list[date]:
    """Every day from `start` to `end` (inclusive) on which `rule` (a CheckRule or anything with `recurrence`,
    `weekday` and `month`) is due."""
    found: list[date] = []
    recurrence = rule.recurrence
    if recurrence == Recurrence.TERM_FIRST_WEEKDAY:
        for term in days.terms:
            day = _first_weekday_on_or_after(term.starts_on, rule.weekday or 0)
            while day <= term.ends_on and not days.in_term(day):  # it fell in half-term: the next week's
                day += timedelta(days=7)
            if due := days.next_school_day(day, term.ends_on + timedelta(days=1)):
                found.append(due)
    elif recurrence == Recurrence.WEEKLY_IN_TERM:
        day = _first_weekday_on_or_after(start - timedelta(days=7), rule.weekday or 0)
        while day <= end:
            if days.in_term(day) and (due := days.next_school_day(day, day + timedelta(days=7))):
                found.append(due)
            day += timedelta(days=7)
    elif recurrence == Recurrence.MONTHLY_FIRST_DAY:
        first = _month_start(start.year, start.month - 1)
        while first <= end:
            following = _month_start(first.year, first.month + 1)
            if due := days.next_school_day(first, following):
                found.append(due)
            first = following
    elif recurrence == Recurrence.YEARLY_IN_MONTH:
        for year in range(start.year - 1, end.year + 1):
            first = date(year, rule.month or 9, 1)
            if due := days.next_school_day(first, first + timedelta(days=LOOK_AHEAD_DAYS)):
                found.append(due)
    return sorted({d for d in found if start <= d <= end})


def next_due(rule, days: SchoolDays, today: date) -> date | None:
    dates = due_dates(rule, days, today, today + timedelta(days=LOOK_AHEAD_DAYS))
    return dates[0] if dates else None

"""The periods a service report covers: a month, a half-term, a term or a school year, and the two
periods it is compared with (the one before, and the same one a year earlier).

Terms and half-terms come from the schools' own calendars (`schools.Term`). A report across several
schools groups their terms by name ("Autumn 2026") and covers the earliest first day to the latest
last day, so an academy's different dates fall inside the LA's period of the same name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.db.models import Max, Min
from django.utils.translation import gettext as _

from schooldesk.schools.models import Term

MONTH = "month"
HALF_TERM = "half_term"
TERM = "term"
YEAR = "year"
KINDS = (TERM, HALF_TERM, MONTH, YEAR)
MONTHS_OFFERED = 24
YEARS_OFFERED = 4
#: a term of the year before counts as "the same term" when it starts within this many days of a year earlier
SAME_TERM_SLACK_DAYS = 60
LONGEST_DAYS = 3 * 366


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date
    label: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.start.isoformat()}:{self.end.isoformat()}"

    @property
    def dates(self) -> str:
        return f"{self.start:%d/%m/%Y} to {self.end:%d/%m/%Y}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def shifted(self, **delta) -> Period:
        start, end = self.start + relativedelta(**delta), self.end + relativedelta(**delta)
        return Period(
            self.kind, start, end, _("%(from)s to %(to)s") % {"from": f"{start:%d/%m/%Y}", "to": f"{end:%d/%m/%Y}"}
        )


def parse_key(key: str) -> Period | None:
    """`term:2026-09-01:2026-12-18` back into a period (its label is worked out by `period_options`)."""
    try:
        kind, start, end = (key or "").split(":")
        start, end = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        return None
    if kind not in KINDS or end < start or (end - start).days > LONGEST_DAYS:
        return None
    return Period(kind, start, end, f"{start:%d/%m/%Y} to {end:%d/%m/%Y}")


def month_period(year: int, month: int) -> Period:
    start = date(year, month, 1)
    end = start + relativedelta(months=1) - timedelta(days=1)
    return Period(MONTH, start, end, f"{start:%B %Y}")


def school_year(start_year: int) -> Period:
    """A school year: 1 September to 31 August."""
    start_year = max(start_year, 1)
    return Period(
        YEAR,
        date(start_year, 9, 1),
        date(start_year + 1, 8, 31),
        _("School year %(year)s") % {"year": f"{start_year}–{(start_year + 1) % 100:02d}"},
    )


def term_rows(school_ids) -> list[dict]:
    """The terms of these schools grouped by name, in one query."""

    return list(
        Term.objects.filter(school_id__in=school_ids)
        .values("name")
        .annotate(
            start=Min("starts_on"),
            end=Max("ends_on"),
            half_start=Min("half_term_starts_on"),
            half_end=Max("half_term_ends_on"),
        )
        .order_by("start", "name")
    )


def period_options(school_ids, today: date) -> dict[str, list[Period]]:
    """Every period a report can cover, by kind, oldest first."""
    terms, halves = [], []
    for row in term_rows(school_ids):
        terms.append(Period(TERM, row["start"], row["end"], row["name"]))
        if row["half_start"] and row["half_end"] and row["start"] < row["half_start"] <= row["half_end"] < row["end"]:
            halves.append(
                Period(
                    HALF_TERM,
                    row["start"],
                    row["half_start"] - timedelta(days=1),
                    _("%(term)s, first half") % {"term": row["name"]},
                )
            )
            halves.append(
                Period(
                    HALF_TERM,
                    row["half_end"] + timedelta(days=1),
                    row["end"],
                    _("%(term)s, second half") % {"term": row["name"]},
                )
            )
    first = date(today.year, today.month, 1)
    months = [
        month_period((first - relativedelta(months=n)).year, (first - relativedelta(months=n)).month)
        for n in range(MONTHS_OFFERED - 1, -1, -1)
    ]
    this_year = today.year if today.month >= 9 else today.year - 1
    years = [school_year(this_year - n) for n in range(YEARS_OFFERED - 1, -1, -1)]
    return {TERM: terms, HALF_TERM: halves, MONTH: months, YEAR: years}


def find(options: dict[str, list[Period]], period: Period) -> Period:
    """The offered period with these dates (for its label), or the period itself."""
    for candidate in options.get(period.kind, []):
        if candidate.start == period.start and candidate.end == period.end:
            return candidate
    for named in (month_period(period.start.year, period.start.month), school_year(period.start.year)):
        if (named.kind, named.start, named.end) == (period.kind, period.start, period.end):
            return named
    return period


def default_period(options: dict[str, list[Period]], today: date) -> Period:
    """The term under way (or the last one to have started); the month when no terms are recorded."""
    started = [t for t in options[TERM] if t.start <= today]
    if started:
        return started[-1]
    return options[MONTH][-1]


def previous_period(options: dict[str, list[Period]], period: Period) -> Period:
    """The term, half-term, month or year before; as long a stretch just before when none is recorded."""
    if period.kind == MONTH:
        before = period.start - timedelta(days=1)
        return month_period(before.year, before.month)
    if period.kind == YEAR:
        return school_year(period.start.year - 1)
    earlier = [p for p in options.get(period.kind, []) if p.end < period.start]
    if earlier:
        return earlier[-1]
    end = period.start - timedelta(days=1)
    start = end - timedelta(days=period.days - 1)
    return Period(
        period.kind, start, end, _("%(from)s to %(to)s") % {"from": f"{start:%d/%m/%Y}", "to": f"{end:%d/%m/%Y}"}
    )


def same_period_last_year(options: dict[str, list[Period]], period: Period) -> Period:
    """The same month, term or half-term a year earlier (the school's own dates for it when recorded)."""
    if period.kind == MONTH:
        return month_period(period.start.year - 1, period.start.month)
    if period.kind == YEAR:
        return school_year(period.start.year - 1)
    target = period.start - relativedelta(years=1)
    near = [p for p in options.get(period.kind, []) if abs((p.start - target).days) <= SAME_TERM_SLACK_DAYS]
    if near:
        return min(near, key=lambda p: abs((p.start - target).days))
    return period.shifted(years=-1)


def comparisons(options: dict[str, list[Period]], period: Period) -> list[tuple[str, Period]]:
    """[("previous", …), ("last_year", …)]; a year has only one (the year before is both)."""
    previous = previous_period(options, period)
    last_year = same_period_last_year(options, period)
    if (last_year.start, last_year.end) == (previous.start, previous.end):
        return [("previous", previous)]
    return [("previous", previous), ("last_year", last_year)]

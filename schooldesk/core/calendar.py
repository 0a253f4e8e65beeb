"""Service-hours arithmetic: SLA clocks count only the minutes the desk is open.

A `ServiceCalendar` knows the school's daily opening time and closing time, its service weekdays,
the dates it is closed (UK bank holidays for its nation, INSET days, other closures) and, for a
term-time-only service, the terms and their half-terms. Wall-clock times are in Europe/London, so
the clock changes in March and October fall where a person expects them; durations are measured
in UTC so that no minute is counted twice or lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
MAX_DAYS_AHEAD = 3 * 366  # a target further away than this is a configuration error

NATION_SUBDIVISIONS = {"england": "ENG", "wales": "WLS", "scotland": "SCT", "northern_ireland": "NIR"}


@lru_cache(maxsize=32)
def bank_holidays(nation: str, year: int) -> dict[date, str]:
    return dict(holidays.country_holidays("GB", subdiv=NATION_SUBDIVISIONS[nation], years=year))


@dataclass(frozen=True)
class Term:
    starts_on: date
    ends_on: date
    half_term_starts_on: date | None = None
    half_term_ends_on: date | None = None

    def covers(self, day: date) -> bool:
        if not self.starts_on <= day <= self.ends_on:
            return False
        if self.half_term_starts_on and self.half_term_ends_on:
            return not self.half_term_starts_on <= day <= self.half_term_ends_on
        return True


@dataclass
class ServiceCalendar:
    opens_at: time = time(8, 0)
    closes_at: time = time(16, 30)
    weekdays: frozenset[int] = frozenset(range(5))  # Monday = 0
    nation: str = "england"
    closed_dates: frozenset[date] = frozenset()
    term_time_only: bool = False
    terms: tuple[Term, ...] = ()
    _terms_span: tuple[date, date] | None = field(default=None, init=False, repr=False)

    def __post_init__(self):
        if self.closes_at <= self.opens_at:
            raise ValueError("Service hours must close after they open.")
        if self.terms:
            self._terms_span = (min(t.starts_on for t in self.terms), max(t.ends_on for t in self.terms))

    # --- days -------------------------------------------------------------------------------
    def closure_reason(self, day: date) -> str | None:
        """Why the desk is shut on `day`, or None when it is a service day."""
        if day.weekday() not in self.weekdays:
            return "weekend"
        if day in bank_holidays(self.nation, day.year):
            return bank_holidays(self.nation, day.year)[day]
        if day in self.closed_dates:
            return "school closure"
        if self.term_time_only and self._terms_span:
            first, last = self._terms_span
            # Dates beyond the terms entered so far count as term time, so a missing calendar
            # never stops the clock; the calendar page warns when next term is missing.
            if first <= day <= last and not any(t.covers(day) for t in self.terms):
                return "school holiday"
        return None

    def is_service_day(self, day: date) -> bool:
        return self.closure_reason(day) is None

    def window(self, day: date) -> tuple[datetime, datetime]:
        """The day's opening and closing instants, in UTC."""
        return (
            datetime.combine(day, self.opens_at, tzinfo=LONDON).astimezone(UTC),
            datetime.combine(day, self.closes_at, tzinfo=LONDON).astimezone(UTC),
        )

    def minutes_per_day(self) -> int:
        return (self.closes_at.hour * 60 + self.closes_at.minute) - (self.opens_at.hour * 60 + self.opens_at.minute)

    def _service_days_from(self, day: date):
        for offset in range(MAX_DAYS_AHEAD):
            candidate = day + timedelta(days=offset)
            if self.is_service_day(candidate):
                yield candidate
        raise ValueError("No service day within three years: check the school's service hours and calendar.")

    # --- arithmetic --------------------------------------------------------------------------
    def add_minutes(self, start: datetime, minutes: int) -> datetime:
        """The instant at which `minutes` of service time have passed since `start`."""
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        remaining = timedelta(minutes=minutes)
        start_utc = start.astimezone(UTC)
        for day in self._service_days_from(start.astimezone(LONDON).date()):
            opens, closes = self.window(day)
            begin = max(opens, start_utc)
            if begin >= closes:
                continue
            available = closes - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        raise AssertionError("unreachable")  # pragma: no cover

    def minutes_between(self, start: datetime, end: datetime) -> int:
        """Whole minutes of service time between two instants (0 if end is before start)."""
        start_utc, end_utc = start.astimezone(UTC), end.astimezone(UTC)
        if end_utc <= start_utc:
            return 0
        total = timedelta(0)
        day = start.astimezone(LONDON).date()
        last = end.astimezone(LONDON).date()
        while day <= last:
            if self.is_service_day(day):
                opens, closes = self.window(day)
                begin, finish = max(opens, start_utc), min(closes, end_utc)
                if finish > begin:
                    total += finish - begin
            day += timedelta(days=1)
        return int(total.total_seconds() // 60)

    def add_service_days(self, start: datetime, days: int) -> datetime:
        """Closing time of the `days`-th service day after the day of `start`."""
        counted = 0
        for day in self._service_days_from(start.astimezone(LONDON).date() + timedelta(days=1)):
            counted += 1
            if counted >= days:
                return self.window(day)[1]
        raise AssertionError("unreachable")  # pragma: no cover

    def is_open_at(self, moment: datetime) -> bool:
        day = moment.astimezone(LONDON).date()
        if not self.is_service_day(day):
            return False
        opens, closes = self.window(day)
        return opens <= moment.astimezone(UTC) < closes

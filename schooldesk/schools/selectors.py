"""Reads about schools: their service calendar, who is on duty, the schools a person may choose from."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from schooldesk.core.access import access_for
from schooldesk.core.calendar import LONDON, ServiceCalendar
from schooldesk.core.calendar import Term as CalendarTerm
from schooldesk.core.roles import DESK_ROLES, STAFF_ROLES
from schooldesk.schools.models import Closure, School, Term

if TYPE_CHECKING:
    from schooldesk.accounts.models import User


def school_calendar(*, school: School) -> ServiceCalendar:
    """The school's service calendar: its hours, terms, half-terms, INSET days and bank holidays."""
    closed: set[date] = set()
    for starts_on, ends_on in Closure.objects.filter(school=school).values_list("starts_on", "ends_on"):
        day = starts_on
        while day <= ends_on:
            closed.add(day)
            day = date.fromordinal(day.toordinal() + 1)
    terms = tuple(
        CalendarTerm(*row)
        for row in Term.objects.filter(school=school).values_list(
            "starts_on", "ends_on", "half_term_starts_on", "half_term_ends_on"
        )
    )
    return ServiceCalendar(
        opens_at=school.service_opens_at,
        closes_at=school.service_closes_at,
        nation=school.nation,
        closed_dates=frozenset(closed),
        term_time_only=school.is_term_time_only,
        terms=terms,
    )


def spoc_on_duty(*, school: School, moment: datetime) -> dict | None:
    """Who the reporter should go to today: the SPOC on their agreed days, otherwise the deputy."""
    local = moment.astimezone(LONDON)
    if school.spoc_id and local.weekday() in school.spoc_weekdays:
        return {"person": school.spoc, "role": "SPOC", "from": school.spoc_from, "until": school.spoc_until}
    if school.deputy_id:
        return {
            "person": school.deputy,
            "role": "deputy SPOC",
            "from": school.deputy_from,
            "until": school.deputy_until,
        }
    if school.spoc_id:
        return {"person": school.spoc, "role": "SPOC", "from": school.spoc_from, "until": school.spoc_until}
    return None


def schools_for(*, user: User, roles: frozenset[str] | None) -> QuerySet[School]:
    """The schools in which `user` holds one of `roles`, by name: a report page's choice of school."""
    return School.objects.filter(pk__in=access_for(user).school_ids(roles)).order_by("name")


def desk_schools(*, user: User) -> QuerySet[School]:
    """The schools whose desk (SPOC, ICT owner) `user` runs: their settings pages."""
    return School.objects.visible_to(user, DESK_ROLES)


def school_people(*, school: School) -> QuerySet[User]:
    """The people holding a role in the school: its deputy SPOC and approver are chosen among them."""
    return get_user_model().objects.filter(memberships__school=school).distinct()


def spoc_choices(*, school: School) -> QuerySet[User]:
    """The people who may be the school's SPOC: its desk and its technicians."""
    return (
        get_user_model()
        .objects.filter(memberships__school=school, memberships__role__in=DESK_ROLES | STAFF_ROLES)
        .distinct()
    )

"""School A's restricted-lane and filtering objects for the tenancy walk (schooldesk/core/tests/test_tenancy.py)."""

import datetime

from schooldesk.accounts.models import Membership
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.safeguarding.services import (
    breach_record,
    filter_request_create,
    filter_review_create,
    restricted_lane_open,
)

SECTION = "safeguarding"


def PK(route: str) -> str:  # noqa: N802 - the walk's name for what <pk> means; here it depends on the route
    for prefix, key in (
        ("safeguarding/breaches/", "breach"),
        ("safeguarding/concerns/", "concern"),
        ("safeguarding/filtering/", "filter_request"),
        ("safeguarding/reviews/", "filter_review"),
    ):
        if route.startswith(prefix):
            return key
    return "filter_request"


def build(cast, secret):
    Membership.objects.get_or_create(user=cast.dpo, school=cast.school, role="dsl")
    lost = IncidentFactory(school=cast.school, by=cast.reporter, summary=f"{secret} class list to the wrong parent")
    breach = restricted_lane_open(incident=lost, lane="breach", by=cast.reporter)
    breach = breach_record(breach=breach, by=cast.dpo, version=breach.version, data_involved=f"{secret} names")
    worried = IncidentFactory(school=cast.school, by=cast.reporter, summary=f"{secret} pupil reached a chat site")
    concern = restricted_lane_open(incident=worried, lane="safeguarding", by=cast.reporter)
    request = filter_request_create(
        school=cast.school,
        by=cast.reporter,
        change="unblock",
        site=f"{secret}.example",
        reason="Coursework research",
        audience="year_group",
        year_group="Year 10",
        days=7,
    )
    review = filter_review_create(
        school=cast.school, by=cast.owner, review_on=datetime.date(2026, 9, 1), notes=f"{secret} review"
    )
    return {"breach": breach, "concern": concern, "filter_request": request, "filter_review": review}

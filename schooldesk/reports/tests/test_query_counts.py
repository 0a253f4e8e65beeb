"""The service report and every dashboard do a fixed number of queries whatever the number of rows."""

from datetime import timedelta

import pytest
from django.utils import timezone

from schooldesk.accounts.models import Membership
from schooldesk.conftest import make_cast
from schooldesk.core.tests.pages import count_queries
from schooldesk.incidents.models import Incident
from schooldesk.reports.tests.factories import at_noon, build_world, call_at, payment
from schooldesk.reports.tests.test_dashboards import visit

pytestmark = pytest.mark.django_db

#: the ceilings: a page that grows past these has started to query per row
CEILINGS = {"report": 36, "dashboard": 24}  # the report: 3 small queries per period, not 1 big one


def grow(cast, n):
    """More of everything: calls in all three periods, assigned and escalated ones, visits, payments."""
    today = timezone.localdate()
    for i in range(n):
        call = call_at(
            cast,
            at_noon(today - timedelta(days=1 + i % 15)),
            satisfaction=("good", "ok", "poor", "")[i % 4],
            create={"device": f"LAPTOP-{i % 3}"},
        )
        Incident.objects.filter(pk=call.pk).update(
            assigned_to=cast.technician,
            status="first_level",
            supplier=cast.supplier if i % 2 else None,
            escalated_at=timezone.now() if i % 2 else None,
        )
        call_at(cast, at_noon(today - timedelta(days=100 + i % 10)))
        payment(cast, str(10 + i), today + timedelta(days=i % 12))
    visit(cast, days_ahead=3)


URLS = {
    "service report": ("report", "owner", "/reports/service/"),
    "service report, all tables as XLSX": ("report", "owner", "/reports/service/?format=xlsx"),
    "desk dashboard": ("dashboard", "spoc", "/reports/dashboards/desk/"),
    "technician dashboard": ("dashboard", "technician", "/reports/dashboards/technician/"),
    "owner dashboard": ("dashboard", "owner", "/reports/dashboards/owner/"),
    "governors dashboard": ("dashboard", "viewer", "/reports/dashboards/governors/"),
    "budget list": ("dashboard", "owner", "/budgets/"),
}


@pytest.mark.parametrize("page", URLS)
def test_query_count_is_fixed(page, cast, client):
    ceiling, role, url = URLS[page]
    build_world(cast)
    client.force_login(getattr(cast, role))
    small = count_queries(client, url)
    grow(cast, 25)
    assert count_queries(client, url) == small, f"{page} queries per row"
    assert small <= CEILINGS[ceiling], f"{page} needs {small} queries"


def test_query_count_is_fixed_across_schools(cast, client):
    """An LA's report and comparison: the same queries for two schools as for five."""
    la = make_cast("ash", organisation=cast.school.organisation).owner
    Membership.objects.create(user=la, organisation=cast.school.organisation, role="owner")
    build_world(cast)
    client.force_login(la)
    first = {url: count_queries(client, url) for url in ("/reports/service/", "/reports/dashboards/schools/")}
    for prefix in ("birch", "cedar", "damson"):
        build_world(make_cast(prefix, organisation=cast.school.organisation))
    assert {url: count_queries(client, url) for url in first} == first
    assert all(n <= CEILINGS["report"] for n in first.values()), first

"""Each page does a fixed number of queries whatever the number of rows."""

import pytest

from schooldesk.core.tests.pages import count_queries
from schooldesk.incidents.services import incident_assign, incident_reply, incident_triage
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.locations.models import Location

pytestmark = pytest.mark.django_db

CEILING = 25  # no page of ours needs more than this, at any size


def grow(cast, n):
    for i in range(n):
        location = Location.objects.filter(school=cast.school)[i % 5]
        incident = IncidentFactory(
            school=cast.school, by=cast.reporter, location=location, summary=f"Call {i}", device=f"LAPTOP-{i % 3}"
        )
        incident = incident_triage(
            incident=incident, by=cast.spoc, version=incident.version, category=None, impact="I2", urgency="U2"
        )
        incident = incident_assign(
            incident=incident, by=cast.spoc, version=incident.version, technician=cast.technician
        )
        incident_reply(incident=incident, by=cast.technician, body=f"Looking at it {i}")
    Location.objects.create(school=cast.school, name=f"Extra room {n}")


PAGES = {
    "home": lambda cast, inc: "/",
    "triage": lambda cast, inc: "/incidents/triage/",
    "incident list": lambda cast, inc: "/incidents/",
    "incident list filtered": lambda cast, inc: "/incidents/?status=first_level&priority=P3&q=call&sla=on_track",
    "incident page": lambda cast, inc: f"/incidents/{inc.pk}/",
    "report form": lambda cast, inc: "/incidents/new/",
    "log a call form": lambda cast, inc: "/incidents/new/?for=caller",
    "locations": lambda cast, inc: "/locations/",
    "suppliers": lambda cast, inc: "/suppliers/",
    "school settings": lambda cast, inc: f"/schools/{cast.school.pk}/",
    "incident report": lambda cast, inc: "/reports/incidents/",
    "api list": lambda cast, inc: "/api/v1/incidents/",
    "api detail": lambda cast, inc: f"/api/v1/incidents/{inc.pk}/",
    "saved replies": lambda cast, inc: "/replies/",
    "saved replies for a call": lambda cast, inc: f"/replies/for-call/{inc.pk}/",
}


@pytest.mark.parametrize("page", PAGES)
def test_page_query_count_is_fixed(page, cast, client):
    client.force_login(cast.spoc)
    grow(cast, 3)
    first = cast.school.incident_set.order_by("pk").first()
    small = count_queries(client, PAGES[page](cast, first))
    grow(cast, 30)
    for _ in range(4):  # a longer timeline on the same call
        incident_reply(incident=first, by=cast.technician, body="more")
    client.force_login(cast.spoc)
    large = count_queries(client, PAGES[page](cast, first))
    assert large == small, f"{page}: {small} queries with few rows, {large} with many"
    assert large <= CEILING, f"{page}: {large} queries"


def test_reporter_pages_query_count_is_fixed(cast, client):
    grow(cast, 2)
    client.force_login(cast.reporter)
    small = [count_queries(client, url) for url in ("/", "/incidents/")]
    grow(cast, 20)
    client.force_login(cast.reporter)
    assert [count_queries(client, url) for url in ("/", "/incidents/")] == small


def test_technician_home_query_count_is_fixed(cast, client):
    """Their "calls forwarded to me" table loads only the table's columns: a column left out would cost a
    query a row, and show here."""
    grow(cast, 2)
    client.force_login(cast.technician)
    small = count_queries(client, "/")
    grow(cast, 20)
    client.force_login(cast.technician)
    html = client.get("/").content.decode()
    assert "Calls forwarded to me" in html
    assert count_queries(client, "/") == small


def test_provider_home_query_count_is_fixed(cast, client):
    """A provider's "open calls escalated to you" loads only the call table's columns."""
    from schooldesk.incidents.services import incident_escalate

    def escalate(n):
        for i in range(n):
            incident = IncidentFactory(school=cast.school, by=cast.reporter, summary=f"Escalated {i}")
            incident_escalate(incident=incident, by=cast.spoc, version=incident.version, supplier=cast.supplier)

    escalate(2)
    client.force_login(cast.provider)
    small = count_queries(client, "/")
    escalate(20)
    client.force_login(cast.provider)
    assert "Open calls escalated to you" in client.get("/").content.decode()
    assert count_queries(client, "/") == small

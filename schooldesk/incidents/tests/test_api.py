import pytest

from schooldesk.accounts.services import api_token_create
from schooldesk.incidents.models import Incident
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.locations.models import Location

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    """api(user, scope) -> a client that sends `user`'s own API token, as a script would (no session)."""

    def _api(user, scope="write"):
        _api_token, token = api_token_create(user=user, name="tests", scope=scope)
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        return client

    return _api


def test_api_lists_with_the_same_filters_and_scoping(cast, other, api):
    IncidentFactory(school=cast.school, by=cast.reporter, summary="Projector dead")
    IncidentFactory(school=cast.school, by=cast.reporter, summary="Printer jam")
    IncidentFactory(school=other.school, by=other.reporter, summary="Elm secret")
    client = api(cast.spoc, "read")
    data = client.get("/api/v1/incidents/", {"q": "projector"}).json()
    assert [row["summary"] for row in data["results"]] == ["Projector dead"]
    summaries = {row["summary"] for row in client.get("/api/v1/incidents/").json()["results"]}
    assert summaries == {"Projector dead", "Printer jam"}


def test_api_creates_through_the_service(cast, other, api):
    client = api(cast.reporter)
    location = Location.objects.filter(school=cast.school).first()
    response = client.post(
        "/api/v1/incidents/",
        {"summary": "Chromebook will not charge", "location": location.pk},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    incident = Incident.objects.get()
    assert response.json()["reference"] == incident.reference
    assert incident.reported_by == cast.reporter and incident.response_due_at is not None
    foreign = Location.objects.filter(school=other.school).first()
    response = client.post(
        "/api/v1/incidents/", {"summary": "x", "location": foreign.pk}, content_type="application/json"
    )
    assert response.status_code == 400


def test_api_needs_authentication(client):
    assert client.get("/api/v1/incidents/").status_code == 401


def test_schema_is_served_to_signed_in_users(cast, login):
    response = login(cast.spoc).get("/api/v1/schema/")
    assert response.status_code == 200 and b"/api/v1/incidents/" in response.content

"""What logging a call costs in the request (docs/decisions/0041): the report form's POST reads each thing once,
reads no drop-down it will not draw, and queues its mail once, after the commit."""

import re

import pytest
from django.urls import reverse

from schooldesk.assets.tests.factories import AssetFactory
from schooldesk.incidents.models import Incident, IncidentUpdate
from schooldesk.locations.models import Location

pytestmark = pytest.mark.django_db

# The report form's POST, signed in, with its one-time token; inside the test's transaction each BEGIN/COMMIT is a
# SAVEPOINT/RELEASE, so the count is the same as on a server:
#   1 the session, 2 the user, 3 the token not used before, 4 the person's roles, 5 the places they may choose (the
#   chosen one is taken from these: no second read, no "does it exist" check, no device list), 6 BEGIN, 7-9 the
#   token claimed (savepoint, insert, release), 10 the school, 11 savepoint, 12-13 the calendar (closures, terms),
#   14 the call (its search index row with it: a trigger on SQLite, the GIN index on PostgreSQL), 15 its timeline
#   row, 16 release, 17 the token's answer, 18 COMMIT, 19-21 the session (the thank-you message) in its own
#   transaction. Before docs/decisions/0041 it was 24.
POST_QUERIES = 21


def form_token(client) -> str:
    page = client.get(reverse("incidents:incident_create"))
    return re.search(r'name="form_token" value="([^"]+)"', page.content.decode()).group(1)


def report(location, **fields) -> dict:
    return {
        "kind": "incident",
        "summary": "Projector in the ICT suite shows no picture",
        "location": location.pk,
        "reporter_availability": "Room 4 until 3pm",
        **fields,
    }


def test_logging_a_call_costs_a_fixed_number_of_queries_and_queues_its_mail_once(
    cast, login, django_assert_num_queries, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr("schooldesk.incidents.tasks.incident_notify", lambda ids: queued.append(list(ids)))
    client = login(cast.spoc)
    location = Location.objects.get(school=cast.school, name="ICT suite")
    AssetFactory(school=cast.school, location=location)  # a device list the POST does not need to read
    token = form_token(client)
    with django_capture_on_commit_callbacks(execute=True):
        with django_assert_num_queries(POST_QUERIES):
            response = client.post(reverse("incidents:incident_create"), report(location, form_token=token))
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "incidents:incident_detail", args=[incident.pk]
    )
    assert incident.response_due_at and incident.resolve_due_at  # the SLA, in the request
    [logged] = IncidentUpdate.objects.filter(incident=incident)
    assert queued == [[logged.pk]]  # one task, for the one timeline row, after the commit


def test_a_call_is_findable_by_search_as_soon_as_it_is_logged(cast, login, django_capture_on_commit_callbacks):
    client = login(cast.spoc)
    location = Location.objects.get(school=cast.school, name="ICT suite")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("incidents:incident_create"), report(location, summary="Visualiser flickers in Room 9"))
    incident = Incident.objects.get()
    page = client.get(reverse("incidents:incident_list"), {"q": "visualiser"})
    assert incident.reference.encode() in page.content


def test_a_form_sent_back_still_lists_the_devices_of_the_chosen_place(cast, login):
    client = login(cast.spoc)
    location = Location.objects.get(school=cast.school, name="ICT suite")
    asset = AssetFactory(school=cast.school, location=location, tag="PROJ-12")
    response = client.post(reverse("incidents:incident_create"), report(location, summary=""))
    assert response.status_code == 400
    assert f'value="{asset.pk}"'.encode() in response.content and b"PROJ-12" in response.content
    assert Incident.objects.count() == 0


def test_a_place_the_person_may_not_choose_is_refused(cast, other, login):
    client = login(cast.spoc)
    elsewhere = Location.objects.filter(school=other.school).first()
    archived = Location.objects.create(school=cast.school, name="Old block", is_archived=True)
    for location in (elsewhere, archived):
        response = client.post(reverse("incidents:incident_create"), report(location))
        assert response.status_code == 400
    response = client.post(reverse("incidents:incident_create"), {**report(elsewhere), "location": "x"})
    assert response.status_code == 400
    assert Incident.objects.count() == 0

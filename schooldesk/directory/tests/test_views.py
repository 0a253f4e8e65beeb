"""The pages as people meet them: the ICT owner adds a directory with the form as rendered, the secret is never
shown back, a sync's report lists what was done, a room is added as a location; the SPOC reads reports only."""

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from schooldesk.core.tests.pages import rendered_form
from schooldesk.directory.choices import Provider
from schooldesk.directory.models import Connection, Run
from schooldesk.directory.services import directory_sync
from schooldesk.directory.tests import standin
from schooldesk.locations.models import Location

pytestmark = pytest.mark.django_db


def post_form(client, url, data_overrides, *, action=""):
    """The post form of the page at `url` whose action ends with `action` (the page itself by default), sent as
    rendered with the changes a person makes."""
    path, data = rendered_form(client, url, action or urlsplit(url).path)
    data.update(data_overrides)
    return client.post(path, data)


def test_owner_adds_a_wonde_connection_and_the_secret_is_never_shown(cast, client):
    client.force_login(cast.owner)
    response = post_form(
        client,
        reverse("directory:connection_create"),
        {
            "name": "MIS through Wonde",
            "provider": Provider.WONDE,
            "tenant": "A1234567890",
            "new_secret": "wonde-secret-token-1234",
            "role_mapping": "* = reporter",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    connection = Connection.objects.get(name="MIS through Wonde")
    assert connection.school == cast.school and connection.secret == "wonde-secret-token-1234"
    page = client.get(response["Location"]).content.decode()
    assert "wonde-secret-token-1234" not in page and "…1234" in page
    # saved again with the secret left empty: kept
    response = post_form(client, response["Location"], {"name": "MIS"})
    connection.refresh_from_db()
    assert connection.name == "MIS" and connection.secret == "wonde-secret-token-1234"


def test_a_bad_mapping_line_is_named_and_nothing_is_lost(cast, client):
    client.force_login(cast.owner)
    response = post_form(
        client,
        reverse("directory:connection_create"),
        {
            "name": "Staff",
            "provider": Provider.WONDE,
            "tenant": "A1",
            "new_secret": "t",
            "role_mapping": "* = reporter\nTeachers = headteacher",
        },
    )
    assert response.status_code == 400
    assert "Line 2" in response.content.decode() and "Teachers = headteacher" in response.content.decode()
    assert not Connection.objects.exists()


def test_report_offers_rooms_and_one_is_added_as_a_location(cast, client, stand_in):
    stand_in.wonde_rooms = [standin.wonde_room("R1", "Room 12"), standin.wonde_room("R2", "Room 14")]
    connection = Connection.objects.create(
        school=cast.school,
        name="MIS",
        provider=Provider.WONDE,
        tenant="A1",
        secret=stand_in.wonde_token,
        role_mapping="",
    )
    run = directory_sync(connection=connection, by=cast.owner)
    assert not Location.objects.filter(school=cast.school, name="Room 12").exists()  # never automatic
    client.force_login(cast.owner)
    url = reverse("directory:run_detail", args=[run.pk])
    page = client.get(url).content.decode()
    assert run.status == "done", run.error
    assert "Room 12" in page
    assert "Add all 2 rooms as locations" in page
    room = run.rooms.get(name="Room 12")
    response = post_form(client, url, {}, action=f"/rooms/{room.pk}/add/")
    assert response.status_code == 302
    assert Location.objects.filter(school=cast.school, name="Room 12").exists()
    assert not Location.objects.filter(school=cast.school, name="Room 14").exists()
    page = client.get(url).content.decode()
    assert "Add the 1 room as a location" in page
    post_form(client, url, {}, action="/rooms/add-all/")
    assert Location.objects.filter(school=cast.school, name="Room 14").exists()


def test_spoc_reads_reports_but_does_not_manage_connections(cast, client):
    connection = Connection.objects.create(
        school=cast.school, name="MIS", provider=Provider.WONDE, tenant="A1", secret="t"
    )
    run = directory_sync(connection=connection, by=cast.owner)  # fails (a closed port): still a report
    assert run.status == "failed"
    client.force_login(cast.spoc)
    assert client.get(reverse("directory:run_detail", args=[run.pk])).status_code == 200
    assert client.get(reverse("directory:connection_list")).status_code == 200
    assert client.get(reverse("directory:connection_update", args=[connection.pk])).status_code == 403
    assert client.post(reverse("directory:connection_sync", args=[connection.pk])).status_code == 403
    client.force_login(cast.reporter)
    assert client.get(reverse("directory:run_detail", args=[run.pk])).status_code == 403


def test_sync_now_runs_the_sync_after_the_request(cast, client, stand_in, django_capture_on_commit_callbacks):
    stand_in.wonde_employees = [standin.wonde_employee("E1", "Jo", "Jay")]
    connection = Connection.objects.create(
        school=cast.school,
        name="MIS",
        provider=Provider.WONDE,
        tenant="A1",
        secret=stand_in.wonde_token,
        role_mapping="* = reporter",
        sync_pupils=False,
    )
    client.force_login(cast.owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_form(client, reverse("directory:connection_update", args=[connection.pk]), {}, action="/sync/")
    assert response.status_code == 302
    run = Run.objects.get(connection=connection)
    assert run.added == 1 and run.started_by == cast.owner
    page = client.get(reverse("directory:run_detail", args=[run.pk])).content.decode()
    assert re.search(r"Jo Jay", page)


def test_the_report_and_the_lists_take_the_same_queries_whatever_their_length(cast, client):
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    from schooldesk.directory.tests.tenancy import build

    world = build(cast, "Few")
    client.force_login(cast.owner)
    urls = [
        reverse("directory:run_detail", args=[world["directory_run"].pk]),
        reverse("directory:run_list"),
        reverse("directory:connection_list"),
    ]

    def counts():
        found = []
        for url in urls:
            with CaptureQueriesContext(db) as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries))
        return found

    before = counts()
    run = world["directory_run"]
    for n in range(10):
        run.changes.create(kind="added", subject="staff", label=f"Person {n}", fields={"email": ["", f"{n}@x"]})
        run.rooms.create(provider_id=f"R{n + 10}", name=f"Room {n + 10}")
        build(cast, f"More{n}")
    assert counts() == before

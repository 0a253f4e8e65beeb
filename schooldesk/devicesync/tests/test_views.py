"""The pages: a console added as the form renders it, its key never shown back, "Sync now" queued and its report,
another school's people refused, and the asset page saying a device has gone from the console."""

import json
import re

import pytest

from schooldesk.assets.models import Asset
from schooldesk.devicesync.models import ConsoleConnection, SyncRun
from schooldesk.devicesync.tests.standin import Standin, google_item, google_key
from schooldesk.devicesync.tests.tenancy import build

pytestmark = pytest.mark.django_db


def test_a_spoc_adds_a_console_and_its_key_is_never_shown_back(cast, client):
    key, _public = google_key()
    client.force_login(cast.spoc)
    page = client.get("/devicesync/new/")
    assert page.status_code == 200 and 'name="school"' not in page.content.decode()  # one school: no choice
    response = client.post(
        "/devicesync/new/",
        {
            "name": "Chromebooks",
            "kind": "google",
            "secret": key,
            "admin_email": "admin@oak.example",
            "customer_id": "my_customer",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    connection = ConsoleConnection.objects.get(name="Chromebooks")
    assert connection.school == cast.school and connection.credentials == key
    private = json.loads(key)["private_key"]
    for url in (response["Location"], "/devicesync/"):
        html = client.get(url).content.decode()
        assert "PRIVATE KEY" not in html and private[40:80] not in html and "client_email" not in html
    # an edit with the key left empty keeps it
    page = client.get(f"/devicesync/{connection.pk}/").content.decode()
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    response = client.post(
        f"/devicesync/{connection.pk}/",
        {
            "name": "Chromebooks (all)",
            "kind": "google",
            "secret": "",
            "admin_email": "admin@oak.example",
            "customer_id": "my_customer",
            "version": version,
        },
    )
    assert response.status_code == 302
    connection.refresh_from_db()
    assert connection.name == "Chromebooks (all)" and connection.credentials == key and not connection.is_active


def test_a_console_needs_its_kinds_details(cast, client):
    client.force_login(cast.spoc)
    response = client.post("/devicesync/new/", {"name": "Windows", "kind": "intune", "secret": "s3cret"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give the tenant ID" in html and "client) ID" in html
    response = client.post(
        "/devicesync/new/",
        {"name": "Chromebooks", "kind": "google", "secret": "not json", "admin_email": "a@oak.example"},
    )
    assert "whole JSON key" in response.content.decode()
    assert not ConsoleConnection.objects.exists()


def test_an_organisations_console_needs_a_routing_table_of_its_schools(cast, client):
    officer = type(cast.spoc).objects.create(username="officer")
    officer.memberships.create(organisation=cast.school.organisation, role="spoc")
    client.force_login(officer)
    key, _public = google_key()
    data = {
        "organisation": cast.school.organisation.pk,
        "name": "Council Chromebooks",
        "kind": "google",
        "secret": key,
        "admin_email": "admin@council.example",
        "routing": "/Schools/Nowhere = Atlantis",
    }
    response = client.post("/devicesync/new/", data)
    assert response.status_code == 400 and "no school of the organisation" in response.content.decode()
    data["routing"] = f"/Schools/Oak = {cast.school.name}"
    assert client.post("/devicesync/new/", data).status_code == 302


def test_sync_now_queues_a_run_and_shows_its_report(cast, client, django_capture_on_commit_callbacks):
    key, public = google_key()
    with Standin() as console:
        console.google_public_key = public
        console.google = [google_item(i) for i in range(3)]
        connection = ConsoleConnection.objects.create(
            school=cast.school,
            name="Chromebooks",
            kind="google",
            base_url=console.url,
            token_url=f"{console.url}/token",
            credentials=key,
            admin_email="admin@oak.example",
        )
        client.force_login(cast.technician)
        page = client.get(f"/devicesync/{connection.pk}/").content.decode()
        assert "Sync now" in page
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/devicesync/{connection.pk}/sync/")
    run = SyncRun.objects.get(connection=connection)
    assert response.status_code == 302 and response["Location"] == f"/devicesync/{connection.pk}/runs/{run.pk}/"
    html = client.get(response["Location"]).content.decode()
    assert run.status == "done" and run.added == 3 and "5CD0000001" in html and "CB-00002" in html
    assert client.get(f"/devicesync/{connection.pk}/runs/?page=1").status_code == 200
    assert "5CD0000001" not in client.get(response["Location"] + "?kind=gone").content.decode()
    assert run.requested_by == cast.technician
    assert Asset.objects.filter(school=cast.school, asset_type__name="Chromebook").count() == 3


def test_test_the_connection_says_what_it_found_or_why_not(cast, client):
    world = build(cast, "Oak")  # a closed port
    client.force_login(cast.spoc)
    response = client.post(f"/devicesync/{world['console'].pk}/test/", follow=True)
    assert "could not be read" in response.content.decode()


def test_another_schools_people_get_404_and_a_reporter_403(cast, other, client):
    world = build(cast, "Oak")
    connection, run = world["console"], world["console_run"]
    urls = [
        f"/devicesync/{connection.pk}/",
        f"/devicesync/{connection.pk}/runs/",
        f"/devicesync/{connection.pk}/runs/{run.pk}/",
    ]
    client.force_login(other.spoc)
    for url in urls:
        assert client.get(url).status_code == 404, url
    for url in (f"/devicesync/{connection.pk}/sync/", f"/devicesync/{connection.pk}/test/"):
        assert client.post(url).status_code == 404, url
    assert "Oak Chromebooks" not in client.get("/devicesync/").content.decode()
    assert not SyncRun.objects.filter(connection=connection).exclude(pk=run.pk).exists()
    client.force_login(cast.reporter)
    assert client.get("/devicesync/").status_code == 403
    client.force_login(cast.spoc)
    assert "Oak Chromebooks" in client.get("/devicesync/").content.decode()
    assert "Device consoles" in client.get("/").content.decode()  # in the Records menu


def test_the_asset_page_says_it_has_gone_from_the_console(cast, client):
    build(cast, "Oak")
    client.force_login(cast.spoc)
    asset = Asset.objects.get(tag="Oak-CB1")
    html = client.get(f"/assets/{asset.pk}/").content.decode()
    assert "gone from the console since" in html and "Oak Chromebooks" in html


def test_a_second_sync_is_refused_while_one_is_queued(cast, client):
    world = build(cast, "Oak")
    SyncRun.objects.create(connection=world["console"])  # queued: no worker has taken it yet
    client.force_login(cast.spoc)
    response = client.post(f"/devicesync/{world['console'].pk}/sync/", follow=True)
    assert "already queued or running" in response.content.decode()
    assert SyncRun.objects.filter(connection=world["console"]).count() == 2


def test_the_list_counts_linked_devices_and_shows_the_last_sync(cast, client):
    world = build(cast, "Oak")
    SyncRun.objects.create(connection=world["console"], status="done")
    client.force_login(cast.spoc)
    html = client.get("/devicesync/").content.decode()
    row = html[html.index("Oak Chromebooks") :]
    assert "<td>1</td>" in row[:600] and "Never" not in row[:600]

"""Syncs against the local stand-in (real HTTP on loopback): Google by organisational unit, Intune and Jamf School
with paging, throttling, an expired token, and who wins when the desk and the console disagree."""

from datetime import date

import pytest

from schooldesk.accounts.models import Membership
from schooldesk.assets.models import Asset, AssetEvent
from schooldesk.assets.services import asset_move, asset_save
from schooldesk.devicesync import consoles
from schooldesk.devicesync.choices import LeftReason, LineKind, RunStatus
from schooldesk.devicesync.models import ConsoleConnection, DeviceLink, SyncRun
from schooldesk.devicesync.sync import sync_run
from schooldesk.devicesync.tests.standin import (
    CLIENT_ID,
    CLIENT_SECRET,
    JAMF_KEY,
    JAMF_NETWORK,
    Standin,
    google_item,
    google_key,
    intune_item,
    jamf_item,
)
from schooldesk.locations.models import Location
from schooldesk.schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def console():
    with Standin() as standin:
        yield standin


@pytest.fixture
def sleeps(monkeypatch):
    waited = []
    monkeypatch.setattr(consoles, "_sleep", waited.append)
    return waited


@pytest.fixture
def officer(cast):
    """An LA officer: the desk's role across the organisation."""
    user = type(cast.spoc).objects.create(username="la-officer", email="officer@council.example")
    Membership.objects.create(user=user, organisation=cast.school.organisation, role="owner")
    return user


def run_now(connection, by=None) -> SyncRun:
    return sync_run(SyncRun.objects.create(connection=connection, requested_by=by))


def google_connection(console, *, school=None, organisation=None, routing="", write_back=False):
    key, public = google_key()
    console.google_public_key = public
    return ConsoleConnection.objects.create(
        school=school,
        organisation=organisation,
        name="Chromebooks",
        kind="google",
        base_url=console.url,
        token_url=f"{console.url}/token",
        credentials=key,
        admin_email="admin@council.example",
        routing=routing,
        write_back=write_back,
    )


def test_google_by_unit_then_only_what_changed_and_never_a_hand_edit(console, cast, officer):
    """The done-when: 500 Chromebooks into two schools by OU; the second sync changes only what changed, leaves a
    hand-edited location and a hand-edited field alone, and marks a device removed from the console as gone."""
    oak = cast.school
    oak.urn = "100001"
    oak.save(update_fields=["urn"])
    elm = SchoolFactory(organisation=oak.organisation, name="Elm Academy", urn="100002")
    room1 = Location.objects.create(school=oak, name="Room 1")
    Location.objects.create(school=oak, name="Room 2")
    suite, _made = Location.objects.get_or_create(school=oak, name="ICT suite")
    cast.reporter.email = "pupil.one@oak.example"
    cast.reporter.save(update_fields=["email"])
    console.google = [google_item(i, unit="/Schools/Oak/Year 7") for i in range(300)]
    console.google += [google_item(i, unit="/Schools/Elm") for i in range(300, 500)]
    console.google[0].update(
        annotatedLocation="Room 1", annotatedUser="Pupil.One@oak.example", annotatedAssetId="OAK-CB-001"
    )
    console.google.append(google_item(900, unit="/Staff"))  # in no school's unit
    console.google.append(google_item(901, unit="/Schools/Elm", serialNumber=""))  # no serial
    connection = google_connection(
        console, organisation=oak.organisation, routing="/Schools/Oak = 100001\n/Schools/Elm = Elm Academy"
    )

    first = run_now(connection, by=officer)

    assert first.status == RunStatus.DONE, first.error
    assert (first.seen, first.added, first.changed, first.gone) == (502, 500, 0, 0)
    assert first.pages == 6  # 502 devices, 100 a page
    assert Asset.objects.filter(school=oak, asset_type__name="Chromebook").count() == 300
    assert Asset.objects.filter(school=elm, asset_type__name="Chromebook").count() == 200
    reasons = sorted(first.lines.filter(kind=LineKind.LEFT).values_list("reason", flat=True))
    assert reasons == [LeftReason.NO_SERIAL, LeftReason.NOT_ROUTED]
    a = Asset.objects.get(serial="5CD0000000")
    assert (a.tag, a.make, a.model, a.location, a.issued_to) == (
        "OAK-CB-001",
        "HP",
        "Chromebook 11 G9 EE",
        room1,
        cast.reporter,
    )
    assert a.support_ends_on == date(2028, 6, 1)
    assert Asset.objects.get(serial="5CD0000001").tag == "CB-00001"  # none in the console: one made
    assert AssetEvent.objects.filter(asset=a, kind="created", note__startswith="From the Google sync").exists()
    assert a.console_link.os_version == "120.0.6099.235"

    # in the desk: Room 1's device moved to the ICT suite, and its make corrected by hand
    asset_move(asset=a, location=suite, by=cast.spoc)
    a.refresh_from_db()
    a.make = "Hewlett-Packard"
    asset_save(asset=a, by=cast.spoc)
    # in the console: device 0 moved and re-imaged, device 1 re-imaged and its model corrected, device 2 gone
    console.google[0].update(annotatedLocation="Room 2", model="HP Chromebook 11 G10 EE")
    console.google[1].update(model="HP Chromebook 14 G7")
    removed = console.google.pop(2)

    second = run_now(connection, by=officer)

    assert second.status == RunStatus.DONE, second.error
    assert (second.added, second.changed, second.gone) == (0, 2, 1)
    a.refresh_from_db()
    assert (a.location, a.make, a.model) == (suite, "Hewlett-Packard", "Chromebook 11 G10 EE")
    edited = second.lines.get(kind=LineKind.LEFT, reason=LeftReason.EDITED, asset=a)
    assert "Location" in edited.detail and "Make" in edited.detail
    assert Asset.objects.get(serial="5CD0000001").model == "Chromebook 14 G7"
    changed = second.lines.get(kind=LineKind.CHANGED, asset__serial="5CD0000001")
    assert changed.detail == "Model: Chromebook 11 G9 EE → Chromebook 14 G7"
    gone = Asset.objects.get(serial=removed["serialNumber"])  # kept, marked
    assert gone.console_link.gone_since is not None
    assert AssetEvent.objects.filter(asset__serial="5CD0000001", kind="changed", field="model").count() == 1
    # nothing else was written: 500 assets' versions as the first sync left them but the two changed
    assert Asset.objects.filter(version__gt=1).count() == 2  # device 0 (hand edits and the sync) and device 1

    third = run_now(connection, by=officer)
    assert (third.added, third.changed, third.gone) == (0, 0, 0)  # gone once, reported once


def test_write_back_sends_the_desks_tag_and_location(console, cast):
    room = Location.objects.create(school=cast.school, name="Reading den")
    console.google = [google_item(1)]
    connection = google_connection(console, school=cast.school, write_back=True)
    run_now(connection)
    asset = Asset.objects.get(serial="5CD0000001")
    asset_move(asset=asset, location=room, by=cast.spoc)
    run = run_now(connection)
    assert run.written_back == 1
    written = console.google[0]
    assert (written["annotatedAssetId"], written["annotatedLocation"]) == (asset.tag, "Reading den")
    assert run_now(connection).written_back == 0  # the console holds them now


def intune_connection(console, school):
    return ConsoleConnection.objects.create(
        school=school,
        name="Windows laptops",
        kind="intune",
        base_url=f"{console.url}/v1.0",
        token_url=f"{console.url}/token",
        tenant_id="contoso.onmicrosoft.com",
        client_id=CLIENT_ID,
        credentials=CLIENT_SECRET,
    )


def test_intune_follows_next_links_waits_out_throttling_and_renews_an_expired_token(console, cast, sleeps):
    console.page_size = 2
    console.intune = [intune_item(i) for i in range(5)]
    console.intune[0]["operatingSystem"] = "iOS"
    console.intune[1]["userPrincipalName"] = cast.technician.email = "tech@oak.example"
    cast.technician.save(update_fields=["email"])
    connection = intune_connection(console, cast.school)
    console.script = [(429, {"Retry-After": "3"}), (503, {})]

    run = run_now(connection, by=cast.spoc)

    assert run.status == RunStatus.DONE, run.error
    assert (run.added, run.pages) == (5, 3)
    assert sleeps == [3.0, 2.0]  # the Retry-After, then the back-off
    assert Asset.objects.get(serial="PF000000").asset_type.name == "Tablet"
    laptop = Asset.objects.get(serial="PF000001")
    assert (laptop.asset_type.name, laptop.make, laptop.issued_to) == ("Laptop", "LENOVO", cast.technician)
    assert laptop.console_link.os_version == "Windows 10.0.22631.2861"

    console.expire_tokens()  # the stored token has expired early: 401, a new token once, and on
    console.intune[2]["osVersion"] = "10.0.22631.3007"
    again = run_now(connection, by=cast.spoc)
    assert again.status == RunStatus.DONE, again.error
    assert console.token_requests == 2
    assert Asset.objects.get(serial="PF000002").console_link.os_version == "Windows 10.0.22631.3007"


def test_a_token_refused_twice_fails_the_run_with_the_reason(console, cast, monkeypatch):
    console.intune = [intune_item(1)]
    connection = intune_connection(console, cast.school)
    monkeypatch.setattr(console, "bearer_ok", lambda headers: False)
    run = run_now(connection)
    assert run.status == RunStatus.FAILED and "401" in run.error
    assert console.token_requests == 2  # the first, and one renewal: no loop
    assert not Asset.objects.filter(school=cast.school, serial="PF000001").exists()


def test_throttling_is_bounded(console, cast, sleeps, settings):
    settings.SCHOOLDESK_DEVICESYNC_RETRIES = 2
    console.intune = [intune_item(1)]
    console.script = [(429, {"Retry-After": "9999"})] * 3
    run = run_now(intune_connection(console, cast.school))
    assert run.status == RunStatus.FAILED and "429" in run.error
    assert sleeps == [settings.SCHOOLDESK_DEVICESYNC_MAX_WAIT] * 2


def test_jamf_school_pages_by_count(console, cast):
    console.page_size = 3
    console.jamf = [jamf_item(i) for i in range(7)]
    connection = ConsoleConnection.objects.create(
        school=cast.school,
        name="iPads",
        kind="jamf",
        base_url=f"{console.url}/api",
        network_id=JAMF_NETWORK,
        credentials=JAMF_KEY,
    )
    run = run_now(connection)
    assert run.status == RunStatus.DONE, run.error
    assert (run.added, run.pages) == (7, 3)
    ipad = Asset.objects.get(serial="DMP0000003")
    assert (ipad.asset_type.name, ipad.make, ipad.model, ipad.tag) == (
        "Tablet",
        "Apple",
        "iPad (9th generation)",
        "TAB-00004",
    )
    assert DeviceLink.objects.get(asset=ipad).os_version == "iOS 17.1.2"


def test_an_address_on_another_host_is_never_sent_the_token(console, cast):
    console.page_size = 1
    console.intune = [intune_item(1), intune_item(2)]
    connection = intune_connection(console, cast.school)
    connection.base_url = connection.base_url.replace("127.0.0.1", "localhost")  # nextLink names 127.0.0.1
    connection.save()
    run = run_now(connection)
    assert run.status == RunStatus.FAILED and "another host" in run.error


def test_a_run_asked_for_by_someone_without_the_role_writes_nothing(console, cast, other):
    console.jamf = [jamf_item(1)]
    connection = ConsoleConnection.objects.create(
        school=cast.school,
        name="iPads",
        kind="jamf",
        base_url=f"{console.url}/api",
        network_id=JAMF_NETWORK,
        credentials=JAMF_KEY,
    )
    run = run_now(connection, by=other.spoc)
    assert run.status == RunStatus.FAILED and "role" in run.error
    assert not Asset.objects.filter(serial="DMP0000001").exists()

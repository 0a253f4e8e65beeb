"""The demo desk has Oakfield's Google console and last night's sync, so `make run` shows the console pages with
content: the SPOC sees the connection, its runs and a report with devices added, changed and left alone."""

import io

import pytest
from django.core.management import call_command

from schooldesk.accounts.models import User
from schooldesk.devicesync.models import ConsoleConnection, DeviceLink

pytestmark = pytest.mark.django_db


def test_the_demo_has_oakfields_google_console_and_a_finished_sync_the_spoc_can_read(client):
    call_command("demo_seed", incidents=5, stdout=io.StringIO())
    connection = ConsoleConnection.objects.get()
    assert connection.school.short_name == "Oakfield" and connection.kind == "google"
    assert not connection.is_active  # no key in the demo: nothing reaches out to Google at night
    run = connection.runs.get()
    assert run.status == "done" and run.added == 2 and run.changed >= 1 and run.left_alone >= 1
    assert run.lines.count() == run.added + run.changed + run.left_alone
    assert DeviceLink.objects.filter(connection=connection).count() >= 3

    client.force_login(User.objects.get(pk=connection.school.spoc_id))
    listing = client.get(f"/{_prefix()}/").content.decode()
    assert "Chromebooks (Google Admin)" in listing
    report = client.get(f"/{_prefix()}/{connection.pk}/runs/{run.pk}/")
    assert report.status_code == 200
    text = report.content.decode()
    for expected in (
        "Added",
        "Changed",
        "Left alone",
        "Chromebook 511 (C736)",
        "edited in the desk",
        "no serial number",
    ):
        assert expected in text, f"{expected!r} is not in the report"
    assert client.get(f"/{_prefix()}/{connection.pk}/runs/").status_code == 200


def _prefix() -> str:
    from django.urls import reverse

    return reverse("devicesync:connection_list").strip("/")

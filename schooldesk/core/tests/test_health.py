"""/health/: what a monitor or load balancer reads, without signing in."""

import time

import pytest
from django.urls import reverse
from huey.contrib.djhuey import HUEY

from schooldesk.core.tasks import HEARTBEAT_KEY, worker_heartbeat_task


@pytest.fixture(autouse=True)
def no_heartbeat():
    HUEY.delete(HEARTBEAT_KEY)  # the tests' queue storage lives as long as the process
    yield
    HUEY.delete(HEARTBEAT_KEY)


@pytest.mark.django_db
def test_healthy_when_a_worker_has_just_beaten(client):
    worker_heartbeat_task()  # what the worker runs every minute
    response = client.get(reverse("health"))
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    body = response.json()
    assert body["status"] == "ok" and body["failing"] == []
    assert body["checks"]["worker"]["heartbeat_age_seconds"] < 60
    assert set(body["checks"]) == {"database", "queue", "worker", "mailboxes"}


@pytest.mark.django_db
def test_no_worker_yet_is_a_503_naming_the_worker(client):
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["failing"] == ["worker"]
    assert "no heartbeat" in response.json()["checks"]["worker"]["error"]


@pytest.mark.django_db
def test_a_worker_silent_for_too_long_is_a_503(client, settings):
    settings.SCHOOLDESK_HEARTBEAT_MAX_AGE = 300
    HUEY.put(HEARTBEAT_KEY, time.time() - 301)
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == {"ok": False, "heartbeat_age_seconds": 301, "max_age_seconds": 300}
    worker_heartbeat_task()
    assert client.get(reverse("health")).status_code == 200


def test_a_database_that_does_not_answer_is_a_503_with_no_detail(client):
    # Without the django_db mark, every query fails as an unreachable database would.
    worker_heartbeat_task()
    response = client.get(reverse("health"))
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["database"]
    assert body["checks"]["database"] == {"ok": False, "error": "RuntimeError"}  # the type only, never the message


@pytest.mark.django_db
def test_behind_a_trusted_proxy_throttling_counts_the_client_not_the_proxy(
    cast, client, password, settings, behind_nginx
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"), {"username": cast.reporter.username, "password": "wrong"}, **behind_nginx("203.0.113.7")
        )
    locked = client.post(
        reverse("login"), {"username": cast.reporter.username, "password": password}, **behind_nginx("203.0.113.7")
    )
    assert locked.status_code == 429
    elsewhere = client.post(
        reverse("login"), {"username": cast.reporter.username, "password": password}, **behind_nginx("198.51.100.20")
    )
    assert elsewhere.status_code == 302


@pytest.mark.django_db
def test_a_mailbox_the_worker_has_stopped_polling_is_a_503_by_its_number_not_its_address(cast, client):
    from datetime import timedelta

    from django.utils import timezone

    from schooldesk.mail.models import Mailbox

    worker_heartbeat_task.call_local()
    box = Mailbox.objects.create(
        school=cast.school,
        name="Desk",
        host="imap.example",
        address="desk@oak.example",
        username="desk",
        poll_every_minutes=2,
        is_active=True,
        last_polled_at=timezone.now(),
    )
    body = client.get(reverse("health")).json()
    assert body["status"] == "ok" and body["checks"]["mailboxes"]["seconds_since_polled"][str(box.pk)] < 60
    Mailbox.objects.filter(pk=box.pk).update(last_polled_at=timezone.now() - timedelta(minutes=16))
    response = client.get(reverse("health"))
    assert response.status_code == 503 and response.json()["failing"] == ["mailboxes"]
    assert response.json()["checks"]["mailboxes"]["late"] == [str(box.pk)] and b"desk@oak" not in response.content

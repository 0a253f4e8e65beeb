import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from huey.contrib.djhuey import HUEY

pytestmark = pytest.mark.django_db


def test_login_with_the_form(cast, client, password):
    response = client.post(reverse("login"), {"username": cast.reporter.username, "password": password})
    assert response.status_code == 302 and response["Location"] == "/"


def test_login_is_throttled_after_repeated_failures(cast, client, password, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": cast.reporter.username, "password": "wrong"})
    response = client.post(reverse("login"), {"username": cast.reporter.username, "password": password})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()


def test_password_reset_by_email(cast, client):
    cast.reporter.email = "teacher@oak.sch.uk"
    cast.reporter.save()
    client.post(reverse("password_reset"), {"email": "teacher@oak.sch.uk"})
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "A-much-better-passphrase-42", "new_password2": "A-much-better-passphrase-42"},
    )
    assert response.status_code == 302
    cast.reporter.refresh_from_db()
    assert cast.reporter.check_password("A-much-better-passphrase-42")


def test_unknown_email_gives_the_same_answer(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302 and len(mail.outbox) == 0


@pytest.fixture
def queue_held():
    """Tasks wait in the (in-memory) queue instead of running at once, as they do on a server until the worker
    takes them; run_queued() is the worker taking them."""
    HUEY._immediate = False  # noqa: SLF001 (the property would also swap the in-memory storage for the real one)

    def run_queued() -> list[str]:
        tasks = []
        while (task := HUEY.dequeue()) is not None:
            tasks.append(task)
        # Executed as in immediate mode, so that db_task leaves the test's database connection (and its
        # transaction) open, as a worker's own connection would be.
        HUEY._immediate = True  # noqa: SLF001
        for task in tasks:
            HUEY.execute(task)
        return [task.name for task in tasks]

    yield run_queued
    HUEY._immediate = True  # noqa: SLF001
    HUEY.flush()


def test_the_reset_request_only_queues_the_email_and_the_worker_sends_it(cast, client, queue_held):
    cast.reporter.email = "teacher@oak.sch.uk"
    cast.reporter.save()
    with CaptureQueriesContext(connection) as known:
        response = client.post(reverse("password_reset"), {"email": "teacher@oak.sch.uk"})
    assert response.status_code == 302 and len(mail.outbox) == 0
    with CaptureQueriesContext(connection) as unknown:
        client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert len(mail.outbox) == 0
    # The page does the same work for a known and an unknown address: it does not even look the address up.
    assert [q["sql"] for q in known.captured_queries] == [q["sql"] for q in unknown.captured_queries]
    assert queue_held() == ["password_reset_send_task"] * 2
    assert [m.to for m in mail.outbox] == [["teacher@oak.sch.uk"]]
    assert "http://testserver/accounts/reset/" in mail.outbox[0].body


def test_pages_need_login(client):
    response = client.get("/incidents/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_logout_is_post_only(cast, login):
    client = login(cast.reporter)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302


def test_login_with_the_email_address(cast, client, password):
    cast.reporter.email = "teacher@oak.sch.uk"
    cast.reporter.save()
    response = client.post(
        reverse("login"), {"username": "Teacher@oak.sch.uk", "password": password, "next": "/incidents/"}
    )
    assert response.status_code == 302 and response["Location"] == "/incidents/"


def test_a_wrong_password_by_email_counts_towards_the_lockout(cast, client, password, settings):
    cast.reporter.email = "teacher@oak.sch.uk"
    cast.reporter.save()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("login"), {"username": "teacher@oak.sch.uk", "password": "wrong"})
    assert response.status_code in (200, 429)
    response = client.post(reverse("login"), {"username": "teacher@oak.sch.uk", "password": password})
    assert response.status_code == 429


def test_nobody_signs_themselves_up(client):
    passphrase = "A-long-passphrase-42"
    response = client.post(
        "/accounts/signup/",
        {"username": "newbie", "email": "new@oak.sch.uk", "password1": passphrase, "password2": passphrase},
    )
    assert "You cannot make your own account" in response.content.decode()
    from schooldesk.accounts.models import User

    assert not User.objects.filter(username="newbie").exists()


def test_allauths_own_password_reset_leads_to_the_desks(client):
    assert client.get("/accounts/password/reset/")["Location"] == reverse("password_reset")

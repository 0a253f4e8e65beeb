"""Sign-in throttling as it runs in production: behind nginx with SCHOOLDESK_TRUSTED_PROXY=1. Most tests send the
headers deploy/nginx.conf.example sets (the `behind_nginx` fixture; the app itself only ever sees 127.0.0.1); the
last ones go through a real nginx started with that configuration (`core/tests/nginx.py`), from several loopback
addresses."""

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse

from schooldesk.core.tests.nginx import Visitor, nginx  # noqa: F401
from schooldesk.core.throttling import client_address

pytestmark = pytest.mark.django_db


def sign_in(client, username, password, headers):
    return client.post(reverse("login"), {"username": username, "password": password}, **headers)


def test_one_password_sprayed_over_many_accounts_from_one_address_is_stopped(
    cast, client, password, settings, behind_nginx
):
    sprayer = behind_nginx("203.0.113.7")
    answers = [
        sign_in(client, f"guess{n}", "Summer2026!", sprayer).status_code
        for n in range(settings.SCHOOLDESK_LOGIN_ADDRESS_LIMIT)
    ]
    assert answers == [200] * (settings.SCHOOLDESK_LOGIN_ADDRESS_LIMIT - 1) + [429]
    # The address is now paused, whichever account it tries, even with the right password ...
    assert sign_in(client, cast.spoc.username, password, sprayer).status_code == 429
    # ... and nobody else is.
    assert sign_in(client, cast.spoc.username, password, behind_nginx("198.51.100.20")).status_code == 302


def test_a_stranger_cannot_lock_a_person_out(cast, client, password, settings, behind_nginx):
    stranger, spoc_at_school = behind_nginx("203.0.113.66"), behind_nginx("198.51.100.20")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, cast.spoc.username, "wrong", stranger)
    assert sign_in(client, cast.spoc.username, password, stranger).status_code == 429
    assert sign_in(client, cast.spoc.username, password, spoc_at_school).status_code == 302


def test_an_account_tried_from_many_addresses_is_paused_at_the_slower_account_limit(
    cast, client, password, settings, behind_nginx
):
    settings.SCHOOLDESK_LOGIN_ACCOUNT_LIMIT = 12
    home = behind_nginx("198.51.100.20")
    for n in range(settings.SCHOOLDESK_LOGIN_ACCOUNT_LIMIT - 1):
        sign_in(client, cast.owner.username, "wrong", behind_nginx(f"203.0.113.{n + 1}"))
    assert sign_in(client, cast.owner.username, password, home).status_code == 302  # not yet
    client.post(reverse("logout"), **home)
    sign_in(client, cast.owner.username, "wrong", behind_nginx("203.0.113.99"))
    assert sign_in(client, cast.owner.username, password, home).status_code == 429


def test_a_try_while_locked_out_does_not_extend_the_pause(cast, client, settings, behind_nginx):
    stranger = behind_nginx("203.0.113.66")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, cast.spoc.username, "wrong", stranger)
    before = AccessAttempt.objects.get()
    assert sign_in(client, cast.spoc.username, "wrong again", stranger).status_code == 429
    after = AccessAttempt.objects.get()
    assert (after.attempt_time, after.failures_since_start) == (before.attempt_time, before.failures_since_start)


def test_signing_in_to_ones_own_account_does_not_clear_an_addresss_failures(
    cast, client, password, settings, behind_nginx
):
    sprayer = behind_nginx("203.0.113.7")
    for n in range(settings.SCHOOLDESK_LOGIN_ADDRESS_LIMIT - 1):
        sign_in(client, f"guess{n}", "Summer2026!", sprayer)
    assert sign_in(client, cast.reporter.username, password, sprayer).status_code == 302  # the sprayer's own account
    client.post(reverse("logout"), **sprayer)
    sign_in(client, "guess-last", "Summer2026!", sprayer)
    assert sign_in(client, cast.reporter.username, password, sprayer).status_code == 429


def test_a_person_signing_in_clears_their_own_failures_from_that_address(
    cast, client, password, settings, behind_nginx
):
    office = behind_nginx("198.51.100.20")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, cast.spoc.username, "wrong", office)
    assert sign_in(client, cast.spoc.username, password, office).status_code == 302
    assert not AccessAttempt.objects.exists()


def test_x_real_ip_is_believed_only_behind_a_trusted_proxy(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.9", HTTP_X_REAL_IP="203.0.113.7")
    settings.TRUSTED_PROXY = False
    assert client_address(request) == "192.0.2.9"
    settings.TRUSTED_PROXY = True
    assert client_address(request) == "203.0.113.7"


def test_without_a_trusted_proxy_a_made_up_address_does_not_escape_the_limit(cast, client, password, settings):
    settings.TRUSTED_PROXY = False
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, cast.spoc.username, "wrong", {"HTTP_X_REAL_IP": f"203.0.113.{n + 1}"})
    assert sign_in(client, cast.spoc.username, password, {"HTTP_X_REAL_IP": "198.51.100.20"}).status_code == 429


# --- through a real nginx with deploy/nginx.conf.example --------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_through_nginx_a_stranger_is_paused_by_their_own_address_and_the_spoc_is_not(
    nginx, cast, password, settings, behind_nginx
):
    """Behind nginx every request reaches the desk from 127.0.0.1; each visitor is still counted by their own
    address, and an X-Real-IP the visitor makes up is replaced by nginx's, so it escapes nothing."""
    stranger, spoc_at_school = Visitor(nginx, "127.0.0.2"), Visitor(nginx, "127.0.0.3")
    answers = [
        stranger.sign_in(cast.spoc.username, "wrong", {"X-Real-IP": f"203.0.113.{n + 1}"})
        for n in range(settings.AXES_FAILURE_LIMIT + 1)
    ]
    assert answers == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429, 429]
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.2"}
    assert stranger.sign_in(cast.spoc.username, password) == 429
    assert spoc_at_school.sign_in(cast.spoc.username, password) == 302


@pytest.mark.django_db(transaction=True)
def test_through_nginx_one_password_sprayed_over_many_accounts_is_stopped(
    nginx, cast, password, settings, behind_nginx
):
    sprayer, reporter = Visitor(nginx, "127.0.0.4"), Visitor(nginx, "127.0.0.5")
    limit = settings.SCHOOLDESK_LOGIN_ADDRESS_LIMIT
    answers = [sprayer.sign_in(f"guess{n}", "Summer2026!") for n in range(limit)]
    assert answers == [200] * (limit - 1) + [429]
    assert sprayer.sign_in(cast.reporter.username, password) == 429
    assert reporter.sign_in(cast.reporter.username, password) == 302

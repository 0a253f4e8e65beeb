"""The Django admin: superusers only, and off the public surface in production (SCHOOLDESK_ADMIN_PATH)."""

import importlib

import pytest
from django.urls import clear_url_caches

from schooldesk.accounts.tests.factories import UserFactory
from schooldesk.core.tests.test_settings import ROOT


@pytest.fixture
def admin_at(settings):
    """admin_at("path" or "") -> the URL configuration rebuilt as a process started with that setting builds it."""
    import config.urls

    def _at(value: str):
        settings.SCHOOLDESK_ADMIN_PATH = value
        importlib.reload(config.urls)
        clear_url_caches()

    yield _at
    settings.SCHOOLDESK_ADMIN_PATH = "django-admin"
    importlib.reload(config.urls)
    clear_url_caches()


@pytest.mark.django_db
def test_staff_who_are_not_superusers_cannot_use_the_admin(client, password):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    response = client.get("/django-admin/")
    assert response.status_code == 302 and response["Location"].startswith("/django-admin/login/")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/django-admin/").status_code == 200


@pytest.mark.django_db
def test_the_admin_path_is_set_by_configuration_or_the_admin_is_off(client, admin_at):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    admin_at("desk-admin-7f3c")
    assert client.get("/desk-admin-7f3c/").status_code == 200
    assert client.get("/django-admin/").status_code == 404
    admin_at("")
    assert client.get("/django-admin/").status_code == 404
    assert client.get("/django-admin/login/").status_code == 404


def admin_path_in(tmp_path, **env) -> str:
    import os
    import subprocess
    import sys

    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("SCHOOLDESK_", "DJANGO_")) and k != "PYTEST_VERSION"
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SCHOOLDESK_VAR_DIR=str(tmp_path),
        DJANGO_SECRET_KEY="x" * 50,
        SCHOOLDESK_SECRET_KEYS="A" * 43 + "=",
        **env,
    )
    code = "from django.conf import settings; print(repr(settings.SCHOOLDESK_ADMIN_PATH))"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,  # noqa: S603
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_production_has_no_admin_unless_it_is_given_a_path(tmp_path):
    assert admin_path_in(tmp_path) == "'django-admin'"  # development, `make run`: unchanged
    assert admin_path_in(tmp_path, SCHOOLDESK_PRODUCTION="1") == "''"
    assert (
        admin_path_in(tmp_path, SCHOOLDESK_PRODUCTION="1", SCHOOLDESK_ADMIN_PATH="/desk-admin-7f3c/")
        == "'desk-admin-7f3c'"
    )

"""Settings that come from the environment, read as a fresh process reads them."""

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def settings_in(tmp_path, **env) -> list[str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("SCHOOLDESK_", "DJANGO_")) and k != "PYTEST_VERSION"
    }
    environment.update(DJANGO_SETTINGS_MODULE="config.settings", SCHOOLDESK_VAR_DIR=str(tmp_path), **env)
    code = (
        "from django.conf import settings; "
        "print(settings.SCHOOLDESK_SITE_URL); print(settings.SCHOOLDESK_SITE_URL_IS_SET)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,  # noqa: S603
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.split()


def test_the_site_url_follows_the_address_make_run_serves(tmp_path):
    assert settings_in(tmp_path) == ["http://127.0.0.1:8000", "False"]
    assert settings_in(tmp_path, SCHOOLDESK_HOST="0.0.0.0", SCHOOLDESK_PORT="8102") == [  # noqa: S104
        "http://0.0.0.0:8102",
        "False",
    ]


def test_schooldesk_site_url_wins(tmp_path):
    assert settings_in(tmp_path, SCHOOLDESK_PORT="8102", SCHOOLDESK_SITE_URL="https://desk.oakfield.sch.uk/") == [
        "https://desk.oakfield.sch.uk",
        "True",
    ]


def test_make_run_passes_its_address_to_every_process_and_prints_it():
    result = subprocess.run(
        ["make", "-n", "run", "PORT=8102"],
        cwd=ROOT,  # noqa: S603, S607
        capture_output=True,
        text=True,
        check=True,
    )
    lines = result.stdout.splitlines()
    for command in ("manage.py demo_logins", "manage.py run_huey", "manage.py runserver 127.0.0.1:8102"):
        line = next(line for line in lines if command in line)
        assert "SCHOOLDESK_HOST=127.0.0.1 SCHOOLDESK_PORT=8102" in line, line
    assert any("starting on http://127.0.0.1:8102/" in line for line in lines)


def test_the_production_settings_pass_djangos_deployment_checks(tmp_path):
    """`manage.py check --deploy` is clean (issue 13): the production settings as `make lint` and deploy/env.example
    give them, in a fresh process, with warnings counted as failures."""
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("SCHOOLDESK_", "DJANGO_")) and k != "PYTEST_VERSION"
    }
    environment.update(
        SCHOOLDESK_VAR_DIR=str(tmp_path),
        SCHOOLDESK_PRODUCTION="1",
        SCHOOLDESK_TRUSTED_PROXY="1",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        SCHOOLDESK_SECRET_KEYS=base64.urlsafe_b64encode(os.urandom(32)).decode(),
        DJANGO_ALLOWED_HOSTS="desk.example.sch.uk",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],  # noqa: S603
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout

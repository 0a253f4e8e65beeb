"""Log lines as structured lines (schooldesk/core/logs.py, middleware.py): a request id on every line and in the
response, the person and school where known, never a password or a message body; Sentry only with SENTRY_DSN."""

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from schooldesk.accounts.tests.factories import MembershipFactory
from schooldesk.core.logs import JsonFormatter, RequestContextFilter, TextFormatter, sentry_before_send
from schooldesk.core.middleware import RequestIdMiddleware
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.schools.models import School
from schooldesk.schools.tests.factories import SchoolFactory

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def log_lines():
    """Every record at DEBUG and above, as the JSON handler of SCHOOLDESK_LOG_FORMAT=json writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.mark.django_db
def test_a_request_line_has_the_request_id_person_and_school_and_the_id_goes_back(cast, login, log_lines):
    response = login(cast.technician).get("/incidents/?status=open")
    assert response.status_code == 200 and len(response["X-Request-ID"]) == 32
    [line] = [line for line in log_lines() if line["logger"] == "schooldesk.request"]
    assert line == line | {
        "level": "INFO",
        "request_id": response["X-Request-ID"],
        "user_id": cast.technician.pk,
        "school_id": cast.school.pk,
        "method": "GET",
        "path": "/incidents/",
        "status": 200,
    }
    assert "status=open" not in json.dumps(line)  # the query string (search words) is not logged


@pytest.mark.django_db
def test_a_person_of_two_schools_acting_on_a_call_is_logged_with_the_call_s_school(cast, login, log_lines):
    SchoolFactory(organisation=cast.school.organisation)  # a second school where the SPOC also runs the desk
    MembershipFactory(user=cast.spoc, school=School.objects.exclude(pk=cast.school.pk).get(), role="spoc")
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    client = login(cast.spoc)
    page = client.get(f"/incidents/{incident.pk}/")
    assert f'action="/incidents/{incident.pk}/reply/"' in page.content.decode()
    response = client.post(
        f"/incidents/{incident.pk}/reply/", {"body": "Swapped the HDMI lead in 4B", "is_public": "on"}
    )
    assert response.status_code == 302
    [line] = [line for line in log_lines() if line["logger"] == "schooldesk.request" and line["method"] == "POST"]
    assert (line["user_id"], line["school_id"], line["status"]) == (cast.spoc.pk, cast.school.pk, 302)
    assert "HDMI" not in json.dumps(log_lines())


@pytest.mark.django_db
def test_the_proxy_s_request_id_is_kept_and_a_forged_one_is_replaced(client, log_lines):
    assert client.get("/health/", HTTP_X_REQUEST_ID="nginx-5f2b.77")["X-Request-ID"] == "nginx-5f2b.77"
    forged = client.get("/health/", HTTP_X_REQUEST_ID='x" level=ERROR\n{"forged": 1}')["X-Request-ID"]
    assert len(forged) == 32 and "forged" not in forged
    lines = [line for line in log_lines() if line["logger"] == "schooldesk.request"]
    assert [line["request_id"] for line in lines] == ["nginx-5f2b.77", forged]
    assert "user_id" not in lines[0]  # nobody signed in


def test_a_line_written_while_a_view_runs_has_its_request_id_and_the_traceback(log_lines):
    def view(request):
        try:
            raise ValueError("the printer queue is stuck")
        except ValueError:
            logging.getLogger("schooldesk.mail").exception("Email %s could not be processed", 7)
        return HttpResponse()

    response = RequestIdMiddleware(view)(RequestFactory().get("/mail/"))
    error = next(line for line in log_lines() if line["level"] == "ERROR")
    assert error["request_id"] == response["X-Request-ID"] and error["message"] == "Email 7 could not be processed"
    assert "ValueError: the printer queue is stuck" in error["exception"]
    logging.getLogger("schooldesk.mail").warning("after the request")
    assert "request_id" not in log_lines()[-1]


@pytest.mark.django_db
def test_no_password_or_message_body_reaches_the_log(cast, login, log_lines):
    client = login(cast.spoc)
    form = {
        "school": cast.school.pk,
        "name": "",
        "address": "desk@oak.sch.uk",
        "host": "imap.oak.sch.uk",
        "port": 993,
        "security": "ssl",
        "username": "desk@oak.sch.uk",
        "auth_method": "password",
        "password": "Sup3r-s3cret!",
        "folder": "INBOX",
        "unknown_senders": "hold",
        "rate_limit_per_hour": 20,
        "poll_every_minutes": 2,
    }
    assert client.post("/mail/mailboxes/new/", form).status_code == 400  # Django logs "Bad Request" with the request
    logging.getLogger("schooldesk.mail").warning(
        "Email from %s held", "a@b.example", extra={"body": "Dear desk, my password is hunter2"}
    )
    lines = log_lines()
    written = "\n".join(json.dumps(line) for line in lines)
    bad = next(line for line in lines if line["message"] == "Bad Request: /mail/mailboxes/new/")
    assert bad["request_id"] and bad["user_id"] == cast.spoc.pk and "held" in written
    assert "Sup3r-s3cret!" not in written and "hunter2" not in written


def test_the_text_format_names_the_request_or_a_dash():
    record = logging.LogRecord("schooldesk.mail", logging.WARNING, __file__, 1, "Email %s failed", (3,), None)
    RequestContextFilter().filter(record)
    assert TextFormatter().format(record).endswith("WARNING schooldesk.mail [-] Email 3 failed")


def test_sentry_events_carry_the_request_id_and_the_person_by_id_only(rf, cast):
    request = rf.get("/")
    request.user = cast.spoc

    def view(request):
        event = sentry_before_send({"tags": {"level": "error"}}, {})
        return HttpResponse(json.dumps(event))

    response = RequestIdMiddleware(view)(request)
    event = json.loads(response.content)
    assert event == {
        "tags": {"level": "error", "request_id": response["X-Request-ID"]},
        "user": {"id": str(cast.spoc.pk)},
    }


def settings_process(tmp_path, code: str, **env) -> subprocess.CompletedProcess:
    """A fresh process reading the settings, with a stand-in `sentry_sdk` package first on its path that
    records what it was asked (sentry-sdk itself is installed only where SENTRY_DSN is used)."""
    fake = tmp_path / "fake" / "sentry_sdk"
    (fake / "integrations").mkdir(parents=True, exist_ok=True)
    (fake / "__init__.py").write_text("calls = []\ndef init(**options):\n    calls.append(options)\n")
    (fake / "integrations" / "__init__.py").write_text("")
    (fake / "integrations" / "django.py").write_text("class DjangoIntegration:\n    pass\n")
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SCHOOLDESK_", "DJANGO_", "SENTRY_")) and k != "PYTEST_VERSION"
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SCHOOLDESK_VAR_DIR=str(tmp_path),
        PYTHONPATH=os.pathsep.join(filter(None, [str(fake.parent), os.environ.get("PYTHONPATH")])),
        **env,
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,  # noqa: S603
        capture_output=True,
        text=True,
        check=True,
    )


def test_without_sentry_dsn_sentry_is_not_even_imported(tmp_path):
    code = "import sys, django; django.setup(); print('sentry_sdk' in sys.modules)"
    assert settings_process(tmp_path, code).stdout.strip() == "False"


def test_with_sentry_dsn_sentry_starts_without_personal_data_or_request_bodies(tmp_path):
    code = (
        "import django; django.setup(); import sentry_sdk; [options] = sentry_sdk.calls; "
        "print(options['dsn'], options['send_default_pii'], options['max_request_body_size'], "
        "options['before_send'].__name__, type(options['integrations'][0]).__name__)"
    )
    result = settings_process(tmp_path, code, SENTRY_DSN="https://key@sentry.example.gov.uk/4")
    assert result.stdout.split() == [
        "https://key@sentry.example.gov.uk/4",
        "False",
        "never",
        "sentry_before_send",
        "DjangoIntegration",
    ]


def test_json_lines_when_the_environment_asks_for_them(tmp_path):
    code = "import logging, django; django.setup(); logging.getLogger('schooldesk.mail').warning('Mailbox %s', 4)"
    line = json.loads(settings_process(tmp_path, code, SCHOOLDESK_LOG_FORMAT="json").stderr)
    assert line == line | {"level": "WARNING", "logger": "schooldesk.mail", "message": "Mailbox 4"}
    assert "[-] Mailbox 4" in settings_process(tmp_path, code).stderr

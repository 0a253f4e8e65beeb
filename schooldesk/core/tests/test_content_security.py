"""What the desk tells browsers and caches about its pages (docs/decisions/0015): a Content-Security-Policy that
allows only the desk's own scripts, styles and images, and `Cache-Control: no-store` on everything personal.

The walks (tenancy, forms) check both headers on every page they read (`pages.header_faults`); here, the pages
that matter most one by one, static files keeping their caching, and a real browser showing that the policy
blocks nothing the desk itself does (htmx, Bootstrap, Chart.js, the copy button)."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from schooldesk.core.tests.browser import sign_in
from schooldesk.core.tests.pages import header_faults, policy_fault, policy_of
from schooldesk.incidents.services import incident_triage
from schooldesk.incidents.tests.factories import IncidentFactory


@pytest.fixture
def restricted(cast):
    call = IncidentFactory(school=cast.school, by=cast.reporter, summary="Pupil photos emailed to the wrong parent")
    return incident_triage(
        incident=call, by=cast.spoc, version=call.version, category=None, impact="I2", urgency="U1", is_restricted=True
    )


@pytest.mark.django_db
def test_a_restricted_call_its_api_answer_and_the_sign_in_page_are_never_stored(cast, restricted, client):
    assert "no-store" in client.get("/accounts/login/")["Cache-Control"]
    client.force_login(cast.dpo)
    for url in (f"/incidents/{restricted.pk}/", f"/api/v1/incidents/{restricted.pk}/", "/api/v1/incidents/", "/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not header_faults(response, url), header_faults(response, url)
    policy = policy_of(client.get(f"/incidents/{restricted.pk}/"))
    assert policy["frame-ancestors"] == ["'none'"] and policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'self'"] and "'unsafe-inline'" not in policy["style-src"]


@pytest.mark.django_db
def test_static_files_keep_their_caching(client):
    response = client.get("/static/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.django_db
def test_only_the_mailbox_page_may_send_its_form_to_microsoft_or_google(cast, client):
    from schooldesk.mail.models import Mailbox

    mailbox = Mailbox.objects.create(
        school=cast.school,
        name="Desk",
        host="outlook.office365.com",
        address="desk@oak.example",
        username="desk@oak.example",
        auth_method="microsoft",
        oauth_client_id="app",
        oauth_client_secret="secret",
    )
    client.force_login(cast.spoc)
    page = policy_of(client.get(f"/mail/mailboxes/{mailbox.pk}/"))
    assert page["form-action"] == ["'self'", "https://accounts.google.com", "https://login.microsoftonline.com"]
    assert policy_of(client.get("/"))["form-action"] == ["'self'"]


@pytest.mark.django_db
def test_an_answer_made_before_any_view_carries_the_policy_too(client, settings):
    """A refused Host header (400) and the HTTPS redirect are made by middleware, not a view: they carry it too."""
    refused = client.get("/accounts/login/", HTTP_HOST="desk.example.invalid")
    assert refused.status_code == 400 and "html" in refused["Content-Type"]
    assert policy_fault(refused) is None, refused.get("Content-Security-Policy")
    settings.SECURE_SSL_REDIRECT = True
    redirect = Client().get("/accounts/login/")  # a new client: SecurityMiddleware reads the setting when made
    assert redirect.status_code == 301 and redirect["Location"].startswith("https://")
    assert policy_fault(redirect) is None, redirect.get("Content-Security-Policy")


@pytest.mark.django_db
def test_every_html_answer_in_the_suite_is_checked_for_the_policy(
    cast, client, settings, _every_html_answer_carries_the_policy
):
    """The suite-wide check (schooldesk/conftest.py) notes an HTML answer without the policy, whichever page; a
    page with it, and an answer that is not HTML, pass."""
    noted = _every_html_answer_carries_the_policy
    client.force_login(cast.spoc)
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/incidents/").status_code == 200
    assert noted == []
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != "csp.middleware.CSPMiddleware"]
    without = Client()  # a new client: the handler reads MIDDLEWARE when it is made
    without.force_login(cast.spoc)
    assert without.get("/incidents/").status_code == 200
    assert without.get("/api/v1/incidents/").status_code == 200
    assert len(noted) == 1 and noted[0].startswith("GET /incidents/: Content-Security-Policy None"), noted
    noted.clear()  # this test's own answers without the policy were made on purpose


WATCH = """window.__violations = [];
document.addEventListener('securitypolicyviolation',
  e => window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_policy_blocks_nothing_the_desk_does_in_chromium(cast, restricted, open_page, password):
    """Home, a call page, the service report (Chart.js), the calendar page's copy button: loaded in Chromium
    under the policy, with no violation reported by the page and no error on the console."""
    IncidentFactory(school=cast.school, by=cast.reporter, summary="Projector flickers")
    page = open_page("desktop")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.add_init_script(script=WATCH)
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, cast.owner, password)
    violations = []
    for url in ("/", f"/incidents/{restricted.pk}/", "/incidents/", "/reports/service/", "/diary/feed/"):
        response = page.goto(url)
        assert response.ok, f"{url} answered {response.status}"
        assert "script-src 'self'" in response.headers.get("content-security-policy", ""), f"{url}: no policy"
        assert page.evaluate("() => typeof window.htmx !== 'undefined' && typeof window.bootstrap !== 'undefined'")
        if url == "/reports/service/":
            assert page.locator("figure[data-chart]").count() > 0, "the service report drew no chart"
            page.wait_for_function("() => [...document.querySelectorAll('figure[data-chart]')].every(f => f.chart)")
        if url == "/diary/feed/":
            page.get_by_role("button", name="Copy").click()
            expect(page.locator("#feed-url")).to_be_visible()
            copied = page.evaluate("() => navigator.clipboard.readText()")
            assert copied == page.locator("#feed-url").input_value()
        violations += [f"{url}: {v}" for v in page.evaluate("() => window.__violations")]
    assert not violations, violations
    assert not errors, errors

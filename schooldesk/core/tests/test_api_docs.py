"""The API's documentation page (/api/v1/docs/): Swagger UI from the desk's own static files, working under the
Content-Security-Policy (no inline script: its start-up code is static/api-docs.js). docs/decisions/0025."""

import pytest

from schooldesk.core.tests.browser import screenshot, sign_in
from schooldesk.core.tests.test_content_security import WATCH

pytestmark = pytest.mark.django_db


def test_the_docs_page_serves_our_own_files_and_no_inline_script(cast, client):
    client.force_login(cast.spoc)
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html and "api-docs.js" in html
    assert "<script>" not in html and "<style" not in html and "https://" not in html
    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert client.get("/api/v1/docs/").status_code == 200
    client.logout()
    assert client.get("/api/v1/docs/").status_code in (401, 403)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_docs_page_shows_every_endpoint_in_chromium_with_no_policy_violation(cast, open_page, password):
    page = open_page("desktop")
    page.add_init_script(script=WATCH)
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, cast.spoc, password)
    response = page.goto("/api/v1/docs/")
    assert response.ok and "script-src 'self'" in response.headers.get("content-security-policy", "")
    page.wait_for_selector(".opblock", timeout=20000)
    text = page.inner_text("#swagger-ui")
    for path in (
        "/api/v1/incidents/{id}/escalate/",
        "/api/v1/locations/",
        "/api/v1/assets/",
        "/api/v1/reports/service/",
        "/api/v1/contracts/",
    ):
        assert path in text, f"the docs page does not list {path}"
    screenshot(page, "api-docs.png")
    assert not page.evaluate("() => window.__violations"), page.evaluate("() => window.__violations")
    assert not errors, errors

"""Help where people need it: a Help link on every page opens the guide for the person's own role, and every button
a guide names is one the app really shows (so renaming a button without the guide fails here)."""

import re
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from schooldesk.accounts.tests.factories import MembershipFactory
from schooldesk.core.tests.test_tenancy import walk
from schooldesk.core.views import GUIDES

pytestmark = pytest.mark.django_db

ROLE_GUIDE = {
    "reporter": "reporter",
    "spoc": "spoc",
    "technician": "technician",
    "provider": "provider",
    "owner": "owner",
    "viewer": "oversight",
    "dpo": "oversight",
}
HELP_LINK = '<a href="/help/">Help</a>'
UI_NAME = re.compile(r'<strong class="ui">(.*?)</strong>', re.S)
CONTROL = re.compile(r"<(button|a|summary)\b[^>]*>(.*?)</\1>", re.S)
TRANSLATED = re.compile(r"""\{% (?:translate|trans) (?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")


def app_controls() -> set[str]:
    """The text of every button, link and expandable section (<summary>) in the app's own templates."""
    names = set()
    for path in Path(settings.BASE_DIR, "schooldesk").glob("**/templates/**/*.html"):
        if "/core/help/" in str(path) or "/email/" in str(path):
            continue
        for match in CONTROL.finditer(path.read_text()):
            names |= {double or single for double, single in TRANSLATED.findall(match.group(2))}
    # the call page's actions carry their own heading and button (incidents/actions.py), drawn by one template
    from schooldesk.incidents.actions import CALL_ACTIONS

    for action in CALL_ACTIONS:
        names |= {str(action.title), str(action.button)}
    return names


@pytest.mark.parametrize("role", ROLE_GUIDE)
def test_the_help_link_opens_the_guide_for_the_persons_own_role(cast, login, role):
    client = login(getattr(cast, role))
    home = client.get(reverse("home")).content.decode()
    assert HELP_LINK in home
    response = client.get("/help/", follow=True)
    assert response.redirect_chain == [(f"/help/{ROLE_GUIDE[role]}/", 302)]
    page = response.content.decode()
    title = str(GUIDES[ROLE_GUIDE[role]][0])
    assert f'<h1 class="h3" id="guide-h">{title}</h1>' in page.replace("&#x27;", "'")
    assert "What you do" in page or "Heads and governors" in page
    assert 'aria-current="page" class="fw-semibold">' in page and "your role" in page


def test_someone_with_two_roles_is_offered_both_guides_first(cast, other, login):
    MembershipFactory(user=cast.technician, school=other.school, role="spoc")
    page = login(cast.technician).get("/help/").content.decode()
    mine = page[page.index("Your guides") : page.index("Other guides")]
    assert "/help/spoc/" in mine and "/help/technician/" in mine and "/help/reporter/" not in mine
    assert "/help/reporter/" in page[page.index("Other guides") :]


@pytest.mark.parametrize("slug", GUIDES)
def test_every_button_a_guide_names_is_one_the_app_shows(cast, login, slug):
    controls = app_controls()
    assert "Send to the service desk" in controls and "Triage queue" in controls and "Press here" not in controls
    page = login(cast.reporter).get(f"/help/{slug}/")
    assert page.status_code == 200
    named = {unescape(re.sub(r"\s+", " ", name)).strip() for name in UI_NAME.findall(page.content.decode())}
    assert len(named) >= 5, f"the {slug} guide names too few buttons: {named}"
    missing = sorted(named - controls)
    assert not missing, f"the {slug} guide names buttons no template shows: {missing}"


def test_the_help_link_is_on_every_page(cast, login):
    """Every page without parameters in the URL configuration, as the ICT owner (who sees the most), and a call's
    page as its reporter: each full HTML page has the link in its footer."""
    client = login(cast.owner)
    checked = 0
    for route, _pattern in walk():
        if "<" in route or route.startswith(("api/", "django-admin/", "accounts/")) or "format" in route:
            continue
        response = client.get("/" + route)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        body = response.content.decode()
        if "<html" not in body:
            continue  # an htmx fragment
        assert HELP_LINK in body, f"/{route} has no Help link"
        checked += 1
    assert checked > 30, f"only {checked} pages were checked: is the walk broken?"


def test_signed_out_pages_do_not_offer_a_help_link_that_only_leads_back_to_sign_in(client):
    assert HELP_LINK not in client.get("/accounts/login/").content.decode()
    assert client.get("/help/")["Location"].startswith("/accounts/login/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_in_a_browser_the_spoc_follows_help_to_an_accessible_guide(cast, signed_in, viewport):
    from playwright.sync_api import expect

    from schooldesk.core.tests.browser import axe_violations, describe_violations, horizontal_overflow, screenshot

    page = signed_in(cast.spoc, viewport)
    page.get_by_role("contentinfo").get_by_role("link", name="Help").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Running the service desk (SPOC)")
    violations = axe_violations(page)
    screenshot(page, f"help-spoc-{viewport}.png")
    assert not violations, describe_violations(violations)
    overflow = horizontal_overflow(page)
    assert overflow["overflow"] <= 1, overflow
    page.get_by_role("link", name="Reporting a problem").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reporting a problem")

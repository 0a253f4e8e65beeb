"""Fixtures shared by every app's tests: two schools in two organisations and a cast of roles."""

import os
import re
from dataclasses import dataclass

import pytest

from schooldesk.accounts.tests.factories import PASSWORD, MembershipFactory, UserFactory
from schooldesk.core.tests.browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, VIEWPORTS, sign_in
from schooldesk.schools.tests.factories import OrganisationFactory, SchoolFactory
from schooldesk.suppliers.models import Supplier


@dataclass
class Cast:
    school: object
    supplier: object
    reporter: object
    spoc: object
    technician: object
    provider: object
    owner: object
    viewer: object
    dpo: object


def make_cast(prefix: str, organisation=None) -> Cast:
    organisation = organisation or OrganisationFactory(name=f"{prefix.title()} Council")
    school = SchoolFactory(organisation=organisation, name=f"{prefix.title()} Primary School")
    supplier = Supplier.objects.create(
        organisation=organisation, name=f"{prefix.title()} Support Ltd", email=f"help@{prefix}-support.example"
    )
    people = {}
    for role in ("reporter", "spoc", "technician", "provider", "owner", "viewer", "dpo"):
        user = UserFactory(username=f"{prefix}-{role}")
        MembershipFactory(user=user, school=school, role=role, supplier=supplier if role == "provider" else None)
        people[role] = user
    return Cast(school=school, supplier=supplier, **people)


@pytest.fixture
def cast(db) -> Cast:
    return make_cast("oak")


@pytest.fixture
def other(db) -> Cast:
    """A second school in another organisation: nothing of it may ever show to `cast`."""
    return make_cast("elm")


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture(autouse=True)
def _fresh_limits():
    """Every test starts with no request counted against the rate limits (schooldesk/core/throttling.py)."""
    from django.core.cache import cache

    cache.clear()
    # A test starts with no outage (schooldesk/outages): the banner every page reads from the cache knows it, so
    # pages cost what they will cost every time after their first (the outage services drop it when they change)
    from schooldesk.outages.selectors import BANNER_KEY

    cache.set(BANNER_KEY, {})


@pytest.fixture(autouse=True)
def _every_html_answer_carries_the_policy(monkeypatch):
    """Every HTML answer the desk gives in any test, through Django's test client or the live server the browser
    tests use, carries the Content-Security-Policy (issue 13, docs/decisions/0015): Django's request handler is
    wrapped to note each answer whose policy falls short (`pages.policy_fault`), and the test fails at its end
    if there was one. A response made outside the handler (a view called directly) is not an answer."""
    from django.core.handlers.base import BaseHandler

    from schooldesk.core.tests.pages import policy_fault

    faults = []
    get_response, get_response_async = BaseHandler.get_response, BaseHandler.get_response_async

    def note(request, response):
        if fault := policy_fault(response):
            faults.append(f"{request.method} {request.get_full_path()}: {fault}")
        return response

    def checked(self, request):
        return note(request, get_response(self, request))

    async def checked_async(self, request):
        return note(request, await get_response_async(self, request))

    monkeypatch.setattr(BaseHandler, "get_response", checked)
    monkeypatch.setattr(BaseHandler, "get_response_async", checked_async)
    yield faults  # a test of this check reads (and clears) what it noted
    if faults:
        pytest.fail("HTML answers without the Content-Security-Policy:\n" + "\n".join(faults[:20]), pytrace=False)


@pytest.fixture
def behind_nginx(settings):
    """The production configuration README describes: SCHOOLDESK_TRUSTED_PROXY=1 behind deploy/nginx.conf.example.
    behind_nginx("203.0.113.7") -> the headers nginx sends for a visitor at that address (the app sees 127.0.0.1)."""
    settings.TRUSTED_PROXY = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    def _headers(address: str) -> dict:
        return {
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_X_REAL_IP": address,
            "HTTP_X_FORWARDED_FOR": address,
            "HTTP_X_FORWARDED_PROTO": "https",
        }

    return _headers


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


# --- Real browser -------------------------------------------------------------------------------------
# Browser fixtures: Debian's Chromium driven by Playwright (sync API) against pytest-django's live server.
#
# - `live_server` serves the static files too (pytest-django uses Django's static files handler when
#   django.contrib.staticfiles is installed), so htmx, Bootstrap and axe-core load as in production.
# - Chromium is launched once per test module (per xdist worker), each test gets fresh contexts:
#   its own cookies, storage and viewport. `launch()` always starts Chromium with a fresh temporary
#   user-data-dir, deleted when the browser closes (a persistent profile would need
#   `launch_persistent_context`), so no test inherits another's profile.
# - Playwright's sync API runs an asyncio event loop on the test's own thread (in a greenlet) from
#   start to stop; Django then sees "a running event loop" and refuses every ORM call from the test
#   (fixtures, the database flush) with SynchronousOnlyOperation. Our code is synchronous and the ORM
#   is only ever used from one thread at a time here, so DJANGO_ALLOW_ASYNC_UNSAFE is set while
#   Playwright runs, and the previous value is restored when it stops: Playwright is module-scoped so
#   that the non-browser tests that xdist runs next in the same worker get neither the event loop nor
#   the relaxed check.
# - No Chromium at /usr/bin/chromium (or at SCHOOLDESK_CHROMIUM, if set): the tests skip, unless
#   SCHOOLDESK_REQUIRE_BROWSER is set (CI), then they fail.


DEFAULT_TIMEOUT_MS = 10_000


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, so the page fixture can screenshot a failure."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        reason = f"Chromium is not installed at {CHROMIUM} (run `make system-deps`)"
        if os.environ.get("SCHOOLDESK_REQUIRE_BROWSER"):
            pytest.fail(f"{reason}, and SCHOOLDESK_REQUIRE_BROWSER is set", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # see the module docstring
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def open_page(browser, live_server, request):
    """open_page("desktop" | "phone") -> a new page in its own context (own cookies) on the live server."""
    contexts = []

    def _open(viewport: str = "desktop"):
        context = browser.new_context(
            base_url=live_server.url, locale="en-GB", timezone_id="Europe/London", **VIEWPORTS[viewport]
        )
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield _open
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        for n, context in enumerate(contexts):
            for m, page in enumerate(context.pages):
                page.screenshot(path=str(SCREENSHOTS / f"FAILED-{name}-{n}{m}.png"), full_page=True)
    for context in contexts:
        context.close()


@pytest.fixture
def signed_in(open_page, password):
    """signed_in(user, "desktop" | "phone") -> a page where `user` has signed in through the login form."""

    def _signed_in(user, viewport: str = "desktop"):
        page = open_page(viewport)
        sign_in(page, user, password)
        return page

    return _signed_in

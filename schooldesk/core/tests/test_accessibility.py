"""WCAG 2.2 AA checks with axe-core in a real browser, on every main page, as the person who uses it.

axe-core comes from the npm registry at setup (static/vendor/axe.min.js) and is injected into each
page. A 'serious' or 'critical' violation fails the test with the rule, its help text and where."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from schooldesk.accounts.models import Membership
from schooldesk.accounts.tests.factories import PASSWORD, UserFactory
from schooldesk.core.tests.browser import axe_violations, describe_violations, horizontal_overflow, screenshot, sign_in
from schooldesk.incidents.models import Category
from schooldesk.incidents.services import (
    incident_assign,
    incident_reply,
    incident_resolve,
    incident_triage,
    satisfaction_token,
)
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.locations.models import Location
from schooldesk.outages.models import CallApproval
from schooldesk.outages.services import outage_declare
from schooldesk.schools.models import Closure, Term

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(cast):
    """A school with calls in several states, so lists, badges and timelines have something to show."""
    room = Location.objects.create(school=cast.school, name="Mrs Brown's class", building="Infant block")
    new = IncidentFactory(
        school=cast.school,
        by=cast.reporter,
        location=room,
        summary="Visualiser flickers",
        device="AST-000123",
        reporter_availability="Year 2 classroom all day",
        expected="A steady picture",
        happened="It flickers when the lights are on",
    )
    working = IncidentFactory(school=cast.school, by=cast.reporter, summary="Laptop trolley will not charge")
    working = incident_triage(
        incident=working, by=cast.spoc, version=working.version, category=None, impact="I2", urgency="U1"
    )
    working = incident_assign(incident=working, by=cast.spoc, version=working.version, technician=cast.technician)
    incident_reply(incident=working, by=cast.technician, body="Checked the fuse: it is fine.", is_public=False)
    fixed = IncidentFactory(school=cast.school, by=cast.reporter, summary="Printer offline")
    fixed = incident_resolve(
        incident=fixed, by=cast.technician, version=fixed.version, resolution="Turned it off and on again."
    )
    from schooldesk.accounts.models import SignInConnection
    from schooldesk.replies.models import CannedReply
    from schooldesk.safeguarding.tests.tenancy import build as restricted_lane  # gives the DPO the DSL role too

    # "Sign in with Microsoft" on the sign-in page, and a row in the school's sign-in settings
    SignInConnection.objects.create(
        school=cast.school,
        provider="microsoft",
        tenant_id="oak-tenant",
        domains="oak.sch.uk",
        client_id="oak-app",
        client_secret="oak-secret",
    )
    CannedReply.objects.create(school=cast.school, title="On our way", body="Hello {{ first_name }}: {{ reference }}.")
    # an outage (its banner is on every page checked here) and a request awaiting approval
    outage = outage_declare(
        by=cast.spoc,
        schools=[cast.school],
        title="Wi-Fi down in the Science block",
        advice="Use the wired computers in the library.",
    )
    cast.school.approver = cast.owner
    cast.school.save(update_fields=["approver"])
    # the school's calendar, so its settings page shows its tables (a Remove button ran off a phone's screen)
    Term.objects.create(
        school=cast.school,
        name="Autumn 2026",
        starts_on=date(2026, 9, 2),
        ends_on=date(2026, 12, 18),
        half_term_starts_on=date(2026, 10, 26),
        half_term_ends_on=date(2026, 10, 30),
    )
    Closure.objects.create(school=cast.school, name="INSET day", starts_on=date(2026, 9, 1), ends_on=date(2026, 9, 1))
    purchases = Category.objects.get(school=cast.school, name="Request: new equipment")
    purchases.needs_approval = True
    purchases.save(update_fields=["needs_approval"])
    request = IncidentFactory(school=cast.school, by=cast.reporter, kind="request", summary="A visualiser for Y2")
    incident_triage(
        incident=request, by=cast.spoc, version=request.version, category=purchases, impact="I3", urgency="U2"
    )
    lane = restricted_lane(cast, "Axe")
    from schooldesk.webhooks.tests.tenancy import build as webhook_with_attempts

    webhook = webhook_with_attempts(cast, "Council")["webhook"]
    from schooldesk.directory.tests.tenancy import build as directory_with_report

    directory = directory_with_report(cast, "Council")
    from schooldesk.devicesync.tests.tenancy import build as console_with_a_run

    consoles = console_with_a_run(cast, "Council")
    from schooldesk.loans.tests.factories import unsigned_loan
    from schooldesk.loans.tests.tenancy import build as device_loans

    loans = device_loans(cast, "Axe")
    # the council's ICT owner, across its schools: they set its two-step sign-in rule (docs/decisions/0032)
    cast.la_owner = UserFactory(username="oak-la-owner", first_name="Lee", last_name="Council")
    Membership.objects.create(user=cast.la_owner, organisation=cast.school.organisation, role="owner")
    pool = {
        "pool_loan": loans["swapped_loan"],
        "offer_loan": loans["repair_loan"],
        "pool_call": loans["pool_call"],
        "charge": loans["charge"],
        "charge_loan": loans["charge_loan"],
    }  # a loaner out, a spare, a charge
    return {
        "organisation": cast.school.organisation,
        "loan": loans["loan"],
        "unsigned_loan": unsigned_loan(cast),
        **pool,
        "new": new,
        "working": working,
        "fixed": fixed,
        "school": cast.school,
        "outage": outage,
        "approval": CallApproval.objects.get(incident=request),
        **lane,
        "breach_call": lane["breach"].incident,
        "webhook": webhook,
        "directory_connection": directory["directory_connection"],
        "directory_run": directory["directory_run"],
        "person": cast.technician,
        **consoles,
    }


def _open_all_details(page):
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")


def _submit_empty_report(page):
    page.get_by_role("button", name="Send to the service desk").click()
    expect(page.locator("#id_summary_error")).to_be_visible()


def _open_the_phone_menu(page):
    toggler = page.get_by_role("button", name="Show menu")
    expect(toggler).to_have_attribute("aria-expanded", "false")
    toggler.click()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#nav-links")).to_have_class(re.compile(r"\bshow\b"))  # Bootstrap's slide has finished
    expect(page.get_by_role("button", name="Calls")).to_be_visible()


def _make_a_token(page):
    page.goto("/accounts/api-tokens/new/")
    page.get_by_label("Name").fill("Governors' dashboard")
    page.get_by_role("button", name="Make the token").click()
    expect(page.locator("#new-token")).to_be_visible()


def _add_a_webhook(page):
    page.goto("/webhooks/new/")
    page.get_by_label("Name").fill("Teams: P1 calls")
    page.get_by_label("Address (URL)").fill("http://127.0.0.1:9/teams")
    page.get_by_label("A call is priority P1").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#new-secret")).to_be_visible()


def _confirm_the_password(page):
    """allauth asks for the password again before a change to two-step sign-in (docs/decisions/0032)."""
    if "reauthenticate" in page.url:
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name=re.compile("Confirm")).click()
        page.wait_for_url(lambda url: "reauthenticate" not in url)


def _open_the_calls_menu(page):
    """The Calls menu loads the person's views with their counts when it opens."""
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Calls", exact=True).click()
    expect(page.get_by_role("link", name=re.compile(r"^Mine, open"))).to_be_visible()


def _open_the_shortcuts(page):
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()


def _open_the_reply_picker(page):
    page.get_by_role("button", name="Insert a saved reply").click()
    expect(page.get_by_label("Find a reply")).to_be_focused()


#: name -> (who, URL (may use {new}, {fixed}, {school}), what to do before the check)
PAGES = {
    "login": (None, "/accounts/login/", None),
    "password-reset": (None, "/accounts/password-reset/", None),
    "home-reporter": ("reporter", "/", None),
    "report-form": ("reporter", "/incidents/new/", _open_all_details),
    "report-form-errors": ("reporter", "/incidents/new/", _submit_empty_report),
    "incident-reporter-resolved": ("reporter", "/incidents/{fixed}/", _open_all_details),
    "rating-link": ("reporter", "/incidents/rate/{rate}/", None),
    "api-token-form": ("reporter", "/accounts/api-tokens/new/", None),
    "api-tokens": ("reporter", "/accounts/api-tokens/", _make_a_token),
    "home-technician": ("technician", "/", None),
    "home-spoc": ("spoc", "/", None),
    "log-a-call": ("spoc", "/incidents/new/?for=caller", _open_all_details),
    "incident-list": ("spoc", "/incidents/", _open_all_details),
    "triage": ("spoc", "/incidents/triage/", None),
    "incident-spoc": ("spoc", "/incidents/{new}/", _open_all_details),
    "locations": ("spoc", "/locations/", None),
    "sign-in-settings": ("spoc", "/accounts/sign-in-settings/", None),
    "sign-in-settings-form": ("spoc", "/accounts/sign-in-settings/new/", None),
    "replacement-forecast": ("spoc", "/assets/forecast/", None),
    "location-form": ("spoc", "/locations/new/", None),
    "suppliers": ("spoc", "/suppliers/", None),
    "school-settings": ("spoc", "/schools/{school}/", None),
    "incident-report": ("spoc", "/reports/incidents/", None),
    "search-results": ("spoc", "/search/?q=printer", None),
    "empty-list": ("spoc", "/problems/", None),
    "filtered-to-nothing": ("spoc", "/locations/?q=zzqqxx", None),
    "audit-trail": ("dpo", "/reports/audit/", None),
    "home-dpo": ("dpo", "/", None),
    "breach-log": ("dpo", "/safeguarding/breaches/", None),
    "breach-record": ("dpo", "/safeguarding/breaches/{breach}/", None),
    "concerns": ("dpo", "/safeguarding/concerns/", None),
    "concern": ("dpo", "/safeguarding/concerns/{concern}/", None),
    "filter-register": ("dpo", "/safeguarding/filtering/", None),
    "filter-request-decide": ("dpo", "/safeguarding/filtering/{filter_request}/", None),
    "filter-review-form": ("dpo", "/safeguarding/reviews/new/", None),
    "filter-review-governor": ("viewer", "/safeguarding/reviews/{filter_review}/", None),
    "filter-request-form": ("reporter", "/safeguarding/filtering/new/", None),
    "restricted-call-for-the-desk": ("spoc", "/incidents/{breach_call}/", None),
    "saved-replies": ("spoc", "/replies/", None),
    "saved-reply-form": ("spoc", "/replies/new/", None),
    "saved-reply-picker": ("spoc", "/incidents/{new}/", _open_the_reply_picker),
    "shortcuts-help": ("spoc", "/incidents/", _open_the_shortcuts),
    "my-views": ("technician", "/incidents/views/", None),
    "calls-menu-views": ("technician", "/incidents/?whose=mine&state=open", _open_the_calls_menu),
    "outages": ("spoc", "/outages/", None),
    "outage-form": ("spoc", "/outages/new/", None),
    "outage-page": ("spoc", "/outages/{outage}/", None),
    "approval-page": ("owner", "/outages/approvals/{approval}/", None),
    "standards-matrix": ("owner", "/standards/", None),
    "standards-school": ("owner", "/standards/schools/{school}/", _open_all_details),
    "annual-review": ("owner", "/standards/reviews/{school}/", _open_all_details),
    "scheduled-checks": ("spoc", "/standards/checks/", None),
    "scheduled-check-form": ("spoc", "/standards/checks/new/", None),
    "data-protection": ("dpo", "/privacy/", None),
    "subject-access-form": ("dpo", "/privacy/requests/new/", None),
    "retention-schedule": ("dpo", "/privacy/retention/{school}/", None),
    "webhooks": ("owner", "/webhooks/", None),
    "webhook-form": ("owner", "/webhooks/new/", None),
    "webhook-attempts": ("owner", "/webhooks/{webhook}/", None),
    "directory-sync": ("owner", "/directory/", None),
    "directory-form": ("owner", "/directory/new/", None),
    "directory-connection": ("owner", "/directory/{directory_connection}/", None),
    "directory-report": ("spoc", "/directory/reports/{directory_run}/", None),
    "webhook-secret-shown": ("owner", "/webhooks/", _add_a_webhook),
    "people": ("owner", "/accounts/people/", None),
    "person": ("owner", "/accounts/people/{person}/", None),
    "person-invite": ("owner", "/accounts/people/invite/", None),
    "people-import": ("owner", "/accounts/people/import/", None),
    "consoles": ("spoc", "/devicesync/", None),
    "console-form": ("spoc", "/devicesync/new/", None),
    "console-page": ("spoc", "/devicesync/{console}/", None),
    "console-runs": ("spoc", "/devicesync/{console}/runs/", None),
    "console-run": ("spoc", "/devicesync/{console}/runs/{console_run}/", None),
    "device-loans": ("spoc", "/loans/", None),
    "loan-page": ("spoc", "/loans/{loan}/", None),
    "loan-agreement-sign": ("spoc", "/loans/{unsigned_loan}/agreement/", None),
    "loan-scanning": ("technician", "/loans/scan/?group=form:Axe-7B", None),
    "pupils": ("spoc", "/loans/pupils/", None),
    "pupil-form": ("spoc", "/loans/pupils/new/", None),
    "pupil-import": ("spoc", "/loans/pupils/import/", None),
    "loan-agreement-template": ("spoc", "/loans/agreements/new/", None),
    "loaner-pool": ("technician", "/loans/pool/{school}/", None),
    "loan-repairs": ("spoc", "/loans/{pool_loan}/repairs/", None),
    "loan-swap-offer": ("spoc", "/loans/{offer_loan}/repairs/", None),
    "call-with-loaner": ("spoc", "/incidents/{pool_call}/", None),
    "pool-settings": ("owner", "/loans/pool/{school}/settings/", None),
    "charge-list": ("owner", "/loans/charges/", _open_all_details),
    "charge-page": ("spoc", "/loans/charges/{charge}/", None),
    "charge-form": ("spoc", "/loans/{charge_loan}/charges/new/", None),
    "security": ("spoc", "/accounts/2fa/", None),
    "authenticator-app-setup": ("spoc", "/accounts/2fa/totp/activate/", _confirm_the_password),
    "passkey-add": ("spoc", "/accounts/2fa/webauthn/add/", _confirm_the_password),
    "two-step-policy": ("la_owner", "/accounts/two-step-policy/{organisation}/", None),
}
PHONE_ONLY = {"home-spoc-menu-open": ("spoc", "/", _open_the_phone_menu)}
PHONE_PAGES = [
    "login",
    "home-reporter",
    "report-form",
    "report-form-errors",
    "incident-spoc",
    "triage",
    "incident-list",
    "outage-page",
    "home-spoc-menu-open",
    "school-settings",
    "annual-review",
    "people",
    "person",
    "loan-scanning",
    "loan-agreement-sign",
    "loan-page",
    "call-with-loaner",
    "loan-repairs",
    "charge-page",
    "security",
    "authenticator-app-setup",
    "passkey-add",
]
ALL_PAGES = {**PAGES, **PHONE_ONLY}


def _groups():
    """One test per person and screen size (one sign-in each), checking each of their pages in turn."""
    groups: dict[tuple, list] = {}
    for viewport, names in (("desktop", list(PAGES)), ("phone", PHONE_PAGES)):
        for name in names:
            who = ALL_PAGES[name][0]
            groups.setdefault((who or "anonymous", viewport), []).append(name)
    return [(who, viewport, names) for (who, viewport), names in groups.items()]


GROUPS = _groups()


@pytest.mark.parametrize(("who", "viewport", "names"), GROUPS, ids=[f"{w}-{v}" for w, v, _ in GROUPS])
def test_pages_have_no_serious_accessibility_violations(who, viewport, names, cast, world, open_page, password):
    page = open_page(viewport)
    if who != "anonymous":
        sign_in(page, getattr(cast, who), password)
    failures = []
    for name in names:
        _who, url, prepare = ALL_PAGES[name]
        url = url.format(
            **{key: value.pk for key, value in world.items()},
            rate=satisfaction_token(incident=world["fixed"], rating="good"),
        )
        response = page.goto(url)
        assert response.ok, f"{url} answered {response.status}"
        if prepare:
            prepare(page)
        violations = axe_violations(page)
        if violations:
            screenshot(page, f"FAILED-a11y-{name}-{viewport}.png")
            failures.append(f"{name} ({url}, {viewport}, as {who}):\n{describe_violations(violations)}")
        sizes = horizontal_overflow(page) if viewport == "phone" else {"overflow": 0}
        if sizes["overflow"] > 1:  # WCAG 1.4.10 reflow: no sideways scrolling at 390 px
            screenshot(page, f"FAILED-reflow-{name}-{viewport}.png")
            failures.append(f"{name} ({url}, {viewport}, as {who}) scrolls sideways: {sizes}")
    assert not failures, "\n".join(failures)


def test_every_form_control_on_the_incident_page_has_its_own_label(cast, world, signed_in):
    """axe-core 4.14 only lists shared ids as "needs review" (duplicate-id-aria), and counts a label as
    found even when its `for` points at another form's box; the browser's accessibility tree does not
    (Playwright's get_by_label cannot find the resolve form's "Time spent" box)."""
    page = signed_in(cast.spoc)
    page.goto(f"/incidents/{world['new'].pk}/")
    _open_all_details(page)
    duplicated = page.evaluate("""() => {
        const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
        return [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
    }""")
    assert not duplicated, f"ids used more than once on the call page: {duplicated}"

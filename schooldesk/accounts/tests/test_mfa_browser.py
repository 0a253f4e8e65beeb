"""The done-when of two-step sign-in (docs/decisions/0032), in Chromium at phone size: a SPOC is made to set up MFA,
sets up a passkey, signs out and back in with it.

The passkey is made and used by Chromium's own virtual authenticator (the DevTools WebAuthn domain, through
Playwright's CDP session): a platform authenticator ("internal" transport, as a phone's or a laptop's) that keeps
resident keys and verifies its user, as a fingerprint would. WebAuthn needs a secure context: the live server is
http://localhost, which Chromium counts as one (never 127.0.0.1 here: the passkey's relying party is the host name)."""

import re

import pytest
from playwright.sync_api import expect

from schooldesk.accounts.tests.test_mfa import PRODUCTION_DEFAULT
from schooldesk.core.models import AuditEntry
from schooldesk.core.tests.browser import horizontal_overflow, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def virtual_authenticator(page) -> tuple:
    """A platform authenticator in this page's browser, as a phone's: returns the CDP session and its id."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    made = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, made["authenticatorId"]


def sign_in_with_password(page, user, password):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def sign_out(page):
    toggler = page.get_by_role("button", name="Show menu")
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") == "false":
        toggler.click()
        # the phone menu slides open: the person's menu is clicked once it has (a click mid-slide can miss)
        expect(page.locator("#nav-links")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    page.locator(".nav-person").click()
    button = page.get_by_role("button", name="Sign out")
    expect(button).to_be_visible(timeout=15000)
    button.click()
    page.wait_for_url(re.compile(r"/accounts/(login|logout)/"))


def test_a_spoc_is_made_to_set_up_mfa_adds_a_passkey_signs_out_and_back_in_with_it(
    cast, open_page, password, live_server, settings
):
    settings.SCHOOLDESK_MFA_DEFAULT_ROLES = PRODUCTION_DEFAULT
    assert live_server.url.startswith("http://localhost:"), live_server.url  # a secure context for WebAuthn
    page = open_page("phone")
    cdp, authenticator = virtual_authenticator(page)

    sign_in_with_password(page, cast.spoc, password)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/$"))  # taken to set it up, straight after signing in
    expect(page.locator("#mfa-required")).to_contain_text("Your role needs two-step sign-in")
    page.goto("/incidents/")  # and nothing else opens
    expect(page).to_have_url(re.compile(r"/accounts/2fa/$"))
    assert horizontal_overflow(page)["overflow"] <= 1
    screenshot(page, "mfa-1-security-required-phone.png")

    page.get_by_role("link", name="Add a passkey").click()
    if "reauthenticate" in page.url:  # allauth asks for the password again before a change to sign-in
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name=re.compile("Confirm")).click()
    expect(page.get_by_role("heading", name="Add a passkey")).to_be_visible()
    assert horizontal_overflow(page)["overflow"] <= 1
    screenshot(page, "mfa-2-add-a-passkey-phone.png")
    page.get_by_label("Name").fill("Office phone")
    expect(page.get_by_label("Sign in with this passkey alone, without my password")).to_be_checked()
    page.get_by_role("button", name="Add the passkey").click()
    expect(page.get_by_role("heading", name="Recovery codes")).to_be_visible()  # made with the first way
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    screenshot(page, "mfa-3-recovery-codes-phone.png")
    page.get_by_role("link", name=re.compile("back to Security")).click()
    expect(page.get_by_text("Two-step sign-in is on for you.")).to_be_visible()
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert len(credentials) == 1 and credentials[0]["isResidentCredential"]
    page.goto("/incidents/")
    expect(page).to_have_url(re.compile(r"/incidents/$"))

    sign_out(page)
    page.goto("/accounts/login/")
    screenshot(page, "mfa-4-login-with-passkey-phone.png")
    page.get_by_role("button", name="Use a passkey").click()  # no username, no password
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")
    assert AuditEntry.objects.filter(action="mfa_add", changes__kind="webauthn", actor=cast.spoc).exists()
    assert AuditEntry.objects.filter(action="mfa_use", changes__passwordless=True, actor=cast.spoc).exists()


def test_a_person_signs_in_with_the_password_then_the_passkey_as_second_step(cast, open_page, password, settings):
    """The same passkey as the second step after a password (as the code of an app would be)."""
    settings.SCHOOLDESK_MFA_DEFAULT_ROLES = PRODUCTION_DEFAULT
    page = open_page("desktop")
    virtual_authenticator(page)
    sign_in_with_password(page, cast.technician, password)
    page.get_by_role("link", name="Add a passkey").click()
    if "reauthenticate" in page.url:
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name=re.compile("Confirm")).click()
    page.get_by_label("Sign in with this passkey alone, without my password").uncheck()
    page.get_by_role("button", name="Add the passkey").click()
    expect(page.get_by_role("heading", name="Recovery codes")).to_be_visible()
    sign_out(page)
    sign_in_with_password(page, cast.technician, password)
    expect(page.get_by_role("heading", name="Two-step sign-in")).to_be_visible()
    page.get_by_role("button", name="Use a passkey").click()
    page.wait_for_url(lambda url: "/accounts/2fa/authenticate/" not in url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")

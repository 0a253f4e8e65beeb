"""Sign in with Microsoft or Google, end to end in Chromium against a real OpenID Connect provider on loopback
(accounts/tests/oidc/provider.mjs standing in for Entra ID and Google: docs/decisions/0031)."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import expect

from schooldesk.accounts.models import Membership, SignInConnection, User
from schooldesk.accounts.tests.oidc.server import CLIENT_ID, CLIENT_SECRET, OAK_TENANT
from schooldesk.core.audit import SIGN_IN_FAILED, SSO_LINK
from schooldesk.core.models import AuditEntry
from schooldesk.core.roles import Role
from schooldesk.core.tests.browser import screenshot
from schooldesk.incidents.models import Incident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def oak_microsoft(cast, oidc_provider, **extra) -> SignInConnection:
    return SignInConnection.objects.create(
        pk=9101,
        school=cast.school,
        provider="microsoft",
        tenant_id=OAK_TENANT,
        domains="oak.sch.uk",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        issuer=oidc_provider.issuer,
        **extra,
    )


def sign_in_with_microsoft(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Your school email address").fill(email)
    page.get_by_role("button", name="Sign in with Microsoft").click()
    expect(page.get_by_role("heading", name="Test identity provider")).to_be_visible()
    expect(page.get_by_label("Account")).to_have_value(email)  # the desk passed the address on (login_hint)
    page.get_by_role("button", name="Continue").click()


def session_of(page):
    """The browser's session on the desk (empty when it has none)."""
    cookie = next((c for c in page.context.cookies() if c["name"] == "sessionid"), None)
    return SessionStore(session_key=cookie["value"]).load() if cookie else {}


def test_a_teacher_with_no_account_signs_in_with_microsoft_and_reports_a_fault(cast, oidc_provider, open_page):
    """The done-when: a teacher whose account does not exist signs in with "Microsoft" (on a phone) and reports."""
    oak_microsoft(cast, oidc_provider)
    page = open_page("phone")
    sign_in_with_microsoft(page, "new.teacher@oak.sch.uk")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")
    teacher = User.objects.get(email="new.teacher@oak.sch.uk")
    assert (teacher.first_name, teacher.last_name, teacher.has_usable_password()) == ("Nia", "Newton", False)
    assert list(Membership.objects.filter(user=teacher).values_list("school", "role")) == [
        (cast.school.pk, Role.REPORTER)
    ]
    assert session_of(page)["sso_amr"] == ["pwd", "mfa"]  # for the MFA step: the provider did a second factor
    assert AuditEntry.objects.filter(action=SSO_LINK, actor=teacher, school=cast.school).exists()
    assert AuditEntry.objects.filter(action="sign_in", actor=teacher, school=cast.school).exists()
    screenshot(page, "sso-01-new-teacher-home-phone.png")

    page.get_by_role("link", name="Report a problem or make a request").click()
    page.get_by_label("What is wrong?").fill("The visualiser in class 4 will not switch on")
    page.get_by_label("Where?").select_option(label="Library")
    page.get_by_label("Where and when can you be found?").fill("Class 4, after lunch")
    page.get_by_role("button", name="Send to the service desk").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you. Your call is INC-")
    assert Incident.objects.get(school=cast.school).reported_by == teacher


def test_a_microsoft_account_of_an_unknown_tenant_is_refused(cast, oidc_provider, open_page):
    oak_microsoft(cast, oidc_provider)
    page = open_page()
    # an address at no school's domain: refused before leaving the desk
    page.goto("/accounts/login/")
    page.get_by_label("Your school email address").fill("someone@elsewhere.example")
    page.get_by_role("button", name="Sign in with Microsoft").click()
    expect(page.get_by_role("status")).to_contain_text("No school on this desk signs in with Microsoft")
    # the school's domain, but a token from another tenant (a guest in someone else's directory)
    sign_in_with_microsoft(page, "guest@oak.sch.uk")
    expect(page.get_by_role("heading", level=1)).to_have_text("You could not be signed in")
    expect(page.get_by_role("alert")).to_contain_text("belongs to an organisation this desk does not know")
    screenshot(page, "sso-02-unknown-tenant-refused.png")
    assert not User.objects.filter(email="guest@oak.sch.uk").exists()
    assert "_auth_user_id" not in session_of(page)
    refused = AuditEntry.objects.get(action=SIGN_IN_FAILED, school=cast.school)
    assert refused.changes["email"] == "guest@oak.sch.uk"


def test_a_school_with_passwords_off_refuses_them_but_not_the_break_glass_admin(
    cast, oidc_provider, open_page, password
):
    oak_microsoft(cast, oidc_provider, passwords_off=True, break_glass=cast.spoc)
    cast.reporter.email = "known.teacher@oak.sch.uk"
    cast.reporter.save()
    page = open_page()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(cast.reporter.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("form").first).to_contain_text("Your school signs in with Microsoft (Entra ID) only")
    assert "_auth_user_id" not in session_of(page)
    screenshot(page, "sso-03-password-refused.png")
    # the same teacher with Microsoft: their own account, linked by its verified address
    sign_in_with_microsoft(page, "known.teacher@oak.sch.uk")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")
    assert session_of(page)["_auth_user_id"] == str(cast.reporter.pk)
    assert AuditEntry.objects.filter(action=SSO_LINK, actor=cast.reporter).exists()
    # the break-glass account keeps its password
    admin = open_page()
    admin.goto("/accounts/login/")
    admin.get_by_label("Username").fill(cast.spoc.username)
    admin.get_by_label("Password").fill(password)
    admin.get_by_role("button", name="Sign in", exact=True).click()
    expect(admin.get_by_role("heading", level=1)).to_contain_text("Hello")

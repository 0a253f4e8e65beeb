"""The desk's rules around Sign in with Microsoft or Google (accounts/sso.py), without a provider: the ID token's
claims, linking within the school only, passwords off, the settings pages. End to end: test_journey_sso.py."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from schooldesk.accounts import sso
from schooldesk.accounts.models import SignInConnection
from schooldesk.core.audit import SIGN_IN_FAILED, audit_sentence
from schooldesk.core.models import AuditEntry

pytestmark = pytest.mark.django_db

TENANT = "11111111-2222-3333-4444-555555555555"


def microsoft(cast, **extra):
    return SignInConnection.objects.create(
        school=cast.school,
        provider="microsoft",
        tenant_id=TENANT,
        domains="oak.sch.uk",
        client_id="app",
        client_secret="shh",
        **extra,
    )


def google(cast, **extra):
    return SignInConnection.objects.create(
        school=cast.school, provider="google", domains="oak.sch.uk", client_id="app", client_secret="shh", **extra
    )


def test_microsoft_needs_the_schools_tenant_and_domain(cast):
    connection = microsoft(cast)
    good = {"tid": TENANT, "email": "T.Hill@oak.sch.uk"}
    assert sso.checked_email(connection, good) == "t.hill@oak.sch.uk"
    assert connection.server_url == f"https://login.microsoftonline.com/{TENANT}/v2.0"
    for claims in (
        {**good, "tid": "someone-else"},
        {**good, "email": "t.hill@gmail.com"},
        {**good, "email_verified": False},
        {"tid": TENANT},
    ):
        with pytest.raises(sso.SignInRefused):
            sso.checked_email(connection, claims)


def test_google_needs_the_workspace_domain_and_a_verified_address(cast):
    connection = google(cast)
    assert connection.server_url == "https://accounts.google.com"
    good = {"hd": "oak.sch.uk", "email": "t.hill@oak.sch.uk", "email_verified": True}
    assert sso.checked_email(connection, good) == "t.hill@oak.sch.uk"
    for claims in ({**good, "hd": ""}, {**good, "hd": "gmail.com"}, {**good, "email_verified": False}):
        with pytest.raises(sso.SignInRefused):
            sso.checked_email(connection, claims)


def test_an_address_links_only_within_the_school(cast, other):
    connection = microsoft(cast)
    cast.reporter.email = "t.hill@oak.sch.uk"
    cast.reporter.save()
    assert sso.person_to_link(connection, "T.Hill@oak.sch.uk") == cast.reporter
    other.reporter.email = "elsewhere@oak.sch.uk"  # someone of another school with an address at this domain
    other.reporter.save()
    with pytest.raises(sso.SignInRefused):
        sso.person_to_link(connection, "elsewhere@oak.sch.uk")
    assert sso.person_to_link(connection, "nobody.yet@oak.sch.uk") is None


def test_passwords_off_spares_superusers_and_the_break_glass_account(cast, client, password):
    connection = microsoft(cast, passwords_off=True, break_glass=cast.owner)
    assert sso.password_refused_by(cast.reporter) == connection
    assert sso.password_refused_by(cast.owner) is None
    cast.spoc.is_superuser = True
    cast.spoc.save()
    assert sso.password_refused_by(cast.spoc) is None
    response = client.post(reverse("login"), {"username": cast.reporter.username, "password": password})
    assert response.status_code == 200 and "signs in with Microsoft (Entra ID) only" in response.content.decode()
    entry = AuditEntry.objects.get(action=SIGN_IN_FAILED, school=cast.school)
    assert "where the school signs in with Microsoft or Google only" in audit_sentence(entry)
    assert client.post(reverse("login"), {"username": cast.owner.username, "password": password}).status_code == 302


def test_a_wrong_password_is_in_the_trail(cast, client):
    client.post(reverse("login"), {"username": cast.reporter.username, "password": "wrong"})
    entry = AuditEntry.objects.get(action=SIGN_IN_FAILED, school=cast.school)
    assert audit_sentence(entry).endswith("was refused: wrong password")


def test_the_sign_in_page_shows_the_buttons_and_allows_the_issuer_as_a_form_target(cast, client):
    assert "Sign in with Microsoft" not in client.get(reverse("login")).content.decode()
    microsoft(cast)
    response = client.get(reverse("login"))
    assert "Sign in with Microsoft" in response.content.decode()
    assert "Sign in with Google" not in response.content.decode()
    assert "https://login.microsoftonline.com" in response["Content-Security-Policy"]


def test_an_unknown_domain_is_told_at_once(cast, client):
    microsoft(cast)
    response = client.post(
        reverse("sign_in_start"), {"sso-email": "a@elsewhere.example", "sso-provider": "microsoft"}, follow=True
    )
    assert "No school on this desk signs in with Microsoft (Entra ID) from elsewhere.example" in (
        response.content.decode()
    )


def test_only_the_desk_changes_the_settings_and_the_secret_is_never_shown(cast, other, login):
    connection = microsoft(cast)
    with pytest.raises(PermissionDenied):
        sso.connection_save(connection=connection, by=cast.reporter)
    assert login(other.spoc).get(reverse("sign_in_connection_update", args=[connection.pk])).status_code == 404
    client = login(cast.spoc)
    page = client.get(reverse("sign_in_connection_update", args=[connection.pk])).content.decode()
    assert "shh" not in page and f"/accounts/oidc/desk-{connection.pk}/login/callback/" in page
    response = client.post(
        reverse("sign_in_connection_update", args=[connection.pk]),
        {
            "provider": "microsoft",
            "tenant_id": TENANT,
            "domains": "oak.sch.uk, oak.org.uk",
            "is_enabled": "on",
            "creates_accounts": "on",
            "passwords_off": "on",
            "break_glass": str(cast.owner.pk),
            "version": connection.version,
        },
    )
    assert response.status_code == 302
    connection.refresh_from_db()
    assert connection.client_secret == "shh" and connection.domain_list == ["oak.sch.uk", "oak.org.uk"]
    assert connection.passwords_off and connection.break_glass == cast.owner


def test_another_schools_domain_cannot_be_taken(cast, other):
    microsoft(cast)
    taken = SignInConnection(school=other.school, provider="microsoft", tenant_id="x", domains="oak.sch.uk")
    with pytest.raises(Exception, match="already signs in with oak.sch.uk"):
        sso.connection_save(connection=taken, by=other.spoc, secrets={"client_id": "a", "client_secret": "b"})


def test_a_break_glass_account_must_be_the_schools(cast, other):
    connection = microsoft(cast)
    connection.break_glass = other.spoc
    with pytest.raises(Exception, match="one of the school's own people"):
        sso.connection_save(connection=connection, by=cast.spoc)

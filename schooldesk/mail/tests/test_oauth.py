"""OAuth 2 mailboxes (Microsoft 365, Google Workspace). Microsoft's and Google's endpoints cannot be
reached from here: a small HTTP server on loopback (conftest.oauth_server) stands in for the token
endpoint, and Dovecot's oauth2 passdb asks the same server to introspect the access token, so the
refresh and the IMAP XOAUTH2 sign-in are both exercised over real sockets."""

import base64
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from schooldesk.mail import oauth
from schooldesk.mail.models import Mailbox
from schooldesk.mail.services import mailbox_poll, mailbox_save
from schooldesk.mail.tests.factories import MailboxFactory, raw_email

pytestmark = pytest.mark.django_db


def test_the_xoauth2_string_is_the_one_microsoft_and_google_document():
    raw = oauth.xoauth2_string("desk@oak.sch.uk", "ya29.token")
    assert raw == b"user=desk@oak.sch.uk\x01auth=Bearer ya29.token\x01\x01"
    assert base64.b64encode(raw) == b"dXNlcj1kZXNrQG9hay5zY2gudWsBYXV0aD1CZWFyZXIgeWEyOS50b2tlbgEB"


def oauth_mailbox(oauth_server, user, **fields):
    mailbox = MailboxFactory(
        auth_method="microsoft",
        oauth_client_id="client-id",
        oauth_client_secret="client-secret",
        oauth_token_url=oauth_server.token_url,
        oauth_scope="scope",
        username=user,
        oauth_refresh_token=oauth_server.grant(user),
        **fields,
    )
    return mailbox


def test_an_access_token_is_refreshed_stored_and_reused(cast, oauth_server):
    mailbox = oauth_mailbox(oauth_server, "desk@oak.sch.uk", school=cast.school)
    first_refresh = mailbox.oauth_refresh_token
    calls = len(oauth_server.requests)
    token = oauth.access_token(mailbox)
    assert token.startswith("access-") and len(oauth_server.requests) == calls + 1
    sent = oauth_server.requests[-1][1]
    assert sent == {
        "client_id": "client-id",
        "client_secret": "client-secret",
        "grant_type": "refresh_token",
        "refresh_token": first_refresh,
        "scope": "scope",
    }
    stored = Mailbox.objects.get(pk=mailbox.pk)
    assert stored.oauth_access_token == token and stored.oauth_refresh_token != first_refresh  # rotated
    assert stored.oauth_expires_at > timezone.now() + timedelta(minutes=55)
    assert oauth.access_token(stored) == token and len(oauth_server.requests) == calls + 1  # still valid: reused
    assert oauth.access_token(stored, now=timezone.now() + timedelta(minutes=59)) != token  # about to expire


def test_a_revoked_grant_says_to_authorise_again(cast, oauth_server):
    mailbox = oauth_mailbox(oauth_server, "desk@oak.sch.uk", school=cast.school)
    mailbox.oauth_refresh_token = "revoked"
    with pytest.raises(oauth.OAuthError) as error:
        oauth.access_token(mailbox)
    assert "invalid_grant" in str(error.value) and "Authorise the mailbox again" in str(error.value)


def test_tokens_only_travel_over_https_or_to_this_machine(cast):
    assert oauth.endpoint_allowed("https://login.microsoftonline.com/x/oauth2/v2.0/token")
    assert oauth.endpoint_allowed("http://127.0.0.1:8080/token")
    assert not oauth.endpoint_allowed("http://login.example.com/token")
    mailbox = MailboxFactory(
        school=cast.school, auth_method="google", oauth_token_url="http://evil.example/token", oauth_refresh_token="r"
    )
    with pytest.raises(oauth.OAuthError, match="HTTPS"):
        oauth.access_token(mailbox)


def test_the_provider_endpoints_come_from_the_choice_and_the_tenant(cast):
    mailbox = Mailbox(
        school=cast.school,
        name="Desk",
        address="desk@oak.sch.uk",
        auth_method="microsoft",
        oauth_tenant="oak.sch.uk",
        oauth_client_id="id",
    )
    mailbox_save(mailbox=mailbox, by=cast.spoc, secrets={"oauth_client_secret": "s"})
    assert mailbox.oauth_token_url == "https://login.microsoftonline.com/oak.sch.uk/oauth2/v2.0/token"
    assert mailbox.host == "outlook.office365.com" and "IMAP.AccessAsUser.All" in mailbox.oauth_scope
    google = Mailbox(school=cast.school, name="G", address="desk@g.sch.uk", auth_method="google", oauth_client_id="id")
    mailbox_save(mailbox=google, by=cast.spoc, secrets={"oauth_client_secret": "s"})
    assert google.oauth_token_url == "https://oauth2.googleapis.com/token" and google.host == "imap.gmail.com"


def test_an_oauth_mailbox_signs_in_to_imap_with_xoauth2(
    cast, dovecot, imap_user, oauth_server, django_capture_on_commit_callbacks
):
    mailbox = oauth_mailbox(
        oauth_server,
        imap_user,
        school=cast.school,
        is_active=True,
        host=dovecot.host,
        port=dovecot.port,
        security="none",
    )
    dovecot.deliver(imap_user, raw_email(sender=cast.reporter.email, to=mailbox.address, subject="Panel flickers"))
    with django_capture_on_commit_callbacks(execute=True):
        result = mailbox_poll(mailbox=mailbox)
    assert (result.error, result.stored) == ("", 1)
    assert cast.school.incident_set.get().summary == "Panel flickers"
    introspected = [form["token"] for path, form in oauth_server.requests if path == "/introspect"]
    assert introspected[-1] == Mailbox.objects.get(pk=mailbox.pk).oauth_access_token


def test_a_rejected_token_is_a_mailbox_error_for_the_spoc(
    cast, dovecot, imap_user, oauth_server, smtp, django_capture_on_commit_callbacks
):
    mailbox = oauth_mailbox(
        oauth_server,
        imap_user,
        school=cast.school,
        is_active=True,
        host=dovecot.host,
        port=dovecot.port,
        security="none",
    )
    mailbox.oauth_access_token = "forged"  # not one the provider issued: Dovecot's introspection says inactive
    mailbox.oauth_expires_at = timezone.now() + timedelta(hours=1)
    mailbox.save()
    with django_capture_on_commit_callbacks(execute=True):
        result = mailbox_poll(mailbox=mailbox)
    assert "refused the sign-in" in result.error
    mailbox.refresh_from_db()
    assert mailbox.last_error == result.error and mailbox.polling_until is None
    [alert] = smtp.to(cast.spoc.email)
    assert "could not be read" in alert.get_body(("plain",)).get_content()


def test_the_consent_flow_stores_tokens_that_are_never_shown(cast, oauth_server, login):
    mailbox = oauth_mailbox(
        oauth_server,
        "desk@oak.sch.uk",
        school=cast.school,
        oauth_authorize_url="https://login.microsoftonline.com/oak/oauth2/v2.0/authorize",
    )
    mailbox.oauth_refresh_token = ""
    mailbox.save()
    client = login(cast.spoc)
    response = client.post(f"/mail/mailboxes/{mailbox.pk}/authorise/")
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    query = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert target.netloc == "login.microsoftonline.com" and query["client_id"] == "client-id"
    assert query["redirect_uri"] == "http://testserver/mail/oauth/callback/" and query["response_type"] == "code"
    oauth_server.codes["good-code"] = "desk@oak.sch.uk"
    done = client.get("/mail/oauth/callback/", {"state": query["state"], "code": "good-code"})
    assert done.status_code == 302
    mailbox.refresh_from_db()
    assert mailbox.oauth_refresh_token.startswith("refresh-") and mailbox.oauth_access_token.startswith("access-")
    page = client.get(f"/mail/mailboxes/{mailbox.pk}/").content.decode()
    assert "Mailbox authorised." in page
    for secret in (mailbox.oauth_refresh_token, mailbox.oauth_access_token, "client-secret"):
        assert secret not in page
    # someone else cannot finish a consent another person started
    other_desk = login(cast.owner)
    assert other_desk.get("/mail/oauth/callback/", {"state": query["state"], "code": "x"}).status_code == 400
    assert client.get("/mail/oauth/callback/", {"state": "forged", "code": "x"}).status_code == 400

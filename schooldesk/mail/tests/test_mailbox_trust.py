"""A mailbox's address is the desk's only once proved (decision 0018), and the Check button is not a port
scanner: the real SMTP server, Dovecot and the OAuth stand-in on loopback, and sockets of our own."""

import re
import socket
import threading
from urllib.parse import urlsplit

import pytest
from django.db import connection as db_connection
from django.test import Client
from django.utils import timezone

from schooldesk.core import netguard
from schooldesk.core.tests.pages import forms_in, sent
from schooldesk.incidents.services import incident_reply
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.mail import imap
from schooldesk.mail.models import Mailbox
from schooldesk.mail.outbound import own_addresses
from schooldesk.mail.services import _confirm_token, mailbox_check, mailbox_poll, mailboxes_due
from schooldesk.mail.tests.factories import MailboxFactory, imap_mailbox
from schooldesk.mail.tests.test_oauth import oauth_mailbox

pytestmark = pytest.mark.django_db


def post_as_page(client, page: str, action: str, changes: dict):
    """Submit the form on `page` whose action is `action` as the page renders it, with what a person typed."""
    html = client.get(page).content.decode()
    [form] = [f for f in forms_in(html, f"http://testserver{page}") if urlsplit(f.action).path == action]
    data: dict[str, list] = {}
    for name, value in sent(form)[0]:
        data.setdefault(name, []).append(value)
    data = {k: v if len(v) != 1 else v[0] for k, v in data.items()} | changes
    return client.post(action, data, follow=True)


NEW_MAILBOX = {
    "name": "Desk",
    "is_active": "on",
    "host": "imap.example.org",
    "port": "993",
    "security": "ssl",
    "username": "",
    "password": "pw",
    "folder": "INBOX",
}


def confirmation_link(message) -> str:
    return re.search(r"https?://\S+/mail/mailboxes/confirm/\S+/", message.get_body(("plain",)).get_content())[0]


# --- trust ------------------------------------------------------------------------------------
def test_another_organisations_desk_cannot_silence_a_teacher_by_registering_their_address(
    cast, other, login, smtp, django_capture_on_commit_callbacks
):
    client = login(other.spoc)
    with django_capture_on_commit_callbacks(execute=True):
        post_as_page(
            client, "/mail/mailboxes/new/", "/mail/mailboxes/new/", NEW_MAILBOX | {"address": cast.reporter.email}
        )
    mailbox = Mailbox.objects.get(address=cast.reporter.email.lower())
    assert mailbox.school == other.school and not mailbox.is_proved
    assert mailbox.pk not in mailboxes_due() and mailbox_poll(mailbox=mailbox).skipped  # never read
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    smtp.clear()
    with django_capture_on_commit_callbacks(execute=True):
        incident_reply(incident=incident, by=cast.technician, body="On my way.")
    [told] = smtp.to(cast.reporter.email)  # still emailed: not "one of the desk's own"
    assert "On my way." in told.get_body(("plain",)).get_content()


def test_the_confirmation_link_emailed_to_the_address_proves_it(cast, login, smtp, django_capture_on_commit_callbacks):
    cast.school.desk_email = "ictdesk@oak.sch.uk"  # the school's desk address: the usual one to set up
    cast.school.save()
    client = login(cast.spoc)
    with django_capture_on_commit_callbacks(execute=True):
        page = post_as_page(
            client, "/mail/mailboxes/new/", "/mail/mailboxes/new/", NEW_MAILBOX | {"address": "ictdesk@oak.sch.uk"}
        )
    assert "not confirmed yet" in page.content.decode()
    mailbox = Mailbox.objects.get(address="ictdesk@oak.sch.uk")
    assert not mailbox.is_proved and mailbox.pk not in mailboxes_due()
    [email] = smtp.to("ictdesk@oak.sch.uk")
    link = urlsplit(confirmation_link(email)).path
    reader = Client()  # whoever reads the desk mailbox: not signed in
    question = reader.get(link)
    assert question.status_code == 200 and "Confirm this address" in question.content.decode()
    assert not Mailbox.objects.get(pk=mailbox.pk).is_proved  # opening the link (a mail scanner) confirms nothing
    [form] = [
        f for f in forms_in(question.content.decode(), f"http://testserver{link}") if urlsplit(f.action).path == link
    ]  # the page's own form (the footer also offers the language)
    done = reader.post(link, dict(sent(form)[0]))
    assert done.status_code == 200 and "is confirmed" in done.content.decode()
    mailbox.refresh_from_db()
    assert mailbox.is_proved and mailbox.pk in mailboxes_due()
    assert mailbox.address in own_addresses()


def test_an_address_another_organisation_holds_gets_the_same_answer_and_is_never_proved_for_the_second(
    cast, other, login, smtp, django_capture_on_commit_callbacks
):
    held = MailboxFactory(school=cast.school, address="ictdesk@oak.sch.uk")  # proved by Oak
    answers = []
    for address in ("ictdesk@oak.sch.uk", "fresh@elm.sch.uk"):
        with django_capture_on_commit_callbacks(execute=True):
            page = post_as_page(
                login(other.spoc),
                "/mail/mailboxes/new/",
                "/mail/mailboxes/new/",
                NEW_MAILBOX | {"address": address, "name": "Elm desk"},
            )
        main = re.sub(
            r'name="(?:csrfmiddlewaretoken|form_token)" value="[^"]+"',
            "",
            page.content.decode().split("<main", 1)[1].split("</main>", 1)[0],
        )
        answers.append((page.status_code, page.redirect_chain[-1][1], re.sub(r"\d+|" + re.escape(address), "", main)))
    assert answers[0] == answers[1]  # the same answer: nothing says the address is taken
    second = Mailbox.objects.get(address="ictdesk@oak.sch.uk", school=other.school)
    assert smtp.to("ictdesk@oak.sch.uk") == []  # it is Oak's desk address: nothing is sent to it
    link = f"/mail/mailboxes/confirm/{_confirm_token(second)}/"
    refused = Client().post(link)
    assert refused.status_code == 403 and "cannot be confirmed" in refused.content.decode()
    second.refresh_from_db()
    held.refresh_from_db()
    assert not second.is_proved and held.is_proved


def test_an_oauth_sign_in_as_the_address_proves_it_a_password_on_a_typed_server_does_not(
    cast, dovecot, imap_user, oauth_server
):
    by_oauth = oauth_mailbox(
        oauth_server,
        imap_user,
        school=cast.school,
        address=imap_user,
        host=dovecot.host,
        port=dovecot.port,
        security="none",
        verified_at=None,
    )
    mailbox_check(mailbox=by_oauth)
    assert Mailbox.objects.get(pk=by_oauth.pk).is_proved
    by_password = imap_mailbox(dovecot, dovecot.account(), school=cast.school, verified_at=None)
    by_password.address = by_password.username
    by_password.save()
    assert "Signed in" in mailbox_check(mailbox=by_password)  # Dovecot here accepts anyone with the password
    assert not Mailbox.objects.get(pk=by_password.pk).is_proved


# --- the Check button -------------------------------------------------------------------------
class Banner:
    """A TCP server on loopback that says something that is not IMAP, and counts who connected."""

    TEXT = b"SSH-2.0-OpenSSH_9.2p1 secret-banner-of-the-la-router\r\n"

    def __init__(self, say: bytes | None = TEXT):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.say = say
        self.held = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            if self.say is not None:
                conn.sendall(self.say)
                conn.close()
            else:
                self.held.append(conn)  # accept and never answer

    def close(self):
        for conn in self.held:
            conn.close()
        self.sock.close()


@pytest.fixture
def banner():
    server = Banner()
    yield server
    server.close()


def check_page(client, mailbox) -> str:
    return client.post(f"/mail/mailboxes/{mailbox.pk}/check/", follow=True).content.decode()


def test_the_check_button_shows_our_words_never_the_servers(cast, login, banner, dovecot, imap_user):
    client = login(cast.spoc)
    mailbox = MailboxFactory(
        school=cast.school, host="127.0.0.1", port=banner.port, security="none", username="desk", password="pw"
    )
    page = check_page(client, mailbox)
    assert banner.accepted == 1 and "could not connect" in page
    assert "secret-banner" not in page and "SSH-2.0" not in page
    refused = imap_mailbox(dovecot, imap_user, school=cast.school, password="wrong")
    page = check_page(client, refused)
    assert "sign-in refused" in page and "AUTHENTICATIONFAILED" not in page and "Authentication failed" not in page


def test_a_poll_of_a_server_that_is_not_imap_never_repeats_its_banner(
    cast, login, banner, smtp, django_capture_on_commit_callbacks
):
    """The poll's error is shown on the mailbox pages and emailed to the SPOC: the same rule as the Check button."""
    mailbox = MailboxFactory(
        school=cast.school, host="127.0.0.1", port=banner.port, security="none", username="desk", password="pw"
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = mailbox_poll(mailbox=mailbox)
    assert banner.accepted == 1 and "did not answer as an IMAP server" in result.error
    client = login(cast.spoc)
    shown = [
        result.error,
        Mailbox.objects.get(pk=mailbox.pk).last_error,
        client.get("/mail/mailboxes/").content.decode(),
        client.get(f"/mail/mailboxes/{mailbox.pk}/").content.decode(),
        *(m.get_body(("plain",)).get_content() for m in smtp.to(cast.spoc.email)),
    ]
    assert len(shown) == 5  # the SPOC was emailed about it
    for text in shown:
        assert "secret-banner" not in text and "SSH-2.0" not in text


def test_the_check_connects_only_to_imap_ports_and_public_addresses_unless_the_installation_allows(
    cast, login, banner, settings
):
    settings.SCHOOLDESK_ALLOW_PRIVATE_HOSTS = False
    settings.SCHOOLDESK_IMAP_PORTS = "993,143"
    client = login(cast.spoc)
    for host, port, said in [
        ("127.0.0.1", banner.port, "only connects to ports 143, 993"),
        ("127.0.0.1", 993, "private or local network"),
        ("localhost", 143, "private or local network"),
        ("169.254.169.254", 993, "private or local network"),
        ("10.1.2.3", 143, "private or local network"),
        ("::1", 993, "private or local network"),
    ]:
        mailbox = MailboxFactory(school=cast.school, host=host, port=port, security="ssl", password="pw")
        page = check_page(client, mailbox)
        assert said in page, (host, port)
    settings.SCHOOLDESK_IMAP_PORTS = "*"
    page = check_page(
        client, MailboxFactory(school=cast.school, host="127.0.0.1", port=banner.port, security="none", password="pw")
    )
    assert "private or local network" in page
    assert banner.accepted == 0  # nothing was ever connected to
    settings.SCHOOLDESK_ALLOW_PRIVATE_HOSTS = True  # an installation that reads its own server
    check_page(
        client, MailboxFactory(school=cast.school, host="127.0.0.1", port=banner.port, security="none", password="pw")
    )
    assert banner.accepted == 1


def test_the_host_is_resolved_once_and_the_checked_address_is_the_one_connected_to(
    cast, dovecot, imap_user, monkeypatch, settings
):
    """DNS rebinding: a name that answers a permitted address for the check and another for the connection."""
    real = socket.getaddrinfo
    answers = iter(["127.0.0.1", "127.0.0.2"])  # the second answer would point elsewhere (nothing listens)
    looked_up = []

    def resolver(host, port, *args, **kwargs):
        if host == "imap.rebind.test":
            looked_up.append(host)
            return real(next(answers), port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    mailbox = imap_mailbox(dovecot, imap_user, school=cast.school, host="imap.rebind.test")
    assert "Signed in" in mailbox_check(mailbox=mailbox)
    assert looked_up == ["imap.rebind.test"]
    settings.SCHOOLDESK_ALLOW_PRIVATE_HOSTS = False
    with pytest.raises(imap.MailboxError, match="private or local network"):
        mailbox_check(mailbox=mailbox)


def test_netguard_refuses_every_private_kind_of_address_and_accepts_public_ones(settings):
    settings.SCHOOLDESK_ALLOW_PRIVATE_HOSTS = False
    for address in (
        "127.0.0.1",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104
        "::1",
        "fe80::1",
        "fd00::1",
        "::ffff:10.0.0.1",
        "224.0.0.1",
    ):
        with pytest.raises(netguard.AddressRefused):
            netguard.checked_address(address, 993, ports=None)
    assert netguard.checked_address("8.8.8.8", 993, ports=frozenset({993})) == ("8.8.8.8", 993)
    with pytest.raises(netguard.AddressRefused, match="ports 993"):
        netguard.checked_address("8.8.8.8", 22, ports=frozenset({993}))


# --- timeouts -----------------------------------------------------------------------------------
def test_the_installation_sets_timeouts_for_every_connection():
    from config import settings as config

    assert 0 < config.EMAIL_TIMEOUT <= 60 and 0 < config.SCHOOLDESK_IMAP_TIMEOUT <= 60
    assert 0 < config.SCHOOLDESK_OAUTH_TIMEOUT <= 60


def _within(seconds: float, work):
    """Run `work` in a thread; fail (instead of hanging the suite) if it is not done in time."""
    outcome = {}

    def run():
        try:
            outcome["value"] = work()
        except Exception as exc:  # noqa: BLE001 - handed back to the test
            outcome["error"] = exc
        finally:
            db_connection.close()  # this thread's own connection

    thread = threading.Thread(target=run, daemon=True)
    started = timezone.now()
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still waiting after {seconds}s: no timeout"
    return outcome, (timezone.now() - started).total_seconds()


@pytest.mark.django_db(transaction=True)
def test_an_smtp_server_that_never_answers_fails_the_send_within_the_timeout_and_it_is_retried(cast, settings):
    from schooldesk.mail.choices import OutboundStatus
    from schooldesk.mail.models import OutboundMessage

    silent = Banner(say=None)
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", silent.port
        settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = False, "", ""
        settings.EMAIL_TIMEOUT = 2
        incident = IncidentFactory(school=cast.school, by=cast.reporter)
        outcome, took = _within(20, lambda: incident_reply(incident=incident, by=cast.technician, body="Hello"))
        assert "error" not in outcome, outcome
        assert silent.accepted >= 1 and took < 15
        message = OutboundMessage.objects.get(incident=incident)
        assert message.status == OutboundStatus.FAILED and message.next_attempt_at is not None
        assert "timed out" in message.last_error
    finally:
        silent.close()


@pytest.mark.django_db(transaction=True)
def test_a_mailboxs_own_smtp_server_that_never_answers_fails_the_send_within_the_timeout(cast, smtp, settings):
    from schooldesk.mail.choices import OutboundStatus
    from schooldesk.mail.models import OutboundMessage

    silent = Banner(say=None)
    try:
        settings.EMAIL_TIMEOUT = 2
        mailbox = MailboxFactory(
            school=cast.school,
            address="ictdesk@oak.sch.uk",
            send_with="mailbox",
            smtp_host="127.0.0.1",
            smtp_port=silent.port,
            smtp_security="none",
            password="pw",
        )
        incident = IncidentFactory(school=cast.school, by=cast.reporter)
        outcome, took = _within(20, lambda: incident_reply(incident=incident, by=cast.technician, body="Hello"))
        assert "error" not in outcome, outcome
        assert silent.accepted >= 1 and took < 15
        message = OutboundMessage.objects.get(incident=incident)
        assert message.mailbox_id == mailbox.pk and message.status == OutboundStatus.FAILED
        assert "timed out" in message.last_error and message.next_attempt_at is not None
        assert smtp.messages == []  # not sent some other way
    finally:
        silent.close()


def test_an_imap_server_that_never_answers_fails_the_check_within_the_timeout(cast, settings):
    silent = Banner(say=None)
    try:
        settings.SCHOOLDESK_IMAP_TIMEOUT = 2
        mailbox = MailboxFactory(school=cast.school, host="127.0.0.1", port=silent.port, security="none", password="pw")
        outcome, took = _within(20, lambda: mailbox_check(mailbox=mailbox))
        assert isinstance(outcome.get("error"), imap.MailboxError) and outcome["error"].reason == "connect"
        assert took < 15
    finally:
        silent.close()


def test_an_oauth_token_endpoint_that_never_answers_fails_within_the_timeout(cast, settings):
    from schooldesk.mail import oauth

    silent = Banner(say=None)
    try:
        settings.SCHOOLDESK_OAUTH_TIMEOUT = 2
        mailbox = MailboxFactory(
            school=cast.school,
            auth_method="google",
            oauth_refresh_token="r",
            oauth_token_url=f"http://127.0.0.1:{silent.port}/token",
        )
        outcome, took = _within(20, lambda: oauth.access_token(mailbox))
        assert isinstance(outcome.get("error"), oauth.OAuthError) and took < 15
    finally:
        silent.close()

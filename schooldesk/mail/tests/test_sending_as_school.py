"""Sending as the school (decision 0018): a mailbox sends its own mail through its own SMTP account (XOAUTH2
with the mailbox's OAuth grant, or a password), falling back to the installation's server; mail about a call
goes out from the mailbox the call came in through. A real SMTP server that asks for AUTH (aiosmtpd) and the
OAuth stand-in, on loopback."""

import pytest

from schooldesk.incidents.services import incident_reply
from schooldesk.mail.choices import OutboundStatus
from schooldesk.mail.intake import inbound_process
from schooldesk.mail.models import Mailbox, OutboundMessage
from schooldesk.mail.outbound import outbound_retry
from schooldesk.mail.services import inbound_store, mailbox_save
from schooldesk.mail.tests.conftest import SMTP_PASSWORD
from schooldesk.mail.tests.factories import MailboxFactory, raw_email
from schooldesk.mail.tests.test_oauth import oauth_mailbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def emailed_call(cast, mailbox, after_commit, subject="Projector in the Hall is dead"):
    """The reporter emails `mailbox`: a call, acknowledged."""
    raw = raw_email(sender=cast.reporter.email, to=mailbox.address, subject=subject)
    with after_commit():
        message, _stored = inbound_store(mailbox=mailbox, raw=raw)
        message = inbound_process(message)
    return message.incident


def test_a_microsoft_365_mailbox_sends_replies_to_its_calls_as_itself_with_xoauth2(
    cast, smtp, smtp_auth, oauth_server, after_commit
):
    mailbox = oauth_mailbox(
        oauth_server,
        "ictdesk@oak.sch.uk",
        school=cast.school,
        address="ictdesk@oak.sch.uk",
        send_with="mailbox",
        smtp_host="127.0.0.1",
        smtp_port=smtp_auth.port,
        smtp_security="none",
    )
    incident = emailed_call(cast, mailbox, after_commit)
    with after_commit():
        incident_reply(incident=incident, by=cast.technician, body="On my way with a spare lamp.")
    acknowledgement, reply = smtp_auth.to(cast.reporter.email)
    assert smtp.messages == []  # nothing through the installation's server
    assert reply["From"] == f"{cast.school.name} ICT desk <ictdesk@oak.sch.uk>"
    assert "On my way" in reply.get_body(("plain",)).get_content()
    assert smtp_auth.signed_in == [("XOAUTH2", "ictdesk@oak.sch.uk")] * 2  # the mailbox's own grant
    used = [form for path, form in oauth_server.requests if path == "/token"]
    assert used and used[-1]["client_secret"] == "client-secret"
    assert OutboundMessage.objects.filter(mailbox=mailbox, status=OutboundStatus.SENT).count() == 2


def test_a_mailbox_with_a_password_sends_as_itself_and_its_password_is_stored_encrypted(
    cast, smtp, smtp_auth, login, after_commit
):
    mailbox = MailboxFactory(school=cast.school, address="ictdesk@oak.sch.uk")
    client = login(cast.spoc)
    page = client.get(f"/mail/mailboxes/{mailbox.pk}/").content.decode()
    assert 'name="smtp_host"' in page and 'name="smtp_password"' in page
    mailbox.send_with, mailbox.smtp_host, mailbox.smtp_port = "mailbox", "127.0.0.1", smtp_auth.port
    mailbox.smtp_security, mailbox.smtp_username = "none", "sender@oak.sch.uk"
    mailbox_save(mailbox=mailbox, by=cast.spoc, secrets={"smtp_password": SMTP_PASSWORD})
    assert Mailbox.objects.get(pk=mailbox.pk).is_proved  # same address: still the desk's
    incident = emailed_call(cast, Mailbox.objects.get(pk=mailbox.pk), after_commit)
    with after_commit():
        incident_reply(incident=incident, by=cast.technician, body="Fixed.")
    assert len(smtp_auth.to(cast.reporter.email)) == 2 and smtp.messages == []
    assert smtp_auth.signed_in == [("PLAIN", "sender@oak.sch.uk")] * 2
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT smtp_password FROM mail_mailbox WHERE id = %s", [mailbox.pk])
        assert SMTP_PASSWORD not in cursor.fetchone()[0]


def test_a_refused_mailbox_sign_in_is_logged_and_retried(cast, smtp, smtp_auth, after_commit):
    mailbox = MailboxFactory(
        school=cast.school,
        address="ictdesk@oak.sch.uk",
        send_with="mailbox",
        smtp_host="127.0.0.1",
        smtp_port=smtp_auth.port,
        smtp_security="none",
        password="not-the-password",
    )
    incident = emailed_call(cast, mailbox, after_commit)
    [logged] = OutboundMessage.objects.filter(incident=incident)
    assert logged.status == OutboundStatus.FAILED and "535" in logged.last_error and logged.mailbox == mailbox
    assert smtp_auth.messages == [] and smtp.messages == []  # never silently sent some other way
    Mailbox.objects.filter(pk=mailbox.pk).update(password="")
    mailbox.refresh_from_db()
    mailbox.password = SMTP_PASSWORD
    mailbox.save()
    assert outbound_retry(now=logged.next_attempt_at) == 1
    assert smtp_auth.signed_in == [("PLAIN", mailbox.address)]


def test_replies_go_out_from_the_mailbox_the_call_came_in_through(cast, smtp, after_commit):
    MailboxFactory(school=cast.school, address="ictdesk@oak.sch.uk")
    shared = MailboxFactory(school=None, organisation=cast.school.organisation, address="ict@trust.example")
    incident = emailed_call(cast, shared, after_commit)
    with after_commit():
        incident_reply(incident=incident, by=cast.technician, body="Looking now.")
    acknowledgement, reply = smtp.to(cast.reporter.email)  # through the installation's server
    for message in (acknowledgement, reply):
        assert message["From"] == f"{cast.school.name} ICT desk <ict@trust.example>"
        assert message["Reply-To"] == "ict@trust.example"


def test_a_mailbox_that_does_not_send_itself_or_is_not_proved_uses_the_installations_server(
    cast, smtp, smtp_auth, after_commit
):
    mailbox = MailboxFactory(school=cast.school, address="ictdesk@oak.sch.uk")  # send_with: the installation
    incident = emailed_call(cast, mailbox, after_commit)
    assert len(smtp.to(cast.reporter.email)) == 1 and smtp_auth.messages == []
    assert smtp.to(cast.reporter.email)[0]["From"].endswith("<ictdesk@oak.sch.uk>")
    unproved = MailboxFactory(
        school=cast.school,
        address="new@oak.sch.uk",
        verified_at=None,
        send_with="mailbox",
        smtp_host="127.0.0.1",
        smtp_port=smtp_auth.port,
        smtp_security="none",
        password=SMTP_PASSWORD,
    )
    with after_commit():
        incident_reply(incident=incident, by=cast.technician, body="Hello")
    assert smtp_auth.messages == [] and "new@oak.sch.uk" not in str(smtp.messages[-1]["From"])
    assert unproved.pk


def test_the_spoc_sets_a_mailbox_to_send_as_itself_on_its_page_as_rendered(cast, smtp, smtp_auth, login, after_commit):
    from schooldesk.mail.tests.test_mailbox_trust import post_as_page

    mailbox = MailboxFactory(
        school=cast.school,
        address="ictdesk@oak.sch.uk",
        is_active=True,
        host="imap.oak.sch.uk",
        port=993,
        security="ssl",
        password="imap-password",
    )
    page = f"/mail/mailboxes/{mailbox.pk}/"
    answer = post_as_page(
        login(cast.spoc),
        page,
        page,
        {
            "send_with": "mailbox",
            "smtp_host": "127.0.0.1",
            "smtp_port": str(smtp_auth.port),
            "smtp_security": "none",
            "smtp_username": "sender@oak.sch.uk",
            "smtp_password": SMTP_PASSWORD,
        },
    )
    assert answer.status_code == 200 and SMTP_PASSWORD not in answer.content.decode()
    saved = Mailbox.objects.get(pk=mailbox.pk)
    assert saved.sends_itself and saved.password == "imap-password"  # still proved; the IMAP password kept
    incident = emailed_call(cast, saved, after_commit)
    with after_commit():
        incident_reply(incident=incident, by=cast.technician, body="The lamp is ordered.")
    acknowledgement, reply = smtp_auth.to(cast.reporter.email)
    assert smtp.messages == [] and reply["From"].endswith("<ictdesk@oak.sch.uk>")
    assert smtp_auth.signed_in == [("PLAIN", "sender@oak.sch.uk")] * 2

"""Each mail page does a fixed number of queries whatever the number of rows."""

import pytest

from schooldesk.core.tests.pages import count_queries
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.mail.choices import InboundStatus, Purpose
from schooldesk.mail.models import InboundMessage, OutboundMessage
from schooldesk.mail.services import inbound_store
from schooldesk.mail.tests.factories import MailboxFactory, raw_email

pytestmark = pytest.mark.django_db

CEILING = 25


@pytest.fixture
def world(cast):
    mailbox = MailboxFactory(school=cast.school)
    incident = IncidentFactory(school=cast.school, by=cast.reporter, summary="Emailed call")
    return mailbox, incident


def grow(cast, mailbox, incident, n):
    start = InboundMessage.objects.count()
    for i in range(start, start + n):
        raw = raw_email(
            sender=f"person{i}@families.example",
            to=mailbox.address,
            subject=f"Email {i}",
            html=f"<p>Email <b>{i}</b></p>",
        )
        message, _stored = inbound_store(mailbox=mailbox, raw=raw)
        InboundMessage.objects.filter(pk=message.pk).update(
            status=InboundStatus.HELD if i % 2 else InboundStatus.PROCESSED,
            incident=incident if i % 3 else None,
            reason="From an address we do not know.",
        )
        OutboundMessage.objects.create(
            school=cast.school,
            incident=incident,
            purpose=Purpose.CALL_UPDATED,
            dedupe_key=f"k{i}",
            to_address=f"person{i}@families.example",
            recipient=cast.reporter,
            from_address="desk@oak.example",
            subject=f"Sent {i}",
            body_text="x",
            message_id=f"<m{i}@oak.example>",
        )
    MailboxFactory(school=cast.school)


PAGES = {
    "email received": lambda mb, inc, msg: "/mail/",
    "all email, searched": lambda mb, inc, msg: "/mail/?show=all&q=email",
    "one email": lambda mb, inc, msg: f"/mail/messages/{msg.pk}/",
    "mailboxes": lambda mb, inc, msg: "/mail/mailboxes/",
    "mailbox settings": lambda mb, inc, msg: f"/mail/mailboxes/{mb.pk}/",
    "new mailbox": lambda mb, inc, msg: "/mail/mailboxes/new/",
    "my email choices": lambda mb, inc, msg: "/mail/preferences/",
    "a call's email": lambda mb, inc, msg: f"/mail/calls/{inc.pk}/",
}


@pytest.mark.parametrize("page", PAGES)
def test_mail_page_query_count_is_fixed(page, cast, world, client):
    mailbox, incident = world
    grow(cast, mailbox, incident, 3)
    message = InboundMessage.objects.filter(status=InboundStatus.HELD).order_by("pk").first()
    client.force_login(cast.spoc)
    small = count_queries(client, PAGES[page](mailbox, incident, message))
    grow(cast, mailbox, incident, 30)
    client.force_login(cast.spoc)
    large = count_queries(client, PAGES[page](mailbox, incident, message))
    assert large == small, f"{page}: {small} queries with few rows, {large} with many"
    assert large <= CEILING, f"{page}: {large} queries"

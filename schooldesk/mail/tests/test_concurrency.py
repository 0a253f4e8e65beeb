"""Two workers on the same email or the same mailbox at the same moment, in real concurrent transactions.
Only PostgreSQL proves this (SQLite runs one writer at a time), so these tests are skipped there."""

import pytest
from django.db import connection

from schooldesk.incidents.models import Incident
from schooldesk.incidents.tests.test_concurrency import run_together
from schooldesk.mail.intake import inbound_process
from schooldesk.mail.models import InboundMessage
from schooldesk.mail.services import inbound_store, mailbox_poll
from schooldesk.mail.tests.factories import MailboxFactory, imap_mailbox, raw_email

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
    pytest.mark.django_db(transaction=True),
]


def test_two_workers_processing_one_email_make_one_call(cast):
    mailbox = MailboxFactory(school=cast.school)
    raw = raw_email(sender=cast.reporter.email, to=mailbox.address, subject="Projector flickers")
    message, _stored = inbound_store(mailbox=mailbox, raw=raw)

    def job():
        return inbound_process(InboundMessage.objects.get(pk=message.pk)).status

    results = run_together(job, job, job)
    assert [r[0] for r in results] == ["ok"] * 3
    assert Incident.objects.count() == 1 and InboundMessage.objects.get().status == "processed"


def test_two_workers_storing_one_email_keep_one(cast):
    mailbox = MailboxFactory(school=cast.school)
    raw = raw_email(sender=cast.reporter.email, to=mailbox.address, subject="Printer")
    results = run_together(*[lambda: inbound_store(mailbox=mailbox, raw=raw)[1]] * 3)
    assert sorted(r[1] for r in results) == [False, False, True]
    assert InboundMessage.objects.count() == 1


def test_two_pollers_of_one_mailbox_fetch_each_email_once(cast, dovecot, imap_user):
    mailbox = imap_mailbox(dovecot, imap_user, school=cast.school)
    for n in range(5):
        dovecot.deliver(imap_user, raw_email(sender=cast.reporter.email, to=mailbox.address, subject=f"Fault {n}"))
    results = run_together(*[lambda: mailbox_poll(mailbox=type(mailbox).objects.get(pk=mailbox.pk))] * 2)
    polls = [r[1] for r in results]
    assert sum(p.stored for p in polls) == 5
    assert any(p.skipped or p.fetched == 0 for p in polls)  # the lease lets one in at a time
    assert Incident.objects.count() == 5 and InboundMessage.objects.count() == 5

"""Polling real IMAP (Dovecot): the worker's periodic job, one poller per mailbox, a changed
UIDVALIDITY, bad settings reported to the SPOC, and the demo's mailboxes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from schooldesk.demo.mail import mail_demo_create
from schooldesk.demo.schools import demo_create
from schooldesk.incidents.models import Incident
from schooldesk.mail.choices import InboundAction, InboundStatus
from schooldesk.mail.imap import MailboxError
from schooldesk.mail.models import InboundMessage, Mailbox
from schooldesk.mail.services import mailbox_check, mailbox_poll, mailboxes_due
from schooldesk.mail.tasks import mailboxes_poll_due
from schooldesk.mail.tests.conftest import free_port
from schooldesk.mail.tests.factories import imap_mailbox, raw_email

pytestmark = pytest.mark.django_db


def test_the_periodic_job_polls_active_mailboxes_when_due(cast, dovecot, imap_user, django_capture_on_commit_callbacks):
    mailbox = imap_mailbox(dovecot, imap_user, school=cast.school)
    idle = imap_mailbox(dovecot, dovecot.account(), school=cast.school, is_active=False)
    dovecot.deliver(imap_user, raw_email(sender=cast.reporter.email, to=mailbox.address, subject="Mouse broken"))
    assert mailboxes_due() == [mailbox.pk]
    with django_capture_on_commit_callbacks(execute=True):
        assert mailboxes_poll_due.call_local() == 1  # the poll itself is a task: Huey runs it at once under test
    assert Incident.objects.get().summary == "Mouse broken"
    assert mailboxes_due() == []  # polled a moment ago
    assert mailboxes_due(now=timezone.now() + timedelta(minutes=3)) == [mailbox.pk]
    assert idle.pk not in mailboxes_due(now=timezone.now() + timedelta(days=1))


def test_one_poller_at_a_time(cast, dovecot, imap_user):
    mailbox = imap_mailbox(dovecot, imap_user, school=cast.school)
    Mailbox.objects.filter(pk=mailbox.pk).update(polling_until=timezone.now() + timedelta(minutes=5))
    assert mailbox_poll(mailbox=mailbox).skipped
    assert not mailbox_poll(mailbox=mailbox, now=timezone.now() + timedelta(minutes=6)).skipped  # a stale lease


def test_a_changed_uidvalidity_refetches_everything_and_makes_nothing_twice(
    cast, dovecot, imap_user, django_capture_on_commit_callbacks
):
    mailbox = imap_mailbox(dovecot, imap_user, school=cast.school)
    for n in range(3):
        dovecot.deliver(imap_user, raw_email(sender=cast.reporter.email, to=mailbox.address, subject=f"Fault {n}"))
    with django_capture_on_commit_callbacks(execute=True):
        assert mailbox_poll(mailbox=mailbox).stored == 3
    mailbox.refresh_from_db()
    assert mailbox.last_uid == 3 and mailbox.uid_validity
    assert all("\\Seen" in flags for flags in dovecot.flags(imap_user).values())
    Mailbox.objects.filter(pk=mailbox.pk).update(uid_validity=1)  # as if the server rebuilt the folder
    result = mailbox_poll(mailbox=mailbox)
    assert (result.fetched, result.stored) == (3, 0) and Incident.objects.count() == 3


def test_an_email_stored_by_a_poll_that_died_is_processed_by_the_next(cast, dovecot, imap_user):
    mailbox = imap_mailbox(dovecot, imap_user, school=cast.school)
    dovecot.deliver(imap_user, raw_email(sender=cast.reporter.email, to=mailbox.address, subject="Half done"))
    mailbox_poll(mailbox=mailbox)
    message = InboundMessage.objects.get()
    Incident.objects.all().delete()  # rewind to the moment after storing, before processing
    InboundMessage.objects.filter(pk=message.pk).update(status=InboundStatus.RECEIVED, incident=None)
    Mailbox.objects.filter(pk=mailbox.pk).update(last_uid=0)
    mailbox_poll(mailbox=mailbox)
    message.refresh_from_db()
    assert message.status == InboundStatus.PROCESSED and Incident.objects.count() == 1


def test_wrong_settings_are_reported_not_raised(cast, dovecot, imap_user, smtp, django_capture_on_commit_callbacks):
    mailbox = imap_mailbox(dovecot, imap_user, school=cast.school, password="wrong")
    with pytest.raises(MailboxError, match="refused the sign-in"):
        mailbox_check(mailbox=mailbox)
    mailbox.password, mailbox.port = "desk-secret", free_port()  # (Dovecot slows repeated failed sign-ins)
    mailbox.save()
    with django_capture_on_commit_callbacks(execute=True):
        result = mailbox_poll(mailbox=mailbox)
        mailbox_poll(mailbox=mailbox)
    assert "Could not connect" in result.error
    mailbox.refresh_from_db()
    assert mailbox.last_error == result.error and mailbox.last_error_at
    assert len(smtp.to(cast.spoc.email)) == 1  # once a day, not once a poll
    mailbox.port, mailbox.folder = dovecot.port, "No such folder"
    mailbox.save()
    assert "no folder called" in mailbox_poll(mailbox=mailbox).error
    mailbox.folder = "INBOX"
    mailbox.save()
    assert "0 email(s) not yet fetched" in mailbox_check(mailbox=mailbox)
    assert mailbox_poll(mailbox=mailbox).error == ""
    mailbox.refresh_from_db()
    assert mailbox.last_error == ""


def test_the_demo_has_a_mailbox_per_school_that_is_not_polled_and_email_to_show(db):
    demo = demo_create(incidents=40)
    mailboxes = mail_demo_create(demo)
    assert {m.address for m in mailboxes} == {"ictdesk@oakfield.sch.uk", "ictsupport@riverside.sch.uk"}
    assert not any(m.is_active for m in mailboxes) and mailboxes_due() == []
    oakfield = demo.schools["oakfield"]
    created = InboundMessage.objects.filter(school=oakfield, action=InboundAction.CREATED)
    assert created.exists() and all(m.incident.channel == "email" for m in created)
    assert InboundMessage.objects.filter(school=oakfield, status=InboundStatus.HELD).count() == 1
    for message in InboundMessage.objects.all():
        assert message.raw.read().startswith(b"From: ")

"""The worker's mail jobs (Huey). Tests run tasks immediately; each job is also a plain function."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_periodic_task(crontab(minute="*"))
def mailboxes_poll_due() -> int:
    """Every minute: start a poll of each active mailbox whose interval has passed."""
    from schooldesk.mail.services import mailboxes_due

    due = mailboxes_due()
    for pk in due:
        mailbox_poll_task(pk)
    return len(due)


@db_task(retries=2, retry_delay=60)
def mailbox_poll_task(mailbox_id: int) -> int:
    from schooldesk.mail.models import Mailbox
    from schooldesk.mail.services import mailbox_poll

    mailbox = Mailbox.objects.filter(pk=mailbox_id, is_active=True).first()
    return mailbox_poll(mailbox=mailbox).stored if mailbox else 0


@db_periodic_task(crontab(minute="*/5"))
def outbound_retry_task() -> int:
    """Every five minutes: resend what failed (after its back-off) and escalations never mailed."""
    from schooldesk.mail.notify import escalations_unsent
    from schooldesk.mail.outbound import outbound_retry

    return outbound_retry() + escalations_unsent()


@db_periodic_task(crontab(minute="*/15"))
def sla_warnings_task() -> int:
    """Every quarter of an hour: warn about calls whose target falls within two hours (once per target)."""
    from schooldesk.mail.notify import sla_warnings_send

    return sla_warnings_send()


@db_periodic_task(crontab(hour="7", minute="10"))
def reminders_task() -> int:
    """Daily: the payment, licence and warranty reminders now due, each once (the outbound log keeps each key
    once per person, so a rerun the same day sends nothing)."""
    from schooldesk.mail.reminders import reminders_send

    return reminders_send()

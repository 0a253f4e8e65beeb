"""Reminder emails for the other registers (contract notice dates, payments due, licence renewals,
warranties ending). One function, called from those apps' periodic tasks:

    from schooldesk.mail.reminders import ReminderKind, reminder_send

    reminder_send(
        school=contract_school,                 # whose desk address it comes from (may be None)
        kind=ReminderKind.CONTRACT,             # which preference can switch it off
        people=[school.spoc, school.deputy],    # users; None and people without an email are skipped
        subject="Notice for the broadband contract is due by 31/01/2027",
        body="Give notice to Pennine Broadband by 31/01/2027 or the contract renews for 3 years.",
        key=f"contract:{contract.pk}:notice:{notice_on:%Y%m%d}",   # the same key is sent once per person
        url=f"/suppliers/contracts/{contract.pk}/",                 # optional: a link back, relative or absolute
        due_on=notice_on,                                           # optional: shown as dd/mm/yyyy
    )

It returns the logged messages (OutboundMessage), one per person who wants this kind of reminder.
They are sent after the current transaction commits (at once outside one), retried on failure by
the mail app's periodic task, and carry `Auto-Submitted: auto-generated`. Calling it again with the
same key (a daily job re-running) sends nothing new; change the key (e.g. add the date of the
reminder: 30, 7 and 1 days before) to remind again. The body is plain text, escaped in the HTML part.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

from schooldesk.mail.choices import NotificationEvent, Purpose
from schooldesk.mail.models import OutboundMessage
from schooldesk.mail.outbound import deliver_after_commit, message_queue, site_url, wanted


class ReminderKind(models.TextChoices):
    CONTRACT = NotificationEvent.REMINDER_CONTRACT, _("Contract notice date")
    PAYMENT = NotificationEvent.REMINDER_PAYMENT, _("Payment due")
    LICENCE = NotificationEvent.REMINDER_LICENCE, _("Licence renewal")
    WARRANTY = NotificationEvent.REMINDER_WARRANTY, _("Warranty ending")


def reminder_send(*, school, kind: str, people, subject: str, body: str, key: str, url: str = "",
                  due_on: date | None = None) -> list[OutboundMessage]:
    if kind not in ReminderKind.values:
        raise ValueError(f"Unknown reminder kind {kind!r}: use ReminderKind.")
    if url.startswith("/"):
        url = site_url() + url
    messages, seen = [], set()
    for person in people:
        if person is None or person.pk in seen or not person.email or not wanted(person, kind):
            continue
        seen.add(person.pk)
        message = message_queue(
            purpose=Purpose.REMINDER, to_address=person.email, dedupe_key=f"{kind}:{key}", subject=subject,
            template="reminder", context={"body": body, "url": url, "due_on": due_on, "kind": ReminderKind(kind).label,
                                          "school": school},
            school=school, recipient=person, in_reply_to="", references=[],
        )
        if message is not None:
            messages.append(message)
    deliver_after_commit(messages)
    return messages

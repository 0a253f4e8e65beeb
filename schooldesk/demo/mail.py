"""Demo mail: a mailbox record for each demo school (switched off: no server is configured, so it is
never polled until someone fills in its settings), the emails a few email-channel calls came from,
and, for Oakfield, an email held for the SPOC and an out-of-office that was set aside."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from schooldesk.incidents.choices import Channel
from schooldesk.incidents.models import Incident
from schooldesk.mail.choices import InboundAction, InboundStatus, MailKind, UnknownSenders
from schooldesk.mail.models import InboundMessage, Mailbox
from schooldesk.mail.parsing import split_reply


def _raw(*, sender: str, name: str, to: str, subject: str, body: str, message_id: str, date, extra: str = "") -> bytes:
    return (
        f"From: {name} <{sender}>\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {date:%a, %d %b %Y %H:%M:%S +0000}\r\n"
        f"Message-ID: {message_id}\r\n{extra}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{body}\r\n"
    ).encode()


def _message(mailbox, *, sender, name, subject, body, at, extra="", **fields) -> InboundMessage:
    message_id = f"<demo.{secrets.token_hex(8)}@{sender.rsplit('@', 1)[-1]}>"
    raw = _raw(
        sender=sender,
        name=name,
        to=mailbox.address,
        subject=subject,
        body=body,
        message_id=message_id,
        date=at,
        extra=extra,
    )
    message = InboundMessage(
        mailbox=mailbox,
        school=mailbox.school,
        message_id=message_id,
        size=len(raw),
        from_address=sender,
        from_name=name,
        subject=subject,
        preview=split_reply(body)[0][:300],
        sent_at=at,
        processed_at=at,
        attempts=1,
        **fields,
    )
    message.raw.save(f"{secrets.token_hex(16)}.eml", ContentFile(raw), save=False)
    message.save()
    InboundMessage.objects.filter(pk=message.pk).update(created_at=at)
    return message


def mail_demo_create(demo) -> list[Mailbox]:
    mailboxes = []
    for school in demo.schools.values():
        if not school.desk_email:
            continue
        mailbox = Mailbox.objects.create(
            school=school,
            name=f"{school.short_name or school.name} ICT desk",
            address=school.desk_email,
            is_active=False,
            unknown_senders=UnknownSenders.HOLD,
            verified_at=timezone.now(),  # the demo's own addresses (decision 0018: real ones are proved)
        )
        mailboxes.append(mailbox)
        calls = (
            Incident.objects.filter(school=school, channel=Channel.EMAIL, reported_by__isnull=False)
            .select_related("reported_by")
            .order_by("-logged_at")[:3]
        )
        for incident in calls:
            person = incident.reported_by
            _message(
                mailbox,
                sender=person.email,
                name=person.get_full_name(),
                subject=incident.summary,
                body=f"Hi,\n\n{incident.description or incident.summary}\n\nThanks,\n{person.first_name}",
                at=incident.logged_at,
                status=InboundStatus.PROCESSED,
                action=InboundAction.CREATED,
                incident=incident,
            )
    oakfield = next((m for m in mailboxes if m.school.short_name == "Oakfield"), None)
    if oakfield is not None:
        now = timezone.now()
        _message(
            oakfield,
            sender="j.hartley.pta@gmail.com",
            name="Jo Hartley (PTA)",
            subject="Laptop for the summer fair raffle",
            at=now - timedelta(hours=3),
            body="Hello,\n\nCould we borrow a laptop and the portable speaker for the summer fair on Saturday?\n\n"
            "Many thanks,\nJo",
            status=InboundStatus.HELD,
            reason="From an address we do not know. Log it as a call for them, or discard it.",
        )
        _message(
            oakfield,
            sender="noreply@classroomtechdirect.co.uk",
            name="Classroom Technology Direct",
            subject="Automatic reply: RMA request received",
            at=now - timedelta(hours=5),
            body="Thank you for your email. Our returns team will reply within two working days.",
            extra="Auto-Submitted: auto-replied\r\n",
            kind=MailKind.AUTO_REPLY,
            no_auto_response=True,
            status=InboundStatus.IGNORED,
            reason="An automatic reply (for example out of office): kept, not added to any call, and never answered.",
        )
    return mailboxes

"""Sending email: each message is first written to the log (OutboundMessage, once per purpose, address
and key), then sent; a failure is recorded and retried with back-off by a periodic task.

Headers let replies thread back to the call: a Message-ID of ours, In-Reply-To and References to the
earlier messages of the conversation with that address, and the call's reference in the subject.
Automatic mail carries `Auto-Submitted: auto-generated` (RFC 3834) and asks Exchange not to answer it
(`X-Auto-Response-Suppress`). Mail is never sent to a desk address of our own (a loop).

Mail goes out through the installation's SMTP server, or, for a proved mailbox set to send its own mail,
through that mailbox's account (SMTP with XOAUTH2 for Microsoft 365 and Google, or a password): see sending.py.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta
from email.utils import formataddr, make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from schooldesk.mail.choices import DEFAULT_OFF, PURPOSE_EVENT, OutboundStatus, Purpose
from schooldesk.mail.models import InboundMessage, Mailbox, NotificationPreference, OutboundMessage
from schooldesk.mail.sending import MailboxBackend
from schooldesk.schools.models import School

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
CLAIM_TIMEOUT = timedelta(minutes=10)
THREAD_DEPTH = 8


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=5 * 2 ** max(0, attempts - 1))  # 5, 10, 20, 40, 80 minutes


def site_url() -> str:
    return settings.SCHOOLDESK_SITE_URL


def is_email(value: str) -> bool:
    try:
        validate_email(value)
    except Exception:  # noqa: BLE001 - any refusal means "not an address"
        return False
    return True


def proved_addresses() -> set[str]:
    return {a.lower() for a in Mailbox.objects.filter(verified_at__isnull=False).values_list("address", flat=True)}


def own_addresses() -> set[str]:
    """Every address the desk reads: mailing one of them would start a loop. A mailbox's address counts only
    once it is proved to be the desk's (decision 0018): registering someone's address does not silence them."""
    desks = School.objects.exclude(desk_email="").values_list("desk_email", flat=True)
    return proved_addresses() | {a.lower() for a in desks}


def mailbox_for(school, incident=None) -> Mailbox | None:
    """The proved mailbox mail about this school (and call) goes out from: the one the call came in through,
    else the school's own, else its organisation's shared one."""
    if incident is not None:
        came_in = (
            Mailbox.objects.filter(verified_at__isnull=False, messages__incident=incident)
            .order_by("messages__created_at", "messages__id")
            .first()
        )
        if came_in is not None:
            return came_in
    if school is None:
        return None
    return (
        Mailbox.objects.filter(Q(school=school) | Q(organisation_id=school.organisation_id), verified_at__isnull=False)
        .order_by(F("organisation_id").asc(nulls_first=True), "pk")
        .first()
    )


def sender_for(school, incident=None) -> tuple[str, str, Mailbox | None]:
    """(From, Reply-To, the mailbox that sends it itself or None): the desk mailbox (the call's), else the
    school's desk address, else the installation's."""
    mailbox = mailbox_for(school, incident)
    address = mailbox.address if mailbox else (school.desk_email if school is not None else "")
    if not address:
        return settings.DEFAULT_FROM_EMAIL, "", None
    name = f"{school.name} ICT desk" if school is not None else mailbox.name
    return formataddr((name, address)), address, mailbox if mailbox is not None and mailbox.sends_itself else None


def wanted(user, purpose: str) -> bool:
    """The person has not switched this kind of email off."""
    event = PURPOSE_EVENT.get(purpose, purpose)
    chosen = NotificationPreference.objects.filter(user=user, event=event).values_list("is_enabled", flat=True).first()
    return chosen if chosen is not None else event not in DEFAULT_OFF


def thread_root(incident) -> str:
    first = (
        InboundMessage.objects.filter(incident=incident)
        .order_by("created_at", "id")
        .values_list("message_id", flat=True)
        .first()
    )
    return first or f"<{incident.reference}.{incident.school_id}@schooldesk.invalid>"


def thread_headers(incident, to_address: str) -> tuple[str, list[str]]:
    """(In-Reply-To, References) for the next message to `to_address` about `incident`."""
    if incident is None:
        return "", []
    root = thread_root(incident)
    earlier = list(
        OutboundMessage.objects.filter(incident=incident, to_address=to_address)
        .order_by("-created_at", "-id")
        .values_list("message_id", "created_at")[:THREAD_DEPTH]
    )
    earlier += list(
        InboundMessage.objects.filter(incident=incident, from_address=to_address)
        .order_by("-created_at", "-id")
        .values_list("message_id", "created_at")[:THREAD_DEPTH]
    )
    earlier = [mid for mid, _at in sorted(earlier, key=lambda pair: pair[1])][-THREAD_DEPTH:]
    references = [root, *[m for m in earlier if m != root]]
    return references[-1], references


def render(template: str, context: dict) -> tuple[str, str]:
    context = {"site_url": site_url(), **context}
    return (
        render_to_string(f"mail/email/{template}.txt", context).strip() + "\n",
        render_to_string(f"mail/email/{template}.html", context),
    )


def restricted(purpose: str, incident, update, context: dict) -> tuple[str, str, dict]:
    """An email about a restricted call (data breach, safeguarding) carries none of its content, whoever it is for
    and whatever the template would have put in (docs/decisions/0015): its reference, the school and a link. A
    supplier it is escalated to gets what the person escalating typed for them, our reference and theirs, the
    place, the priority and the SPOC to contact: never the summary, the description or the reporter. Each
    template gets only these names, so a template cannot leak what it is not given."""
    school = incident.school
    if purpose == Purpose.SUPPLIER_ESCALATION:
        return (
            f"[{incident.reference}] {school.name}: call escalated to you",
            "supplier_escalation_restricted",
            {
                "reference": incident.reference,
                "school": school,
                "note": update.body if update is not None else "",
                "supplier_reference": incident.supplier_reference,
                "location": str(incident.location),
                "priority": incident.get_priority_display(),
                "spoc": context.get("spoc"),
            },
        )
    return (
        f"[{incident.reference}] News on a restricted call",
        "restricted_call",
        {
            "reference": incident.reference,
            "school": school,
            "url": f"{site_url()}/incidents/{incident.pk}/",
        },
    )


def message_queue(
    *,
    purpose: str,
    to_address: str,
    dedupe_key: str,
    subject: str,
    template: str,
    context: dict,
    school=None,
    incident=None,
    update=None,
    recipient=None,
    is_automatic: bool = True,
    in_reply_to: str = "",
    references=None,
) -> OutboundMessage | None:
    """Log one message to send (after commit). The same purpose, address and key is logged once;
    returns None when the address is one of ours, not an address, or the person opted out."""
    to_address = (to_address or "").strip().lower()
    # a mailbox's confirmation may go to the school's own desk address (that is usually the one being set up),
    # never to an address another mailbox has proved
    ours = proved_addresses() if purpose == Purpose.MAILBOX_CONFIRM else own_addresses()
    if not is_email(to_address) or to_address in ours:
        return None
    if recipient is not None and not wanted(recipient, purpose):
        return None
    existing = OutboundMessage.objects.filter(purpose=purpose, to_address=to_address, dedupe_key=dedupe_key).first()
    if existing:
        return existing
    if incident is not None and incident.is_restricted:
        subject, template, context = restricted(purpose, incident, update, context)
    if not in_reply_to and references is None:
        in_reply_to, references = thread_headers(incident, to_address)
    from_email, reply_to, sending_mailbox = sender_for(school, incident)
    domain = (reply_to or settings.DEFAULT_FROM_EMAIL).rsplit("@", 1)[-1].strip("> ") or "schooldesk.invalid"
    text, markup = render(template, {**context, "to_address": to_address, "recipient": recipient})
    message = OutboundMessage(
        school=school,
        incident=incident,
        update=update,
        purpose=purpose,
        dedupe_key=dedupe_key[:120],
        recipient=recipient,
        to_address=to_address,
        from_address=from_email,
        reply_to=reply_to,
        mailbox=sending_mailbox,
        subject=" ".join(subject.split())[:300],
        body_text=text,
        body_html=markup,
        message_id=make_msgid(idstring=f"sd{incident.pk if incident else 0}", domain=domain),
        in_reply_to=in_reply_to,
        references=" ".join(references or []),
        is_automatic=is_automatic,
    )
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:  # another worker logged the same message a moment ago
        return OutboundMessage.objects.filter(purpose=purpose, to_address=to_address, dedupe_key=dedupe_key).first()
    return message


def _claim(message: OutboundMessage, now) -> bool:
    """Take the message for sending; another worker that tries at the same moment gets nothing."""
    ready = Q(status__in=[OutboundStatus.PENDING, OutboundStatus.FAILED]) | Q(
        status=OutboundStatus.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT
    )
    return bool(
        OutboundMessage.objects.filter(ready, pk=message.pk).update(status=OutboundStatus.SENDING, claimed_at=now)
    )


def _email(message: OutboundMessage, connection) -> EmailMultiAlternatives:
    headers = {"Message-ID": message.message_id}
    if message.in_reply_to:
        headers["In-Reply-To"] = message.in_reply_to
    if message.references:
        headers["References"] = message.references
    if message.is_automatic:
        headers["Auto-Submitted"] = "auto-generated"
        headers["X-Auto-Response-Suppress"] = "All"
    if message.incident_id:
        headers["X-SchoolDesk-Reference"] = message.incident.reference
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=message.from_address,
        to=[message.to_address],
        reply_to=[message.reply_to] if message.reply_to else None,
        headers=headers,
        connection=connection,
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    return email


def messages_deliver(messages, *, now=None) -> int:
    """Send each message not yet sent; record success or the error and when to try again."""
    now = now or timezone.now()
    sent = 0
    connections = {}  # one per sending mailbox (None: the installation's server)
    for message in messages:
        if message is None or not _claim(message, now):
            continue
        # the mailbox's own account while it still sends itself (a SPOC who switches it back to the
        # installation's server moves the retries there too)
        key = message.mailbox_id if message.mailbox_id and message.mailbox.sends_itself else None
        try:
            if key not in connections:
                connections[key] = MailboxBackend(message.mailbox) if key else get_connection()
            _email(message, connections[key]).send()
        except (smtplib.SMTPException, OSError, ValueError) as exc:
            message.attempts += 1
            message.last_error = str(exc)[:500]
            given_up = message.attempts >= MAX_ATTEMPTS
            message.status = OutboundStatus.GIVEN_UP if given_up else OutboundStatus.FAILED
            message.next_attempt_at = None if given_up else now + backoff(message.attempts)
            logger.warning(
                "Email %s to %s failed (attempt %s): %s", message.pk, message.to_address, message.attempts, exc
            )
            connections.pop(key, None)
        else:
            message.attempts += 1
            message.status, message.sent_at, message.last_error = OutboundStatus.SENT, now, ""
            sent += 1
        message.save(update_fields=["status", "attempts", "last_error", "next_attempt_at", "sent_at", "updated_at"])
    return sent


def deliver_after_commit(messages) -> None:
    ids = [m.pk for m in messages if m is not None]
    if ids:
        transaction.on_commit(
            lambda: messages_deliver(
                OutboundMessage.objects.filter(pk__in=ids).select_related("incident", "mailbox").order_by("pk")
            )
        )


def outbound_retry(*, now=None) -> int:
    """Send what failed earlier (when its back-off is over) and what a crashed worker left half-sent."""
    now = now or timezone.now()
    due = (
        OutboundMessage.objects.filter(
            Q(status=OutboundStatus.FAILED, next_attempt_at__lte=now)
            | Q(status=OutboundStatus.PENDING, created_at__lte=now - timedelta(minutes=2))
            | Q(status=OutboundStatus.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)
        )
        .select_related("incident", "mailbox")
        .order_by("pk")[:200]
    )
    return messages_deliver(list(due), now=now)

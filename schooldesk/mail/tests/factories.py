from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import factory
from django.utils import timezone

from schooldesk.mail.models import Mailbox
from schooldesk.mail.tests.conftest import IMAP_PASSWORD

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20000


class MailboxFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mailbox

    name = factory.Sequence(lambda n: f"ICT desk {n}")
    address = factory.Sequence(lambda n: f"ictdesk{n}@school.example")
    unknown_senders = "hold"
    verified_at = factory.LazyFunction(timezone.now)  # proved (decision 0018); verified_at=None: not proved


def imap_mailbox(dovecot, user: str, **fields) -> Mailbox:
    """A mailbox record reading `user` on the test Dovecot (plaintext is allowed on loopback only)."""
    options = {
        "is_active": True,
        "host": dovecot.host,
        "port": dovecot.port,
        "security": "none",
        "username": user,
        "password": IMAP_PASSWORD,
    } | fields
    return MailboxFactory(**options)


def raw_email(
    *,
    sender: str,
    to: str,
    subject: str,
    body: str = "Hello",
    name: str = "",
    message_id: str = "",
    in_reply_to: str = "",
    references: str = "",
    headers: dict | None = None,
    html: str = "",
    attachments=(),
) -> bytes:
    """An email as a mail client would send it (RFC 5322 bytes)."""
    msg = EmailMessage()
    msg["From"] = f"{name} <{sender}>" if name else sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(timezone.now())
    msg["Message-ID"] = message_id or make_msgid(domain=sender.rsplit("@", 1)[-1])
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = references
    for key, value in (headers or {}).items():
        msg[key] = value
    msg.set_content(body)
    if html:
        msg.add_alternative(html, subtype="html")
    for filename, content, maintype, subtype in attachments:
        msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes()

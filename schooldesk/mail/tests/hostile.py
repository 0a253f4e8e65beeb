"""Emails as the intake meets them in the wild, built as bytes: forged senders, quoted megabytes,
nested screenshots, delivery reports, out-of-office replies. Shared by the intake fault tests and the
1,000-email run; delivered into the real Dovecot and read by the real poll."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest
from django.utils import timezone

AUTHSERV_ID = "mx.oak.sch.uk"  # the school's own receiving server, named on the mailbox
SCREENSHOT = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 100  # 25 KB: above the size of a signature logo


def passed(domain: str, authserv_id: str = AUTHSERV_ID) -> str:
    return (
        f"{authserv_id}; spf=pass smtp.mailfrom={domain}; dkim=pass header.d={domain} header.s=s1; "
        f"dmarc=pass header.from={domain}"
    )


def forged(domain: str, authserv_id: str = AUTHSERV_ID) -> str:
    return f"{authserv_id}; spf=fail smtp.mailfrom=evil.example; dkim=none; dmarc=fail (p=reject) header.from={domain}"


def with_headers(raw: bytes, *headers: tuple[str, str]) -> bytes:
    """Headers put on top, as each receiving server adds its own above what it received."""
    top = b"".join(f"{name}: {value}\r\n".encode() for name, value in headers)
    return top + raw


def signed(raw: bytes, sender: str) -> bytes:
    """As the school's receiving server stamps genuine mail from `sender`."""
    return with_headers(raw, ("Authentication-Results", passed(sender.rsplit("@", 1)[-1])))


def screenshot_email(*, client: str, sender: str, to: str, subject: str) -> bytes:
    """A pasted screenshot as each client nests it."""
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg["Date"], msg["Message-ID"] = format_datetime(timezone.now()), make_msgid(domain="oak.sch.uk")
    if client == "outlook":  # mixed > related > (alternative, image), plus a file attached
        msg.set_content("See the screenshot.")
        msg.add_alternative('<p>See the screenshot.</p><img src="cid:shot@outlook">', subtype="html")
        msg.get_payload()[1].add_related(
            SCREENSHOT, maintype="image", subtype="png", cid="<shot@outlook>", filename="image001.png"
        )
        msg.make_mixed()
        msg.attach(_part(b"Printer log", "text", "plain", "log.txt", "attachment"))
    elif client == "thunderbird":  # alternative > (plain, related > (html, image))
        msg.set_content("See the screenshot.")
        msg.add_alternative('<p>See the screenshot.</p><img src="cid:shot@tb">', subtype="html")
        msg.get_payload()[1].add_related(
            SCREENSHOT, maintype="image", subtype="png", cid="<shot@tb>", filename="image001.png"
        )
    else:  # Apple Mail: alternative > (plain, related > (html, image without a file name))
        msg.set_content("See the screenshot.")
        msg.add_alternative('<p>See the screenshot.</p><img src="cid:shot@apple">', subtype="html")
        msg.get_payload()[1].add_related(
            SCREENSHOT, maintype="image", subtype="png", cid="<shot@apple>", disposition="inline"
        )
    return msg.as_bytes()


def _part(content: bytes, maintype: str, subtype: str, filename: str, disposition: str) -> EmailMessage:
    part = EmailMessage()
    part.set_content(content, maintype=maintype, subtype=subtype, filename=filename, disposition=disposition)
    return part


def delivery_report(*, to: str, failed: str, original_id: str, status: str = "5.1.1") -> bytes:
    """An RFC 3464 report as Postfix writes it: no In-Reply-To, the bounced email's headers returned."""
    return (
        f"From: MAILER-DAEMON@mx.oak.sch.uk (Mail Delivery System)\r\nTo: {to}\r\n"
        f"Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: {make_msgid(domain='mx.oak.sch.uk')}\r\n"
        f"Date: {format_datetime(timezone.now())}\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="BOUND"\r\n\r\n'
        "--BOUND\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you that your message could not "
        "be delivered.\r\n"
        "--BOUND\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.oak.sch.uk\r\n\r\n"
        f"Final-Recipient: rfc822; {failed}\r\nOriginal-Recipient: rfc822;{failed}\r\nAction: failed\r\n"
        f"Status: {status}\r\nDiagnostic-Code: smtp; 550 {status} <{failed}>: Recipient address rejected: "
        "User unknown\r\n\r\n"
        "--BOUND\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: desk@oak.sch.uk\r\nTo: {failed}\r\nSubject: Your call\r\nMessage-ID: {original_id}\r\n\r\n"
        "--BOUND--\r\n"
    ).encode()


def nested_email(*, depth: int, sender: str, to: str, subject: str) -> bytes:
    """Multiparts inside multiparts, `depth` deep, around one line of text (a crafted email, or a bomb)."""
    body = "Content-Type: text/plain\r\n\r\nHello\r\n"
    for level in range(depth):
        body = f'Content-Type: multipart/mixed; boundary="b{level}"\r\n\r\n--b{level}\r\n{body}--b{level}--\r\n'
    head = (
        f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {format_datetime(timezone.now())}\r\n"
        f"Message-ID: {make_msgid(domain='oak.sch.uk')}\r\nMIME-Version: 1.0\r\n"
    )
    return (head + body).encode()


def deliver_many(dovecot, user: str, raws: list[bytes]) -> None:
    """Put the emails straight into the user's Maildir, as a local delivery agent does (tmp/, then
    new/), in order; Dovecot finds them at the next SELECT. A thousand APPENDs cost ten seconds."""
    conn = dovecot.connect(user)
    try:
        conn.select("INBOX")  # makes the Maildir
    finally:
        conn.logout()
    maildir = dovecot.root / "mail" / user
    owner = maildir.stat()
    for n, raw in enumerate(raws):
        name = f"{int(time.time())}.M{n:06d}P{os.getpid()}.batch"
        temporary = maildir / "tmp" / name
        temporary.write_bytes(raw.replace(b"\r\n", b"\n"))
        if os.geteuid() == 0:
            os.chown(temporary, owner.st_uid, owner.st_gid)
        temporary.rename(maildir / "new" / name)


@contextlib.contextmanager
def within(seconds: float):
    """Fail the test if the block takes longer (the old quadratic split took hours, so no waiting it out)."""

    def too_slow(_signum, _frame):
        pytest.fail(f"took more than {seconds} s", pytrace=False)

    previous = signal.signal(signal.SIGALRM, too_slow)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    started = time.monotonic()
    try:
        yield started
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)

"""Reading an email: who sent it, what thread it belongs to, whether a machine wrote it, its new text
(quoted text and signatures folded away), its HTML made safe to show, and its attachments.

Machine mail is recognised by the standard markers (RFC 3834 Auto-Submitted, Precedence, X-Autoreply
and friends, List-Id, an empty Return-Path, RFC 3464 delivery reports) and is never answered
automatically: see security-reliability §3.1 for the loops peers fell into.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

import nh3

from schooldesk.mail.choices import MailKind

MESSAGE_ID = re.compile(r"<[^<>\s]+>")
REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|sv|antw)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
BOUNCE_SENDERS = ("mailer-daemon", "postmaster")
AUTO_REPLY_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Auto-Reply", "X-Autoresponder")

SAFE_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "div", "dl", "dt", "em", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
SAFE_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan", "scope"}}

# Where the quoted part of a reply starts. A wrapped "On …, … wrote:" is joined with the next line first.
QUOTE_STARTS = [
    re.compile(r"^\s*On\b.{4,250}\bwrote:\s*$", re.IGNORECASE),
    re.compile(r"^\s*-{2,}\s*Original Message\s*-{2,}", re.IGNORECASE),
    re.compile(r"^\s*_{10,}\s*$"),
    re.compile(r"^\s*-{5,}\s*Forwarded message\s*-{5,}", re.IGNORECASE),
]
HEADER_BLOCK = re.compile(r"^\s*\*?(From|De|Von)\s*:\*?\s", re.IGNORECASE)
HEADER_NEXT = re.compile(r"^\s*\*?(Sent|Date|To|Subject|Envoyé|Gesendet)\s*:", re.IGNORECASE)
SIGNATURE_STARTS = [
    re.compile(r"^-- ?$"),
    re.compile(r"^\s*(Sent from my (iPhone|iPad|Android|Samsung|mobile)|Sent from Outlook|Sent from Mail for Windows"
               r"|Get Outlook for (iOS|Android))", re.IGNORECASE),
]


@dataclass
class Attachment:
    filename: str
    content_type: str
    content: bytes
    is_inline: bool = False


@dataclass
class ParsedMail:
    message_id: str
    subject: str = ""
    from_name: str = ""
    from_address: str = ""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    date: datetime | None = None
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    text: str = ""
    html_safe: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    kind: str = MailKind.PERSON
    kind_reason: str = ""
    no_auto_response: bool = False

    @property
    def thread_ids(self) -> list[str]:
        """Every Message-ID this email says it answers, nearest first."""
        seen, ids = set(), []
        for mid in [*self.in_reply_to, *reversed(self.references)]:
            if mid not in seen:
                seen.add(mid)
                ids.append(mid)
        return ids

    @property
    def summary(self) -> str:
        subject = REPLY_PREFIX.sub("", self.subject).strip()
        if not subject:
            first = next((line.strip() for line in self.text.splitlines() if line.strip()), "")
            subject = first or "(no subject)"
        return subject[:200]


def message_id_of(raw: bytes) -> str:
    """The Message-ID, or one made from the content for the rare email that has none (the same bytes
    always give the same id, so a re-fetched copy is still recognised)."""
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    parsed = email.message_from_bytes(head + b"\r\n\r\n", policy=email.policy.compat32)
    found = MESSAGE_ID.findall(str(parsed.get("Message-ID", "")))
    if found:
        return found[0][:255]
    return f"<sha256.{hashlib.sha256(raw).hexdigest()}@schooldesk.invalid>"


def _header(msg, name: str) -> str:
    try:
        value = msg.get(name)
    except (ValueError, IndexError, TypeError):  # a header too broken to decode
        value = msg.get_all(name, [""])[0] if hasattr(msg, "get_all") else ""
    return str(value or "").strip()


def _addresses(msg, name: str) -> list[str]:
    return [addr.lower() for _n, addr in getaddresses([_header(msg, name)]) if "@" in addr]


def classify(msg, from_address: str) -> tuple[str, str]:
    """(kind, reason): who or what wrote this email."""
    auto = _header(msg, "Auto-Submitted").lower()
    precedence = _header(msg, "Precedence").lower()
    return_path = msg.get("Return-Path")
    local = from_address.split("@")[0].lower()
    report_type = str(msg.get_param("report-type") or "").lower()
    if msg.get_content_type() == "multipart/report" and report_type == "delivery-status":
        return MailKind.BOUNCE, "a delivery status report (RFC 3464)"
    if return_path is not None and str(return_path).strip() in ("<>", ""):
        return MailKind.BOUNCE, "an empty Return-Path (a bounce)"
    if local in BOUNCE_SENDERS:
        return MailKind.BOUNCE, f"sent by {local}"
    if auto.startswith("auto-replied") or any(msg.get(h) for h in AUTO_REPLY_HEADERS) or precedence == "auto_reply":
        return MailKind.AUTO_REPLY, "marked as an automatic reply"
    if auto and auto != "no":
        return MailKind.AUTO_GENERATED, f"Auto-Submitted: {auto}"
    if precedence in ("bulk", "junk", "list"):
        return MailKind.BULK, f"Precedence: {precedence}"
    if msg.get("List-Id") or msg.get("List-Unsubscribe"):
        return MailKind.BULK, "sent through a mailing list"
    return MailKind.PERSON, ""


class _TextExtractor(HTMLParser):
    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "hr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "head", "title"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("style", "script", "head", "title"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(re.sub(r"[ \t\r\n]+", " ", data))


def html_to_text(markup: str) -> str:
    extractor = _TextExtractor()
    extractor.feed(markup)
    extractor.close()
    lines = [line.strip() for line in "".join(extractor.parts).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def html_sanitise(markup: str) -> str:
    """Only harmless formatting survives: no scripts, styles, images (tracking pixels), forms or frames."""
    return nh3.clean(markup, tags=SAFE_TAGS, attributes=SAFE_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer nofollow", strip_comments=True)


def _content(part) -> str | bytes:
    try:
        return part.get_content()
    except (LookupError, UnicodeError, AssertionError):  # an unknown or lying charset
        payload = part.get_payload(decode=True) or b""
        return payload if part.get_content_maintype() != "text" else payload.decode("utf-8", "replace")


def split_reply(text: str) -> tuple[str, str]:
    """(what the person wrote, the quoted text and signature below it) for a reply."""
    lines = text.replace("\r\n", "\n").split("\n")
    cut = len(lines)
    for i, line in enumerate(lines):
        joined = line + " " + (lines[i + 1] if i + 1 < len(lines) else "")
        if any(p.match(line) or p.match(joined) for p in QUOTE_STARTS) or any(p.match(line) for p in SIGNATURE_STARTS):
            cut = i
            break
        if HEADER_BLOCK.match(line) and any(HEADER_NEXT.match(n) for n in lines[i + 1:i + 4]):
            cut = i
            break
        if line.startswith(">") and all(not rest.strip() or rest.startswith(">") for rest in lines[i:]):
            cut = i
            break
    return "\n".join(lines[:cut]).strip(), "\n".join(lines[cut:]).strip()


def strip_signature(text: str) -> str:
    """For a new call: everything the person sent (forwards included), without their signature."""
    lines = text.replace("\r\n", "\n").split("\n")
    for i, line in enumerate(lines):
        if any(p.match(line) for p in SIGNATURE_STARTS):
            return "\n".join(lines[:i]).strip()
    return text.strip()


def parse(raw: bytes) -> ParsedMail:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    from_name, from_address = parseaddr(_header(msg, "From"))
    from_address = from_address.lower()
    mail = ParsedMail(
        message_id=message_id_of(raw), subject=re.sub(r"\s+", " ", _header(msg, "Subject"))[:300],
        from_name=from_name.strip()[:200], from_address=from_address[:254],
        to=_addresses(msg, "To"), cc=_addresses(msg, "Cc"),
        in_reply_to=MESSAGE_ID.findall(_header(msg, "In-Reply-To")),
        references=MESSAGE_ID.findall(_header(msg, "References")),
    )
    try:
        mail.date = email.utils.parsedate_to_datetime(_header(msg, "Date")) if _header(msg, "Date") else None
    except (TypeError, ValueError):
        mail.date = None
    if mail.date is not None and mail.date.tzinfo is None:
        mail.date = None
    mail.kind, mail.kind_reason = classify(msg, from_address)
    suppress = _header(msg, "X-Auto-Response-Suppress").lower()
    mail.no_auto_response = mail.kind != MailKind.PERSON or any(w in suppress for w in ("all", "autoreply", "oof"))

    plain = msg.get_body(preferencelist=("plain",))
    rich = msg.get_body(preferencelist=("html",))
    if rich is not None:
        markup = _content(rich)
        markup = markup if isinstance(markup, str) else markup.decode("utf-8", "replace")
        mail.html_safe = html_sanitise(markup)
    if plain is not None:
        body = _content(plain)
        mail.text = (body if isinstance(body, str) else body.decode("utf-8", "replace")).strip()
    elif rich is not None:
        mail.text = html_to_text(markup)
    for part in msg.iter_attachments():
        filename = part.get_filename()
        if not filename or part.get_content_maintype() == "multipart":
            continue
        content = _content(part)
        if isinstance(content, str):
            content = content.encode("utf-8")
        elif not isinstance(content, bytes):  # message/rfc822 and the like: keep the bytes as sent
            content = part.get_payload(decode=True) or bytes(part)
        inline = (part.get_content_disposition() == "inline") and bool(part.get("Content-ID"))
        mail.attachments.append(Attachment(filename=filename[:200], content_type=part.get_content_type(),
                                           content=content, is_inline=inline))
    return mail

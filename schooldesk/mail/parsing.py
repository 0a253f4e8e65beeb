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
import time
from dataclasses import dataclass, field
from datetime import datetime
from email import errors
from email.parser import BytesHeaderParser
from email.utils import getaddresses
from html.parser import HTMLParser

import authres
import nh3

from schooldesk.mail.choices import MailKind

MESSAGE_ID = re.compile(r"<[^<>\s]+>")
REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|sv|antw)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
BOUNCE_SENDERS = ("mailer-daemon", "postmaster")
AUTO_REPLY_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Auto-Reply", "X-Autoresponder")
AUTO_REPLY_SUBJECT = re.compile(  # as the machines write them: the phrase, then a colon (or nothing else)
    r"^\s*(automatic reply|auto[- ]?reply|auto[- ]?response|autoreply|out of (the )?office( auto ?reply)?|"
    r"abwesenheitsnotiz|réponse automatique|respuesta automática)\s*(:|$)",
    re.IGNORECASE,
)
#: the weakest sign (a person may write such a subject): such an email matching no call is held, not set aside
BY_SUBJECT = "an automatic reply, by its subject"
SUPPRESS_MARKS = ("all", "autoreply", "oof")  # a sender asking not to be answered automatically

#: The most one email may cost: beyond these it is held for the SPOC with the reason, never processed.
MAX_BYTES = 25 * 1024 * 1024  # most providers refuse larger mail anyway
MAX_PARTS = 200  # MIME parts, counted over the whole tree
MAX_DEPTH = 20  # multiparts inside multiparts
MAX_SECONDS = 20.0  # reading and splitting one email; far below the poller's heartbeat (services.HEARTBEAT)
MAX_KEPT_CHARS = 200_000  # text put on a call; the rest stays in the original email
#: HTML elements open inside one another: an HTML parser's work grows with the depth at every tag (a megabyte
#: of unclosed <div>s took minutes), so deeper HTML is held; real email nests a few dozen deep
MAX_HTML_DEPTH = 500
HTML_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)")
#: elements that never hold others, or that the parser closes by itself when the next one starts
HTML_NOT_NESTING = frozenset(
    "area base br col embed hr img input link meta param source track wbr "
    "p li dt dd tr td th option optgroup thead tbody tfoot colgroup rb rt rp".split()
)

SAFE_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
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
    re.compile(
        r"^\s*(Sent from my (iPhone|iPad|Android|Samsung|mobile)|Sent from Outlook|Sent from Mail for Windows"
        r"|Get Outlook for (iOS|Android))",
        re.IGNORECASE,
    ),
]


class MailTooComplex(ValueError):  # noqa: N818 - read as "the mail is too complex"; a ValueError as pages expect
    """The email is over the bounds one email may cost (size, parts, time): the message says which."""


class Deadline:
    """A time limit on the work for one email, checked as the work goes."""

    def __init__(self, seconds: float | None = None):
        self.until = time.monotonic() + (MAX_SECONDS if seconds is None else seconds)

    def check(self) -> None:
        if time.monotonic() > self.until:
            raise MailTooComplex(f"Reading this email took longer than {MAX_SECONDS:g} seconds.")


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
    #: every address in From (more than one: the email is held, never acted on)
    from_addresses: list[str] = field(default_factory=list)
    #: the raw Authentication-Results headers, topmost (added last, by the nearest server) first
    auth_results: list[str] = field(default_factory=list)
    #: for a delivery report: (address, status, diagnostic) of each recipient that failed
    bounced: list[tuple[str, str, str]] = field(default_factory=list)
    #: for a delivery report: the Message-ID(s) of the email that did not arrive
    bounced_message_ids: list[str] = field(default_factory=list)
    deadline: Deadline | None = field(default=None, repr=False)

    @property
    def thread_ids(self) -> list[str]:
        """Every Message-ID this email says it answers, nearest first."""
        seen, ids = set(), []
        for mid in [*self.in_reply_to, *reversed(self.references), *self.bounced_message_ids]:
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


DIGEST_HEADERS = ("from", "to", "cc", "subject", "date", "message-id", "content-type")


def content_digest(raw: bytes) -> str:
    """What the email says, not how it travelled: the same email fetched again, or delivered twice by
    different routes (other Received lines), gives the same digest; another email that reuses a
    Message-ID (copiers and scripts do) gives another."""
    normal = raw.replace(b"\r\n", b"\n")
    head, _sep, body = normal.partition(b"\n\n")
    headers = BytesHeaderParser(policy=email.policy.compat32).parsebytes(head + b"\n\n")
    digest = hashlib.sha256()
    for name in DIGEST_HEADERS:
        for value in headers.get_all(name, []):
            digest.update(
                name.encode() + b":" + re.sub(r"\s+", " ", str(value)).strip().encode("utf-8", "replace") + b"\n"
            )
    digest.update(b"\n" + body.rstrip())
    return digest.hexdigest()


def sender_and_subject(raw: bytes) -> tuple[str, str, str]:
    """(address, name, subject) from the headers alone, for an email too large or complex to read whole."""
    head = raw.replace(b"\r\n", b"\n").partition(b"\n\n")[0][:65536]
    msg = BytesHeaderParser(policy=email.policy.default).parsebytes(head + b"\n\n")
    name, senders = _from(msg)
    return (senders[0][1][:254] if senders else ""), name[:200], re.sub(r"\s+", " ", _header(msg, "Subject"))[:300]


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
    subject = _header(msg, "Subject")
    if AUTO_REPLY_SUBJECT.match(subject):
        return MailKind.AUTO_REPLY, BY_SUBJECT
    suppress = [w.strip() for w in _header(msg, "X-Auto-Response-Suppress").lower().split(",")]
    if "all" in suppress:  # how Exchange marks its own automatic replies; a person's client asks for OOF, AutoReply
        return MailKind.AUTO_REPLY, "X-Auto-Response-Suppress: All (an automatic reply)"
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


def html_depth(markup: str) -> int:
    """How deep the HTML's elements open inside one another, read in one pass (an upper bound: a closing
    tag is taken to close the innermost element, and a tag written as <x/> counts as open)."""
    depth = deepest = 0
    for match in HTML_TAG.finditer(markup):
        if match.group(1):
            depth = max(0, depth - 1)
        elif match.group(2).lower() not in HTML_NOT_NESTING:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def html_to_text(markup: str) -> str:
    """The text of an HTML email. The standard library's parser is slow on some broken HTML (a run of "</"
    took time growing with its square), so it reads nh3's well-formed rewrite of the markup, not the markup."""
    extractor = _TextExtractor()
    extractor.feed(
        nh3.clean(
            markup,
            tags=_TextExtractor.BLOCKS,
            attributes={},
            clean_content_tags={"script", "style", "title"},
            strip_comments=True,
            link_rel=None,
        )
    )
    extractor.close()
    lines = [line.strip() for line in "".join(extractor.parts).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def html_sanitise(markup: str) -> str:
    """Only harmless formatting survives: no scripts, styles, images (tracking pixels), forms or frames."""
    return nh3.clean(
        markup,
        tags=SAFE_TAGS,
        attributes=SAFE_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def _content(part) -> str | bytes:
    try:
        return part.get_content()
    except (LookupError, UnicodeError, AssertionError):  # an unknown or lying charset
        payload = part.get_payload(decode=True) or b""
        return payload if part.get_content_maintype() != "text" else payload.decode("utf-8", "replace")


def _ends_quote(line: str) -> bool:
    """A line after which everything is the earlier email (Outlook and forwards quote without ">")."""
    return any(p.match(line) for p in QUOTE_STARTS[1:])


def split_reply(text: str, deadline: Deadline | None = None) -> tuple[str, str]:
    """(what the person wrote, the quoted text and signature) for a reply, in one pass over the lines.

    Quoted lines (">") and the "On … wrote:" line above them are folded away wherever they are, so a
    reply written above the quote, below it (bottom-posting) or between its lines keeps its new text. A
    signature, or an Outlook or forwarded header block, ends the new text."""
    lines = text.replace("\r\n", "\n").split("\n")
    count = len(lines)
    new: list[str] = []
    folded: list[str] = []
    i = 0
    while i < count:
        if deadline is not None and not i % 2000:
            deadline.check()
        line = lines[i]
        if line.startswith(">"):
            folded.append(line)
            i += 1
            continue
        following = lines[i + 1] if i + 1 < count else ""
        if (
            any(p.match(line) for p in SIGNATURE_STARTS)
            or _ends_quote(line)
            or (HEADER_BLOCK.match(line) and any(HEADER_NEXT.match(n) for n in lines[i + 1 : i + 4]))
        ):
            folded.extend(lines[i:])
            break
        attribution = QUOTE_STARTS[0]
        width = 1 if attribution.match(line) else 2 if attribution.match(line + " " + following) else 0
        if width:
            after = i + width
            while after < count and not lines[after].strip():
                after += 1
            if after < count and lines[after].startswith(">"):  # "On … wrote:" over a ">" quote: fold just that
                folded.extend(lines[i:after])
                i = after
                continue
            folded.extend(lines[i:])  # a quote without ">" marks: the rest is the earlier email
            break
        new.append(line)
        i += 1
    return re.sub(r"\n{3,}", "\n\n", "\n".join(new)).strip(), "\n".join(folded).strip()


def strip_signature(text: str) -> str:
    """For a new call: everything the person sent (forwards included), without their signature."""
    lines = text.replace("\r\n", "\n").split("\n")
    for i, line in enumerate(lines):
        if any(p.match(line) for p in SIGNATURE_STARTS):
            return "\n".join(lines[:i]).strip()
    return text.strip()


ANGLE_ADDRESS = re.compile(r"<\s*([^<>\s@]+@[^<>\s@]+)\s*>")


def _from(msg) -> tuple[str, list[tuple[str, str]]]:
    """(display name, [(name, address)…]): the address is the one in angle brackets, whatever the name
    looks like. `e.brown@oak.sch.uk <attacker@evil.example>` is not valid RFC 5322 (an unquoted @ in the
    name), and both the header registry and getaddresses then read the name as the address; so for a
    From line the registry finds invalid, the angle brackets decide."""
    lines = [re.sub(r"\s+", " ", str(v)).strip() for n, v in msg.raw_items() if n.lower() == "from"]
    if len(lines) > 1:  # two From headers: a receiving server may check one while we read the other
        several = [_from_line(line) for line in lines]
        return several[0][0], [pair for _name, pairs in several for pair in pairs]
    return _from_line(lines[0] if lines else "", msg)


def _from_line(raw: str, msg=None) -> tuple[str, list[tuple[str, str]]]:
    """One From line as sent (the registry's own string drops what it could not parse)."""
    if msg is None:
        msg = email.message_from_bytes(f"From: {raw}\n\n".encode("utf-8", "replace"), policy=email.policy.default)
    try:
        header = msg["From"]
        found = [(a.display_name, a.addr_spec) for a in getattr(header, "addresses", ())]
        invalid = any(isinstance(d, errors.InvalidHeaderDefect) for d in getattr(header, "defects", ()))
    except (ValueError, IndexError, TypeError, AttributeError):
        found, invalid = [], True
    if invalid or not found:
        angled = ANGLE_ADDRESS.findall(raw)
        if len(angled) == 1 and raw.count("@") <= 2:  # one mailbox: its name may hold one stray @
            found = [(raw[: raw.index("<")].strip().strip('"').strip(), angled[0])]
        else:
            found = [(n, a) for n, a in getaddresses([raw]) if a]
    found = [(n.strip(), a.strip().lower()) for n, a in found if "@" in a]
    return (found[0][0] if found else ""), found


def _leaves(msg, deadline: Deadline) -> list:
    """Every leaf part of the whole MIME tree, in order (an attached email is one leaf, not opened)."""
    leaves, stack, seen = [], [(msg, 0)], 0
    while stack:
        part, depth = stack.pop()
        seen += 1
        if seen > MAX_PARTS:
            raise MailTooComplex(f"The email has more than {MAX_PARTS} parts.")
        if depth > MAX_DEPTH:
            raise MailTooComplex(f"The email's parts are nested more than {MAX_DEPTH} deep.")
        deadline.check()
        if part.get_content_maintype() == "multipart" and part.is_multipart():
            stack.extend((sub, depth + 1) for sub in reversed(list(part.iter_parts())))
        else:
            leaves.append(part)
    return leaves


def _delivery_report(msg, mail: ParsedMail, leaves: list) -> None:
    """The failed recipients and the returned email's Message-ID of an RFC 3464 delivery report."""
    for part in leaves:
        kind = part.get_content_type()
        if kind in ("message/delivery-status", "message/global-delivery-status"):
            payload = part.get_payload()
            blocks = payload if isinstance(payload, list) else []
            if not blocks:
                text = part.get_payload(decode=True) or b""
                blocks = [
                    email.message_from_bytes(block, policy=email.policy.compat32)
                    for block in re.split(rb"\r?\n\r?\n", text)
                    if block.strip()
                ]
            for block in blocks:
                recipient = str(block.get("Final-Recipient") or block.get("Original-Recipient") or "")
                action = str(block.get("Action") or "").strip().lower()
                if recipient and action in ("failed", ""):
                    address = recipient.split(";", 1)[-1].strip().strip("<>").lower()[:254]
                    status = str(block.get("Status") or "").strip()[:20]
                    diagnostic = re.sub(r"\s+", " ", str(block.get("Diagnostic-Code") or "")).split(";", 1)[-1]
                    mail.bounced.append((address, status, diagnostic.strip()[:200]))
        elif kind in ("message/rfc822", "message/global", "text/rfc822-headers", "message/rfc822-headers"):
            if kind.startswith("message/") and part.is_multipart():
                returned = part.get_payload(0)
                header = str(returned.get("Message-ID", ""))
            else:
                head = part.get_payload(decode=True) or b""
                header = str(BytesHeaderParser(policy=email.policy.compat32).parsebytes(head).get("Message-ID", ""))
            mail.bounced_message_ids.extend(m for m in MESSAGE_ID.findall(header) if m not in mail.bounced_message_ids)


def parse(raw: bytes, *, deadline: Deadline | None = None) -> ParsedMail:
    """Read an email. Raises MailTooComplex for one over the bounds (size, parts, nesting, time)."""
    deadline = deadline or Deadline()
    if len(raw) > MAX_BYTES:
        raise MailTooComplex(
            f"The email is {len(raw) / 1048576:.1f} MB, more than the {MAX_BYTES // 1048576} MB the desk reads."
        )
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    from_name, senders = _from(msg)
    from_address = senders[0][1] if senders else ""
    mail = ParsedMail(
        message_id=message_id_of(raw),
        subject=re.sub(r"\s+", " ", _header(msg, "Subject"))[:300],
        from_name=from_name[:200],
        from_address=from_address[:254],
        from_addresses=[a for _n, a in senders],
        to=_addresses(msg, "To"),
        cc=_addresses(msg, "Cc"),
        in_reply_to=MESSAGE_ID.findall(_header(msg, "In-Reply-To")),
        references=MESSAGE_ID.findall(_header(msg, "References")),
        auth_results=[str(v) for v in (msg.get_all("Authentication-Results") or [])],
        deadline=deadline,
    )
    try:
        mail.date = email.utils.parsedate_to_datetime(_header(msg, "Date")) if _header(msg, "Date") else None
    except (TypeError, ValueError):
        mail.date = None
    if mail.date is not None and mail.date.tzinfo is None:
        mail.date = None
    mail.kind, mail.kind_reason = classify(msg, from_address)
    suppress = _header(msg, "X-Auto-Response-Suppress").lower()
    mail.no_auto_response = mail.kind != MailKind.PERSON or any(w in suppress for w in SUPPRESS_MARKS)

    leaves = _leaves(msg, deadline)
    plain = msg.get_body(preferencelist=("plain",))
    rich = msg.get_body(preferencelist=("html",))
    markup = ""
    if rich is not None:
        markup = _content(rich)
        markup = markup if isinstance(markup, str) else markup.decode("utf-8", "replace")
        if html_depth(markup) > MAX_HTML_DEPTH:
            raise MailTooComplex(f"The email's HTML is nested more than {MAX_HTML_DEPTH} deep.")
        mail.html_safe = html_sanitise(markup)
    deadline.check()
    if plain is not None:
        body = _content(plain)
        mail.text = (body if isinstance(body, str) else body.decode("utf-8", "replace")).strip()
    elif rich is not None:
        mail.text = html_to_text(markup)
    deadline.check()
    report = msg.get_content_type() == "multipart/report"
    if report:
        _delivery_report(msg, mail, leaves)
    for number, part in enumerate(leaves, start=1):
        if part is plain or part is rich:
            continue
        kind, disposition = part.get_content_type(), part.get_content_disposition()
        filename = part.get_filename()
        if report and (kind.startswith("message/") or kind.endswith("rfc822-headers") or kind == "text/plain"):
            continue  # the report's own parts, read above
        if not filename:
            if kind in ("text/plain", "text/html") and disposition != "attachment":
                continue  # another version of the body
            extension = {"message/rfc822": "eml"}.get(kind, kind.rsplit("/", 1)[-1].split("+")[0][:10] or "bin")
            filename = f"{'email' if kind == 'message/rfc822' else 'part'}-{number}.{extension}"
        content = _content(part)
        if isinstance(content, str):
            content = content.encode("utf-8")
        elif not isinstance(content, bytes):  # message/rfc822 and the like: keep the bytes as sent
            content = part.get_payload(decode=True) or bytes(part)
        inline = disposition != "attachment" and bool(part.get("Content-ID"))
        mail.attachments.append(
            Attachment(filename=filename[:200], content_type=kind, content=content, is_inline=inline)
        )
        deadline.check()
    return mail


# --- who really sent it -------------------------------------------------------------------------
def _aligned(domain: str, from_domain: str) -> bool:
    """Relaxed alignment (RFC 7489 §3.1), without a public-suffix list: the same domain, or one inside the other."""
    domain, from_domain = domain.lower().strip(". "), from_domain.lower().strip(". ")
    return bool(domain) and (
        domain == from_domain or domain.endswith("." + from_domain) or from_domain.endswith("." + domain)
    )


def _property(result, name: str) -> str:
    """The value of one property of an Authentication-Results result (`smtp.mailfrom`, `header.d`…), or ""."""
    for prop in result.properties:
        if str(prop.name).lower() == name:
            return str(prop.value or "").strip()
    return ""


def sender_doubt(mail: ParsedMail, authserv_id: str) -> str:
    """Why the From address cannot be believed, judged only by the Authentication-Results headers our own
    receiving server (`authserv_id`) wrote; "" when it can. Other servers' headers (the sender could
    have written them) are not read."""
    ours = []
    for value in mail.auth_results:
        try:
            header = authres.AuthenticationResultsHeader.parse_value(value)
        except Exception:  # noqa: BLE001, S112 - authres raises several kinds for a malformed header: not ours
            continue
        if str(header.authserv_id or "").lower() == authserv_id.lower():
            ours.append(header)
    if not ours:
        return f"The email has no Authentication-Results from {authserv_id}, so its sender cannot be checked."
    from_domain = mail.from_address.rsplit("@", 1)[-1]
    if any(str(r.method).lower() == "dmarc" and str(r.result).lower() == "fail" for h in ours for r in h.results):
        return f"It fails DMARC for {from_domain} ({authserv_id}): it may not really be from {mail.from_address}."
    results = ours[0].results  # the topmost: our server writes its header above any the sender put in
    for result in results:
        if str(result.method).lower() == "dmarc" and str(result.result).lower() == "pass":
            judged = _property(result, "from")  # the From domain the server judged: ours, not another From line
            if not judged or judged.lower().strip(". ") == from_domain.lower():
                return ""
    for result in results:
        method, outcome = str(result.method).lower(), str(result.result).lower()
        if outcome != "pass" or method not in ("spf", "dkim"):
            continue
        if method == "spf":  # SPF judges the return path; HELO only where the return path is empty
            identities = [_property(result, "mailfrom") or _property(result, "helo")]
        else:
            identities = [_property(result, "d"), _property(result, "i")]
        if any(value and _aligned(value.rsplit("@", 1)[-1], from_domain) for value in identities):
            return ""
    return (
        f"Neither SPF nor DKIM passes for {from_domain} ({authserv_id}): it may not really be from {mail.from_address}."
    )

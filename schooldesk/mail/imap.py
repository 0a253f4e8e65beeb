"""Talking IMAP (imaplib, standard library): sign in with a password or XOAUTH2, find the emails not yet
fetched (UID above the last one stored, reset when UIDVALIDITY changes), fetch without marking read,
and mark read only once the email is safely stored. Nothing is ever deleted from the server."""

from __future__ import annotations

import imaplib
import re
import ssl
from contextlib import contextmanager

from django.conf import settings

from schooldesk.core import netguard
from schooldesk.mail import oauth
from schooldesk.mail.choices import Security


class MailboxError(Exception):
    """The mailbox could not be read: the message says why, for the SPOC. `reason` is "connect" (no
    connection), "refused" (the installation's rules: core/netguard.py), "sign-in" (the server refused the
    sign-in) or "" (our own finding after signing in)."""

    def __init__(self, message: str, *, reason: str = ""):
        super().__init__(message)
        self.reason = reason


class _Pinned:
    """Connects to the address netguard checked, never to a second look-up of the name (TLS still checks the
    certificate against the name)."""

    address: tuple[str, int]

    def _create_socket(self, timeout):
        sock = netguard.connect(self.address, timeout)
        if isinstance(self, imaplib.IMAP4_SSL):
            return self.ssl_context.wrap_socket(sock, server_hostname=self.host)
        return sock


class _PinnedIMAP4(_Pinned, imaplib.IMAP4):
    def __init__(self, host, port, address, timeout):
        self.address = address
        super().__init__(host, port, timeout=timeout)


class _PinnedIMAP4SSL(_Pinned, imaplib.IMAP4_SSL):
    def __init__(self, host, port, address, timeout):
        self.address = address
        super().__init__(host, port, ssl_context=ssl.create_default_context(), timeout=timeout)


def connect(mailbox):
    """An IMAP connection to the mailbox's server, if the installation allows that host and port."""
    try:
        address = netguard.checked_address(
            mailbox.host, mailbox.port, ports=netguard.ports_setting(settings.SCHOOLDESK_IMAP_PORTS)
        )
    except netguard.AddressRefused as exc:
        raise MailboxError(str(exc), reason="refused") from exc
    timeout = settings.SCHOOLDESK_IMAP_TIMEOUT
    try:
        if mailbox.security == Security.SSL:
            return _PinnedIMAP4SSL(mailbox.host, mailbox.port, address, timeout)
        conn = _PinnedIMAP4(mailbox.host, mailbox.port, address, timeout)
        if mailbox.security == Security.STARTTLS:
            try:
                conn.starttls(ssl_context=ssl.create_default_context())
            except BaseException:
                conn.shutdown()
                raise
        return conn
    except imaplib.IMAP4.error as exc:  # it answered, but not as IMAP: never repeat what it said (a banner)
        raise MailboxError(
            f"Could not connect to {mailbox.host}:{mailbox.port}: the server did not answer as an IMAP server.",
            reason="connect",
        ) from exc
    except OSError as exc:  # our own system's words (refused, timed out, a TLS failure), not the server's
        raise MailboxError(f"Could not connect to {mailbox.host}:{mailbox.port}: {exc}", reason="connect") from exc


def _xoauth2(username: str, token: str):
    """The SASL exchange: our string first; if the server answers with an error challenge, an empty reply."""
    sent = []

    def respond(_challenge: bytes) -> bytes:
        if sent:
            return b""
        sent.append(True)
        return oauth.xoauth2_string(username, token)

    return respond


@contextmanager
def imap_session(mailbox):
    """An IMAP connection, signed in and with the mailbox's folder selected; always logged out."""
    conn = connect(mailbox)
    try:
        username = mailbox.username or mailbox.address
        try:
            if mailbox.is_oauth:
                conn.authenticate("XOAUTH2", _xoauth2(username, oauth.access_token(mailbox)))
            else:
                conn.login(username, mailbox.password)
        except imaplib.IMAP4.error as exc:
            raise MailboxError(
                f"The server refused the sign-in for {username}: {_text(exc)}", reason="sign-in"
            ) from exc
        except oauth.OAuthError as exc:
            raise MailboxError(str(exc), reason="sign-in") from exc
        status, _data = conn.select(_quote(mailbox.folder))
        if status != "OK":
            raise MailboxError(f"There is no folder called “{mailbox.folder}” in the mailbox.")
        yield conn
    except imaplib.IMAP4.abort as exc:  # imaplib quotes the server's line: not repeated
        raise MailboxError(
            f"The connection to {mailbox.host} failed: the server broke off or answered out of turn.", reason="connect"
        ) from exc
    except OSError as exc:
        raise MailboxError(f"The connection to {mailbox.host} failed: {exc}", reason="connect") from exc
    finally:
        try:
            conn.logout()
        except (OSError, imaplib.IMAP4.error):
            pass


def _text(exc) -> str:
    message = exc.args[0] if exc.args else exc
    return message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def uid_validity(conn) -> int | None:
    _name, data = conn.response("UIDVALIDITY")
    try:
        return int(data[0]) if data and data[0] else None
    except (TypeError, ValueError):
        return None


def new_uids(conn, last_uid: int) -> list[int]:
    """UIDs above `last_uid`, oldest first. ("n:*" always matches the newest email, so filter again.)"""
    status, data = conn.uid("SEARCH", None, f"UID {last_uid + 1}:*")
    if status != "OK":
        raise MailboxError("The server would not list the new emails.")
    return sorted(uid for uid in (int(x) for x in (data[0] or b"").split()) if uid > last_uid)


def fetch(conn, uid: int) -> bytes | None:
    """The whole email, without setting \\Seen (BODY.PEEK). None if it has gone from the server."""
    status, data = conn.uid("FETCH", str(uid), "(BODY.PEEK[])")
    if status != "OK":
        raise MailboxError(f"The server would not send email {uid}.")
    for item in data or ():
        if isinstance(item, tuple) and re.search(rb"BODY\[\]", item[0]):
            return item[1]
    return None


def mark_seen(conn, uid: int) -> None:
    conn.uid("STORE", str(uid), "+FLAGS", "(\\Seen)")

"""Sending as the school: a mailbox's own SMTP account, so a school on Microsoft 365 or Google needs no relay.

- Microsoft 365 and Google mailboxes sign in with SASL XOAUTH2 (the same OAuth grant the mailbox is read
  with; smtplib's `auth()` with our own mechanism object).
- Any other mailbox signs in with a user name and password (the SMTP password, else the IMAP one), kept
  encrypted (core/fields.py).
- The server the SPOC typed is checked by core/netguard.py (allowed ports, no private addresses unless the
  installation allows them) and connected to at the checked address; every connection has EMAIL_TIMEOUT.

A mailbox that does not send its own mail (or is not yet proved to be the desk's) uses the installation's
server (Django's EMAIL_* settings).
"""

from __future__ import annotations

import smtplib
import ssl

from django.conf import settings
from django.core.mail.backends.smtp import EmailBackend
from django.core.mail.utils import DNS_NAME

from schooldesk.core import netguard
from schooldesk.mail import oauth
from schooldesk.mail.choices import SmtpSecurity

PROVIDER_SMTP = {"microsoft": ("smtp.office365.com", 587), "google": ("smtp.gmail.com", 587)}


class _Pinned:
    """Connect to the address netguard checked, not to a second look-up of the name."""

    pinned: tuple[str, int]

    def _get_socket(self, host, port, timeout):
        sock = netguard.connect(self.pinned, timeout)
        if isinstance(self, smtplib.SMTP_SSL):
            return self.context.wrap_socket(sock, server_hostname=self._host)
        return sock


class PinnedSMTP(_Pinned, smtplib.SMTP):
    def __init__(self, host, port, *, pinned, **kwargs):
        self.pinned = pinned
        super().__init__(host, port, **kwargs)


class PinnedSMTPSSL(_Pinned, smtplib.SMTP_SSL):
    def __init__(self, host, port, *, pinned, **kwargs):
        self.pinned = pinned
        super().__init__(host, port, **kwargs)


def xoauth2(username: str, token: str):
    """smtplib's auth object: the XOAUTH2 string first; to an error challenge, an empty answer (RFC 7628)."""

    def answer(challenge=None) -> str:
        return "" if challenge is not None else oauth.xoauth2_string(username, token).decode()

    return answer


def smtp_server(mailbox) -> tuple[str, int]:
    if mailbox.smtp_host:
        return mailbox.smtp_host, mailbox.smtp_port
    return PROVIDER_SMTP.get(mailbox.auth_method, ("", mailbox.smtp_port))


class MailboxBackend(EmailBackend):
    """Django's SMTP backend, signed in as the mailbox."""

    def __init__(self, mailbox, **kwargs):
        self.mailbox = mailbox
        host, port = smtp_server(mailbox)
        super().__init__(
            host=host,
            port=port,
            username=mailbox.smtp_username or mailbox.username or mailbox.address,
            password=mailbox.smtp_password or mailbox.password,
            use_tls=mailbox.smtp_security == SmtpSecurity.STARTTLS,
            use_ssl=mailbox.smtp_security == SmtpSecurity.SSL,
            timeout=settings.EMAIL_TIMEOUT,
            fail_silently=False,
            **kwargs,
        )

    def open(self):
        if self.connection:
            return False
        try:
            pinned = netguard.checked_address(
                self.host, self.port, ports=netguard.ports_setting(settings.SCHOOLDESK_SMTP_PORTS)
            )
        except netguard.AddressRefused as exc:
            raise smtplib.SMTPException(str(exc)) from exc
        context = ssl.create_default_context()
        params = {"local_hostname": DNS_NAME.get_fqdn(), "timeout": self.timeout, "pinned": pinned}
        if self.use_ssl:
            self.connection = PinnedSMTPSSL(self.host, self.port, context=context, **params)
        else:
            self.connection = PinnedSMTP(self.host, self.port, **params)
        try:
            if self.use_tls:
                self.connection.starttls(context=context)
            if self.mailbox.is_oauth:
                try:
                    token = oauth.access_token(self.mailbox)
                except oauth.OAuthError as exc:
                    raise smtplib.SMTPException(str(exc)) from exc
                self.connection.ehlo_or_helo_if_needed()
                self.connection.auth("XOAUTH2", xoauth2(self.username, token))
            elif self.password:
                self.connection.login(self.username, self.password)
        except BaseException:
            self.close()
            raise
        return True

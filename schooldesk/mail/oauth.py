"""OAuth 2 for Microsoft 365 and Google Workspace mailboxes: the consent link, the code exchange, the
refresh of access tokens, and the SASL XOAUTH2 string IMAP signs in with.

Only the standard library talks to the token endpoint (a form POST, a JSON answer: RFC 6749 §4.1.3 and §6).
Microsoft may send a new refresh token with each refresh; it replaces the stored one.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from ipaddress import ip_address

from django.conf import settings
from django.utils import timezone

from schooldesk.core.netguard import private_allowed
from schooldesk.mail.choices import AuthMethod

EARLY_REFRESH = timedelta(minutes=2)

PROVIDERS = {
    AuthMethod.MICROSOFT: {
        "authorize": "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize",
        "token": "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token",
        "scope": "https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access",
        "host": "outlook.office365.com",
        "extra": {},
    },
    AuthMethod.GOOGLE: {
        "authorize": "https://accounts.google.com/o/oauth2/v2/auth",
        "token": "https://oauth2.googleapis.com/token",
        "scope": "https://mail.google.com/",
        "host": "imap.gmail.com",
        "extra": {"access_type": "offline", "prompt": "consent"},
    },
}
#: where the mailbox page's "Connect" form ends up (its POST is redirected there): that page's Content-Security-Policy
#: allows these as form targets, every other page only the desk itself (docs/decisions/0015)
CONSENT_ORIGINS = sorted({"/".join(p["authorize"].split("/")[:3]) for p in PROVIDERS.values()})


class OAuthError(Exception):
    """The provider refused: the message says what to do."""


def xoauth2_string(username: str, access_token: str) -> bytes:
    """The SASL XOAUTH2 initial response (before base64, which imaplib adds):
    "user=" user ^A "auth=Bearer " token ^A ^A."""
    return f"user={username}\x01auth=Bearer {access_token}\x01\x01".encode()


def provider_defaults(mailbox) -> None:
    """Fill the provider's endpoints and scope (the tenant goes into Microsoft's URLs)."""
    preset = PROVIDERS.get(mailbox.auth_method)
    if preset is None:
        return
    tenant = (mailbox.oauth_tenant or "organizations").strip()
    mailbox.oauth_authorize_url = preset["authorize"].format(tenant=urllib.parse.quote(tenant, safe=""))
    mailbox.oauth_token_url = preset["token"].format(tenant=urllib.parse.quote(tenant, safe=""))
    mailbox.oauth_scope = preset["scope"]
    if not mailbox.host:
        mailbox.host = preset["host"]


def is_provider_host(mailbox) -> bool:
    """The mailbox is read from its provider's own IMAP server (or, where the installation allows servers on
    its own machine, one on loopback: the test suite's stand-in)."""
    preset = PROVIDERS.get(mailbox.auth_method)
    if preset is None:
        return False
    host = (mailbox.host or "").strip().lower().rstrip(".")
    if host == preset["host"]:
        return True
    try:
        return private_allowed() and (host == "localhost" or ip_address(host).is_loopback)
    except ValueError:
        return False


def endpoint_allowed(url: str) -> bool:
    """HTTPS, or plain HTTP to this machine only (a test stand-in)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https":
        return True
    try:
        return parts.scheme == "http" and (parts.hostname == "localhost" or ip_address(parts.hostname).is_loopback)
    except ValueError:
        return False


def authorise_url(mailbox, *, redirect_uri: str, state: str) -> str:
    preset = PROVIDERS.get(mailbox.auth_method, {})
    query = {
        "client_id": mailbox.oauth_client_id,
        "response_type": "code",
        "redirect_uri": redirect_uri,
        "scope": mailbox.oauth_scope,
        "state": state,
        "login_hint": mailbox.username or mailbox.address,
        **preset.get("extra", {}),
    }
    return f"{mailbox.oauth_authorize_url}?{urllib.parse.urlencode(query)}"


def token_post(token_url: str, fields: dict) -> dict:
    """POST a grant to a token endpoint (a form, a JSON answer: RFC 6749 §4.1.3, §4.4, §6; RFC 7523 for a signed
    assertion) and return the answer, which holds an access token. Shared by the mailboxes' code and refresh grants,
    directory sync (schooldesk/directory) and the device consoles (schooldesk/devicesync)."""
    if not endpoint_allowed(token_url):
        raise OAuthError("The token address must use HTTPS.")
    data = urllib.parse.urlencode(fields).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    request = urllib.request.Request(token_url, data=data, method="POST", headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=settings.SCHOOLDESK_OAUTH_TIMEOUT) as response:  # noqa: S310 (scheme checked)
            answer = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        try:
            error = json.loads(exc.read().decode("utf-8"))
        except ValueError:
            error = {}
        code = error.get("error", f"HTTP {exc.code}")
        hint = (
            " Authorise the mailbox again from its settings page."
            if code == "invalid_grant" and (fields.get("grant_type") in ("refresh_token", "authorization_code"))
            else ""
        )
        detail = str(error.get("error_description", ""))[:200]
        raise OAuthError(f"The sign-in provider refused: {code}. {detail}{hint}".strip()) from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise OAuthError(f"Could not reach the sign-in provider: {exc}") from exc
    if not answer.get("access_token"):
        raise OAuthError("The sign-in provider sent no access token.")
    return answer


def client_credentials_token(*, token_url: str, client_id: str, client_secret: str, scope: str) -> dict:
    """An app-only access token (RFC 6749 §4.4), as Microsoft's identity platform issues for Graph:
    {"access_token": …, "expires_in": …}."""
    return token_post(
        token_url,
        {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret, "scope": scope},
    )


def _token_request(mailbox, fields: dict) -> dict:
    return token_post(
        mailbox.oauth_token_url,
        {"client_id": mailbox.oauth_client_id, "client_secret": mailbox.oauth_client_secret, **fields},
    )


def service_account_assertion(*, key: dict, subject: str, scope: str, token_url: str, now: int) -> str:
    """A Google service account's signed request for a token acting for `subject` (domain-wide delegation, RFC 7523),
    for jwt_bearer_token. Raises ValueError when the key's private key cannot sign."""
    import jwt

    claims = {
        "iss": key["client_email"],
        "sub": subject,
        "scope": scope,
        "aud": token_url,
        "iat": now,
        "exp": now + 3600,
    }
    headers = {"kid": key["private_key_id"]} if key.get("private_key_id") else None
    try:
        return jwt.encode(claims, key["private_key"], algorithm="RS256", headers=headers)
    except (TypeError, jwt.PyJWTError) as exc:
        raise ValueError(str(exc)) from exc


def jwt_bearer_token(*, token_url: str, assertion: str) -> dict:
    """An access token for a signed JWT (RFC 7523), as Google issues for a service account."""
    return token_post(token_url, {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion})


def _store(mailbox, answer: dict, now) -> None:
    mailbox.oauth_access_token = answer["access_token"]
    mailbox.oauth_expires_at = now + timedelta(seconds=int(answer.get("expires_in", 3600)))
    if answer.get("refresh_token"):
        mailbox.oauth_refresh_token = answer["refresh_token"]
    mailbox.save(update_fields=["oauth_access_token", "oauth_expires_at", "oauth_refresh_token", "updated_at"])


def code_exchange(mailbox, *, code: str, redirect_uri: str, now=None) -> None:
    """The consent page sent the person back with a code: swap it for tokens."""
    answer = _token_request(
        mailbox,
        {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, "scope": mailbox.oauth_scope},
    )
    if not answer.get("refresh_token"):
        raise OAuthError("The provider sent no refresh token: make sure offline access is allowed for the app.")
    _store(mailbox, answer, now or timezone.now())


def access_token(mailbox, *, now=None) -> str:
    """A valid access token, refreshed when it is about to expire."""
    now = now or timezone.now()
    if mailbox.oauth_access_token and mailbox.oauth_expires_at and mailbox.oauth_expires_at > now + EARLY_REFRESH:
        return mailbox.oauth_access_token
    if not mailbox.oauth_refresh_token:
        raise OAuthError("The mailbox has not been authorised yet: use “Authorise” on its settings page.")
    answer = _token_request(
        mailbox,
        {"grant_type": "refresh_token", "refresh_token": mailbox.oauth_refresh_token, "scope": mailbox.oauth_scope},
    )
    _store(mailbox, answer, now)
    return mailbox.oauth_access_token

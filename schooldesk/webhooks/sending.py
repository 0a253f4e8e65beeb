"""Posting a delivery: the body drawn for the receiver's kind, signed, sent to the address the installation's
address checks allowed (core/netguard.py: resolved once, connected to the checked address, never a redirect).

Signature (README "Verifying webhook signatures"): `X-SchoolDesk-Signature: sha256=<hex>`, the HMAC-SHA256 with the
subscription's secret of `<X-SchoolDesk-Timestamp>.<body>`: a receiver recomputes it, compares in constant time
and refuses a timestamp more than five minutes old, so a captured request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import ssl
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from schooldesk.core import netguard
from schooldesk.webhooks.choices import TargetKind, WebhookEvent

RESPONSE_KEEP = 500


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def http_allowed() -> bool:
    return bool(getattr(settings, "SCHOOLDESK_WEBHOOKS_ALLOW_HTTP", False))


def checked_target(url: str) -> tuple[str, int]:
    """The (address, port) to connect to for `url`, or AddressRefused with the reason in words."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise netguard.AddressRefused(_("Give an address starting with https://."))
    if parts.scheme == "http" and not http_allowed():
        raise netguard.AddressRefused(_("This installation only sends to https:// addresses."))
    if parts.username or parts.password:
        raise netguard.AddressRefused(_("Put no user name or password in the address."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise netguard.AddressRefused(_("The address's port is not a number.")) from exc
    return netguard.checked_address(
        parts.hostname, port, ports=netguard.ports_setting(settings.SCHOOLDESK_WEBHOOK_PORTS)
    )


class _Http(http.client.HTTPConnection):
    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = netguard.connect(self._address, self.timeout)


class _Https(http.client.HTTPSConnection):
    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = netguard.connect(self._address, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # the certificate of the name


def post(url: str, body: bytes, headers: dict) -> tuple[int, str]:
    """POST and return (status code, the start of the answer). Raises AddressRefused or OSError."""
    address = checked_target(url)
    parts = urlsplit(url)
    cls = _Https if parts.scheme == "https" else _Http
    connection = cls(parts.hostname, address[1], address=address, timeout=settings.SCHOOLDESK_WEBHOOK_TIMEOUT)
    try:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read(4 * RESPONSE_KEEP).decode("utf-8", "replace")[:RESPONSE_KEEP]
        return response.status, text
    except http.client.HTTPException as exc:
        raise OSError(str(exc) or exc.__class__.__name__) from exc
    finally:
        connection.close()


def headers_for(*, secret: str, event: str, event_id: str, body: bytes, now: float | None = None) -> dict:
    timestamp = int(now if now is not None else time.time())
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "SchoolDesk-Webhooks/1",
        "X-SchoolDesk-Event": event,
        "X-SchoolDesk-Delivery": event_id,
        "X-SchoolDesk-Timestamp": str(timestamp),
        "X-SchoolDesk-Signature": sign(secret, timestamp, body),
    }


# --- what a Teams or Slack channel reads -----------------------------------------------------------------------
FACT_LABELS = {
    "summary": _lazy("Summary"),
    "priority": _lazy("Priority"),
    "status": _lazy("Status"),
    "old_status": _lazy("Was"),
    "supplier": _lazy("Supplier"),
    "location": _lazy("Where"),
    "notice_by": _lazy("Give notice by"),
    "name": _lazy("Name"),
    "change": _lazy("Change"),
    "shortfall": _lazy("Short by"),
    "target": _lazy("Target missed"),
    "due": _lazy("Due"),
    "owned": _lazy("Owned"),
    "in_use": _lazy("In use"),
    "renewal": _lazy("Renewal"),
}


def _title(message: dict) -> str:
    label = str(dict(WebhookEvent.choices).get(message["event"], message["event"]))
    school = (message.get("school") or {}).get("name")
    return f"{label}: {message['object']['reference']}" + (f" ({school})" if school else "")


def _facts(message: dict) -> list[tuple[str, str]]:
    return [(str(FACT_LABELS.get(k, k.replace("_", " ").capitalize())), str(v)) for k, v in message["data"].items()]


def teams_card(message: dict) -> dict:
    """An Adaptive Card message, the shape Teams' incoming webhooks (and Workflows) accept."""
    body = [
        {"type": "TextBlock", "text": _title(message), "weight": "Bolder", "size": "Medium", "wrap": True},
        {"type": "FactSet", "facts": [{"title": t, "value": v} for t, v in _facts(message)]},
    ]
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if message["object"]["url"]:
        card["actions"] = [
            {"type": "Action.OpenUrl", "title": _("Open in SchoolDesk"), "url": message["object"]["url"]}
        ]
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_message(message: dict) -> dict:
    title = _slack_escape(_title(message))
    lines = [f"*{_slack_escape(t)}:* {_slack_escape(v)}" for t, v in _facts(message)]
    if message["object"]["url"]:
        lines.append(f"<{message['object']['url']}|{_slack_escape(_('Open in SchoolDesk'))}>")
    return {
        "text": title,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*{title}*"}},
            *([{"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}}] if lines else []),
        ],
    }


def body_for(kind: str, message: dict) -> str:
    if kind == TargetKind.TEAMS:
        shaped = teams_card(message)
    elif kind == TargetKind.SLACK:
        shaped = slack_message(message)
    else:
        shaped = message
    return json.dumps(shaped, separators=(",", ":"), ensure_ascii=False)

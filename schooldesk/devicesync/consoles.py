"""Talking to the consoles: tokens, paging, throttling, and each console's devices in one shape (`Device`).

- Google Workspace: a token for the service account's signed JWT (RS256, domain-wide delegation acting as an
  administrator) from Google's token endpoint; `GET …/admin/directory/v1/customer/{customer}/devices/chromeos`,
  following `nextPageToken`; the write-back is `PUT …/devices/chromeos/{deviceId}` with annotatedAssetId and
  annotatedLocation.
- Microsoft Intune: an app-only token (client credentials) from Microsoft's token endpoint (mail/oauth.py, shared
  with the mailboxes); `GET …/deviceManagement/managedDevices`, following `@odata.nextLink` (only on the same host).
- Jamf School: basic authentication (network ID and API key); `GET …/devices`, the answer `{"count": n, "devices":
  […]}`; a shorter answer than `count` is followed by `?page=2`, `?page=3` … until every device has come.

Every request goes to the address core/netguard.py allowed (resolved once, connected to the checked address; https,
or plain http to this machine where private hosts are allowed: the tests' stand-ins). A 429 or 503 is retried after
its Retry-After (bounded: SCHOOLDESK_DEVICESYNC_RETRIES tries, SCHOOLDESK_DEVICESYNC_MAX_WAIT seconds at most each);
a 401 gets a new token once.
"""

from __future__ import annotations

import base64
import http.client
import json
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import quote, urlencode, urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from schooldesk.core import netguard
from schooldesk.devicesync.choices import (
    GOOGLE_SCOPE_READ,
    GOOGLE_SCOPE_WRITE,
    GOOGLE_TOKEN_URL,
    GRAPH_SCOPE,
    MICROSOFT_TOKEN_URL,
    ConsoleKind,
)
from schooldesk.mail import oauth

EARLY_REFRESH = timedelta(minutes=2)
GOOGLE_PAGE = 200  # the most chromeosdevices.list gives in one answer
GRAPH_SELECT = (
    "id,serialNumber,deviceName,manufacturer,model,operatingSystem,osVersion,lastSyncDateTime,"
    "userPrincipalName,emailAddress,deviceCategoryDisplayName"
)


class ConsoleError(Exception):
    """The console could not be read: the message says why, for the person on the connection's page."""


@dataclass
class Device:
    """One device as a console describes it, in the desk's words."""

    console_id: str
    serial: str = ""
    name: str = ""
    make: str = ""
    model: str = ""
    os_version: str = ""
    last_seen: datetime | None = None
    user_email: str = ""
    route: str = ""  # what routes it to a school: the OU path, the device category, the location id
    asset_tag: str = ""  # the console's own asset tag (Google annotatedAssetId, Jamf assetTag)
    location: str = ""  # Google annotatedLocation
    support_ends_on: date | None = None
    kind: str = "Laptop"  # the asset type it is added as
    is_present: bool = True  # Google: a deprovisioned device counts as gone


# --- HTTP ---------------------------------------------------------------------------------------------------
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
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def checked(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if not oauth.endpoint_allowed(url) or not parts.hostname:
        raise ConsoleError("The console's address must start with https://.")
    if parts.scheme == "http" and not netguard.private_allowed():
        raise ConsoleError("The console's address must start with https://.")
    if parts.username or parts.password:
        raise ConsoleError("Put no user name or password in the console's address.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return netguard.checked_address(
            parts.hostname, port, ports=netguard.ports_setting(settings.SCHOOLDESK_DEVICESYNC_PORTS)
        )
    except ValueError as exc:
        raise ConsoleError("The console's address has a port that is not a number.") from exc
    except netguard.AddressRefused as exc:
        raise ConsoleError(str(exc)) from exc


def send(method: str, url: str, headers: dict, body: bytes | None = None) -> tuple[int, dict, bytes]:
    """One request: (status, headers in lower case, body). ConsoleError when it cannot be made."""
    address = checked(url)
    parts = urlsplit(url)
    cls = _Https if parts.scheme == "https" else _Http
    connection = cls(parts.hostname, address[1], address=address, timeout=settings.SCHOOLDESK_DEVICESYNC_TIMEOUT)
    try:
        connection.request(
            method,
            (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
            body=body,
            headers={"Accept": "application/json", "User-Agent": "SchoolDesk-DeviceSync/1", **headers},
        )
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    except (OSError, http.client.HTTPException) as exc:
        raise ConsoleError(f"Could not reach the console: {exc or exc.__class__.__name__}") from exc
    finally:
        connection.close()


def retry_after(value: str | None, attempt: int) -> float:
    """Seconds to wait before the next try: the answer's Retry-After (seconds or a date), else 1, 2, 4 …"""
    wait = float(2**attempt)
    if value:
        try:
            wait = float(value)
        except ValueError:
            try:
                wait = (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds()
            except (TypeError, ValueError):
                pass
    return max(0.0, min(wait, float(settings.SCHOOLDESK_DEVICESYNC_MAX_WAIT)))


def _sleep(seconds: float) -> None:  # the tests watch it
    time.sleep(seconds)


# --- the client -----------------------------------------------------------------------------------------------
class Client:
    """One connection's console. `stats` counts the pages read, the throttled answers and the token refreshes."""

    def __init__(self, connection):
        self.connection = connection
        self.stats = {"pages": 0, "throttled": 0, "refreshed": 0}

    # tokens
    def _token_url(self) -> str:
        connection = self.connection
        if connection.token_url:
            return connection.token_url
        if connection.kind == ConsoleKind.INTUNE:
            return MICROSOFT_TOKEN_URL.format(tenant=quote(connection.tenant_id.strip() or "organizations", safe=""))
        return GOOGLE_TOKEN_URL

    def _google_assertion(self, now: datetime) -> str:
        try:
            key = json.loads(self.connection.credentials)
            key["client_email"], key["private_key"]  # noqa: B018 - both must be there
        except (ValueError, KeyError, TypeError) as exc:
            raise ConsoleError("The stored key is not a Google service account's JSON key.") from exc
        scope = GOOGLE_SCOPE_WRITE if self.connection.write_back else GOOGLE_SCOPE_READ
        try:
            return oauth.service_account_assertion(
                key=key,
                subject=self.connection.admin_email,
                scope=scope,
                token_url=self._token_url(),
                now=int(now.timestamp()),
            )
        except ValueError as exc:
            raise ConsoleError("The key's private key could not be read.") from exc

    def token(self, *, force: bool = False) -> str:
        connection, now = self.connection, timezone.now()
        if (
            not force
            and connection.access_token
            and connection.token_expires_at
            and connection.token_expires_at > now + EARLY_REFRESH
        ):
            return connection.access_token
        try:
            if connection.kind == ConsoleKind.GOOGLE:
                answer = oauth.jwt_bearer_token(token_url=self._token_url(), assertion=self._google_assertion(now))
            else:
                answer = oauth.client_credentials_token(
                    token_url=self._token_url(),
                    client_id=connection.client_id,
                    client_secret=connection.credentials,
                    scope=GRAPH_SCOPE,
                )
        except oauth.OAuthError as exc:
            raise ConsoleError(str(exc)) from exc
        connection.access_token = answer["access_token"]
        connection.token_expires_at = now + timedelta(seconds=int(answer.get("expires_in", 3600)))
        if connection.pk:
            type(connection).objects.filter(pk=connection.pk).update(
                access_token=connection.access_token, token_expires_at=connection.token_expires_at
            )
        return connection.access_token

    def _auth(self) -> dict:
        if self.connection.kind == ConsoleKind.JAMF:
            pair = f"{self.connection.network_id}:{self.connection.credentials}".encode()
            return {"Authorization": "Basic " + base64.b64encode(pair).decode(), "X-Server-Protocol-Version": "3"}
        return {"Authorization": f"Bearer {self.token()}"}

    def call(self, method: str, url: str, payload: dict | None = None) -> dict:
        """A JSON request with the retries: throttling waited out (bounded), one new token after a 401."""
        body = json.dumps(payload).encode() if payload is not None else None
        refreshed = False
        attempt = 0
        while True:
            headers = self._auth()
            if body is not None:
                headers["Content-Type"] = "application/json"
            status, answer_headers, content = send(method, url, headers, body)
            if status in (429, 503) and attempt < settings.SCHOOLDESK_DEVICESYNC_RETRIES:
                self.stats["throttled"] += 1
                _sleep(retry_after(answer_headers.get("retry-after"), attempt))
                attempt += 1
                continue
            if status == 401 and not refreshed and self.connection.kind != ConsoleKind.JAMF:
                refreshed = True
                self.stats["refreshed"] += 1
                self.token(force=True)
                continue
            if status >= 400:
                raise ConsoleError(f"The console answered {status}: {_error_text(content)}")
            try:
                return json.loads(content.decode("utf-8")) if content.strip() else {}
            except ValueError as exc:
                raise ConsoleError("The console's answer was not JSON.") from exc

    def page(self, url: str) -> dict:
        self.stats["pages"] += 1
        return self.call("GET", url)

    # devices
    def devices(self) -> Iterator[Device]:
        kind = self.connection.kind
        if kind == ConsoleKind.GOOGLE:
            yield from self._google()
        elif kind == ConsoleKind.INTUNE:
            yield from self._intune()
        else:
            yield from self._jamf()

    def _google_base(self) -> str:
        customer = quote(self.connection.customer_id.strip() or "my_customer", safe="")
        return f"{self.connection.endpoint}/admin/directory/v1/customer/{customer}/devices/chromeos"

    def _google(self) -> Iterator[Device]:
        token = ""
        while True:
            query = {"maxResults": GOOGLE_PAGE, "projection": "FULL", **({"pageToken": token} if token else {})}
            answer = self.page(f"{self._google_base()}?{urlencode(query)}")
            for item in answer.get("chromeosdevices") or []:
                yield google_device(item)
            token = answer.get("nextPageToken") or ""
            if not token:
                return

    def google_update(self, device_id: str, values: dict) -> None:
        self.call("PUT", f"{self._google_base()}/{quote(device_id, safe='')}", values)

    def _intune(self) -> Iterator[Device]:
        base = self.connection.endpoint
        url = f"{base}/deviceManagement/managedDevices?{urlencode({'$select': GRAPH_SELECT})}"
        origin = _origin(base)
        while url:
            answer = self.page(url)
            for item in answer.get("value") or []:
                yield intune_device(item)
            url = answer.get("@odata.nextLink") or ""
            if url and _origin(url) != origin:  # the token goes only where the connection points
                raise ConsoleError("The console's next page is on another host: stopped.")

    def _jamf(self) -> Iterator[Device]:
        base = self.connection.endpoint
        if not base:
            raise ConsoleError("Give your Jamf School API address (https://yourschool.jamfcloud.com/api).")
        number, received = 1, 0
        while True:
            answer = self.page(f"{base}/devices" + (f"?page={number}" if number > 1 else ""))
            items = answer.get("devices") or []
            for item in items:
                yield jamf_device(item)
            received += len(items)
            total = int(answer.get("count") or 0)
            if not items or received >= total:
                return
            number += 1


def _origin(url: str) -> tuple:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname, parts.port


def _error_text(content: bytes) -> str:
    try:
        data = json.loads(content.decode("utf-8"))
        error = data.get("error", data)
        message = error.get("message") if isinstance(error, dict) else error
        return str(message)[:200]
    except (ValueError, AttributeError):
        return content[:200].decode("utf-8", "replace")


def _when(text) -> datetime | None:
    if not text:
        return None
    try:
        value = parse_datetime(str(text).replace(" ", "T", 1))
    except ValueError:
        return None
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


# --- each console's device, in the desk's words ----------------------------------------------------------------
def google_device(item: dict) -> Device:
    model = str(item.get("model") or "").strip()
    make, _space, rest = model.partition(" ")  # "HP Chromebook 11 G9 EE": Google gives no maker field
    expiry = None
    if str(item.get("autoUpdateExpiration") or "").isdigit():  # milliseconds since 1970, as a string
        expiry = datetime.fromtimestamp(int(item["autoUpdateExpiration"]) / 1000, UTC).date()
    return Device(
        console_id=str(item.get("deviceId") or ""),
        serial=str(item.get("serialNumber") or "").strip(),
        make=make if rest else "",
        model=rest or model,
        os_version=str(item.get("osVersion") or ""),
        last_seen=_when(item.get("lastSync")),
        user_email=str(item.get("annotatedUser") or "").strip(),
        route=str(item.get("orgUnitPath") or ""),
        asset_tag=str(item.get("annotatedAssetId") or "").strip(),
        location=str(item.get("annotatedLocation") or "").strip(),
        support_ends_on=expiry,
        kind="Chromebook",
        name=str(item.get("annotatedAssetId") or item.get("serialNumber") or ""),
        is_present=str(item.get("status") or "ACTIVE").upper() != "DEPROVISIONED",
    )


def intune_device(item: dict) -> Device:
    system = str(item.get("operatingSystem") or "")
    kind = "Tablet" if system.lower() in ("ios", "ipados", "android") else "Laptop"
    return Device(
        console_id=str(item.get("id") or ""),
        serial=str(item.get("serialNumber") or "").strip(),
        name=str(item.get("deviceName") or ""),
        make=str(item.get("manufacturer") or "").strip(),
        model=str(item.get("model") or "").strip(),
        os_version=" ".join(p for p in (system, str(item.get("osVersion") or "")) if p),
        last_seen=_when(item.get("lastSyncDateTime")),
        user_email=str(item.get("userPrincipalName") or item.get("emailAddress") or "").strip(),
        route=str(item.get("deviceCategoryDisplayName") or ""),
        kind=kind,
    )


def jamf_device(item: dict) -> Device:
    model = item.get("model") or {}
    os_info = item.get("os") or {}
    owner = item.get("owner") or {}
    device_class = str(item.get("class") or item.get("deviceClass") or "").lower()
    kind = "Laptop" if device_class in ("mac", "macbook") else "Tablet"
    return Device(
        console_id=str(item.get("UDID") or item.get("udid") or ""),
        serial=str(item.get("serialNumber") or "").strip(),
        name=str(item.get("name") or ""),
        make="Apple",
        model=str(model.get("name") if isinstance(model, dict) else model or "").strip(),
        os_version=" ".join(p for p in (str(os_info.get("prefix") or ""), str(os_info.get("version") or "")) if p),
        last_seen=_when(item.get("lastCheckin")),
        user_email=str(owner.get("email") or "").strip(),
        route=str(item.get("locationId") if item.get("locationId") is not None else ""),
        asset_tag=str(item.get("assetTag") or "").strip(),
        kind=kind,
    )

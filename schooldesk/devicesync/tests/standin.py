"""A local stand-in for the three consoles and their token endpoints, on loopback (a thread), answering with the
documented shapes (docs/decisions/0030 lists them). Used by the tests and by `make bench`.

    with Standin() as console:           # console.url is http://127.0.0.1:<port>
        console.google = [google_item(i) for i in range(500)]
        ...

- POST /token: a Google JWT-bearer grant (the assertion's RS256 signature checked with `google_public_key`) or a
  client-credentials grant (client id and secret checked); answers {"access_token", "expires_in", "token_type"}.
- GET /admin/directory/v1/customer/<c>/devices/chromeos: {"kind", "chromeosdevices": [...], "nextPageToken"};
  PUT …/chromeos/<deviceId>: the annotated fields written.
- GET /v1.0/deviceManagement/managedDevices: {"@odata.context", "value": [...], "@odata.nextLink"}.
- GET /api/devices: Jamf School's {"code": 200, "count": n, "devices": [...]} (basic auth), `?page=` for the rest.

`script` holds answers to give before the normal one ((status, headers) in turn: a 429 with Retry-After, a 503);
`expire_tokens()` makes every token handed out so far answer 401, as an expired one does.
"""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

GOOGLE_LIST = "/admin/directory/v1/customer/my_customer/devices/chromeos"
CLIENT_ID, CLIENT_SECRET = "app-1234", "graph-secret-value-0001"
JAMF_NETWORK, JAMF_KEY = "net-42", "jamf-key-value-0001"


def google_item(number: int, *, unit: str = "/Schools/Oak", **extra) -> dict:
    return {
        "kind": "admin#directory#chromebook",
        "deviceId": f"dev-{number:05d}",
        "serialNumber": f"5CD{number:07d}",
        "status": "ACTIVE",
        "model": "HP Chromebook 11 G9 EE",
        "osVersion": "120.0.6099.235",
        "lastSync": "2026-12-01T08:15:00.000Z",
        "orgUnitPath": unit,
        "annotatedUser": "",
        "annotatedAssetId": "",
        "annotatedLocation": "",
        "autoUpdateExpiration": "1843430400000",  # 1 June 2028
        **extra,
    }


def intune_item(number: int, **extra) -> dict:
    return {
        "id": f"0b7e{number:04d}-aaaa-bbbb-cccc-000000000000",
        "deviceName": f"LAPTOP-{number:04d}",
        "serialNumber": f"PF{number:06d}",
        "manufacturer": "LENOVO",
        "model": "ThinkPad L13 Gen 4",
        "operatingSystem": "Windows",
        "osVersion": "10.0.22631.2861",
        "lastSyncDateTime": "2026-12-01T07:00:00Z",
        "userPrincipalName": "",
        "deviceCategoryDisplayName": "",
        **extra,
    }


def jamf_item(number: int, **extra) -> dict:
    return {
        "UDID": f"00008030-{number:012d}",
        "serialNumber": f"DMP{number:07d}",
        "name": f"iPad {number}",
        "class": "ipad",
        "assetTag": "",
        "model": {"name": "iPad (9th generation)", "identifier": "iPad12,1"},
        "os": {"prefix": "iOS", "version": "17.1.2"},
        "owner": {"email": "", "name": ""},
        "lastCheckin": "2026-12-01 08:00:00",
        "locationId": 0,
        **extra,
    }


class Standin:
    def __init__(self, *, page_size: int = 100):
        self.page_size = page_size
        self.google: list[dict] = []
        self.intune: list[dict] = []
        self.jamf: list[dict] = []
        self.script: list[tuple[int, dict]] = []
        self.tokens: set[str] = set()
        self.token_requests = 0
        self.requests: list[tuple[str, str]] = []
        self.updates: list[tuple[str, dict]] = []
        self.google_public_key = None
        self._lock = threading.Lock()
        self.url = ""

    # the server
    def __enter__(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def expire_tokens(self) -> None:
        self.tokens.clear()

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self, status: int, data=None, headers: dict | None = None):
                body = json.dumps(data if data is not None else {}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def do_POST(self):  # noqa: N802
                standin.requests.append(("POST", self.path))
                if self.path.split("?")[0].endswith("/token"):
                    return self._answer(*standin.token(parse_qs(self._body().decode())))
                return self._answer(404, {"error": "not found"})

            def do_PUT(self):  # noqa: N802
                standin.requests.append(("PUT", self.path))
                body = json.loads(self._body() or b"{}")
                if not standin.bearer_ok(self.headers):
                    return self._answer(401, {"error": {"code": 401, "message": "Invalid Credentials"}})
                standin.updates.append((self.path, body))
                device_id = self.path.rsplit("/", 1)[-1]
                for item in standin.google:
                    if item["deviceId"] == device_id:
                        item.update({k: v for k, v in body.items() if k in ("annotatedAssetId", "annotatedLocation")})
                        return self._answer(200, item)
                return self._answer(404, {"error": {"code": 404, "message": "Resource Not Found: deviceId"}})

            def do_GET(self):  # noqa: N802
                standin.requests.append(("GET", self.path))
                with standin._lock:
                    scripted = standin.script.pop(0) if standin.script else None
                if scripted:
                    status, headers = scripted
                    return self._answer(status, {"error": {"code": status, "message": "Quota exceeded"}}, headers)
                return self._answer(*standin.get(self.path, self.headers))

            def log_message(self, *args):
                pass

        return Handler

    # the answers
    def token(self, form: dict) -> tuple[int, dict]:
        grant = form.get("grant_type", [""])[0]
        if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            import jwt

            try:
                jwt.decode(
                    form["assertion"][0], self.google_public_key, algorithms=["RS256"], audience=f"{self.url}/token"
                )
            except (KeyError, jwt.PyJWTError) as exc:
                return 400, {"error": "invalid_grant", "error_description": str(exc)}
        elif grant == "client_credentials":
            if form.get("client_id", [""])[0] != CLIENT_ID or form.get("client_secret", [""])[0] != CLIENT_SECRET:
                return 401, {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret"}
        else:
            return 400, {"error": "unsupported_grant_type"}
        with self._lock:
            self.token_requests += 1
            token = f"token-{self.token_requests}"
            self.tokens.add(token)
        return 200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}

    def bearer_ok(self, headers) -> bool:
        return headers.get("Authorization", "").removeprefix("Bearer ") in self.tokens

    def get(self, path: str, headers) -> tuple[int, dict]:
        parts = urlsplit(path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path == "/api/devices":
            expected = "Basic " + base64.b64encode(f"{JAMF_NETWORK}:{JAMF_KEY}".encode()).decode()
            if headers.get("Authorization") != expected:
                return 401, {"code": 401, "message": "ClientUnauthorized"}
            page = int(query.get("page", "1"))
            items = self.jamf[(page - 1) * self.page_size : page * self.page_size]
            return 200, {"code": 200, "count": len(self.jamf), "devices": items}
        if not self.bearer_ok(headers):
            return 401, {"error": {"code": 401, "message": "Invalid Credentials"}}
        if parts.path == GOOGLE_LIST:
            start = int(query.get("pageToken", "0"))
            size = min(int(query.get("maxResults", "200")), self.page_size)
            answer = {"kind": "admin#directory#chromeosdevices", "chromeosdevices": self.google[start : start + size]}
            if start + size < len(self.google):
                answer["nextPageToken"] = str(start + size)
            return 200, answer
        if parts.path == "/v1.0/deviceManagement/managedDevices":
            start = int(query.get("$skiptoken", "0"))
            answer = {
                "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#deviceManagement/managedDevices",
                "value": self.intune[start : start + self.page_size],
            }
            if start + self.page_size < len(self.intune):
                answer["@odata.nextLink"] = (
                    f"{self.url}/v1.0/deviceManagement/managedDevices?$skiptoken={start + self.page_size}"
                )
            return 200, answer
        return 404, {"error": {"code": 404, "message": "not found"}}


def google_key() -> tuple[str, object]:
    """A service account's JSON key (a fresh RSA key) and its public key, for the stand-in to check signatures."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    key = {
        "type": "service_account",
        "project_id": "schooldesk-sync",
        "private_key_id": "abc123",
        "private_key": pem,
        "client_email": "sync@schooldesk-sync.iam.gserviceaccount.com",
        "client_id": "1234567890",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    return json.dumps(key), private.public_key()

"""A stand-in for Microsoft Graph, Google's Directory API and Wonde on loopback (a real HTTP server in a thread),
answering with each API's documented shapes: Graph's `value` and `@odata.nextLink`, Google's `users` and
`nextPageToken`, Wonde's `data` and `meta.pagination.next`; tokens from a token endpoint (client credentials, or a
service account's signed assertion, checked with its public key); a 429 with Retry-After and a token refused as
expired when a test asks for them."""

from __future__ import annotations

import json
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

PAGE = 2  # people per page: every list takes several pages


def google_key_pair() -> tuple[dict, object]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    key = {
        "type": "service_account",
        "client_email": "desk-sync@school-project.iam.gserviceaccount.com",
        "private_key_id": "k1",
        "private_key": pem,
    }
    return key, private.public_key()


@dataclass
class Directory:
    url: str = ""
    graph_groups: list = field(default_factory=list)  # {"id", "displayName"}
    graph_members: dict = field(default_factory=dict)  # group id -> [user id]
    graph_users: list = field(default_factory=list)
    google_users: list = field(default_factory=list)
    google_public_key: object = None
    wonde_employees: list = field(default_factory=list)
    wonde_students: list = field(default_factory=list)
    wonde_rooms: list = field(default_factory=list)
    wonde_token: str = "wonde-token"
    tokens: list = field(default_factory=list)  # every token issued, in turn
    expired: set = field(default_factory=set)  # tokens refused as expired
    expire_first_token: bool = False
    throttle: list = field(default_factory=list)  # paths answered once with 429 (Retry-After: 0)
    requests: list = field(default_factory=list)  # (method, path with query, Authorization)
    grants: list = field(default_factory=list)  # the token endpoint's forms


def _page(items: list, start: int) -> tuple[list, int | None]:
    chunk = items[start : start + PAGE]
    return chunk, (start + PAGE if start + PAGE < len(items) else None)


def start(state: Directory):
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, body: dict, headers: dict | None = None):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):  # noqa: N802 - the token endpoints
            form = dict(urllib.parse.parse_qsl(self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()))
            state.grants.append(form)
            if form.get("grant_type") == "urn:ietf:params:oauth:grant-type:jwt-bearer":
                try:
                    claims = jwt.decode(
                        form["assertion"], state.google_public_key, algorithms=["RS256"], audience=f"{state.url}/token"
                    )
                except jwt.PyJWTError:
                    return self._answer(400, {"error": "invalid_grant", "error_description": "Invalid JWT"})
                if not claims.get("sub") or "admin.directory.user.readonly" not in claims.get("scope", ""):
                    return self._answer(400, {"error": "unauthorized_client"})
            elif form.get("grant_type") == "client_credentials":
                if form.get("client_secret") != "graph-secret":
                    return self._answer(401, {"error": "invalid_client", "error_description": "AADSTS7000215"})
            else:
                return self._answer(400, {"error": "unsupported_grant_type"})
            token = f"token-{len(state.tokens) + 1}"
            state.tokens.append(token)
            if state.expire_first_token and len(state.tokens) == 1:
                state.expired.add(token)
            return self._answer(200, {"access_token": token, "token_type": "Bearer", "expires_in": 3599})

        def do_GET(self):  # noqa: N802
            parts = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(parts.query))
            auth = self.headers.get("Authorization", "")
            state.requests.append(("GET", self.path, auth))
            if parts.path in state.throttle:
                state.throttle.remove(parts.path)
                return self._answer(429, {"error": {"code": "TooManyRequests"}}, {"Retry-After": "0"})
            token = auth.removeprefix("Bearer ")
            path = parts.path
            if path.startswith("/v1.0/schools/"):
                if token != state.wonde_token:
                    return self._answer(401, {"error": "invalid_token"})
                return self._wonde(path, query)
            if token not in state.tokens or token in state.expired:
                return self._answer(
                    401,
                    {
                        "error": {
                            "code": "InvalidAuthenticationToken",
                            "message": "Access token has expired or is not yet valid.",
                        }
                    },
                )
            if path.startswith("/v1.0/"):
                return self._graph(path, query)
            if path == "/admin/directory/v1/users":
                start_at = int(query.get("pageToken", "0") or 0)
                chunk, following = _page(state.google_users, start_at)
                body = {"kind": "admin#directory#users", "users": chunk}
                if following is not None:
                    body["nextPageToken"] = str(following)
                return self._answer(200, body)
            return self._answer(404, {"error": "not found"})

        def _graph(self, path: str, query: dict):
            if path == "/v1.0/users":
                items = state.graph_users
                wanted = query.get("$select", "").split(",")
                items = [{k: v for k, v in u.items() if k in wanted} for u in items]
            elif path == "/v1.0/groups":
                items = state.graph_groups
            elif path.startswith("/v1.0/groups/") and path.endswith("/transitiveMembers"):
                group = path.split("/")[3]
                items = [
                    {"@odata.type": "#microsoft.graph.user", "id": uid} for uid in state.graph_members.get(group, [])
                ]
            else:
                return self._answer(404, {"error": {"code": "Request_ResourceNotFound"}})
            chunk, following = _page(items, int(query.get("$skiptoken", "0") or 0))
            body = {"@odata.context": f"{state.url}/v1.0/$metadata#{path.strip('/')}", "value": chunk}
            if following is not None:
                rest = {k: v for k, v in query.items() if k != "$skiptoken"}
                following_query = urllib.parse.urlencode({**rest, "$skiptoken": following})
                body["@odata.nextLink"] = f"{state.url}{path}?{following_query}"
            return self._answer(200, body)

        def _wonde(self, path: str, query: dict):
            kind = path.rstrip("/").rsplit("/", 1)[-1]
            items = {
                "employees": state.wonde_employees,
                "students": state.wonde_students,
                "rooms": state.wonde_rooms,
            }.get(kind)
            if items is None:
                return self._answer(404, {"error": "not found"})
            includes = set(query.get("include", "").split(","))
            page = int(query.get("page", "1"))
            chunk, following = _page(items, (page - 1) * PAGE)
            chunk = [{k: v for k, v in item.items() if not isinstance(v, dict) or k in includes} for item in chunk]
            more = following is not None
            rest = {k: v for k, v in query.items() if k != "page"}
            return self._answer(
                200,
                {
                    "data": chunk,
                    "meta": {
                        "pagination": {
                            "next": f"{state.url}{path}?{urllib.parse.urlencode({**rest, 'page': page + 1})}"
                            if more
                            else None,
                            "previous": None,
                            "more": more,
                            "per_page": PAGE,
                            "current_page": page,
                        }
                    },
                },
            )

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


# --- people, in each API's shapes -----------------------------------------------------------------------------
def graph_user(uid, given, surname, *, job="", enabled=True):
    mail = f"{given}.{surname}@oak.example".lower()
    return {
        "id": uid,
        "displayName": f"{given} {surname}",
        "givenName": given,
        "surname": surname,
        "mail": mail,
        "userPrincipalName": mail,
        "jobTitle": job,
        "accountEnabled": enabled,
    }


def google_user(uid, given, family, unit, *, suspended=False):
    return {
        "kind": "admin#directory#user",
        "id": uid,
        "primaryEmail": f"{given}.{family}@oak.example".lower(),
        "name": {"givenName": given, "familyName": family, "fullName": f"{given} {family}"},
        "suspended": suspended,
        "orgUnitPath": unit,
        "isAdmin": False,
    }


def wonde_employee(uid, forename, surname, *, job=""):
    return {
        "id": uid,
        "upi": f"upi-{uid}",
        "mis_id": uid[-4:],
        "title": "Ms",
        "forename": forename,
        "surname": surname,
        "contact_details": {
            "data": {
                "emails": {
                    "email": f"{forename}.{surname}@oak.example".lower(),
                    "primary": f"{forename}.{surname}@oak.example".lower(),
                }
            }
        },
        "employment_details": {"data": {"job_title": job}},
    }


def wonde_student(uid, forename, surname, year, klass):
    return {
        "id": uid,
        "upi": f"upi-{uid}",
        "mis_id": uid[-4:],
        "forename": forename,
        "surname": surname,
        "year": {"data": {"id": f"Y{year}", "code": str(year), "name": f"Year {year}", "type": "YEAR"}},
        "classes": {"data": [{"id": f"C{klass}", "name": klass, "code": klass}]},
    }


def wonde_room(uid, name):
    return {"id": uid, "name": name, "code": name[:4].upper()}

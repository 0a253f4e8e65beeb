"""Reading a directory: Microsoft Graph, Google's Directory API and Wonde, each turned into the same few records.

Only the standard library talks to them (JSON over HTTPS). Each client pages through the provider's own way
(Graph's `@odata.nextLink`, Google's `nextPageToken`, Wonde's `meta.pagination.next`), waits and tries again when
told to slow down (429 with Retry-After, a few times), and fetches a new access token once when the provider says
the one it holds has run out (401). Tokens come from schooldesk/mail/oauth.py's token endpoint code. The addresses
come from settings (SCHOOLDESK_DIRECTORY_URLS), never from a page, so no one can point the desk elsewhere.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from schooldesk.directory.choices import Provider
from schooldesk.mail.oauth import (
    OAuthError,
    client_credentials_token,
    endpoint_allowed,
    jwt_bearer_token,
    service_account_assertion,
)

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
GOOGLE_SCOPE = "https://www.googleapis.com/auth/admin.directory.user.readonly"
GRAPH_USER_FIELDS = "id,displayName,givenName,surname,mail,userPrincipalName,jobTitle,accountEnabled"
MAX_TRIES = 4  # a 429 is waited out at most three times
MAX_PAGES = 2000


class DirectoryError(Exception):
    """The directory could not be read: the message says why, for the person who set the connection up."""


@dataclass
class Person:
    id: str
    first_name: str
    last_name: str
    email: str
    job_title: str = ""
    enabled: bool = True
    keys: set[str] = field(default_factory=set)  # the groups (names and ids) or the organisational unit


@dataclass
class PupilRecord:
    id: str
    first_name: str
    last_name: str
    year_group: str = ""
    form: str = ""


@dataclass
class RoomRecord:
    id: str
    name: str


@dataclass
class Directory:
    people: list[Person]
    pupils: list[PupilRecord] | None = None
    rooms: list[RoomRecord] | None = None


def urls() -> dict:
    return settings.SCHOOLDESK_DIRECTORY_URLS


class Session:
    """GET JSON with a bearer token: 429 waited out, an expired token fetched again once."""

    def __init__(self, connection, fetch_token=None):
        self.connection = connection
        self.fetch_token = fetch_token  # None: the token is the stored secret (Wonde)
        self.refreshed = False

    def token(self, *, again: bool = False) -> str:
        connection = self.connection
        if self.fetch_token is None:
            return (connection.secret or "").strip()
        now = timezone.now()
        if (
            again
            or not connection.access_token
            or not connection.token_expires_at
            or (connection.token_expires_at <= now + timedelta(minutes=2))
        ):
            try:
                answer = self.fetch_token()
            except OAuthError as exc:
                raise DirectoryError(str(exc)) from exc
            connection.access_token = answer["access_token"]
            connection.token_expires_at = now + timedelta(seconds=int(answer.get("expires_in", 3600)))
            if connection.pk:
                type(connection).objects.filter(pk=connection.pk).update(  # encrypted by the field
                    access_token=connection.access_token, token_expires_at=connection.token_expires_at
                )
        return connection.access_token

    def get(self, url: str, params: dict | None = None) -> dict:
        if params:
            url = f"{url}{'&' if '?' in url else '?'}{urllib.parse.urlencode(params)}"
        if not endpoint_allowed(url):
            raise DirectoryError("The directory's address must use HTTPS.")
        for attempt in range(MAX_TRIES):
            request = urllib.request.Request(  # noqa: S310 (scheme checked)
                url,
                headers={
                    "Authorization": f"Bearer {self.token()}",
                    "Accept": "application/json",
                },
            )
            try:
                with urllib.request.urlopen(request, timeout=settings.SCHOOLDESK_OAUTH_TIMEOUT) as response:  # noqa: S310
                    return json.loads(response.read().decode("utf-8"))
            except urllib.error.HTTPError as exc:
                if exc.code == 429 and attempt < MAX_TRIES - 1:
                    time.sleep(_retry_after(exc.headers.get("Retry-After")))
                    continue
                if exc.code == 401 and self.fetch_token is not None and not self.refreshed:
                    self.refreshed = True  # once: a second refusal is not an expired token
                    self.token(again=True)
                    continue
                raise DirectoryError(_refusal(exc)) from exc
            except (urllib.error.URLError, OSError, ValueError) as exc:
                raise DirectoryError(f"Could not reach the directory: {exc}") from exc
        raise DirectoryError("The directory kept asking the desk to slow down: it will try again at the next sync.")


def _retry_after(value) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = 5
    return max(0.0, min(seconds, settings.SCHOOLDESK_DIRECTORY_MAX_WAIT))


def _refusal(exc: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(exc.read().decode("utf-8"))
    except ValueError:
        body = {}
    detail = body.get("error", "")
    if isinstance(detail, dict):
        detail = detail.get("message", "") or detail.get("code", "")
    hint = {
        401: " Check the secret or token.",
        403: " Check the app's permissions in the directory.",
        404: " Check the tenant, domain or school id.",
    }.get(exc.code, "")
    return f"The directory refused: HTTP {exc.code}. {str(detail)[:200]}{hint}".replace("  ", " ").strip()


# --- Microsoft Graph -------------------------------------------------------------------------------------------
def _graph_pages(session: Session, url: str, params: dict | None):
    for _page in range(MAX_PAGES):
        answer = session.get(url, params)
        yield from answer.get("value", [])
        url, params = answer.get("@odata.nextLink"), None
        if not url:
            return


def read_microsoft(connection, mapping_keys: set[str]) -> Directory:
    base = urls()["graph"].rstrip("/")
    token_url = urls()["microsoft_token"].format(tenant=urllib.parse.quote(connection.tenant.strip(), safe=""))
    session = Session(
        connection,
        lambda: client_credentials_token(
            token_url=token_url,
            client_id=connection.client_id.strip(),
            client_secret=(connection.secret or "").strip(),
            scope=GRAPH_SCOPE,
        ),
    )
    groups = list(_graph_pages(session, f"{base}/v1.0/groups", {"$select": "id,displayName"}))
    members: dict[str, set[str]] = {}
    wanted = {k.lower() for k in mapping_keys}
    for group in groups:
        names = {group.get("id", ""), group.get("displayName", "")}
        if not {n.lower() for n in names} & wanted:
            continue
        for member in _graph_pages(
            session, f"{base}/v1.0/groups/{urllib.parse.quote(group['id'])}/transitiveMembers", {"$select": "id"}
        ):
            if member.get("@odata.type", "#microsoft.graph.user") == "#microsoft.graph.user":
                members.setdefault(member["id"], set()).update(n for n in names if n)
    people = []
    for user in _graph_pages(session, f"{base}/v1.0/users", {"$select": GRAPH_USER_FIELDS}):
        if user["id"] not in members and "*" not in wanted:
            continue
        people.append(
            Person(
                id=user["id"],
                first_name=user.get("givenName") or "",
                last_name=user.get("surname") or "",
                email=(user.get("mail") or user.get("userPrincipalName") or "").lower(),
                job_title=user.get("jobTitle") or "",
                enabled=user.get("accountEnabled", True) is not False,
                keys=members.get(user["id"], set()) | {"*"},
            )
        )
    return Directory(people=people)


# --- Google Workspace ------------------------------------------------------------------------------------------
def google_key(secret: str) -> dict:
    try:
        key = json.loads(secret)
    except ValueError as exc:
        raise DirectoryError("The Google secret must be the service account's JSON key file, pasted whole.") from exc
    if not isinstance(key, dict) or not key.get("private_key") or not key.get("client_email"):
        raise DirectoryError("The Google key file has no private_key or client_email: download a new JSON key.")
    return key


def google_assertion(key: dict, *, subject: str, token_url: str) -> str:
    """The service account's signed request for a token acting for `subject` (domain-wide delegation, RFC 7523)."""
    try:
        return service_account_assertion(
            key=key, subject=subject, scope=GOOGLE_SCOPE, token_url=token_url, now=int(time.time())
        )
    except ValueError as exc:
        raise DirectoryError("The Google key file's private key cannot be read.") from exc


def read_google(connection, mapping_keys: set[str]) -> Directory:
    key = google_key((connection.secret or "").strip())
    token_url = urls()["google_token"]
    subject = connection.client_id.strip()
    session = Session(
        connection,
        lambda: jwt_bearer_token(
            token_url=token_url, assertion=google_assertion(key, subject=subject, token_url=token_url)
        ),
    )
    url = urls()["google"].rstrip("/") + "/admin/directory/v1/users"
    params = {"maxResults": "500", "projection": "basic", "orderBy": "email"}
    if connection.tenant.strip():
        params["domain"] = connection.tenant.strip()
    else:
        params["customer"] = "my_customer"
    people = []
    for _page in range(MAX_PAGES):
        answer = session.get(url, params)
        for user in answer.get("users", []):
            unit = user.get("orgUnitPath") or "/"
            name = user.get("name") or {}
            people.append(
                Person(
                    id=user["id"],
                    first_name=name.get("givenName") or "",
                    last_name=name.get("familyName") or "",
                    email=(user.get("primaryEmail") or "").lower(),
                    enabled=not user.get("suspended", False) and not user.get("archived", False),
                    keys=_units(unit) | {"*"},
                )
            )
        if not answer.get("nextPageToken"):
            break
        params = {**params, "pageToken": answer["nextPageToken"]}
    return Directory(people=people)


def _units(path: str) -> set[str]:
    """ "/Staff/Office" -> {"/", "/Staff", "/Staff/Office"}: a mapping of a unit covers the units inside it."""
    parts = [p for p in path.split("/") if p]
    return {"/"} | {"/" + "/".join(parts[:n]) for n in range(1, len(parts) + 1)}


# --- Wonde -----------------------------------------------------------------------------------------------------
def _wonde_pages(session: Session, url: str, params: dict | None):
    for _page in range(MAX_PAGES):
        answer = session.get(url, params)
        yield from answer.get("data", [])
        url, params = ((answer.get("meta") or {}).get("pagination") or {}).get("next"), None
        if not url:
            return


def _data(record: dict, name: str):
    value = record.get(name) or {}
    return value.get("data") if isinstance(value, dict) else None


def read_wonde(connection, mapping_keys: set[str], *, pupils: bool = True) -> Directory:
    school = urllib.parse.quote(connection.tenant.strip(), safe="")
    base = f"{urls()['wonde'].rstrip('/')}/v1.0/schools/{school}"
    session = Session(connection)
    people = []
    for employee in _wonde_pages(
        session, f"{base}/employees", {"include": "contact_details,employment_details", "per_page": "200"}
    ):
        emails = (_data(employee, "contact_details") or {}).get("emails") or {}
        employment = _data(employee, "employment_details") or {}
        people.append(
            Person(
                id=employee["id"],
                first_name=employee.get("forename") or "",
                last_name=employee.get("surname") or "",
                email=(emails.get("email") or emails.get("work") or "").lower(),
                job_title=employment.get("job_title") or "",
                keys={"*"},
            )
        )
    directory = Directory(people=people)
    if pupils:
        directory.pupils = []
        for student in _wonde_pages(session, f"{base}/students", {"include": "year,classes", "per_page": "200"}):
            year = _data(student, "year") or {}
            classes = sorted(c.get("name", "") for c in (_data(student, "classes") or []) if c.get("name"))
            directory.pupils.append(
                PupilRecord(
                    id=student["id"],
                    first_name=student.get("forename") or "",
                    last_name=student.get("surname") or "",
                    year_group=(year.get("name") or "")[:20],
                    form=(classes[0] if classes else "")[:40],
                )
            )
        directory.rooms = [
            RoomRecord(id=room["id"], name=(room.get("name") or room.get("code") or "")[:100])
            for room in _wonde_pages(session, f"{base}/rooms", {"per_page": "200"})
        ]
    return directory


def read(connection, mapping_keys: set[str]) -> Directory:
    if connection.provider == Provider.MICROSOFT:
        return read_microsoft(connection, mapping_keys)
    if connection.provider == Provider.GOOGLE:
        return read_google(connection, mapping_keys)
    return read_wonde(connection, mapping_keys, pupils=connection.sync_pupils)

"""The browser half of `make deploy-check` (deploy/check.sh starts the desk, then runs this): through nginx over
TLS, sign in as each role with the login form, open the pages the role's menu offers, report a problem and open
the call, load the static files the pages name and the CSV downloads they offer, and check the security headers,
the cookies, the redirect from HTTP and /health/. Standard library only; the throwaway certificate is the only
one trusted. Exit status 1 and a list of what failed if anything did.

    python deploy/check.py --base https://localhost:8443 --http http://127.0.0.1:8080 --cafile cert.pem \\
        --password-file pw --user owner=desk.owner --user spoc=desk.spoc ...
"""

from __future__ import annotations

import argparse
import json
import re
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookiejar import CookieJar

HASHED_STATIC = re.compile(r"^/static/.+\.[0-9a-f]{12}\.(?:css|js)$")
SECURITY_HEADERS = {
    "Strict-Transport-Security": re.compile(r"max-age=31536000; includeSubDomains; preload"),
    "X-Content-Type-Options": re.compile(r"^nosniff$"),
    "Referrer-Policy": re.compile(r"^same-origin$"),
    "X-Frame-Options": re.compile(r"^DENY$"),
}
#: pages that must be reached by at least one role through its menu (or, for the call, by opening it)
REQUIRED_PAGES = [
    "/",
    "/incidents/triage/",
    "/incidents/",
    "/assets/",
    "/licences/",
    "/diary/",
    "/reports/dashboards/",
    "/reports/incidents/",
    "/reports/service/",
]
#: roles that see a call a reporter has just made in their school
CALL_ROLES = ("reporter", "spoc", "technician", "owner")


@dataclass
class Form:
    action: str
    method: str
    enctype: str
    fields: list[list] = field(default_factory=list)  # [name, value, kind] with kind text/file/select
    selects: dict[str, list[str]] = field(default_factory=dict)  # name -> option values


class PageParser(HTMLParser):
    """Links (and whether they are in the main menu), static files, forms as a browser would submit them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.nav_links, self.static, self.forms = [], [], [], []
        self._nav_depth = 0
        self._select = None
        self._option = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "nav":
            self._nav_depth += 1
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])
            if self._nav_depth:
                self.nav_links.append(a["href"])
        elif tag == "link" and a.get("rel") == "stylesheet":
            self.static.append(a.get("href", ""))
        elif tag == "script" and a.get("src"):
            self.static.append(a["src"])
        elif tag == "form":
            self.forms.append(
                Form(
                    a.get("action") or "",
                    (a.get("method") or "get").lower(),
                    a.get("enctype") or "application/x-www-form-urlencoded",
                )
            )
        elif self.forms and tag == "input" and a.get("name") and "disabled" not in a:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "image", "reset"):
                self.forms[-1].fields.append([a["name"], "" if kind == "file" else a.get("value", ""), kind])
        elif self.forms and tag == "select" and a.get("name"):
            self._select = [a["name"], None, "select"]
            self.forms[-1].fields.append(self._select)
            self.forms[-1].selects[a["name"]] = []
        elif self._select is not None and tag == "option":
            value = a.get("value", "")
            self.forms[-1].selects[self._select[0]].append(value)
            if self._select[1] is None or "selected" in a:
                self._select[1] = value  # the first option unless one is selected, as a browser does
        elif self.forms and tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], "", "text"]
            self.forms[-1].fields.append(self._textarea)

    def handle_endtag(self, tag):
        if tag == "nav":
            self._nav_depth -= 1
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data.removeprefix("\n")


@dataclass
class Response:
    url: str
    status: int
    headers: object
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def page(self) -> PageParser:
        parser = PageParser()
        parser.feed(self.text)
        return parser


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # every redirect is looked at, then followed by hand


class Check:
    def __init__(self, base: str, context: ssl.SSLContext):
        self.base, self.context = base, context
        self.failures: list[str] = []
        self.requests = 0
        self.static_seen: set[str] = set()

    def fail(self, message: str) -> None:
        self.failures.append(message)
        print(f"  FAIL {message}", flush=True)

    def browser(self):
        return urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=self.context),
            urllib.request.HTTPCookieProcessor(CookieJar()),
            NoRedirects,
        )

    def fetch(self, opener, url: str, data: bytes | None = None, headers: dict | None = None) -> Response:
        url = urllib.parse.urljoin(self.base + "/", url)
        request = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310 - the desk's own https URL
        self.requests += 1
        try:
            with opener.open(request, timeout=30) as raw:
                response = Response(url, raw.status, raw.headers, raw.read())
        except urllib.error.HTTPError as error:
            response = Response(url, error.code, error.headers, error.read())
        if response.status >= 500:
            self.fail(f"{url} answered {response.status}")
        return response

    def get(self, opener, url: str) -> Response:
        """GET, following redirects within the desk as a browser does."""
        response = self.fetch(opener, url)
        for _ in range(5):
            if response.status not in (301, 302, 303, 307, 308):
                break
            target = urllib.parse.urljoin(response.url, response.headers["Location"])
            if not target.startswith(self.base + "/"):
                self.fail(f"{response.url} redirected away from the desk, to {target}")
                break
            response = self.fetch(opener, target)
        return response

    def submit(self, opener, page: Response, form: Form, values: dict[str, str]) -> Response:
        """Submit a form with what it holds plus `values`, with the Origin and Referer a browser sends."""
        fields = [(name, values.pop(name, value), kind) for name, value, kind in form.fields]
        fields += [(name, value, "text") for name, value in values.items()]
        action = urllib.parse.urljoin(page.url, form.action or page.url)
        headers = {"Referer": page.url, "Origin": self.base}
        if form.enctype == "multipart/form-data":
            boundary = uuid.uuid4().hex
            parts = []
            for name, value, kind in fields:
                filename = '; filename=""' if kind == "file" else ""
                content_type = "Content-Type: application/octet-stream\r\n" if kind == "file" else ""
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"{filename}\r\n'
                    f"{content_type}\r\n{value or ''}\r\n"
                )
            data = ("".join(parts) + f"--{boundary}--\r\n").encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        else:
            data = urllib.parse.urlencode([(n, v or "") for n, v, _ in fields]).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return self.fetch(opener, action, data=data, headers=headers)

    # --- what is checked --------------------------------------------------------------------------------

    def html_page(self, opener, url: str, role: str) -> Response:
        response = self.get(opener, url)
        if response.status != 200:
            self.fail(f"{role}: {url} answered {response.status}")
            return response
        for name, wanted in SECURITY_HEADERS.items():
            if not wanted.search(response.headers.get(name) or ""):
                self.fail(f"{url}: header {name} is {response.headers.get(name)!r}")
        for src in response.page().static:
            path = urllib.parse.urlsplit(src).path
            if not HASHED_STATIC.match(path):
                self.fail(f"{url} names a static file without a hashed name: {src}")
            elif path not in self.static_seen:
                self.static_seen.add(path)
                static = self.fetch(opener, path)
                if static.status != 200 or "immutable" not in (static.headers.get("Cache-Control") or ""):
                    self.fail(f"{path}: {static.status}, Cache-Control {static.headers.get('Cache-Control')!r}")
        return response

    def sign_in(self, username: str, password: str):
        opener = self.browser()
        page = self.html_page(opener, "/accounts/login/", "anonymous")
        form = next(f for f in page.page().forms if any(n == "username" for n, _, _ in f.fields))
        response = self.submit(opener, page, form, {"username": username, "password": password})
        cookies = response.headers.get_all("Set-Cookie") or []
        session = [c for c in cookies if c.startswith("sessionid=")]
        if response.status != 302 or not session:
            self.fail(f"signing in as {username} answered {response.status} with no session")
            return None
        for cookie in session + [c for c in cookies if c.startswith("csrftoken=")]:
            flags = {part.strip().lower() for part in cookie.split(";")}
            wanted = {"secure", "httponly"} if cookie.startswith("sessionid=") else {"secure"}
            if not wanted <= flags:
                self.fail(f"cookie {cookie.split('=')[0]} lacks {wanted - flags}")
        return opener

    def set_up_two_step(self, opener, username: str, password: str) -> None:
        """A role that must use two-step sign-in is taken to Security on its first page (docs/decisions/0032): set up
        an authenticator app as a person would, with the code computed from the key the page shows (RFC 6238)."""
        if urllib.parse.urlsplit(self.get(opener, "/").url).path != "/accounts/2fa/":
            return
        page = self.get(opener, "/accounts/2fa/totp/activate/")
        if "/reauthenticate/" in page.url:  # the password again, before a change to sign-in
            form = next(f for f in page.page().forms if any(n == "password" for n, _, _ in f.fields))
            self.submit(opener, page, form, {"password": password})
            page = self.get(opener, "/accounts/2fa/totp/activate/")
        key = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7=]+)"', page.text)
        form = next((f for f in page.page().forms if any(n == "code" for n, _, _ in f.fields)), None)
        if page.status != 200 or not key or form is None:
            self.fail(f"{username}: the authenticator app's set-up page answered {page.status} without its key")
            return
        response = self.submit(opener, page, form, {"code": totp_now(key.group(1))})
        if response.status != 302 or urllib.parse.urlsplit(self.get(opener, "/").url).path != "/":
            self.fail(f"{username}: setting up the authenticator app answered {response.status}")

    def report_a_problem(self, opener) -> str | None:
        page = self.html_page(opener, "/incidents/new/", "reporter")
        form = next((f for f in page.page().forms if any(n == "summary" for n, _, _ in f.fields)), None)
        if form is None:
            self.fail("the report form has no summary field")
            return None
        location = next(v for v in form.selects["location"] if v)
        response = self.submit(
            opener, page, form, {"summary": "deploy-check: the projector shows no picture", "location": location}
        )
        target = response.headers.get("Location") or ""
        if response.status != 302 or not re.fullmatch(r"/incidents/\d+/", urllib.parse.urlsplit(target).path):
            self.fail(f"reporting a problem answered {response.status} ({target or 'no redirect'})")
            return None
        return urllib.parse.urlsplit(target).path


def totp_now(secret: str) -> str:
    """The 6-digit code an authenticator app shows now for `secret` (RFC 6238, HMAC-SHA1, 30 seconds)."""
    import base64
    import hashlib
    import hmac
    import struct

    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="https://host:port of nginx")
    parser.add_argument("--http", required=True, help="http://host:port of nginx's plain-HTTP server")
    parser.add_argument("--cafile", required=True)
    parser.add_argument("--password-file", required=True)
    parser.add_argument("--user", action="append", required=True, metavar="ROLE=USERNAME")
    parser.add_argument("--wait", type=float, default=60, help="seconds to wait for /health/ to answer 200")
    args = parser.parse_args()
    started = time.perf_counter()
    check = Check(args.base.rstrip("/"), ssl.create_default_context(cafile=args.cafile))
    password = open(args.password_file).read().splitlines()[0]  # noqa: SIM115 - read once
    users = dict(spec.split("=", 1) for spec in args.user)

    anonymous = check.browser()
    deadline = time.monotonic() + args.wait
    while True:  # until gunicorn answers through nginx and the worker's first heartbeat is in
        try:
            with anonymous.open(f"{check.base}/health/", timeout=5) as raw:
                health = Response(raw.url, raw.status, raw.headers, raw.read())
        except (urllib.error.URLError, OSError) as error:
            health = Response("", getattr(error, "code", 0), None, str(error).encode())
        if health.status == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    print(
        f"/health/ answered {health.status} after {time.perf_counter() - started:.1f} s: {health.text[:300]}",
        flush=True,
    )
    if health.status != 200 or json.loads(health.body).get("status") != "ok":
        check.fail(f"/health/ answered {health.status}")
        return 1
    check.requests += 1
    plain = urllib.request.build_opener(NoRedirects)
    host = urllib.parse.urlsplit(check.base).netloc
    try:
        page_two = f"{args.http}/incidents/?page=2"
        request = urllib.request.Request(page_two, headers={"Host": host.split(":")[0]})  # noqa: S310 - nginx's plain HTTP
        plain.open(request, timeout=10)
        check.fail("plain HTTP was answered without a redirect")
    except urllib.error.HTTPError as error:
        if error.code != 301 or error.headers["Location"] != f"{check.base}/incidents/?page=2":
            check.fail(f"plain HTTP answered {error.code}, Location {error.headers['Location']!r}")
    if check.get(anonymous, "/incidents/").url != f"{check.base}/accounts/login/?next=/incidents/":
        check.fail("a page asked for without signing in does not lead to the login page")
    if check.get(anonymous, "/django-admin/login/").status != 404:  # env.example sets no SCHOOLDESK_ADMIN_PATH
        check.fail("the Django admin's login page is public in production")

    call = None
    reached: dict[str, set[str]] = {}
    downloads = 0
    for role in ["reporter"] + [r for r in users if r != "reporter"]:
        print(f"signed in as {role} ({users[role]})", flush=True)
        opener = check.sign_in(users[role], password)
        if opener is None:
            continue
        check.set_up_two_step(opener, users[role], password)
        if role == "reporter":
            call = check.report_a_problem(opener)
        home = check.html_page(opener, "/", role)
        menu = sorted(
            {
                urllib.parse.urlsplit(h).path
                for h in home.page().nav_links
                if h.startswith("/") and not h.startswith("/accounts/logout")
            }
        )
        reached[role] = {"/"}
        for url in menu:
            page = check.html_page(opener, url, role)
            if page.status != 200 or "text/html" not in (page.headers.get("Content-Type") or ""):
                continue
            reached[role].add(url)
            for href in page.page().links:
                if "format=csv" in href or urllib.parse.urlsplit(href).path.endswith("/export/"):
                    if "format=xlsx" in href or downloads >= 3:
                        continue
                    csv = check.get(opener, urllib.parse.urljoin(page.url, href))
                    disposition = csv.headers.get("Content-Disposition") or ""
                    if (
                        csv.status != 200
                        or "text/csv" not in (csv.headers.get("Content-Type") or "")
                        or not disposition.startswith("attachment")
                    ):
                        check.fail(f"{role}: download {href} on {url} answered {csv.status}, {disposition!r}")
                    else:
                        downloads += 1
                    break
        if role == "owner":  # the error pages render in production too (a missing static file would be a 500)
            missing = check.get(opener, "/incidents/999999999/")
            if missing.status != 404 or "text/html" not in (missing.headers.get("Content-Type") or ""):
                check.fail(f"a call that does not exist answered {missing.status}")
        if call and role in CALL_ROLES:
            page = check.html_page(opener, call, role)
            if page.status == 200 and "deploy-check: the projector" not in page.text:
                check.fail(f"{role}: the call page does not show the call")
            reached[role].add("/incidents/<call>/")
        print(f"  {len(reached[role])} pages", flush=True)

    everywhere = set().union(*reached.values()) if reached else set()
    for url in REQUIRED_PAGES + ["/incidents/<call>/"]:
        if url not in everywhere:
            check.fail(f"no role reached {url}")
    if not downloads:
        check.fail("no CSV download was offered or it failed")
    if not check.static_seen:
        check.fail("no static file was named by any page")
    print(
        f"{check.requests} requests, {len(check.static_seen)} static files, {downloads} CSV downloads, "
        f"{sum(len(r) for r in reached.values())} pages over {len(reached)} roles in "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )
    if check.failures:
        print(f"{len(check.failures)} failures:\n  " + "\n  ".join(check.failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The second half of make upgrade-check (deploy/upgrade_check.sh): on a database an earlier release made and this
code migrated, sign in as every demo login through the login form and load its home page and every page of the
desk it links to (its navigation, its lists, its records), each expected to answer 200, after the redirects the
desk makes itself (/help/ to the guide for one's role), and never with the login page.

An earlier release's data has no two-step sign-in rule (accounts.MfaPolicy came later), so the installation's
default applies (SCHOOLDESK_MFA_DEFAULT_ROLES: every role but reporter and viewer): such a login is taken to the
Security page first, and sets up an authenticator app there as a person would, with the code computed from the key
the page shows (RFC 6238), before its pages are loaded (docs/decisions/0032)."""

import os
import re
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from schooldesk.demo.schools import DEMO_PASSWORD, demo_logins  # noqa: E402

SKIP = ("/accounts/logout", "/static/", "/admin/", "/media-not-served/")
PER_LOGIN = 40  # pages after the home page, at most, for each login


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") if tag == "a" else None
        if href and href.startswith("/") and not href.startswith(SKIP):
            self.hrefs.append(urlsplit(href)._replace(fragment="").geturl())


def links(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return list(dict.fromkeys(parser.hrefs))


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


def set_up_two_step(client, username: str) -> str:
    """If the desk takes this login to the Security page, set up an authenticator app through its pages; "" when it
    worked or was not needed, else what went wrong."""
    security = reverse("mfa_index")
    first = client.get("/")
    if first.status_code != 302 or urlsplit(first["Location"]).path != security:
        return ""
    page = client.get(reverse("mfa_activate_totp"), follow=True)
    if reverse("account_reauthenticate") in page.request["PATH_INFO"]:  # the password again, before a change
        client.post(page.request["PATH_INFO"], {"password": DEMO_PASSWORD})
        page = client.get(reverse("mfa_activate_totp"), follow=True)
    key = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7=]+)"', page.content.decode())
    if page.status_code != 200 or not key:
        return f"{username}: the authenticator app's set-up page answered {page.status_code} without its key"
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_now(key.group(1))})
    if response.status_code != 302 or client.get("/").status_code != 200:
        return f"{username}: setting up the authenticator app answered {response.status_code}"
    return ""


def main() -> int:
    logins = demo_logins()
    if not logins:
        print("no demo logins in this database")
        return 1
    failures, pages, began, set_up = [], 0, time.monotonic(), 0
    for username, _name, role, where in dict((row[0], row) for row in logins).values():
        client = Client()
        response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})
        if response.status_code != 302:
            failures.append(f"{username}: signing in answered {response.status_code}")
            continue
        if client.get("/").status_code == 302:  # taken to the Security page: two-step sign-in is required
            if failure := set_up_two_step(client, username):
                failures.append(failure)
                continue
            set_up += 1
        home = client.get("/")
        pages += 1
        if home.status_code != 200:
            failures.append(f"{username} /: {home.status_code}")
            continue
        hrefs = [href for href in links(home.content.decode()) if href != "/"][:PER_LOGIN]
        for href in hrefs:
            response = client.get(href, follow=True)  # /help/ leads to the guide for one's role, and so on
            pages += 1
            if response.status_code != 200 or response.request["PATH_INFO"] == reverse("login"):
                failures.append(f"{username} {href}: {response.status_code} at {response.request['PATH_INFO']}")
        print(f"   {username} ({role}, {where}): / and {len(hrefs)} pages it links to")
    for failure in failures:
        print(f"FAILED {failure}")
    print(
        f"   {pages} pages in {time.monotonic() - began:.0f} s, {len(failures)} not 200; "
        f"{set_up} logins set up an authenticator app first"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

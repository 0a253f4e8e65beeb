"""The second half of make upgrade-check (deploy/upgrade_check.sh): on a database an earlier release made and this
code migrated, sign in as every demo login through the login form and load its home page and every page of the
desk it links to (its navigation, its lists, its records), each expected to answer 200, after the redirects the
desk makes itself (/help/ to the guide for one's role), and never with the login page."""

import os
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

from schooldesk.schools.demo import DEMO_PASSWORD, demo_logins  # noqa: E402

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


def main() -> int:
    logins = demo_logins()
    if not logins:
        print("no demo logins in this database")
        return 1
    failures, pages, began = [], 0, time.monotonic()
    for username, _name, role, where in dict((row[0], row) for row in logins).values():
        client = Client()
        response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})
        if response.status_code != 302:
            failures.append(f"{username}: signing in answered {response.status_code}")
            continue
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
    print(f"   {pages} pages in {time.monotonic() - began:.0f} s, {len(failures)} not 200")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

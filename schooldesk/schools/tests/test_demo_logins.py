"""Every demo login in README.md signs in through the real sign-in form and uses the desk with the installation's
own two-step sign-in default in force (every role but reporter and viewer): the demo's council saves a rule that
asks nobody (schooldesk/schools/demo.py), so nobody is taken to set it up. And the demo's directory sync has a
connection and a finished report to show."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from schooldesk.accounts.models import MfaPolicy
from schooldesk.schools.demo import DEMO_PASSWORD, demo_usernames

pytestmark = pytest.mark.django_db

PRODUCTION_DEFAULT = ["spoc", "technician", "provider", "owner", "dpo", "dsl"]
SETUP = "/accounts/2fa/"
#: one page of each role's own (the role is the part after the school's name in the username)
PAGE_OF = {"reporter": "/incidents/", "spoc": "/accounts/people/", "technician": "/incidents/",
           "provider": "/incidents/", "owner": "/directory/", "viewer": "/incidents/", "dpo": "/privacy/",
           "dsl": "/safeguarding/concerns/", "la": "/directory/reports/", "tech": "/incidents/"}


def readme_logins() -> list[str]:
    """The usernames of README.md's demo logins table (`riverside.reporter` … `riverside.dsl`: the same eight)."""
    section = Path("README.md").read_text().split("## Demo logins", 1)[1].split("\n## ", 1)[0]
    names = re.findall(r"^\| `([a-z.]+)` \|", section, re.M)
    if "`riverside.reporter` … `riverside.dsl`" in section:
        names += [name.replace("oakfield.", "riverside.") for name in names if name.startswith("oakfield.")]
    return names


@pytest.fixture
def demo(settings):
    settings.SCHOOLDESK_MFA_DEFAULT_ROLES = PRODUCTION_DEFAULT
    call_command("demo_seed", incidents=10, stdout=io.StringIO())


def sign_in(client, username):
    response = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, f"{username} was not signed in"
    return response


def test_every_readme_demo_login_signs_in_and_uses_the_desk_without_being_sent_to_set_up_mfa(demo, client):
    names = readme_logins()
    assert sorted(names) == sorted(demo_usernames()) and len(names) == 18
    for username in names:
        response = sign_in(client, username)
        assert not response.url.startswith(SETUP), username
        for url in ("/", PAGE_OF[username.split(".", 1)[1]]):
            page = client.get(url)
            assert page.status_code == 200, (username, url, page.status_code, getattr(page, "url", ""))
        client.logout()


def test_without_the_demos_rule_a_spoc_would_be_sent_to_set_up_mfa(demo, client):
    """The test above can fail: the installation's default alone takes the demo's SPOC to the set-up page."""
    MfaPolicy.objects.all().delete()
    sign_in(client, "oakfield.spoc")
    response = client.get("/incidents/")
    assert response.status_code == 302 and response.url.startswith(SETUP)
    assert client.get(response.url, follow=True).status_code == 200  # and the set-up page works


def test_the_demo_directory_sync_has_a_connection_and_a_finished_report(demo, client):
    sign_in(client, "oakfield.owner")
    assert "Staff in Microsoft 365" in client.get("/directory/").content.decode()
    reports = client.get("/directory/reports/").content.decode()
    run = re.search(r'href="/directory/reports/(\d+)/"', reports)
    assert run, "no report listed"
    report = client.get(f"/directory/reports/{run.group(1)}/").content.decode()
    assert "Year 4 teacher" in report and "no longer in the directory" in report
    client.logout()
    sign_in(client, "riverside.owner")  # another school's owner sees none of it
    assert "Staff in Microsoft 365" not in client.get("/directory/").content.decode()

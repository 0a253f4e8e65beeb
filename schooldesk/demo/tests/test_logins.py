"""Every demo login in README.md signs in through the real sign-in form and uses the desk with the installation's
own two-step sign-in default in force (every role but reporter and viewer): the demo's council saves a rule that
asks nobody (schooldesk/demo/schools.py), so nobody is taken to set it up. And the demo's directory sync has a
connection and a finished report to show."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from schooldesk.accounts.models import MfaPolicy
from schooldesk.demo.schools import DEMO_PASSWORD, demo_usernames

pytestmark = pytest.mark.django_db

PRODUCTION_DEFAULT = ["spoc", "technician", "provider", "owner", "dpo", "dsl"]
SETUP = "/accounts/2fa/"
#: one page of each role's own (the role is the part after the school's name in the username)
PAGE_OF = {
    "reporter": "/incidents/",
    "spoc": "/accounts/people/",
    "technician": "/incidents/",
    "provider": "/incidents/",
    "owner": "/directory/",
    "viewer": "/incidents/",
    "dpo": "/privacy/",
    "dsl": "/safeguarding/concerns/",
    "la": "/directory/reports/",
    "tech": "/incidents/",
}


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


def test_the_upgrade_checks_logins_without_a_rule_set_up_an_authenticator_app_as_a_person_would(demo, client):
    """make upgrade-check's data (release v0.1.0's demo) has no two-step rule: the default applies, and
    deploy/upgrade_check.py sets up an authenticator app through the Security pages before loading the desk."""
    from allauth.mfa.models import Authenticator

    from deploy.upgrade_check import set_up_two_step

    MfaPolicy.objects.all().delete()
    for username in ("oakfield.spoc", "northbridge.tech", "oakfield.reporter"):
        sign_in(client, username)
        assert set_up_two_step(client, username) == ""
        assert client.get("/").status_code == 200
        has_app = Authenticator.objects.filter(user__username=username, type="totp").exists()
        assert has_app == (username != "oakfield.reporter")  # a reporter is not asked
        client.logout()


def test_the_deploy_checks_two_step_set_up_reads_the_key_and_the_form_the_page_renders(demo, client):
    """deploy/check.py (make deploy-check, whose desk_init saves no rule) sets up an authenticator app over HTTP: its
    key pattern, form finder and code (RFC 6238) work on the page the desk renders."""
    from deploy import check

    MfaPolicy.objects.all().delete()
    sign_in(client, "oakfield.dpo")
    assert client.get("/")["Location"] == SETUP  # where check.set_up_two_step looks first

    def as_check_meets(url):  # as check.get meets it: after the redirects, at the page's own address
        page = client.get(url, follow=True)
        return check.Response(
            f"https://desk{page.request['PATH_INFO']}?{page.request['QUERY_STRING']}",
            page.status_code,
            None,
            page.content,
        )

    page = as_check_meets(f"{SETUP}totp/activate/")
    if "/reauthenticate/" in page.url:  # the password again, before a change to sign-in (as check.py does)
        form = next(f for f in page.page().forms if any(n == "password" for n, _, _ in f.fields))
        values = {name: value for name, value, _kind in form.fields}
        client.post(form.action or page.url.removeprefix("https://desk"), {**values, "password": DEMO_PASSWORD})
        page = as_check_meets(f"{SETUP}totp/activate/")
    key = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7=]+)"', page.text)
    form = next((f for f in page.page().forms if any(n == "code" for n, _, _ in f.fields)), None)
    assert key and form is not None
    values = {name: value for name, value, _kind in form.fields}
    response = client.post(form.action or f"{SETUP}totp/activate/", {**values, "code": check.totp_now(key.group(1))})
    assert response.status_code == 302 and client.get("/").status_code == 200

"""Two-step sign-in (docs/decisions/0032): who must use it (the organisation's rule), the desk closed to them until
they have set it up, authenticator apps with real RFC 6238 codes, recovery codes that work once, the audit trail,
and the People page's one-query helper. The passkey journey in Chromium: test_mfa_browser.py."""

import base64
import hashlib
import hmac
import re
import struct
import time
from html import unescape

import pytest
from allauth.mfa.models import Authenticator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from schooldesk.accounts.mfa import SSO_AMR_KEY, mfa_state_by_user
from schooldesk.accounts.models import Membership, MfaPolicy
from schooldesk.accounts.services import api_token_create
from schooldesk.core.fields import PREFIX
from schooldesk.core.models import AuditEntry
from schooldesk.core.tests.pages import filled, forms_in
from schooldesk.schools.tests.factories import OrganisationFactory, SchoolFactory

pytestmark = pytest.mark.django_db

#: the rule an installation starts with (config/settings.py): every role but reporter and viewer
PRODUCTION_DEFAULT = ["spoc", "technician", "provider", "owner", "dpo", "dsl"]
SECURITY = "/accounts/2fa/"


def totp(secret: str, *, at: float | None = None, digits: int = 6, period: int = 30) -> str:
    """RFC 6238 (TOTP over RFC 4226's HOTP, HMAC-SHA1), written here from the RFCs, not taken from allauth."""
    counter = int((time.time() if at is None else at) // period)
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"


def test_the_totp_helper_gives_rfc_6238s_own_test_vector():
    secret = base64.b32encode(b"12345678901234567890").decode()  # RFC 6238 appendix B, SHA-1
    assert totp(secret, at=59, digits=8) == "94287082"
    assert totp(secret, at=1111111109, digits=8) == "07081804"


def sign_in(client, user):
    """Signed in a moment ago with the password (what allauth's reauthentication asks for before MFA changes)."""
    client.force_login(user)
    session = client.session
    session["account_authentication_methods"] = [{"method": "password", "at": time.time(), "reauthenticated": True}]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


def submit(client, url: str, values: dict, *, field: str = "", page=None):
    """Post the page's own form (the one with `field`, else the one sent to the page itself) as rendered, with
    `values` typed in."""
    page = page or client.get(url)
    assert page.status_code == 200, (url, page.status_code, page.get("Location"))
    (form,) = [
        f
        for f in forms_in(page.content.decode(), url)
        if f.method == "post"
        and (any(c.name == field for c in f.controls) if field else f.action in ("", url, url.partition("?")[0]))
    ]
    data, _touched = filled(form, None)
    data.update(values)
    return client.post(form.action or url, data), page


def set_up_the_app(client, capture) -> str:
    """Scan (read the key off the page), type the app's code: returns the secret. (`capture`: pytest-django's
    django_capture_on_commit_callbacks, as allauth tells of the new authenticator once committed.)"""
    page = client.get(f"{SECURITY}totp/activate/")  # each time it is drawn, a new key
    secret = unescape(re.search(r'id="authenticator_secret"[^>]*value="([^"]+)"', page.content.decode()).group(1))
    with capture(execute=True):
        response, _page = submit(client, f"{SECURITY}totp/activate/", {"code": totp(secret)}, field="code", page=page)
    assert response.status_code == 302, response.content.decode()[:2000]
    return secret


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def production_default(settings):
    settings.SCHOOLDESK_MFA_DEFAULT_ROLES = PRODUCTION_DEFAULT


def test_the_installations_default_is_every_role_but_reporter_and_viewer():
    from schooldesk.core.roles import Role

    assert set(PRODUCTION_DEFAULT) == set(Role.values) - {Role.REPORTER, Role.VIEWER}
    source = open("config/settings.py").read()
    assert '"" if TESTING else "spoc,technician,provider,owner,dpo,dsl"' in source


def test_a_spoc_without_mfa_reaches_only_the_setup_pages_until_it_is_set_up(cast, client, production_default, capture):
    sign_in(client, cast.spoc)
    for url in ("/", "/incidents/", "/locations/", f"/schools/{cast.school.pk}/", "/accounts/api-tokens/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == SECURITY, url
    assert client.post("/incidents/new/", {"summary": "x"})["Location"] == SECURITY
    assert client.get("/api/v1/incidents/").status_code == 403  # the API through the browser's session
    assert client.get("/health/").status_code in (200, 503)  # monitoring is not a page of the desk
    page = client.get(SECURITY).content.decode()
    assert 'id="mfa-required"' in page and "Oak Primary School" in page and "SPOC" in page
    assert client.get(f"{SECURITY}webauthn/add/").status_code == 200

    secret = set_up_the_app(client, capture)
    assert client.get("/").status_code == 200 and client.get("/incidents/").status_code == 200
    assert "Two-step sign-in is on for you" in client.get(SECURITY).content.decode()
    stored = Authenticator.objects.get(user=cast.spoc, type="totp").data["secret"]
    assert stored.startswith(PREFIX) and secret not in stored  # encrypted at rest with the desk's keys
    entry = AuditEntry.objects.get(action="mfa_add", changes__kind="totp")
    assert entry.school_id == cast.school.pk and entry.actor_id == cast.spoc.pk


def test_the_api_with_a_token_is_not_asked_for_mfa(cast, client, production_default):
    _record, token = api_token_create(user=cast.spoc, name="Dashboard", scope="read")
    assert client.get("/api/v1/incidents/", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


def test_a_reporter_and_a_viewer_are_not_made_to(cast, client, production_default):
    for person in (cast.reporter, cast.viewer):
        sign_in(client, person)
        assert client.get("/").status_code == 200
        assert 'id="mfa-required"' not in client.get(SECURITY).content.decode()


def test_a_wrong_code_is_refused_and_nothing_is_set_up(cast, client, production_default):
    sign_in(client, cast.spoc)
    response, _page = submit(client, f"{SECURITY}totp/activate/", {"code": "000000"}, field="code")
    assert response.status_code == 200 and "That code is not right" in response.content.decode()
    assert not Authenticator.objects.filter(user=cast.spoc).exists()
    assert client.get("/")["Location"] == SECURITY


def test_recovery_codes_work_once_each(cast, client, capture):
    sign_in(client, cast.technician)
    set_up_the_app(client, capture)
    codes = re.findall(r"<li class=\"col\">(\w+)</li>", client.get(f"{SECURITY}recovery-codes/").content.decode())
    assert len(codes) == 10
    download = client.get(f"{SECURITY}recovery-codes/download/")  # the page's "Download the codes"
    assert download["Content-Disposition"].startswith("attachment") and all(
        c in download.content.decode() for c in codes
    )
    assert AuditEntry.objects.filter(action="download", object_id="mfa_download_recovery_codes").exists()
    client.logout()
    client.force_login(cast.technician)  # a new session, not yet confirmed: the confirmation takes a code
    reauth = f"{SECURITY}reauthenticate/?next={SECURITY}totp/deactivate/"
    first, _page = submit(client, reauth, {"code": codes[0]}, field="code")
    assert first.status_code == 302
    client.logout()
    client.force_login(cast.technician)
    again, _page = submit(client, reauth, {"code": codes[0]}, field="code")
    assert again.status_code == 200 and "That code is not right" in again.content.decode()
    third, _page = submit(client, reauth, {"code": codes[1]}, field="code")
    assert third.status_code == 302
    assert len(Authenticator.objects.get(user=cast.technician, type="recovery_codes").wrap().get_unused_codes()) == 8


def test_new_recovery_codes_replace_the_old_and_removal_is_audited(cast, client, capture):
    sign_in(client, cast.spoc)
    set_up_the_app(client, capture)
    old = Authenticator.objects.get(user=cast.spoc, type="recovery_codes").wrap().get_unused_codes()
    with capture(execute=True):
        response, _page = submit(client, f"{SECURITY}recovery-codes/generate/", {})
    assert response.status_code == 302
    new = Authenticator.objects.get(user=cast.spoc, type="recovery_codes").wrap().get_unused_codes()
    assert not set(old) & set(new)
    assert AuditEntry.objects.filter(action="mfa_reset", actor=cast.spoc).exists()
    with capture(execute=True):
        response, _page = submit(client, f"{SECURITY}totp/deactivate/", {})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="mfa_remove", changes__kind="totp").exists()


def test_removing_the_last_second_step_closes_the_desk_again(cast, client, production_default, capture):
    sign_in(client, cast.spoc)
    set_up_the_app(client, capture)
    assert client.get("/").status_code == 200
    submit(client, f"{SECURITY}totp/deactivate/", {})
    assert client.get("/")["Location"] == SECURITY


@pytest.mark.parametrize(
    ("amr", "counts"),
    [
        (["pwd", "mfa"], True),
        ("mfa", True),
        (["MFA"], True),
        (["pwd"], False),
        (None, False),
        ({"mfa": 1}, False),
        ([["mfa"]], False),
    ],
)
def test_an_sso_sign_in_that_used_mfa_counts_for_the_session(cast, client, production_default, amr, counts):
    sign_in(client, cast.spoc)
    session = client.session
    session[SSO_AMR_KEY] = amr
    session.save()
    response = client.get("/")
    assert (response.status_code == 200) is counts, (amr, response.status_code)


def test_a_rule_saved_later_applies_to_people_already_signed_in(cast, client):
    la_owner = type(cast.spoc).objects.create(username="la-officer")
    Membership.objects.create(user=la_owner, organisation=cast.school.organisation, role="owner")
    sign_in(client, cast.technician)
    assert client.get("/").status_code == 200  # the test suite's default: nobody must
    officer = client.__class__()
    sign_in(officer, la_owner)
    url = f"/accounts/two-step-policy/{cast.school.organisation_id}/"
    response, _page = submit(officer, url, {"roles": ["technician"]}, field="roles")
    assert response.status_code == 302, response.content.decode()[:1500]
    assert MfaPolicy.objects.get(organisation=cast.school.organisation).roles == ["technician"]
    assert client.get("/")["Location"] == SECURITY  # the technician's next page
    sign_in(client, cast.spoc)
    assert client.get("/").status_code == 200  # not ticked
    entry = AuditEntry.objects.get(object_type="mfapolicy")
    assert entry.organisation_id == cast.school.organisation_id and entry.actor == la_owner


def test_only_the_organisations_own_ict_owner_sets_its_rule(cast, other, client):
    """An LA's officer sets the LA's; a school's owner inside the LA does not; a stand-alone school's owner sets
    their own; nobody reaches another organisation's."""
    la_owner = type(cast.spoc).objects.create(username="la-officer")
    Membership.objects.create(user=la_owner, organisation=cast.school.organisation, role="owner")
    alone = SchoolFactory(organisation=OrganisationFactory(name="Ash Academy", kind="school"), name="Ash Academy")
    alone_owner = type(cast.spoc).objects.create(username="ash-owner")
    Membership.objects.create(user=alone_owner, school=alone, role="owner")
    la_url = f"/accounts/two-step-policy/{cast.school.organisation_id}/"
    alone_url = f"/accounts/two-step-policy/{alone.organisation_id}/"

    sign_in(client, la_owner)
    assert client.get(la_url).status_code == 200 and client.get(alone_url).status_code == 404
    assert client.get("/accounts/two-step-policy/")["Location"] == la_url
    sign_in(client, alone_owner)
    assert client.get(alone_url).status_code == 200 and client.get(la_url).status_code == 404
    assert client.post(la_url, {"roles": ["spoc"]}).status_code == 404
    for person in (cast.owner, cast.spoc, other.owner):
        sign_in(client, person)
        assert client.get(la_url).status_code == 404 and client.get(alone_url).status_code == 404
        assert client.post(alone_url, {"roles": []}).status_code == 404
        assert client.get("/accounts/two-step-policy/").status_code == 403
    assert not MfaPolicy.objects.exists()


def test_the_policy_form_refuses_a_stale_page(cast, client):
    la_owner = type(cast.spoc).objects.create(username="la-officer")
    Membership.objects.create(user=la_owner, organisation=cast.school.organisation, role="owner")
    sign_in(client, la_owner)
    url = f"/accounts/two-step-policy/{cast.school.organisation_id}/"
    submit(client, url, {"roles": ["spoc"]}, field="roles")  # (not their own role: they would be sent to set it up)
    page = client.get(url).content.decode()
    (form,) = [f for f in forms_in(page, url) if f.method == "post" and any(c.name == "roles" for c in f.controls)]
    data, _touched = filled(form, None)
    submit(client, url, {"roles": ["technician"]}, field="roles")  # someone else saves first
    data["roles"] = ["dpo"]
    response = client.post(url, data)
    assert response.status_code == 400 and "Someone else saved" in response.content.decode()
    assert MfaPolicy.objects.get().roles == ["technician"]


def test_mfa_state_by_user_is_one_query(cast, client, capture):
    sign_in(client, cast.spoc)
    set_up_the_app(client, capture)
    Authenticator.objects.create(user=cast.dpo, type="webauthn", data={"name": "x", "credential": {}})
    with CaptureQueriesContext(connection) as queries:
        state = mfa_state_by_user([cast.spoc.pk, cast.dpo.pk, cast.reporter.pk])
    assert len(queries) == 1
    assert state == {cast.spoc.pk: ["recovery_codes", "totp"], cast.dpo.pk: ["webauthn"]}
    assert mfa_state_by_user([]) == {}


def test_the_security_page_is_in_the_persons_menu(cast, client):
    sign_in(client, cast.reporter)
    assert f'href="{SECURITY}"' in client.get("/").content.decode()


def sign_in_with_password(client, user, password):
    """The login form as the page renders it; returns the answer (a redirect to the second step, or home)."""
    response, _page = submit(
        client,
        "/accounts/login/",
        {"login": user.username, "username": user.username, "password": password},
        field="password",
    )
    return response


def test_signing_in_asks_for_the_second_step_and_a_recovery_code_works_once(cast, client, password, capture):
    sign_in(client, cast.technician)
    secret = set_up_the_app(client, capture)
    codes = re.findall(r"<li class=\"col\">(\w+)</li>", client.get(f"{SECURITY}recovery-codes/").content.decode())
    client.post("/accounts/logout/")

    def second_step(code):
        client.post("/accounts/logout/")
        response = sign_in_with_password(client, cast.technician, password)
        assert response.status_code == 302 and response["Location"] == f"{SECURITY}authenticate/"
        assert client.get("/").status_code == 302  # not signed in until the second step
        return submit(client, f"{SECURITY}authenticate/", {"code": code}, field="code")[0]

    with capture(execute=True):
        assert second_step(codes[0]).status_code == 302
    assert client.get("/").status_code == 200
    assert AuditEntry.objects.filter(action="mfa_use", changes__kind="recovery_codes", actor=cast.technician).exists()
    refused = second_step(codes[0])
    assert refused.status_code == 200 and "That code is not right" in refused.content.decode()
    assert second_step(totp(secret, at=time.time() + 30)).status_code == 302  # the app's next code (30 s leeway)
    assert client.get("/").status_code == 200

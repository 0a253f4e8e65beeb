"""A user of one school sees nothing of another, on every page and endpoint.

The walk is driven by the URL configuration itself. Each app says, in its own `tests/tenancy.py`,
which objects of school A it makes (each carrying SECRET in a field its pages show) and what its
URL parameters mean:

    SECTION = "locations"                  # the first path segment of the app's URLs
    PK = "location"                        # what <pk> means under that segment
    PARAMS = {"location_pk": "location"}   # other parameters (a value may be a function of the route)
    def build(cast, secret) -> dict: ...   # the named objects
    API = {"asset-types": "asset_type"}    # what <pk> means under an API route (/api/v1/<name>/<pk>/) whose
                                           # name is not the app's SECTION


A URL whose parameters no app explains fails the test, so nobody can add a page that is not walked."""

import importlib
import re

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from schooldesk.core.tests.pages import header_faults
from schooldesk.incidents.models import Incident

pytestmark = pytest.mark.django_db

SECRET = "OAKSECRET"
# login, logout, password reset, the health check and the language picker (i18n/) are public (a person's own API
# tokens, also under accounts/, are walked: accounts/tests/tenancy.py)
PUBLIC_PREFIXES = (
    "accounts/login/",
    "accounts/logout/",
    "accounts/password-reset/",
    "accounts/reset/",
    "health/",
    "i18n/",
    "accounts/sso/",
)  # accounts/sso/: starting a sign-in with Microsoft or Google (0031)
# django-allauth's own pages (docs/decisions/0031): a person's own sign-in steps, no school's records; tested in
# accounts/tests (the desk's own settings pages, accounts/sign-in-settings/, are walked like any other)
ALLAUTH_PREFIXES = (
    "accounts/password/",
    "accounts/email/",
    "accounts/inactive/",
    "accounts/signup/",
    "accounts/reauthenticate/",
    "accounts/confirm-email/",
    "accounts/^confirm-email/",
    "accounts/^password/",
    "accounts/login/code/",
    "accounts/2fa/",
    "accounts/3rdparty/",
    "accounts/social/",
    "accounts/oidc/",
)
SKIPPED_PREFIXES = ("django-admin/",)  # Django's own admin: superusers only, tested by Django
NOT_SECTIONS = {"api", "v1"}


def tenancy_modules():
    for config in apps.get_app_configs():
        if config.name.startswith("schooldesk."):
            try:
                yield importlib.import_module(f"{config.name}.tests.tenancy")
            except ModuleNotFoundError as exc:
                if not exc.name.endswith("tenancy"):
                    raise


def walk(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


def routes(prefixes_to_skip):
    return [r for r, _p in walk() if not r.startswith(prefixes_to_skip) and "format" not in r]


@pytest.fixture
def oak_world(cast):
    """School A (`cast`) with one of everything, each carrying a recognisable secret."""
    world, sections, params = {}, {}, {}
    api = {}
    for module in tenancy_modules():
        world.update(module.build(cast, SECRET))
        sections[module.SECTION] = module.PK
        params.update(getattr(module, "PARAMS", {}))
        api.update(getattr(module, "API", {}))
    sections.update({API_PREFIX + name: key for name, key in api.items()})
    return world, sections, params


API_PREFIX = "api/v1/"


def fill(route: str, oak_world) -> str:
    """Turn a route into a URL about school A's objects."""
    world, sections, params = oak_world
    section = next((seg for seg in re.split(r"/|\^", route) if seg and seg not in NOT_SECTIONS), "")
    if route.startswith(API_PREFIX) and API_PREFIX + section in sections:  # an API name that is not a section
        section = API_PREFIX + section

    def value(name):
        key = sections.get(section) if name == "pk" else params.get(name)
        key = key(route) if callable(key) else key
        assert key in world, (
            f"The tenancy walk does not know what <{name}> means in {route}: add it to a tests/tenancy.py."
        )
        return str(world[key].pk)

    url = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: value(m.group(1)), route)  # regex routes (DRF)
    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: value(m.group(1)), url)  # path() routes
    return "/" + url.replace("^", "").replace("$", "")


def test_every_page_and_endpoint_hides_another_schools_data(oak_world, other, client):
    walked = routes(SKIPPED_PREFIXES + PUBLIC_PREFIXES + ALLAUTH_PREFIXES)
    assert len(walked) > 30, "the walk found too few URLs: is the resolver walk broken?"
    incident = oak_world[0]["incident"]
    before = Incident.objects.get(pk=incident.pk).version
    for user in (other.reporter, other.spoc, other.technician, other.provider, other.owner, other.viewer, other.dpo):
        client.force_login(user)
        for route in walked:
            url = fill(route, oak_world)
            # the API's changes by PATCH and DELETE too (the pages change things by POST only)
            for method in ("get", "post", *(("patch", "delete") if route.startswith(API_PREFIX) else ())):
                response = getattr(client, method)(url)
                body = b"".join(response.streaming_content) if response.streaming else response.content
                assert SECRET.encode() not in body, f"{user.username} saw school A's data at {method.upper()} {url}"
                assert not header_faults(response, f"{method.upper()} {url}"), header_faults(response, url)
                if "<" in route:
                    assert response.status_code in (403, 404, 405), (
                        f"{method.upper()} {url} as {user.username} gave {response.status_code}, not 404"
                    )
    assert Incident.objects.get(pk=incident.pk).version == before, "another school changed the call"


def test_every_page_requires_login(oak_world, client):
    for route in routes(SKIPPED_PREFIXES + PUBLIC_PREFIXES + ALLAUTH_PREFIXES):
        url = fill(route, oak_world)
        response = client.get(url)
        assert response.status_code in (302, 401, 403), f"{url} answered {response.status_code} without login"
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/"), url


def test_the_same_pages_do_show_the_school_its_own_data(oak_world, cast, client):
    """The walk above must be able to fail: school A's own SPOC does see the secret."""
    incident = oak_world[0]["incident"]
    client.force_login(cast.spoc)
    response = client.get(f"/incidents/{incident.pk}/")
    assert response.status_code == 200 and SECRET.encode() in response.content
    assert SECRET.encode() in client.get("/locations/").content
    assert SECRET.encode() in client.get(f"/api/v1/incidents/{incident.pk}/").content


#: pages for some roles only, and those roles: every other role of the school itself is refused (403 or 404)
ROLE_PAGES = {
    "/reports/audit/": {"owner", "dpo"},  # the audit trail (docs/decisions/0016)
    "/reports/audit/?format=csv": {"owner", "dpo"},
    "/safeguarding/breaches/": {"owner", "dpo"},  # the breach log (docs/decisions/0023)
    "/safeguarding/breaches/?format=csv": {"owner", "dpo"},
}


def test_pages_for_some_roles_refuse_the_schools_other_roles(oak_world, cast, client):
    for url, allowed in ROLE_PAGES.items():
        for role in ("reporter", "spoc", "technician", "provider", "owner", "viewer", "dpo"):
            client.force_login(getattr(cast, role))
            status = client.get(url).status_code
            if role in allowed:
                assert status == 200, f"{url} as the {role} gave {status}"
            else:
                assert status in (403, 404), f"{url} as the {role} gave {status}, not 403 or 404"

"""Personal API tokens: made, named and scoped on the person's own page, shown once, kept only as a digest, used
instead of a password, revoked."""

import base64

import pytest
from django.db import connection

from schooldesk.accounts.models import ApiToken
from schooldesk.accounts.services import api_token_create
from schooldesk.core.tests.pages import filled, forms_in
from schooldesk.locations.models import Location

pytestmark = pytest.mark.django_db


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def make_on_the_page(client, name: str, scope_label: str) -> str:
    """Fill the "Make a token" form as the page renders it; returns the token the list page then shows."""
    page = client.get("/accounts/api-tokens/new/")
    (form,) = [
        f
        for f in forms_in(page.content.decode(), "/accounts/api-tokens/new/")
        if f.method == "post" and any(c.name == "scope" for c in f.controls)
    ]
    data, _touched = filled(form, None)
    radios = {c.value: c for c in form.controls if c.name == "scope"}
    assert set(radios) == {"read", "write"}, scope_label
    data.update(name=name, scope=scope_label)
    response = client.post(form.action or "/accounts/api-tokens/new/", data)
    assert response.status_code == 302 and response["Location"] == "/accounts/api-tokens/"
    listing = client.get("/accounts/api-tokens/").content.decode()
    start = listing.index('id="new-token"')
    return listing[listing.index('value="', start) + 7 : listing.index('"', listing.index('value="', start) + 7)]


def test_a_person_makes_a_token_from_their_menu_sees_it_once_and_the_api_takes_it(cast, client):
    client.force_login(cast.reporter)
    assert 'href="/accounts/api-tokens/"' in client.get("/").content.decode()  # in the person's own menu
    token = make_on_the_page(client, "Classroom display", "read")
    assert token.startswith("sdk_") and len(token) > 40
    again = client.get("/accounts/api-tokens/").content.decode()
    assert token not in again and "Classroom display" in again and "<td>never</td>" in again  # shown once only
    with connection.cursor() as cursor:  # kept only as a digest: the token is in no column of the table
        cursor.execute("SELECT * FROM accounts_apitoken")
        assert not any(token in str(value) for row in cursor.fetchall() for value in row)

    client.logout()
    response = client.get("/api/v1/incidents/", **bearer(token))
    assert response.status_code == 200, response.content
    assert ApiToken.objects.get().last_used_at is not None
    client.force_login(cast.reporter)
    assert "<td>never</td>" not in client.get("/accounts/api-tokens/").content.decode()


def test_the_api_no_longer_takes_a_password(cast, client, password):
    basic = base64.b64encode(f"{cast.reporter.username}:{password}".encode()).decode()
    response = client.get("/api/v1/incidents/", HTTP_AUTHORIZATION=f"Basic {basic}")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/api/v1/incidents/", **bearer("sdk_made-up")).status_code == 401


def test_a_read_token_reads_and_only_a_write_token_writes(cast, client):
    location = Location.objects.filter(school=cast.school).first()
    call = {"summary": "Visualiser dead", "location": location.pk}
    _read, read_token = api_token_create(user=cast.reporter, name="Dashboard", scope="read")
    _write, write_token = api_token_create(user=cast.reporter, name="Logger", scope="write")
    assert client.get("/api/v1/incidents/", **bearer(read_token)).status_code == 200
    refused = client.post("/api/v1/incidents/", call, content_type="application/json", **bearer(read_token))
    assert refused.status_code == 403 and "read-only" in refused.json()["error"]["message"]
    made = client.post("/api/v1/incidents/", call, content_type="application/json", **bearer(write_token))
    assert made.status_code == 201, made.content


def test_a_revoked_token_opens_nothing(cast, client):
    client.force_login(cast.reporter)
    token = make_on_the_page(client, "Old script", "write")
    api_token = ApiToken.objects.get()
    page = client.get("/accounts/api-tokens/").content.decode()
    (form,) = [f for f in forms_in(page, "/accounts/api-tokens/") if f.action.endswith("/revoke/")]
    response = client.post(form.action, filled(form, None)[0])
    assert response.status_code == 302
    api_token.refresh_from_db()
    assert api_token.revoked_at is not None
    client.logout()
    assert client.get("/api/v1/incidents/", **bearer(token)).status_code == 401
    client.force_login(cast.reporter)  # a second revoke (a stale page) says so and keeps the page
    again = client.post(form.action, {})
    assert again.status_code == 400 and "already revoked" in again.content.decode()


def test_nobody_else_sees_or_revokes_a_persons_token(cast, client):
    api_token, token = api_token_create(user=cast.reporter, name="Reporter's own", scope="write")
    client.force_login(cast.spoc)  # the same school's SPOC, who sees the reporter's calls
    assert "Reporter&#x27;s own" not in client.get("/accounts/api-tokens/").content.decode()
    assert client.post(f"/accounts/api-tokens/{api_token.pk}/revoke/").status_code == 404
    api_token.refresh_from_db()
    assert api_token.is_active


def test_the_schema_says_the_api_takes_a_bearer_token_and_no_password(cast, login):
    schema = login(cast.spoc).get("/api/v1/schema/", {"format": "json"}).json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["apiToken"]["type"] == "http" and schemes["apiToken"]["scheme"] == "bearer"
    assert not any(s.get("scheme") == "basic" for s in schemes.values())


def test_a_person_who_has_left_opens_nothing_with_their_tokens(cast, client):
    _api_token, token = api_token_create(user=cast.technician, name="Monitoring", scope="read")
    assert client.get("/api/v1/incidents/", **bearer(token)).status_code == 200
    cast.technician.is_active = False  # how a leaver is switched off
    cast.technician.save()
    assert client.get("/api/v1/incidents/", **bearer(token)).status_code == 401

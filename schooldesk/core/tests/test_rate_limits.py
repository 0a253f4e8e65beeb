"""Creating records is limited per person, on the web (every FormPageView create page and the report form) and in
the API, with a clear answer: the form again with a message and what was typed, or 429 with Retry-After.

The test settings count freely (the walks create hundreds of records); these tests set the production rates."""

import pytest

from schooldesk.accounts.services import api_token_create
from schooldesk.core.tests.pages import filled, forms_in
from schooldesk.incidents.models import Incident
from schooldesk.locations.models import Location

pytestmark = pytest.mark.django_db

PRODUCTION_CREATE_RATE = 10  # config/settings.py: SCHOOLDESK_CREATE_RATE's default, "10/min"


@pytest.fixture
def production_rates(settings):
    settings.SCHOOLDESK_CREATE_RATE = f"{PRODUCTION_CREATE_RATE}/min"
    settings.SCHOOLDESK_API_RATE = "300/min"


def test_a_create_page_refuses_a_burst_and_keeps_what_was_typed(cast, login, production_rates):
    client = login(cast.spoc)
    answers = [
        client.post("/locations/new/", {"school": cast.school.pk, "name": f"Room {n}"}).status_code
        for n in range(PRODUCTION_CREATE_RATE + 1)
    ]
    assert answers == [302] * PRODUCTION_CREATE_RATE + [429]
    refused = client.post("/locations/new/", {"school": cast.school.pk, "name": "Mrs Brown's class"})
    page = refused.content.decode()
    assert refused.status_code == 429 and "You have added a lot in a short time" in page
    assert 'value="Mrs Brown&#x27;s class"' in page  # nothing lost
    assert not Location.objects.filter(name="Mrs Brown's class").exists()
    # Per person: the school's ICT owner is not held up, and editing is not creating.
    assert login(cast.owner).post("/locations/new/", {"school": cast.school.pk, "name": "Pod 4"}).status_code == 302
    room = Location.objects.get(name="Room 0")
    client = login(cast.spoc)
    assert (
        client.post(f"/locations/{room.pk}/edit/", {"school": cast.school.pk, "name": "Room zero"}).status_code == 302
    )


def test_the_report_form_refuses_a_burst_and_keeps_the_words(cast, login, production_rates):
    client = login(cast.reporter)
    (form,) = [
        f
        for f in forms_in(client.get("/incidents/new/").content.decode(), "/incidents/new/")
        if any(c.name == "summary" for c in f.controls)
    ]
    data, _touched = filled(form, None)
    data.pop("form_token")  # a burst of different calls, not one form sent again (that is done once: decision 0014)
    for n in range(PRODUCTION_CREATE_RATE):
        assert client.post("/incidents/new/", {**data, "summary": f"Fault {n}"}).status_code == 302
    refused = client.post("/incidents/new/", {**data, "summary": "Projector in the hall is dead"})
    page = refused.content.decode()
    assert refused.status_code == 429 and "You have added a lot in a short time" in page
    assert "Projector in the hall is dead" in page
    assert Incident.objects.count() == PRODUCTION_CREATE_RATE


def test_the_api_refuses_a_burst_of_creates_with_429(cast, client, production_rates):
    _api_token, token = api_token_create(user=cast.reporter, name="script", scope="write")
    location = Location.objects.filter(school=cast.school).first()
    call = {"summary": "Chromebook will not charge", "location": location.pk}
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    for _ in range(PRODUCTION_CREATE_RATE):
        assert client.post("/api/v1/incidents/", call, content_type="application/json", **headers).status_code == 201
    refused = client.post("/api/v1/incidents/", call, content_type="application/json", **headers)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0 and "throttled" in refused.json()["error"]["message"]
    assert client.get("/api/v1/incidents/", **headers).status_code == 200  # reading goes on


def test_the_api_limits_every_request_per_person(cast, client, settings):
    settings.SCHOOLDESK_API_RATE = "5/min"
    _api_token, token = api_token_create(user=cast.reporter, name="script", scope="read")
    answers = [client.get("/api/v1/incidents/", HTTP_AUTHORIZATION=f"Bearer {token}").status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]


def cache_backend_in(tmp_path, **env) -> str:
    import os
    import subprocess
    import sys

    from schooldesk.core.tests.test_settings import ROOT

    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SCHOOLDESK_", "DJANGO_", "REDIS_")) and k != "PYTEST_VERSION"
    }
    environment.update(DJANGO_SETTINGS_MODULE="config.settings", SCHOOLDESK_VAR_DIR=str(tmp_path), **env)
    code = "from django.conf import settings; c = settings.CACHES['default']; print(c['BACKEND'], c['LOCATION'])"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,  # noqa: S603
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


@pytest.mark.django_db(databases=[])
def test_the_counts_are_shared_by_every_web_process(tmp_path):
    """gunicorn runs several processes: a count kept in each one's memory would multiply every limit by them."""
    assert cache_backend_in(tmp_path) == f"django.core.cache.backends.filebased.FileBasedCache {tmp_path / 'cache'}"
    assert cache_backend_in(tmp_path, REDIS_URL="redis://127.0.0.1:6379/0") == (
        "django.core.cache.backends.redis.RedisCache redis://127.0.0.1:6379/0"
    )

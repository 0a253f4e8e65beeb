"""An API create retried with the same `Idempotency-Key` (a timeout, a lost answer) gets the first answer, same
status and body, and makes no second call; the key is per person; reused with another body it is refused (422);
a create without the header is handled as before (core/idempotency.py, docs/decisions/0014)."""

import pytest
from django.test import Client

from schooldesk.core.idempotency import HEADER
from schooldesk.core.models import IdempotencyKey
from schooldesk.core.submissions import submissions_purge
from schooldesk.incidents.models import Incident
from schooldesk.locations.models import Location

pytestmark = pytest.mark.django_db


def post(client, body, key=None):
    headers = {HEADER: key} if key else {}
    return client.post("/api/v1/incidents/", body, content_type="application/json", headers=headers)


@pytest.fixture
def body(cast):
    return {"summary": "Chromebook will not charge", "location": Location.objects.filter(school=cast.school).first().pk}


def test_a_retry_with_the_same_key_gets_the_first_answer_and_no_second_call(cast, login, body):
    client = login(cast.reporter)
    first = post(client, body, key="c0ffee-1")
    retry = post(client, body, key="c0ffee-1")
    assert first.status_code == retry.status_code == 201
    assert retry.content == first.content
    assert retry["Idempotent-Replayed"] == "true"
    assert Incident.objects.filter(summary=body["summary"]).count() == 1


def test_the_same_key_with_a_different_body_is_refused(cast, login, body):
    client = login(cast.reporter)
    assert post(client, body, key="c0ffee-2").status_code == 201
    changed = post(client, {**body, "summary": "Something else"}, key="c0ffee-2")
    assert changed.status_code == 422 and "different request" in changed.json()["error"]["message"]
    assert Incident.objects.count() == 1


def test_keys_are_per_person(cast, login, body):
    post(login(cast.reporter), body, key="shared-key")
    other_person = Client()
    other_person.force_login(cast.technician)
    assert post(other_person, body, key="shared-key").status_code == 201
    assert Incident.objects.count() == 2


def test_a_refused_create_keeps_no_key_and_no_header_means_as_before(cast, other, login, body):
    client = login(cast.reporter)
    foreign = Location.objects.filter(school=other.school).first()
    assert post(client, {**body, "location": foreign.pk}, key="c0ffee-3").status_code == 400
    assert not IdempotencyKey.objects.exists()
    assert post(client, body, key="c0ffee-3").status_code == 201  # corrected, the same key does the work
    assert post(client, body).status_code == post(client, body).status_code == 201
    assert Incident.objects.count() == 3


def test_keys_expire_and_are_purged(cast, login, body):
    from datetime import timedelta

    from django.utils import timezone

    post(login(cast.reporter), body, key="old-key")
    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert submissions_purge() == 1 and not IdempotencyKey.objects.exists()


def test_every_api_create_is_idempotent():
    """Every viewset of the API that creates has an idempotent `create`, whether it inherits it or writes its own,
    so a new create cannot forget it."""
    from rest_framework.mixins import CreateModelMixin

    from config.api_urls import router

    creating = [viewset for _prefix, viewset, _basename in router.registry if issubclass(viewset, CreateModelMixin)]
    assert len(creating) > 1 and all(getattr(viewset.create, "is_idempotent", False) for viewset in creating)

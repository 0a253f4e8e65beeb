"""A client's retry arriving while the first request is still running (the same `Idempotency-Key` twice at
once): the key's unique row makes the retry wait for the first and answer with its result; one call is logged.
Only PostgreSQL shows it."""

import pytest
from django.db import connection
from django.test import Client

from schooldesk.assets.tests.test_concurrency import together
from schooldesk.core.idempotency import HEADER
from schooldesk.incidents.models import Incident
from schooldesk.locations.models import Location

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL transactions"),
    pytest.mark.django_db(transaction=True),
]


def test_the_same_key_twice_at_once_logs_one_call(cast):
    location_pk = Location.objects.filter(school=cast.school).first().pk
    signed_in = Client()
    signed_in.force_login(cast.reporter)

    def send():
        client = Client()
        client.cookies = signed_in.cookies
        response = client.post(
            "/api/v1/incidents/",
            {"summary": "Hall speakers crackle", "location": location_pk},
            content_type="application/json",
            headers={HEADER: "retry-at-once"},
        )
        return response.status_code, response.content

    results = together(send, send, send)
    assert [kind for kind, _ in results] == ["ok"] * 3, results
    answers = {value for _, value in results}
    assert len(answers) == 1 and next(iter(answers))[0] == 201, answers
    assert Incident.objects.filter(summary="Hall speakers crackle").count() == 1

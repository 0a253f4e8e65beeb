"""The same rendered payment form sent four times at the same moment (a double click on a slow connection, a
proxy's retry): the token's unique row lets one through; the others wait for it and are answered with its
result. Only PostgreSQL shows it (SQLite runs one writer at a time)."""

import pytest
from django.db import connection
from django.test import Client

from schooldesk.assets.tests.test_concurrency import together
from schooldesk.core.tests.test_form_once import payment_form
from schooldesk.diary.models import Payment

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL transactions"),
    pytest.mark.django_db(transaction=True),
]


def test_one_form_sent_four_times_at_once_records_one_payment(cast):
    client = Client()
    client.force_login(cast.spoc)
    action, data = payment_form(client, cast)
    session = client.cookies

    def send():
        browser = Client()
        browser.cookies = session
        return browser.post(action, data).status_code

    results = together(*[send for _ in range(4)])
    assert [kind for kind, _ in results] == ["ok"] * 4, results
    assert all(status == 302 for _, status in results), results
    assert Payment.objects.filter(description="Broadband, spring term").count() == 1

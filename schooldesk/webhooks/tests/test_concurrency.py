"""Workers racing for the same delivery, in real concurrent transactions: one try goes out. PostgreSQL only."""

import pytest
from django.db import connection

from schooldesk.incidents.tests.test_concurrency import run_together
from schooldesk.webhooks.choices import WebhookEvent
from schooldesk.webhooks.models import Delivery, Subscription
from schooldesk.webhooks.services import deliveries_retry, delivery_attempt, subscription_save

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's concurrent writers"),
    pytest.mark.django_db(transaction=True),
]


def test_the_send_job_and_two_retry_jobs_at_once_post_the_event_once(cast, receiver):
    subscription, _secret = subscription_save(
        subscription=Subscription(
            school=cast.school, name="Monitoring", url=receiver.url, events=f",{WebhookEvent.CALL_CREATED},"
        ),
        by=cast.owner,
    )
    delivery = Delivery.objects.create(
        subscription=subscription, event=WebhookEvent.CALL_CREATED, school=cast.school, body='{"event": "call.created"}'
    )
    Delivery.objects.filter(pk=delivery.pk).update(created_at=delivery.created_at.replace(year=2025))  # overdue

    results = run_together(
        lambda: delivery_attempt(Delivery.objects.select_related("subscription").get()),
        deliveries_retry,
        deliveries_retry,
    )
    assert [r[0] for r in results] == ["ok"] * 3, results
    assert len(receiver.requests) == 1
    assert Delivery.objects.get().attempts == 1

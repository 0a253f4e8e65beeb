"""School A's webhook, a delivery and its attempt for the tenancy walk (schooldesk/core/tests/test_tenancy.py).
The address is on loopback (allowed in tests) so the form walk can save it again without looking a name up."""

from django.utils import timezone

from schooldesk.webhooks.choices import DeliveryStatus
from schooldesk.webhooks.models import Attempt, Delivery, Subscription

SECTION = "webhooks"
PK = "webhook"
PARAMS = {"delivery_pk": "webhook_delivery"}


def build(cast, secret):
    subscription = Subscription.objects.create(
        school=cast.school,
        name=f"{secret} monitoring",
        url=f"http://127.0.0.1:9/{secret}",
        events=",call.created,call.priority_p1,",
        secret=f"{secret}-signing-key",
        created_by=cast.owner,
    )
    delivery = Delivery.objects.create(
        subscription=subscription,
        event="call.created",
        school=cast.school,
        body=f'{{"data": {{"summary": "{secret}"}}}}',
        status=DeliveryStatus.FAILED,
        attempts=1,
        next_attempt_at=timezone.now(),
    )
    Attempt.objects.create(delivery=delivery, at=timezone.now(), status_code=500, response_body=f"{secret} answer")
    return {"webhook": subscription, "webhook_delivery": delivery}

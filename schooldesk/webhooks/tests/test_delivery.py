"""A signed event reaches a real receiver, is retried with back-off and its attempts show on the page."""

import hashlib
import hmac
import json
import re
from datetime import timedelta

import pytest

from schooldesk.core.tests.pages import filled, forms_in
from schooldesk.incidents.services import incident_create
from schooldesk.locations.models import Location
from schooldesk.webhooks.choices import DeliveryStatus, WebhookEvent
from schooldesk.webhooks.models import Delivery, Subscription
from schooldesk.webhooks.tasks import webhooks_retry_task

pytestmark = pytest.mark.django_db


def subscribe(client, user, url, events, kind=None) -> tuple[Subscription, str]:
    """As the page offers it: the form as rendered, name and address typed, the events ticked."""
    client.force_login(user)
    page = client.get("/webhooks/new/")
    assert page.status_code == 200
    form = next(f for f in forms_in(page.content.decode(), "/webhooks/new/") if f.action.endswith("/webhooks/new/"))
    data, _filled = filled(form, None)
    data.update({"name": "Council monitoring", "url": url, "events": events})
    if kind:
        data["kind"] = kind
    response = client.post(form.action, data, follow=True)
    assert response.status_code == 200, re.findall(r"invalid-feedback[^>]*>([^<]+)", response.content.decode())
    subscription = Subscription.objects.get(name="Council monitoring")
    page = " ".join(response.content.decode().split())  # however the markup is wrapped
    shown = re.search(r'id="new-secret" type="text" value="([^"]+)"', page)
    assert shown, "the secret is shown once, on the page after creating"
    return subscription, shown.group(1)


def verify(secret: str, request) -> dict:
    """What a receiver does (README "Verifying webhook signatures")."""
    timestamp = request.headers["x-schooldesk-timestamp"]
    expected = (
        "sha256=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + request.body, hashlib.sha256).hexdigest()
    )
    assert hmac.compare_digest(expected, request.headers["x-schooldesk-signature"])
    return json.loads(request.body)


def p1_call(cast, **extra):
    location = Location.objects.filter(school=cast.school).first()
    return incident_create(
        school=cast.school,
        location=location,
        summary="Whole site offline",
        by=cast.spoc,
        impact="I1",
        urgency="U1",
        **extra,
    )


def test_a_p1_call_is_signed_retried_after_two_500s_and_its_attempts_show_to_the_ict_owner(
    cast, client, receiver, clock, django_capture_on_commit_callbacks
):
    subscription, secret = subscribe(client, cast.owner, receiver.url, [WebhookEvent.PRIORITY_P1])
    assert subscription.school == cast.school and subscription.organisation is None
    assert subscription.secret == secret
    receiver.answers = [500, 500, 200]
    start = clock.now

    with django_capture_on_commit_callbacks(execute=True):
        incident = p1_call(cast)
    assert len(receiver.requests) == 1  # sent at once, refused
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)

    clock.now = start + timedelta(seconds=30)  # the back-off (a minute) is not over: nothing sent
    assert webhooks_retry_task.call_local() == 0 and len(receiver.requests) == 1
    clock.now = start + timedelta(minutes=1, seconds=1)
    assert webhooks_retry_task.call_local() == 0 and len(receiver.requests) == 2
    clock.now = start + timedelta(minutes=3, seconds=2)  # then two minutes
    assert webhooks_retry_task.call_local() == 1 and len(receiver.requests) == 3
    clock.now = start + timedelta(hours=1)
    assert webhooks_retry_task.call_local() == 0 and len(receiver.requests) == 3  # delivered: once

    bodies = [verify(secret, request) for request in receiver.requests]
    assert {b["id"] for b in bodies} == {str(delivery.event_id)}  # the same event each time
    assert [r.headers["x-schooldesk-delivery"] for r in receiver.requests] == [str(delivery.event_id)] * 3
    assert [int(r.headers["x-schooldesk-timestamp"]) for r in receiver.requests] == [
        int(start.timestamp()),
        int((start + timedelta(minutes=1, seconds=1)).timestamp()),
        int((start + timedelta(minutes=3, seconds=2)).timestamp()),
    ]
    body = bodies[0]
    assert body["event"] == "call.priority_p1" and body["object"]["reference"] == incident.reference
    assert body["object"]["url"].endswith(f"/incidents/{incident.pk}/")
    assert body["data"]["summary"] == "Whole site offline" and body["data"]["priority"] == "P1"
    assert body["school"] == {"id": cast.school.pk, "name": cast.school.name}
    assert receiver.requests[0].path == "/hooks/schooldesk"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 3)

    page = client.get(f"/webhooks/{subscription.pk}/").content.decode()
    assert page.count("<strong>500</strong>") == 2 and page.count("<strong>200</strong>") == 1
    assert "receiver says no" in page and "Delivered" in page
    assert secret not in page  # shown once only
    assert "Send again" in page


def test_send_again_posts_the_same_event_once_more(cast, client, receiver, django_capture_on_commit_callbacks):
    subscription, secret = subscribe(client, cast.owner, receiver.url, [WebhookEvent.CALL_CREATED])
    with django_capture_on_commit_callbacks(execute=True):
        p1_call(cast)
    delivery = Delivery.objects.get()
    page = client.get(f"/webhooks/{subscription.pk}/").content.decode()
    form = next(f for f in forms_in(page, f"/webhooks/{subscription.pk}/") if "resend" in f.action)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(form.action, filled(form, None)[0])
    assert response.status_code == 302
    assert len(receiver.requests) == 2
    assert verify(secret, receiver.requests[1])["id"] == str(delivery.event_id)
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.tries.count() == 2


def test_a_rolled_back_change_emits_nothing(cast, client, receiver, django_capture_on_commit_callbacks):
    from django.db import transaction

    subscribe(client, cast.owner, receiver.url, [WebhookEvent.CALL_CREATED])
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            p1_call(cast)
            raise RuntimeError
    assert not Delivery.objects.exists() and not receiver.requests


def test_an_event_nobody_subscribes_to_costs_no_query_once_cached(
    cast, client, receiver, django_capture_on_commit_callbacks, django_assert_num_queries
):
    from schooldesk.webhooks.events import emit

    incident = p1_call(cast)

    def emitted(event):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            emit(event, school=cast.school, obj=incident, data={"summary": "x"})
        return callbacks

    with django_assert_num_queries(1):  # the installation's subscribed events, read once
        for callback in emitted(WebhookEvent.CALL_CREATED):
            callback()
    with django_assert_num_queries(0):
        for callback in emitted(WebhookEvent.ASSET_CHANGED):
            callback()
    subscribe(client, cast.owner, receiver.url, [WebhookEvent.ASSET_CHANGED])  # seen at once, not in 5 minutes
    for callback in emitted(WebhookEvent.ASSET_CHANGED):
        callback()
    assert Delivery.objects.filter(event=WebhookEvent.ASSET_CHANGED).exists() and len(receiver.requests) == 1


def test_the_readmes_verifier_accepts_a_delivery_and_refuses_a_changed_or_old_one(
    cast, client, receiver, django_capture_on_commit_callbacks
):
    """The code the README gives receivers, run on a real delivery."""
    from pathlib import Path

    from django.conf import settings

    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    section = readme[readme.index("### Verifying webhook signatures") :]
    code = section[section.index("```python") + len("```python") : section.index("```", section.index("```python") + 9)]
    namespace = {}
    exec(code, namespace)  # noqa: S102 - our own README
    verify_as_readme = namespace["verify"]

    subscription, secret = subscribe(client, cast.owner, receiver.url, [WebhookEvent.CALL_CREATED])
    with django_capture_on_commit_callbacks(execute=True):
        p1_call(cast)
    request = receiver.requests[0]
    headers = {name: request.headers[name.lower()] for name in ("X-SchoolDesk-Timestamp", "X-SchoolDesk-Signature")}
    assert verify_as_readme(secret, headers, request.body)
    assert not verify_as_readme(secret, headers, request.body.replace(b"Whole site", b"Half site"))
    assert not verify_as_readme("another-secret", headers, request.body)
    old = {**headers, "X-SchoolDesk-Timestamp": str(int(headers["X-SchoolDesk-Timestamp"]) - 600)}
    assert not verify_as_readme(secret, old, request.body)  # and re-signing needs the secret

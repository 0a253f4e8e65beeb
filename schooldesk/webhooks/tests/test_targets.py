"""Where a webhook may post (the installation's address checks) and what a Teams or Slack channel is shown."""

import json

import pytest

from schooldesk.core.tests.pages import filled, forms_in
from schooldesk.webhooks.choices import TargetKind, WebhookEvent
from schooldesk.webhooks.models import Delivery, Subscription
from schooldesk.webhooks.services import delivery_attempt
from schooldesk.webhooks.tests.test_delivery import p1_call, subscribe

pytestmark = pytest.mark.django_db


def post_form(client, user, data):
    client.force_login(user)
    page = client.get("/webhooks/new/")
    form = next(f for f in forms_in(page.content.decode(), "/webhooks/new/") if f.action.endswith("/webhooks/new/"))
    sent, _filled = filled(form, None)
    return client.post(form.action, {**sent, "name": "Monitoring", "events": [WebhookEvent.CALL_CREATED], **data})


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "https://10.1.2.3/hook",
        "https://[::1]/hook",
        "https://169.254.169.254/latest/meta-data",
    ],
)
def test_a_private_or_local_address_is_refused_with_the_setting_off(cast, client, settings, url):
    settings.SCHOOLDESK_ALLOW_PRIVATE_HOSTS = False
    response = post_form(client, cast.owner, {"url": url})
    assert response.status_code == 400
    assert "does not connect to addresses on a private or local network" in response.content.decode()
    assert not Subscription.objects.exists()


def test_plain_http_is_refused_unless_the_installation_allows_it(cast, client, settings):
    settings.SCHOOLDESK_WEBHOOKS_ALLOW_HTTP = False
    response = post_form(client, cast.owner, {"url": "http://monitoring.example/hook"})
    assert response.status_code == 400 and "only sends to https://" in response.content.decode()


def test_an_address_that_became_private_is_refused_when_sending(
    cast, client, receiver, settings, django_capture_on_commit_callbacks
):
    """Checked again at each attempt: a name that now resolves to the LA's own network is not posted to."""
    subscribe(client, cast.owner, receiver.url, [WebhookEvent.CALL_CREATED])
    settings.SCHOOLDESK_ALLOW_PRIVATE_HOSTS = False
    with django_capture_on_commit_callbacks(execute=True):
        p1_call(cast)
    assert not receiver.requests
    attempt = Delivery.objects.get().tries.get()
    assert attempt.status_code is None and "private or local network" in attempt.error


def test_a_teams_target_gets_a_card_and_never_a_restricted_call(
    cast, client, receiver, django_capture_on_commit_callbacks
):
    subscribe(
        client, cast.owner, receiver.url, [WebhookEvent.CALL_CREATED, WebhookEvent.PRIORITY_P1], kind=TargetKind.TEAMS
    )
    with django_capture_on_commit_callbacks(execute=True):
        p1_call(cast, is_restricted=True)
    assert not receiver.requests and not Delivery.objects.exists()  # not even queued

    with django_capture_on_commit_callbacks(execute=True):
        incident = p1_call(cast)
    assert len(receiver.requests) == 2  # logged, and P1
    card = json.loads(receiver.requests[0].body)
    assert card["type"] == "message"
    content = card["attachments"][0]["content"]
    assert card["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert content["type"] == "AdaptiveCard"
    assert incident.reference in content["body"][0]["text"] and cast.school.name in content["body"][0]["text"]
    facts = {f["title"]: f["value"] for f in content["body"][1]["facts"]}
    assert facts["Summary"] == "Whole site offline" and facts["Priority"] == "P1"
    assert content["actions"][0]["url"].endswith(f"/incidents/{incident.pk}/")


def test_a_generic_target_gets_a_restricted_call_as_its_reference_and_link_only(
    cast, client, receiver, django_capture_on_commit_callbacks
):
    subscribe(client, cast.owner, receiver.url, [WebhookEvent.CALL_CREATED])
    with django_capture_on_commit_callbacks(execute=True):
        incident = p1_call(cast, is_restricted=True)
    body = json.loads(receiver.requests[0].body)
    assert body["restricted"] is True and body["data"] == {}
    assert body["object"]["reference"] == incident.reference
    assert "Whole site offline" not in receiver.requests[0].body.decode()


def test_a_slack_target_gets_text_and_blocks_and_never_a_restricted_call(
    cast, client, receiver, django_capture_on_commit_callbacks
):
    subscribe(client, cast.owner, receiver.url, [WebhookEvent.CALL_CREATED], kind=TargetKind.SLACK)
    with django_capture_on_commit_callbacks(execute=True):
        p1_call(cast, is_restricted=True)
    assert not receiver.requests and not Delivery.objects.exists()  # not even queued
    with django_capture_on_commit_callbacks(execute=True):
        incident = p1_call(cast)
    message = json.loads(receiver.requests[0].body)
    assert incident.reference in message["text"]
    assert message["blocks"][0]["type"] == "section" and "Whole site offline" in message["blocks"][1]["text"]["text"]


def test_a_receiver_that_does_not_answer_is_given_up_on_after_the_timeout(
    cast, client, settings, django_capture_on_commit_callbacks
):
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts, never answers
    settings.SCHOOLDESK_WEBHOOK_TIMEOUT = 1
    try:
        subscribe(client, cast.owner, f"http://127.0.0.1:{silent.getsockname()[1]}/", [WebhookEvent.CALL_CREATED])
        with django_capture_on_commit_callbacks(execute=True):
            p1_call(cast)
    finally:
        silent.close()
    attempt = Delivery.objects.get().tries.get()
    assert attempt.status_code is None and attempt.error and attempt.duration_ms < 5000
    delivery = Delivery.objects.get()
    assert delivery.next_attempt_at is not None
    assert delivery_attempt(delivery) is None  # failed: a second job for it waits for the back-off too

"""Writes for webhooks: saving a subscription (its address checked, its secret made once), the deliveries of an
event, sending them with back-off, and "send again"."""

from __future__ import annotations

import logging
import secrets
import time
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from schooldesk.core.audit import audit_record
from schooldesk.core.netguard import AddressRefused
from schooldesk.core.permissions import require
from schooldesk.incidents.choices import ACTIVE_STATUSES
from schooldesk.incidents.models import Incident
from schooldesk.schools.models import School
from schooldesk.webhooks import sending
from schooldesk.webhooks.choices import DeliveryStatus, TargetKind
from schooldesk.webhooks.events import subscriptions_changed
from schooldesk.webhooks.models import Attempt, Delivery, Subscription

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
CLAIM_TIMEOUT = timedelta(minutes=5)


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=2 ** max(0, attempts - 1))  # 1, 2, 4 … 64 minutes: about two hours in all


@transaction.atomic
def subscription_save(*, subscription: Subscription, by) -> tuple[Subscription, str]:
    """Save; a new subscription gets its secret, returned once (the page shows it once: it is stored encrypted)."""
    require(by, "webhooks.manage", subscription)
    try:
        sending.checked_target(subscription.url)
    except AddressRefused as exc:
        raise ValidationError({"url": str(exc)}) from exc
    if not subscription.event_list:
        raise ValidationError({"events": _("Choose at least one event.")})
    created = subscription.pk is None
    secret = ""
    if created:
        secret = secrets.token_urlsafe(32)
        subscription.secret = secret
        subscription.created_by = by
    subscription.save()
    subscriptions_changed()
    audit_record(
        actor=by,
        school=subscription.school,
        organisation=subscription.organisation,
        action="create" if created else "update",
        obj=subscription,
        summary=f"Webhook {subscription.name} to {subscription.url} saved",
        changes={"events": subscription.event_list, "active": subscription.is_active},
    )
    return subscription, secret


def deliveries_create(*, message: dict, school_ids: list[int], organisation_id: int | None = None) -> list[int]:
    """After the commit of the change: a Delivery for each subscriber (one query when there is none)."""
    if organisation_id:
        wanted = Q(school_id__in=school_ids) | Q(organisation_id=organisation_id)
    else:
        wanted = Q(school_id__in=school_ids) | Q(organisation__schools__id__in=school_ids)
    subscriptions = list(
        Subscription.objects.filter(wanted, is_active=True, events__contains=f",{message['event']},")
        .only("pk", "kind")
        .distinct()
    )
    if not subscriptions:
        return []
    if len(school_ids) == 1:
        school = School.objects.only("name").get(pk=school_ids[0])
        message = {**message, "school": {"id": school.pk, "name": school.name}}
    else:
        message = {**message, "school": None}
    school_id = school_ids[0] if len(school_ids) == 1 else None
    ids = []
    for subscription in subscriptions:
        if message["restricted"] and subscription.kind != TargetKind.GENERIC:
            continue  # a restricted call is never posted into a chat channel
        try:
            with transaction.atomic():
                delivery = Delivery.objects.create(
                    subscription=subscription,
                    event=message["event"],
                    event_id=message["id"],
                    school_id=school_id,
                    body=sending.body_for(subscription.kind, message),
                )
        except IntegrityError:  # the same event twice: once is enough
            continue
        ids.append(delivery.pk)
    if ids:
        from schooldesk.webhooks.tasks import deliveries_send_task

        deliveries_send_task(ids)
    return ids


def _claim(delivery: Delivery, now) -> bool:
    """Take the delivery for one attempt, if it is due and no other worker has it (a job queued twice, the
    periodic retry at the same moment: one of them sends)."""
    ready = (
        Q(status=DeliveryStatus.PENDING)
        | Q(status=DeliveryStatus.FAILED, next_attempt_at__lte=now)
        | Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)
    )
    return bool(Delivery.objects.filter(ready, pk=delivery.pk).update(status=DeliveryStatus.SENDING, claimed_at=now))


def delivery_attempt(delivery: Delivery, *, now=None) -> Attempt | None:
    """One try, if no other worker has it: the attempt recorded, the next try scheduled or the delivery done."""
    now = now or timezone.now()
    if not _claim(delivery, now):
        return None
    subscription = delivery.subscription
    body = delivery.body.encode()
    headers = sending.headers_for(
        secret=subscription.secret,
        event=delivery.event,
        event_id=str(delivery.event_id),
        body=body,
        now=now.timestamp(),
    )
    attempt = Attempt(delivery=delivery, at=now)
    started = time.monotonic()
    try:
        attempt.status_code, attempt.response_body = sending.post(subscription.url, body, headers)
    except AddressRefused as exc:
        attempt.error = str(exc)[:500]
    except OSError as exc:
        attempt.error = (str(exc) or exc.__class__.__name__)[:500]
    attempt.duration_ms = int((time.monotonic() - started) * 1000)
    attempt.save()
    delivery.attempts += 1
    if attempt.is_success:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = DeliveryStatus.DELIVERED, now, None
    else:
        given_up = delivery.attempts >= MAX_ATTEMPTS
        delivery.status = DeliveryStatus.GIVEN_UP if given_up else DeliveryStatus.FAILED
        delivery.next_attempt_at = None if given_up else now + backoff(delivery.attempts)
        logger.warning(
            "Webhook delivery %s to subscription %s failed (attempt %s): %s",
            delivery.pk,
            subscription.pk,
            delivery.attempts,
            attempt.error or attempt.status_code,
        )
    delivery.save(update_fields=["status", "attempts", "next_attempt_at", "delivered_at", "updated_at"])
    return attempt


def deliveries_send(deliveries, *, now=None) -> int:
    return sum(bool(a and a.is_success) for a in (delivery_attempt(d, now=now) for d in deliveries))


def deliveries_retry(*, now=None) -> int:
    """The worker's periodic job: what failed, once its back-off is over; what a crashed worker left."""
    now = now or timezone.now()
    due = (
        Delivery.objects.filter(
            Q(status=DeliveryStatus.FAILED, next_attempt_at__lte=now)
            | Q(status=DeliveryStatus.PENDING, created_at__lte=now - timedelta(minutes=2))
            | Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT),
            subscription__is_active=True,
        )
        .select_related("subscription")
        .order_by("pk")[:200]
    )
    return deliveries_send(list(due), now=now)


@transaction.atomic
def delivery_resend(*, delivery: Delivery, by) -> Delivery:
    """ "Send again": the same event (same id and body) once more, now; a failure is retried as before."""
    require(by, "webhooks.resend", delivery.subscription)
    if delivery.status == DeliveryStatus.SENDING:
        raise ValidationError(_("It is being sent now."))
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PENDING, next_attempt_at=None, attempts=min(delivery.attempts, MAX_ATTEMPTS - 1)
    )
    audit_record(
        actor=by,
        school=delivery.subscription.school,
        organisation=delivery.subscription.organisation,
        action="resend",
        obj=delivery.subscription,
        summary=f"Webhook event {delivery.event_id} sent again to {delivery.subscription.name}",
    )

    def send():
        from schooldesk.webhooks.tasks import deliveries_send_task

        deliveries_send_task([delivery.pk])

    transaction.on_commit(send)
    return delivery


BREACH_WINDOW = timedelta(minutes=30)


def sla_breaches_emit(*, now=None) -> int:
    """The calls whose response or resolution target passed in the last half hour (the job runs every five
    minutes: each breach is found several times, and its fixed event id sends it once per subscriber)."""
    from schooldesk.webhooks.choices import WebhookEvent
    from schooldesk.webhooks.events import emit, event_key, subscribed_events

    if WebhookEvent.SLA_BREACHED not in subscribed_events():
        return 0
    now = now or timezone.now()
    since = now - BREACH_WINDOW
    calls = (
        Incident.objects.filter(status__in=ACTIVE_STATUSES, sla_paused_at__isnull=True)
        .filter(
            Q(resolve_due_at__gt=since, resolve_due_at__lte=now)
            | Q(responded_at__isnull=True, response_due_at__gt=since, response_due_at__lte=now)
        )
        .order_by("pk")
    )
    found = 0
    for incident in calls[:500]:
        for which, due in (
            ("response", None if incident.responded_at else incident.response_due_at),
            ("resolution", incident.resolve_due_at),
        ):
            if due is None or not since < due <= now:
                continue
            emit(
                WebhookEvent.SLA_BREACHED,
                school=incident.school_id,
                obj=incident,
                event_id=event_key("sla", incident.pk, which, f"{due:%Y%m%d%H%M}"),
                data={
                    "summary": incident.summary,
                    "priority": incident.priority,
                    "target": which,
                    "due": timezone.localtime(due).strftime("%d/%m/%Y %H:%M"),
                },
            )
            found += 1
    return found

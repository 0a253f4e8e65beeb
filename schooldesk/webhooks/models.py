"""Webhook subscriptions (a URL told of chosen events, for one school or a whole organisation), each event's
delivery to it (one row per subscription and event, so a retry never makes a second) and every attempt with the
answer received.

Who sees and manages them: the ICT owner of the school; for an organisation-wide subscription, and those of each
of its schools, the people holding the ICT owner's or SPOC's role across the organisation (an LA's officers).
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schooldesk.core.access import access_for
from schooldesk.core.fields import EncryptedTextField
from schooldesk.core.models import TimeStampedModel
from schooldesk.webhooks.choices import (
    WEBHOOK_ORGANISATION_ROLES,
    WEBHOOK_ROLES,
    DeliveryStatus,
    TargetKind,
    WebhookEvent,
)


def manager_scope(user) -> tuple[list[int], list[int]]:
    """(school ids where the user may manage webhooks, organisation ids where they may for every school)."""
    access = access_for(user)
    return access.school_ids(WEBHOOK_ROLES), access.organisation_ids(WEBHOOK_ORGANISATION_ROLES)


class SubscriptionQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        schools, organisations = manager_scope(user)
        return self.filter(
            Q(school_id__in=schools)
            | Q(school__organisation_id__in=organisations)
            | Q(organisation_id__in=organisations)
        )


class Subscription(TimeStampedModel):
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhook_subscriptions",
        verbose_name=_("school"),
    )
    organisation = models.ForeignKey(
        "schools.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhook_subscriptions",
        verbose_name=_("every school of"),
        help_text=_("Instead of a school: the events of all the organisation's schools."),
    )
    name = models.CharField(_("name"), max_length=80, help_text=_("For example: Council monitoring"))
    url = models.URLField(
        _("address (URL)"),
        max_length=500,
        help_text=_("Where the desk posts each event. https:// unless this installation allows plain http."),
    )
    kind = models.CharField(
        _("kind of receiver"), max_length=10, choices=TargetKind.choices, default=TargetKind.GENERIC
    )
    #: ",call.created,call.priority_p1," — a comma at each end, so one indexed-enough `contains` finds a subscriber
    events = models.CharField(_("events"), max_length=400)
    secret = EncryptedTextField(_("signing secret"), blank=True)
    is_active = models.BooleanField(_("send events"), default=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["is_active", "school"]), models.Index(fields=["is_active", "organisation"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(school__isnull=False, organisation__isnull=True)
                | Q(school__isnull=True, organisation__isnull=False),
                name="webhook_school_or_organisation",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def event_list(self) -> list[str]:
        return [e for e in self.events.split(",") if e]

    def event_labels(self) -> list[str]:
        labels = dict(WebhookEvent.choices)
        return [str(labels.get(e, e)) for e in self.event_list]

    @property
    def owner_name(self) -> str:
        return self.school.name if self.school_id else self.organisation.name


class DeliveryQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(subscription__in=Subscription.objects.visible_to(user))


class Delivery(TimeStampedModel):
    """One event for one subscription. The body is kept as sent (the signature covers it), so "send again"
    sends the same event with the same id."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    event_id = models.UUIDField(default=uuid.uuid4)
    #: the school the event is about (none for an organisation's record shared by several schools)
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    body = models.TextField()
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["subscription", "event_id"], name="webhook_delivery_once")]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.event} {self.event_id}"


class Attempt(models.Model):
    """One try: what the receiver answered (status code and the start of its body) or why it could not."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="tries")
    at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.CharField(max_length=500, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M:%S} {self.status_code or self.error}"

    @property
    def is_success(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

"""Reads for webhooks: the subscriptions a person manages, one of them, its latest deliveries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q, QuerySet

from schooldesk.webhooks.choices import DeliveryStatus
from schooldesk.webhooks.models import Attempt, Delivery, Subscription, manager_scope

if TYPE_CHECKING:
    from schooldesk.accounts.models import User

RECENT = 30


def subscription_list(*, user: User) -> QuerySet[Subscription]:
    failing = Q(deliveries__status__in=[DeliveryStatus.FAILED, DeliveryStatus.GIVEN_UP])
    return (
        Subscription.objects.visible_to(user)
        .select_related("school", "organisation")
        .annotate(failing=Count("deliveries", filter=failing))
        .order_by("name", "pk")
    )


def subscription_get(*, user: User, pk: int) -> Subscription:
    return Subscription.objects.visible_to(user).select_related("school", "organisation").get(pk=pk)


def subscription_deliveries(*, subscription: Subscription, limit: int = RECENT) -> list[Delivery]:
    """The latest deliveries, each with its attempts (two queries)."""
    return list(
        subscription.deliveries.order_by("-created_at", "-pk").prefetch_related(
            Prefetch("tries", queryset=Attempt.objects.order_by("at", "pk"))
        )[:limit]
    )


def subscription_scope(*, user: User) -> tuple[list[int], list[int]]:
    """The schools and the organisations a new subscription may be for (the form's choices)."""
    return manager_scope(user)

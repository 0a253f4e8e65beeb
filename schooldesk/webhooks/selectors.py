from django.db.models import Count, Prefetch, Q

from schooldesk.webhooks.choices import DeliveryStatus
from schooldesk.webhooks.models import Attempt, Delivery, Subscription

RECENT = 30


def subscription_list(user):
    failing = Q(deliveries__status__in=[DeliveryStatus.FAILED, DeliveryStatus.GIVEN_UP])
    return (
        Subscription.objects.visible_to(user)
        .select_related("school", "organisation")
        .annotate(failing=Count("deliveries", filter=failing))
        .order_by("name", "pk")
    )


def subscription_get(user, pk: int) -> Subscription:
    return Subscription.objects.visible_to(user).select_related("school", "organisation").get(pk=pk)


def subscription_deliveries(subscription: Subscription, limit: int = RECENT) -> list[Delivery]:
    """The latest deliveries, each with its attempts (two queries)."""
    return list(
        subscription.deliveries.order_by("-created_at", "-pk").prefetch_related(
            Prefetch("tries", queryset=Attempt.objects.order_by("at", "pk"))
        )[:limit]
    )

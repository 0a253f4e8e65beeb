"""Reads for the mail pages: every queryset starts from `visible_to`."""

from django.db.models import Count, Q

from schooldesk.mail.choices import ATTENTION_STATUSES
from schooldesk.mail.models import InboundMessage, Mailbox, NotificationPreference, OutboundMessage


def inbound_list(user):
    return InboundMessage.objects.visible_to(user).select_related("mailbox", "school", "incident")


def inbound_get(user, pk: int) -> InboundMessage:
    return inbound_list(user).select_related("handled_by", "mailbox__organisation", "incident__school").get(pk=pk)


def attention_count(user) -> int:
    return InboundMessage.objects.visible_to(user).filter(status__in=ATTENTION_STATUSES).count()


def mailbox_list(user):
    return (
        Mailbox.objects.visible_to(user)
        .select_related("school", "organisation")
        .annotate(attention=Count("messages", filter=Q(messages__status__in=ATTENTION_STATUSES)))
        .order_by("name", "pk")
    )


def mailbox_get(user, pk: int) -> Mailbox:
    return Mailbox.objects.visible_to(user).select_related("school", "organisation", "default_location").get(pk=pk)


def incident_mail(incident) -> dict:
    """The emails sent and received about one call, newest first."""
    return {
        "sent": OutboundMessage.objects.filter(incident=incident)
        .select_related("recipient")
        .order_by("-created_at", "-id"),
        "received": InboundMessage.objects.filter(incident=incident).order_by("-created_at", "-id"),
    }


def preferences_for(user) -> dict[str, bool]:
    return dict(NotificationPreference.objects.filter(user=user).values_list("event", "is_enabled"))

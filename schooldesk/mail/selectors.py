"""Reads for the mail pages: every queryset starts from `visible_to`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet

from schooldesk.core.access import access_for
from schooldesk.locations.models import Location
from schooldesk.mail.choices import ATTENTION_STATUSES, MAIL_ORGANISATION_ROLES, MAIL_ROLES
from schooldesk.mail.models import InboundMessage, Mailbox, NotificationPreference, OutboundMessage

if TYPE_CHECKING:
    from schooldesk.accounts.models import User
    from schooldesk.incidents.models import Incident


def inbound_list(*, user: User) -> QuerySet[InboundMessage]:
    """Newest first."""
    return (
        InboundMessage.objects.visible_to(user)
        .select_related("mailbox", "school", "incident")
        .order_by("-created_at", "-id")
    )


def inbound_get(*, user: User, pk: int) -> InboundMessage:
    return inbound_list(user=user).select_related("handled_by", "mailbox__organisation", "incident__school").get(pk=pk)


def attention_count(*, user: User) -> int:
    return InboundMessage.objects.visible_to(user).filter(status__in=ATTENTION_STATUSES).count()


def mailbox_list(*, user: User) -> QuerySet[Mailbox]:
    return (
        Mailbox.objects.visible_to(user)
        .select_related("school", "organisation")
        .annotate(attention=Count("messages", filter=Q(messages__status__in=ATTENTION_STATUSES)))
        .order_by("name", "pk")
    )


def mailbox_get(*, user: User, pk: int) -> Mailbox:
    return Mailbox.objects.visible_to(user).select_related("school", "organisation", "default_location").get(pk=pk)


def incident_mail(*, incident: Incident) -> dict:
    """The emails sent and received about one call, newest first."""
    return {
        "sent": OutboundMessage.objects.filter(incident=incident)
        .select_related("recipient")
        .order_by("-created_at", "-id"),
        "received": InboundMessage.objects.filter(incident=incident).order_by("-created_at", "-id"),
    }


def preferences_for(*, user: User) -> dict[str, bool]:
    return dict(NotificationPreference.objects.filter(user=user).values_list("event", "is_enabled"))


def desk_school_ids(*, user: User) -> list[int]:
    """The schools whose desk the person runs: a mailbox's, a held email's school choices."""
    return access_for(user).school_ids(MAIL_ROLES)


def desk_organisation_ids(*, user: User) -> list[int]:
    """The organisations whose desk the person runs as a whole: a shared mailbox's choices."""
    return access_for(user).organisation_ids(MAIL_ORGANISATION_ROLES)


def location_choices(*, school_ids: list[int]) -> QuerySet[Location]:
    """The locations (not archived) of these schools, by school: a mailbox's default, a new call's place."""
    return (
        Location.objects.filter(school_id__in=school_ids, is_archived=False)
        .select_related("school")
        .order_by("school__name", "name")
    )

"""Reads about locations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count

from schooldesk.core.access import access_for
from schooldesk.core.roles import DESK_ROLES
from schooldesk.locations.models import Location

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from schooldesk.accounts.models import User


def desk_locations(*, user: User) -> QuerySet[Location]:
    """The locations of the schools where `user` runs the desk: the ones they may change (rules "locations.change")."""
    return Location.objects.visible_to(user).filter(access_for(user).schools_q(DESK_ROLES))


def location_list(*, user: User) -> QuerySet[Location]:
    """The locations page: the desk's locations with their calls counted, by school and name."""
    rows = desk_locations(user=user).select_related("school").annotate(calls=Count("incident"))
    return rows.order_by("school__name", "name")


def location_school_ids(*, user: User) -> list[int]:
    """The schools a new location may be added to: those where `user` runs the desk."""
    return access_for(user).school_ids(DESK_ROLES)


def location_api_list(*, user: User) -> QuerySet[Location]:
    """The API's list: every location of the schools `user` sees (the drop-down wherever a place is asked for)."""
    return Location.objects.visible_to(user).select_related("school")


def location_uses(*, location: Location) -> dict[str, int]:
    """How many records of each kind name the location, by model label ({"incidents.incident": 3}), asking every
    relation that points at Location, as `services.location_in_use` does. Said before deleting, so the SPOC knows
    why it will be archived instead."""
    uses = {}
    for relation in Location._meta.related_objects:
        n = relation.related_model._base_manager.filter(**{relation.field.name: location}).count()
        if n:
            uses[relation.related_model._meta.label_lower] = n
    return uses

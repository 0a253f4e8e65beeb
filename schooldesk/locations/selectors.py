"""Reads about locations."""

from schooldesk.locations.models import Location


def location_uses(location: Location) -> dict[str, int]:
    """How many records of each kind name the location, by model label ({"incidents.incident": 3}), asking every
    relation that points at Location, as `services.location_in_use` does. Said before deleting, so the SPOC knows
    why it will be archived instead."""
    uses = {}
    for relation in Location._meta.related_objects:
        n = relation.related_model._base_manager.filter(**{relation.field.name: location}).count()
        if n:
            uses[relation.related_model._meta.label_lower] = n
    return uses

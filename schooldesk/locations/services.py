from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from schooldesk.core.audit import audit_record
from schooldesk.core.concurrency import version_claim
from schooldesk.locations.models import Location


def _check_unique(location: Location) -> None:
    clash = Location.objects.filter(school=location.school, name__iexact=location.name).exclude(pk=location.pk)
    if clash.exists():
        raise ValidationError({"name": _("There is already a location called “%(name)s”.") % {"name": location.name}})


@transaction.atomic
def location_save(*, location: Location, by, version: int | None = None) -> Location:
    """Create or rename a location; names are unique within a school (case-insensitive)."""
    version_claim(location, version)  # a save from an older page is refused (core/concurrency.py)
    location.name = location.name.strip()
    location.full_clean(validate_unique=False, validate_constraints=False)  # the name's clash is said in words below
    _check_unique(location)
    created = location.pk is None
    try:
        with transaction.atomic():
            location.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"name": _("There is already a location called “%(name)s”.") % {"name": location.name}}
        ) from exc
    audit_record(
        actor=by,
        school=location.school,
        action="create" if created else "update",
        obj=location,
        summary=f"Location {location} saved",
    )
    return location


def location_in_use(location: Location) -> bool:
    """True when any record (a call, an asset, a licence allocation, a contract, a diary entry …) names it.

    Every relation that points at Location is asked, so a record type added later is covered without
    touching this function; such a location is archived, never deleted."""
    return any(
        relation.related_model._base_manager.filter(**{relation.field.name: location}).exists()
        for relation in Location._meta.related_objects
    )


@transaction.atomic
def location_archive(*, location: Location, by, archived: bool = True) -> Location:
    location.is_archived = archived
    location.save(update_fields=["is_archived", "updated_at"])
    audit_record(
        actor=by,
        school=location.school,
        action="archive" if archived else "restore",
        obj=location,
        summary=f"Location {location} {'archived' if archived else 'restored'}",
    )
    return location


@transaction.atomic
def location_delete(*, location: Location, by) -> bool:
    """Delete an unused location; one in use is archived instead. Returns True when deleted."""
    if location_in_use(location):
        location_archive(location=location, by=by)
        return False
    audit_record(
        actor=by, school=location.school, action="delete", obj=location, summary=f"Location {location} deleted"
    )
    location.delete()
    return True

"""One way to detect concurrent edits (docs/decisions/0014): a record carries a `version`; its edit form renders
the version it was drawn with in a hidden field; the service re-reads the row under a lock and refuses a save
made from an older version, with a message in words and nothing lost (the page keeps what was typed)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _

from schooldesk.core.exceptions import ConflictError


class VersionedModel(models.Model):
    """A record edited by people on pages: `version` goes up by one with every save made through its service."""

    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


def stale_message(what: str) -> str:
    return _(
        "Someone else saved this %(what)s after you opened it, so your changes were not saved. What you typed "
        "is still below: check their changes on the record's page, then save again to keep yours."
    ) % {"what": what}


def version_lock(obj, version: int | str | None, *, message: str | None = None, related: tuple[str, ...] = ()):
    """The record's row as it is now, locked until the transaction ends. Refused (ConflictError) when `version`
    (the version the person's page was drawn with) is given and is no longer the record's: someone else saved
    since. `version` None means "no page to compare with" (imports, the API, a form without the field)."""
    model = type(obj)
    current = model._base_manager.select_for_update(of=("self",)).select_related(*related).get(pk=obj.pk)
    if version not in (None, "") and current.version != int(version):
        raise ConflictError(message or stale_message(str(model._meta.verbose_name)), current_version=current.version)
    return current


def version_claim(obj, version: int | str | None, *, message: str | None = None) -> None:
    """For a save service about to save `obj` (an edited copy from a form): lock and check as `version_lock`, then
    set `obj.version` to the next one so that the save records it. Nothing to do for a new record."""
    if obj.pk is None:
        return
    current = version_lock(obj, version, message=message)
    obj.version = current.version + 1

"""Writes of directory sync: a connection saved or tested, a sync run, a room added as a location."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from schooldesk.core.audit import audit_record
from schooldesk.core.concurrency import version_claim
from schooldesk.core.permissions import require
from schooldesk.directory import clients, mapping
from schooldesk.directory.choices import Provider, RunStatus, Trigger
from schooldesk.directory.models import Connection, Room, Run
from schooldesk.directory.sync import Sync
from schooldesk.locations.models import Location
from schooldesk.locations.services import location_save

logger = logging.getLogger(__name__)


@transaction.atomic
def connection_save(*, connection: Connection, by, secret: str = "", version: int | None = None) -> Connection:
    """Create or change a connection. An empty `secret` keeps the stored one."""
    require(by, "directory.manage", connection)
    version_claim(connection, version)
    if secret.strip():
        connection.secret = secret.strip()
        connection.access_token, connection.token_expires_at = "", None  # the old token belonged to the old secret
    if connection.provider == Provider.WONDE and not connection.school_id:
        raise ValidationError({"provider": _("Wonde is read per school: choose a school, not the organisation.")})
    if not connection.secret:
        raise ValidationError(
            {"secret": _("Enter the secret, key file or token: the directory cannot be read without it.")}
        )
    if connection.provider == Provider.GOOGLE:
        try:
            clients.google_key(connection.secret)
        except clients.DirectoryError as exc:
            raise ValidationError({"secret": str(exc)}) from exc
    if connection.provider in (Provider.MICROSOFT, Provider.WONDE) and not connection.tenant.strip():
        raise ValidationError({"tenant": _("Enter the tenant (Microsoft) or the Wonde school id.")})
    if connection.provider != Provider.WONDE and not connection.client_id.strip():
        raise ValidationError(
            {"client_id": _("Enter the client id (Microsoft) or the administrator's address (Google).")}
        )
    mapping.parse(connection.role_mapping, school=connection.school, organisation=connection.organisation)
    created = connection.pk is None
    if created:
        connection.created_by = by
    connection.save()
    audit_record(
        actor=by,
        school=connection.school,
        organisation=connection.organisation,
        action="create" if created else "update",
        obj=connection,
        summary=f"Directory connection {connection} saved",
    )
    return connection


def connection_test(*, connection: Connection, by) -> tuple[bool, str]:
    """Sign in and read the directory: (worked, what to tell the person). Changes nothing of the desk's people."""
    require(by, "directory.test", connection)
    try:
        rules = mapping.parse(connection.role_mapping, school=connection.school, organisation=connection.organisation)
        directory = clients.read(connection, {rule.key for rule in rules})
    except (clients.DirectoryError, ValidationError) as exc:
        return False, _("The test failed: %(why)s") % {"why": _message(exc)}
    return True, _("The directory answered: %(n)d people in the mapped groups.") % {"n": len(directory.people)}


def _message(exc) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def sync_start(*, connection: Connection, by) -> None:
    """ "Sync now": the worker runs it after this request commits (tests run it at once)."""
    require(by, "directory.sync", connection)
    from schooldesk.directory.tasks import directory_sync_task

    transaction.on_commit(lambda: directory_sync_task(connection.pk, by.pk if by else None))


def directory_sync(*, connection: Connection, by=None, trigger: str = Trigger.ON_DEMAND) -> Run:
    """Read the directory and bring the desk's people, pupils and roles in line; the report is kept. A failure to
    read changes nothing and is kept as a failed report with the reason."""
    run = Run.objects.create(connection=connection, trigger=trigger, started_by=by, started_at=timezone.now())
    try:
        sync = Sync(connection, run, by)
        directory = clients.read(connection, sync.mapping_keys())
        sync.apply(directory)
        run.status = RunStatus.DONE
    except (clients.DirectoryError, ValidationError) as exc:
        run.status, run.error = RunStatus.FAILED, _message(exc)[:500]
        run.added = run.changed = run.left_alone = run.deactivated = 0  # nothing was written
    except Exception as exc:  # a bug or an odd answer: kept on the report, the rest of the desk goes on
        logger.exception("Directory sync of connection %s failed", connection.pk)
        run.status, run.error = RunStatus.FAILED, f"Unexpected error: {type(exc).__name__}"
        run.added = run.changed = run.left_alone = run.deactivated = 0
    run.finished_at = timezone.now()
    run.save()
    Connection.objects.filter(pk=connection.pk).update(last_run_at=run.finished_at)
    audit_record(
        actor=by,
        school=connection.school,
        organisation=connection.organisation,
        action="sync",
        obj=run,
        summary=(
            f"Directory sync of {connection}: {run.added} added, {run.changed} changed, "
            f"{run.left_alone} left alone, {run.deactivated} deactivated"
            + (f"; failed: {run.error}" if run.error else "")
        ),
    )
    return run


def syncs_due() -> int:
    """Nightly: every active connection, one after another. Returns how many were run."""
    count = 0
    for connection in Connection.objects.filter(is_active=True).select_related("school", "organisation"):
        directory_sync(connection=connection, trigger=Trigger.NIGHTLY)
        count += 1
    return count


@transaction.atomic
def room_add(*, room: Room, by) -> Location | None:
    """The room becomes one of the school's locations (or is tied to the location of its name). None when it was
    already."""
    room = Room.objects.select_for_update(of=("self",)).select_related("run__connection__school").get(pk=room.pk)
    require(by, "directory.add_room", room.run.connection)
    school = room.run.connection.school
    if room.location_id:
        return None
    location = Location.objects.filter(school=school, name__iexact=room.name.strip()).first()
    if location is None:
        location = location_save(location=Location(school=school, name=room.name), by=by)
    room.location = location
    room.save(update_fields=["location"])
    return location


@transaction.atomic
def rooms_add_all(*, run: Run, by) -> int:
    added = 0
    for room in run.rooms.filter(location__isnull=True):
        if room_add(room=room, by=by) is not None:
            added += 1
    return added

"""Writes for device consoles: saving a connection (its key kept encrypted, never shown again), testing it,
queueing a sync (run by the worker), and the nightly syncs (docs/decisions/0030)."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from schooldesk.core.audit import audit_record
from schooldesk.core.concurrency import version_claim
from schooldesk.core.permissions import require
from schooldesk.devicesync.choices import ConsoleKind, RunStatus
from schooldesk.devicesync.consoles import Client, ConsoleError
from schooldesk.devicesync.models import ConsoleConnection, SyncRun
from schooldesk.devicesync.sync import parse_routing, sync_run
from schooldesk.mail.oauth import endpoint_allowed


def _check(connection: ConsoleConnection) -> None:
    errors = {}
    kind = connection.kind
    if connection.base_url:
        connection.base_url = connection.base_url.strip()
        if not endpoint_allowed(connection.base_url) or not urlsplit(connection.base_url).hostname:
            errors["base_url"] = _("Give an address starting with https://.")
    elif kind == ConsoleKind.JAMF:
        errors["base_url"] = _("Give your Jamf School API address, e.g. https://yourschool.jamfcloud.com/api")
    secret = (connection.credentials or "").strip()
    if not secret:
        errors["credentials"] = _("Give the key or secret.")
    elif kind == ConsoleKind.GOOGLE:
        try:
            key = json.loads(secret)
            if not (isinstance(key, dict) and key.get("client_email") and key.get("private_key")):
                raise ValueError
        except ValueError:
            errors["credentials"] = _(
                "Paste the service account's whole JSON key (it has client_email and private_key)."
            )
    if kind == ConsoleKind.GOOGLE and not connection.admin_email:
        errors["admin_email"] = _("Give the administrator the service account acts for.")
    if kind == ConsoleKind.INTUNE:
        if not connection.tenant_id.strip():
            errors["tenant_id"] = _("Give the tenant ID (Microsoft Entra admin centre, Overview).")
        if not connection.client_id.strip():
            errors["client_id"] = _("Give the app registration's application (client) ID.")
    if kind == ConsoleKind.JAMF and not connection.network_id.strip():
        errors["network_id"] = _("Give the network ID (Jamf School: Devices, Enrollments… API).")
    if connection.write_back and kind != ConsoleKind.GOOGLE:
        errors["write_back"] = _("Only Google's console takes the desk's tag and location.")
    if connection.organisation_id:
        if not connection.routing.strip():
            errors["routing"] = _("Say which school each unit, category or location is (one line each).")
        else:
            _rules, faults = parse_routing(connection.routing, connection.organisation_id)
            if faults:
                errors["routing"] = faults
    elif connection.routing.strip():
        errors["routing"] = _("A school's own console needs no routing: every device is the school's.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def connection_save(
    *, connection: ConsoleConnection, by, version: int | None = None, credentials: str = ""
) -> ConsoleConnection:
    """Add or change a connection. `credentials` empty on an edit keeps the stored key."""
    require(by, "devicesync.manage", connection)
    version_claim(connection, version)
    if credentials.strip():
        connection.credentials = credentials.strip()
        connection.access_token, connection.token_expires_at = "", None  # a new key: a new token
    _check(connection)
    created = connection.pk is None
    if created:
        connection.created_by = by if getattr(by, "is_authenticated", False) else None
    connection.save()
    audit_record(
        actor=by,
        school=connection.school,
        organisation=connection.organisation,
        action="create" if created else "update",
        obj=connection,
        summary=f"Device console {connection.name} ({connection.get_kind_display()}) saved",
        changes={
            "address": connection.endpoint,
            "write_back": connection.write_back,
            "nightly": connection.is_active,
            "key_changed": bool(credentials.strip()),
        },
    )
    return connection


def connection_test(*, connection: ConsoleConnection, by) -> str:
    """A token and the first page of devices: what a person reads ("It answered: 3 devices on its first page")."""
    require(by, "devicesync.test", connection)
    client = Client(connection)
    try:
        devices = client.devices()
        first = [device for _number, device in zip(range(200), devices, strict=False)]
    except ConsoleError as exc:
        raise ValidationError(_("The console could not be read: %(why)s") % {"why": exc}) from exc
    return _("It answered: %(n)s devices on its first page.") % {"n": len(first)}


#: a run queued or running longer than this is taken to have died with its worker: it no longer blocks another
STALE_AFTER = timedelta(hours=3)


def _busy(connection: ConsoleConnection) -> bool:
    return connection.runs.filter(
        status__in=[RunStatus.QUEUED, RunStatus.RUNNING], created_at__gte=timezone.now() - STALE_AFTER
    ).exists()


@transaction.atomic
def sync_request(*, connection: ConsoleConnection, by) -> SyncRun:
    """Queue a sync now; the worker runs it (tests: at once, after the commit)."""
    require(by, "devicesync.sync", connection)
    if _busy(connection):
        raise ValidationError(_("A sync of this console is already queued or running."))
    run = SyncRun.objects.create(
        connection=connection, requested_by=by if getattr(by, "is_authenticated", False) else None
    )
    audit_record(
        actor=by,
        school=connection.school,
        organisation=connection.organisation,
        action="sync",
        obj=connection,
        summary=f"Sync of {connection.name} requested",
    )

    def queue():
        from schooldesk.devicesync.tasks import sync_run_task

        sync_run_task(run.pk)

    transaction.on_commit(queue)
    return run


def syncs_nightly() -> int:
    """The worker's nightly job: every active connection, one after the other. Returns the runs done."""
    done = 0
    for connection in ConsoleConnection.objects.filter(is_active=True).select_related("school", "organisation"):
        if _busy(connection):
            continue
        run = SyncRun.objects.create(connection=connection)
        done += sync_run(run).status == RunStatus.DONE
    return done

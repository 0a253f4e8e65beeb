"""Reads for device consoles: the connections a person manages, their runs and each run's report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery

from schooldesk.devicesync.models import ConsoleConnection, DeviceLink, SyncLine, SyncRun, console_scope

if TYPE_CHECKING:
    from schooldesk.accounts.models import User
    from schooldesk.assets.models import Asset

RECENT = 10


def connection_list(*, user: User) -> QuerySet[ConsoleConnection]:
    """Each with its linked devices and its last run, as subqueries (a join of links and runs would multiply)."""
    linked = (
        DeviceLink.objects.filter(connection=OuterRef("pk"))
        .order_by()
        .values("connection")
        .annotate(n=Count("pk"))
        .values("n")
    )
    last_run = SyncRun.objects.filter(connection=OuterRef("pk")).order_by("-created_at").values("created_at")[:1]
    return (
        ConsoleConnection.objects.visible_to(user)
        .select_related("school", "organisation")
        .annotate(linked=Subquery(linked, output_field=IntegerField()), last_run=Subquery(last_run))
        .order_by("name", "pk")
    )


def connection_get(*, user: User, pk: int) -> ConsoleConnection:
    return ConsoleConnection.objects.visible_to(user).select_related("school", "organisation").get(pk=pk)


def connection_runs(*, connection: ConsoleConnection, limit: int | None = RECENT) -> list[SyncRun] | QuerySet[SyncRun]:
    runs = connection.runs.select_related("requested_by").order_by("-created_at", "-pk")
    return list(runs[:limit]) if limit else runs


def run_get(*, connection: ConsoleConnection, run_pk: int) -> SyncRun:
    return connection.runs.select_related("requested_by").get(pk=run_pk)


def run_lines(*, run: SyncRun, kind: str = "") -> QuerySet[SyncLine]:
    lines = run.lines.select_related("school", "asset").order_by("pk")
    return lines.filter(kind=kind) if kind else lines


def asset_console(*, asset: Asset) -> DeviceLink | None:
    """What a console says of an asset, for its page (one query)."""
    return DeviceLink.objects.filter(asset_id=asset.pk).select_related("connection").first()


def console_choices(*, user: User) -> tuple[list[int], list[int]]:
    """The schools and the organisations a connection may be for (the form's choices)."""
    return console_scope(user)

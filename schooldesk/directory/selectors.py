"""Reads of directory sync: the connections a person manages, the reports they may read, a report's rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, QuerySet

from schooldesk.directory.models import Change, Connection, Room, Run, manager_scope
from schooldesk.locations.models import Location

if TYPE_CHECKING:
    from schooldesk.accounts.models import User

RECENT = 20


def connection_list(*, user: User) -> QuerySet[Connection]:
    return Connection.objects.visible_to(user).select_related("school", "organisation").order_by("name", "pk")


def connection_get(*, user: User, pk: int) -> Connection:
    return Connection.objects.visible_to(user).select_related("school", "organisation").get(pk=pk)


def run_list(*, user: User) -> QuerySet[Run]:
    return (
        Run.objects.visible_to(user)
        .select_related("connection__school", "connection__organisation", "started_by")
        .order_by("-started_at", "-pk")
    )


def run_get(*, user: User, pk: int) -> Run:
    return run_list(user=user).get(pk=pk)


def run_changes(*, run: Run) -> list[Change]:
    return list(run.changes.order_by("pk"))


def run_rooms(*, run: Run) -> list[Room]:
    """The rooms read, each marked `is_location` when the school already has a location of that name."""
    school_id = run.connection.school_id
    same_name = Location.objects.filter(school_id=school_id, name__iexact=OuterRef("name"))
    return list(run.rooms.annotate(is_location=Exists(same_name)).select_related("location").order_by("name", "pk"))


def connection_runs(*, connection: Connection, limit: int = 10) -> list[Run]:
    """A connection's latest reports, for its page."""
    return list(connection.runs.order_by("-started_at", "-pk")[:limit])


def connection_choices(*, user: User) -> tuple[list[int], list[int]]:
    """The schools and the organisations a connection may be for (the form's choices)."""
    return manager_scope(user)

from django.db.models import Exists, OuterRef

from schooldesk.directory.models import Change, Connection, Room, Run
from schooldesk.locations.models import Location

RECENT = 20


def connection_list(user):
    return Connection.objects.visible_to(user).select_related("school", "organisation").order_by("name", "pk")


def connection_get(user, pk: int) -> Connection:
    return Connection.objects.visible_to(user).select_related("school", "organisation").get(pk=pk)


def run_list(user):
    return (
        Run.objects.visible_to(user)
        .select_related("connection__school", "connection__organisation", "started_by")
        .order_by("-started_at", "-pk")
    )


def run_get(user, pk: int) -> Run:
    return run_list(user).get(pk=pk)


def run_changes(run: Run) -> list[Change]:
    return list(run.changes.order_by("pk"))


def run_rooms(run: Run) -> list[Room]:
    """The rooms read, each marked `is_location` when the school already has a location of that name."""
    school_id = run.connection.school_id
    same_name = Location.objects.filter(school_id=school_id, name__iexact=OuterRef("name"))
    return list(run.rooms.annotate(is_location=Exists(same_name)).select_related("location").order_by("name", "pk"))


def can_manage(user, run: Run) -> bool:
    return Connection.objects.visible_to(user).filter(pk=run.connection_id).exists()

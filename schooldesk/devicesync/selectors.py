from django.db.models import Count, IntegerField, OuterRef, Subquery

from schooldesk.devicesync.models import ConsoleConnection, DeviceLink, SyncRun

RECENT = 10


def connection_list(user):
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


def connection_get(user, pk: int) -> ConsoleConnection:
    return ConsoleConnection.objects.visible_to(user).select_related("school", "organisation").get(pk=pk)


def connection_runs(connection: ConsoleConnection, limit: int | None = RECENT):
    runs = connection.runs.select_related("requested_by").order_by("-created_at", "-pk")
    return list(runs[:limit]) if limit else runs


def run_get(connection: ConsoleConnection, run_pk: int) -> SyncRun:
    return connection.runs.select_related("requested_by").get(pk=run_pk)


def run_lines(run: SyncRun, kind: str = ""):
    lines = run.lines.select_related("school", "asset").order_by("pk")
    return lines.filter(kind=kind) if kind else lines


def asset_console(user, asset) -> DeviceLink | None:
    """What a console says of an asset, for its page (one query)."""
    return DeviceLink.objects.filter(asset=asset).select_related("connection").first()

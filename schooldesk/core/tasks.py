"""Housekeeping run by the Huey worker."""

from django.db import connection
from huey import crontab
from huey.contrib.djhuey import db_periodic_task


def database_optimise() -> None:
    """Refresh the query planner's statistics so lists keep using the right indexes as data grows.
    SQLite has no autovacuum-analyse of its own (PostgreSQL does), so it is done here."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA optimize")
            cursor.execute("ANALYZE")


@db_periodic_task(crontab(hour="2", minute="15"))
def database_optimise_task() -> None:
    database_optimise()

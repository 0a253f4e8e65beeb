"""Directory sync, by the Huey worker: every night, and when a person asks ("Sync now")."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_periodic_task(crontab(hour="2", minute="30"))
def directory_sync_nightly_task() -> int:
    """Nightly, while no one is working: every active connection."""
    from schooldesk.directory.services import syncs_due

    return syncs_due()


@db_task()
def directory_sync_task(connection_id: int, by_id: int | None = None) -> int | None:
    from django.contrib.auth import get_user_model

    from schooldesk.directory.models import Connection
    from schooldesk.directory.services import directory_sync

    connection = Connection.objects.select_related("school", "organisation").filter(pk=connection_id).first()
    if connection is None:
        return None
    by = get_user_model().objects.filter(pk=by_id).first() if by_id else None
    return directory_sync(connection=connection, by=by).pk

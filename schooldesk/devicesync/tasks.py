"""The worker's device-console jobs (Huey). Tests run tasks immediately; each job is also a plain function."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task()
def sync_run_task(run_id: int) -> str:
    from schooldesk.devicesync.models import SyncRun
    from schooldesk.devicesync.sync import sync_run

    run = SyncRun.objects.select_related("connection__school", "connection__organisation").get(pk=run_id)
    return sync_run(run).status


@db_periodic_task(crontab(hour="2", minute="15"))
def syncs_nightly_task() -> int:
    """Nightly, when nobody is editing: every active console's devices into the register."""
    from schooldesk.devicesync.services import syncs_nightly

    return syncs_nightly()

"""The nightly retention job (Huey), after the audit prune."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="3", minute="15"))
def retention_task() -> int:
    """For every school whose DPO has reviewed the preview and switched retention on: remove what is past its time.
    Returns how many schools ran."""
    from schooldesk.privacy.services import retention_run_all

    return len(retention_run_all())

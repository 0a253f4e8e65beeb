"""Scheduled checks come due: run by the Huey worker."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="5", minute="45"))
def checks_due_task() -> int:
    """Daily, before school: make the checklist items that have come due, once each (idempotent)."""
    from schooldesk.standards.services import checks_create_due

    return checks_create_due()

"""The worker's restricted-lane jobs (Huey). Each is idempotent: a rerun sends and records nothing twice."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*/15"))
def breach_reminders_task() -> int:
    """Every quarter of an hour: remind the DPO at 24 and 48 hours of a breach's 72 (a link only)."""
    from schooldesk.safeguarding.services import breach_reminders_send

    return breach_reminders_send()


@db_periodic_task(crontab(hour="6", minute="40"))
def filter_expiries_task() -> int:
    """Daily: filtering changes whose time is up get a call to take them off, and the register records it."""
    from schooldesk.safeguarding.services import filter_expiries_run

    return filter_expiries_run()

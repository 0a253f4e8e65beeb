"""Contract monitoring, run by the Huey worker."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="5"), retries=2, retry_delay=300)
def contract_alerts_task() -> int:
    """Hourly: roll automatic contracts forward and send the 90/60/30-day reminders not yet sent.
    Idempotent (each reminder is recorded as it is sent), so a rerun or a retry sends nothing twice."""
    from schooldesk.suppliers.services import contract_alerts_send

    return contract_alerts_send()

"""Side effects of call changes, run by the Huey worker after the transaction commits."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from schooldesk.mail.notify import update_notify


@db_task(retries=3, retry_delay=60)
def incident_notify(update_ids: list[int] | int) -> int:
    """Tell the people the timeline entries of one save concern (the mail app decides who, logs and sends).
    Returns how many messages were sent now; failures are logged and retried by the mail app."""

    return update_notify(update_ids)


@db_periodic_task(crontab(minute="*/30"))
def incidents_auto_close_task() -> int:
    from schooldesk.incidents.services import incidents_auto_close

    return incidents_auto_close()

"""Diary reminders and the rolling plan of scheduled visits, run by the Huey worker."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*/15"), retries=2, retry_delay=120)
def diary_reminders_task() -> int:
    """Send the diary reminders that have come due, each once (recorded on the entry)."""
    from schooldesk.diary.services import diary_reminders_send

    return diary_reminders_send()


@db_periodic_task(crontab(hour="5", minute="30"))
def visits_plan_task() -> int:
    """Daily: keep the next twelve weeks of each contract's scheduled visits in the diary."""
    from schooldesk.diary.services import contracts_visits_plan

    return contracts_visits_plan()

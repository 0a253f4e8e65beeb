"""Housekeeping run by the Huey worker."""

import time

from django.conf import settings
from django.db import connection
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, periodic_task


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


@db_periodic_task(crontab(hour="2", minute="45"))
def audit_prune_task() -> int:
    """Delete audit entries older than SCHOOLDESK_AUDIT_RETENTION_DAYS, every night."""
    from schooldesk.core.audit import audit_prune

    return audit_prune()


# --- The worker's heartbeat, read by /health/ ---------------------------------------------------------
# Kept in Huey's own storage (SQLite beside the database, or Redis for an LA): reading it back is also the
# check that the queue storage answers, and every web process of every machine sees the same value.
HEARTBEAT_KEY = "schooldesk:worker-heartbeat"


def worker_heartbeat() -> None:
    HUEY.put(HEARTBEAT_KEY, time.time())


@HUEY.on_startup("worker_heartbeat")
def worker_heartbeat_at_start() -> None:
    """At once when a worker starts, not only at the next whole minute."""
    worker_heartbeat()


@periodic_task(crontab(minute="*"))
def worker_heartbeat_task() -> None:
    worker_heartbeat()


def health_checks() -> dict[str, dict]:
    """The database, the queue storage, the worker's last heartbeat and, when configured, the last backup: each
    {"ok": bool, ...}. No personal data, and no exception message (a connection error can carry the database's
    address): only its type."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = {"ok": True}
    except Exception as exc:  # whatever fails is the answer
        checks["database"] = {"ok": False, "error": type(exc).__name__}
    try:
        beat = HUEY.get(HEARTBEAT_KEY, peek=True)
        checks["queue"] = {"ok": True}
    except Exception as exc:
        checks["queue"] = {"ok": False, "error": type(exc).__name__}
        checks["worker"] = {"ok": False, "error": "unknown: the queue storage does not answer"}
        return checks
    limit = settings.SCHOOLDESK_HEARTBEAT_MAX_AGE
    if beat is None:
        checks["worker"] = {"ok": False, "error": "no heartbeat yet: is a worker running?"}
    else:
        age = max(0, round(time.time() - beat))
        checks["worker"] = {"ok": age <= limit, "heartbeat_age_seconds": age, "max_age_seconds": limit}
    if checks["database"]["ok"]:
        checks["mailboxes"] = mailbox_health()
    if settings.SCHOOLDESK_BACKUP_DIR:  # backups are configured: the last one failed or is too old fails too
        from schooldesk.core.backup import backup_health

        checks["backup"] = backup_health()
    return checks


#: a mailbox not polled for this many times its own interval (and at least this many minutes) fails /health/
MAILBOX_LATE_FACTOR, MAILBOX_LATE_MINUTES = 5, 15


def mailbox_health() -> dict:
    """How long ago each active mailbox was last polled, by its number (never its address): a mailbox the worker
    has not reached in five of its intervals (at least a quarter of an hour) fails, so does one never polled
    an hour after it was added."""
    from django.apps import apps
    from django.utils import timezone

    now, late = timezone.now(), []
    ages = {}
    mailboxes = apps.get_model("mail", "Mailbox").objects.filter(is_active=True)
    for pk, polled, every, added in mailboxes.values_list("pk", "last_polled_at", "poll_every_minutes", "created_at"):
        limit = max(every * MAILBOX_LATE_FACTOR, MAILBOX_LATE_MINUTES) * 60
        since = polled or added
        age = max(0, round((now - since).total_seconds())) if since else 0
        ages[str(pk)] = age if polled else None
        if age > (limit if polled else 3600):
            late.append(str(pk))
    return {"ok": not late, "seconds_since_polled": ages, **({"late": late} if late else {})}


@db_periodic_task(crontab(hour="3", minute="40"))
def submissions_purge_task() -> None:
    """Used form tokens older than a week and expired API idempotency keys (core/submissions.py)."""
    from schooldesk.core.submissions import submissions_purge

    submissions_purge()

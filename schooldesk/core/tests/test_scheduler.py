"""Several workers, one scheduler: an LA runs more than one `manage.py run_huey`, and a reminder must still go
out once. Two real consumers (subprocesses) share a copy of this test's SQLite database and one Huey queue; the
reminder email is counted in the files Django's file backend writes."""

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from schooldesk.diary.models import DiaryEntry

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="copies the SQLite test database to a file"),
]

TICK = "2026-01-05T10:15"  # a quarter past: the diary reminders' crontab (*/15) is due
DIARY_TASK = "schooldesk.diary.tasks.diary_reminders_task"
HUEY_LINE = re.compile(r"^\[[^]]+\] [A-Z]+:huey")
# The variables that would point the workers at something else than the copied database and a queue of their own.
NOT_PASSED = {
    "PYTEST_VERSION",
    "PYTEST_XDIST_WORKER",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_HOST",
    "SCHOOLDESK_SCHEDULER",
    "SCHOOLDESK_MEDIA_ROOT",
}


def _desk_with_a_reminder_due(cast, var_dir):
    """The cast's school with one diary entry whose reminder is due, copied with the whole schema to var_dir."""
    start = timezone.now() + timedelta(hours=6)
    DiaryEntry.objects.create(
        school=cast.school,
        title="Server room inspection",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        person=cast.technician,
        remind_at=timezone.now() - timedelta(minutes=1),
    )
    connection.ensure_connection()
    target = sqlite3.connect(var_dir / "schooldesk.sqlite3")
    connection.connection.backup(target)
    target.close()


def _worker(var_dir, name, **extra_env):
    env = {key: value for key, value in os.environ.items() if key not in NOT_PASSED}
    env.update(
        SCHOOLDESK_VAR_DIR=str(var_dir), HUEY_IMMEDIATE="0", DJANGO_SETTINGS_MODULE="config.settings", **extra_env
    )
    log = open(var_dir / f"{name}.log", "w")  # closed when the process has stopped
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "schooldesk.core.tests.huey_at", TICK, "-k", "thread", "-w", "1"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    process.log_file = log
    return process


def _log(var_dir, name):
    """The consumer's own log lines ("[time] INFO:huey..."): Huey's records reach the root logger's handler too."""
    text = (var_dir / f"{name}.log").read_text()
    return "\n".join(line for line in text.splitlines() if HUEY_LINE.match(line))


def _reminders_sent(var_dir):
    mail = var_dir / "mail"
    return (
        sum(f.read_text().count("Subject: Reminder: Server room inspection") for f in mail.glob("*"))
        if mail.exists()
        else 0
    )


def _diary_runs_done(log):
    return sum(f":{DIARY_TASK}: " in line and " executed in " in line for line in log.splitlines())


def _run_two_workers(var_dir, *, second_env, diary_runs):
    """Start both workers, wait until each has started and the diary job has finished diary_runs times, then stop
    them as systemd does (SIGTERM, then a wait). Returns both logs."""
    workers = {"first": _worker(var_dir, "first"), "second": _worker(var_dir, "second", **second_env)}
    try:
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            logs = {name: _log(var_dir, name) for name in workers}
            if (
                all("Huey consumer started" in log for log in logs.values())
                and sum(map(_diary_runs_done, logs.values())) >= diary_runs
            ):
                break
            assert all(p.poll() is None for p in workers.values()), logs
            time.sleep(0.2)
        time.sleep(1.5)  # room for a second run, were one on its way
    finally:
        for process in workers.values():
            process.send_signal(signal.SIGTERM)
        for process in workers.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            process.log_file.close()
    return {name: _log(var_dir, name) for name in workers}


def test_two_workers_one_scheduler_send_the_reminder_once(cast, tmp_path):
    """The LA's layout: one worker queues the periodic jobs; the other runs with SCHOOLDESK_SCHEDULER=0 (as the
    schooldesk-worker@N units' --no-periodic) and queues none."""
    _desk_with_a_reminder_due(cast, tmp_path)
    logs = _run_two_workers(tmp_path, second_env={"SCHOOLDESK_SCHEDULER": "0"}, diary_runs=1)
    assert "Periodic tasks are enabled" in logs["first"]
    assert "Periodic tasks are disabled" in logs["second"]
    queued = [log.count(f"Enqueueing periodic task {DIARY_TASK}") for log in logs.values()]
    assert queued == [1, 0], logs
    assert sum(map(_diary_runs_done, logs.values())) == 1, logs
    assert _reminders_sent(tmp_path) == 1
    with sqlite3.connect(tmp_path / "schooldesk.sqlite3") as copy:  # the workers' database, recorded as sent
        assert copy.execute("SELECT count(*) FROM diary_diaryentry WHERE reminded_at IS NOT NULL").fetchone() == (1,)


def test_two_schedulers_still_send_the_reminder_once(cast, tmp_path):
    """The setting forgotten: both workers queue the diary job and it runs twice, but the reminder, recorded on
    the entry in the same transaction that sends it, goes out once."""
    _desk_with_a_reminder_due(cast, tmp_path)
    logs = _run_two_workers(tmp_path, second_env={}, diary_runs=2)
    queued = [log.count(f"Enqueueing periodic task {DIARY_TASK}") for log in logs.values()]
    assert queued == [1, 1], logs
    assert sum(map(_diary_runs_done, logs.values())) == 2, logs
    assert _reminders_sent(tmp_path) == 1

"""`python -m schooldesk.core.tests.huey_at 2026-01-05T10:15 [run_huey options]`: manage.py run_huey, with the
scheduler checking the periodic jobs as at that time (UTC) instead of now. A test then sees a quarter-hour's jobs
(the diary reminders) queued as the worker starts rather than waiting up to fifteen minutes for one. Only the
time handed to Huey's read_periodic moves; the consumer, its scheduler and the jobs are the real ones."""

import datetime
import os
import sys

from huey.api import Huey


def main() -> None:
    at = datetime.datetime.fromisoformat(sys.argv[1])
    read_periodic = Huey.read_periodic
    Huey.read_periodic = lambda self, timestamp=None: read_periodic(self, at)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["manage.py", "run_huey", *sys.argv[2:]])


if __name__ == "__main__":
    main()

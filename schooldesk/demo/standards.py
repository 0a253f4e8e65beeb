"""Demo scheduled checks (after schooldesk/demo/schools.py, whose schools get the starter schedule): the checks
due since the start of the school year, most done with a note; Riverside's restore test this term and a weekly
backup check are left missed, so the standards page and the owner's dashboard have something to say.
`manage.py demo_seed` calls `standards_demo(demo)`."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from schooldesk.core.calendar import LONDON
from schooldesk.standards.choices import CheckKind, CheckStatus
from schooldesk.standards.models import CheckItem
from schooldesk.standards.services import check_complete, checks_create_due, checks_setup_defaults


def standards_demo(demo, *, today: date | None = None) -> None:
    today = today or timezone.localdate()
    start = date(today.year if today.month >= 9 else today.year - 1, 9, 1)
    for key, school in demo.schools.items():
        checks_setup_defaults(school=school)
        checks_create_due(today=today, since=start, school_ids=[school.pk])
        items = CheckItem.objects.filter(school=school, status=CheckStatus.DUE).select_related("rule")
        for n, item in enumerate(items):
            recent = item.due_on >= today - timedelta(days=60)
            if key == "riverside" and recent and (item.rule.kind == CheckKind.RESTORE_TEST or n % 5 == 0):
                continue  # left missed for the demo
            check_complete(
                item=item,
                by=None,
                note="Done as planned; nothing out of the ordinary.",
                answers=[(step, True) for step in item.rule.step_list],
            )
            # done on the day it was due (every third one a couple of school days late), not on the day the demo
            # was loaded: the lists, the standards page and the review read a year of history
            done_on = min(item.due_on + timedelta(days=2 if n % 3 == 0 else 0), today)
            CheckItem.objects.filter(pk=item.pk).update(done_at=datetime.combine(done_on, time(10, 30), tzinfo=LONDON))

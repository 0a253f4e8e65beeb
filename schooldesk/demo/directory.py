"""Demo directory sync (after schooldesk/demo/schools.py): Oakfield's staff in Microsoft 365, with last night's
finished report (people added, changed, left alone and why, a leaver deactivated, a role given), so the Directory
sync pages have something to show. Nothing is fetched: the connection holds no secret and is not synced every
night (a demo has no tenant to reach). `manage.py demo_seed` calls `directory_demo(demo)`."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from schooldesk.directory.choices import ChangeKind, Provider, RunStatus, Subject, Trigger
from schooldesk.directory.models import Change, Connection, Link, Run

MAPPING = "Office = spoc\nICT = technician\nTeachers = reporter\nSenior leadership = viewer"


def directory_demo(demo, *, now=None) -> Connection:
    now = now or timezone.now()
    school, people = demo.schools["oakfield"], demo.people["oakfield"]
    roles = people.by_role
    connection = Connection.objects.create(
        school=school,
        name="Staff in Microsoft 365",
        provider=Provider.MICROSOFT,
        tenant="oakfield-primary.onmicrosoft.com",
        client_id="00000000-0000-0000-0000-000000000000",
        role_mapping=MAPPING,
        sync_pupils=False,
        is_active=False,
        created_by=roles["owner"],
    )
    started = (now - timedelta(days=1)).replace(hour=2, minute=0, second=0, microsecond=0)
    run = Run(
        connection=connection,
        trigger=Trigger.NIGHTLY,
        started_at=started,
        finished_at=started + timedelta(seconds=14),
        status=RunStatus.DONE,
    )
    staff = people.staff
    added, changed = staff[0], staff[1]
    rows = [  # as the sync writes them (schooldesk/directory/sync.py)
        (
            ChangeKind.ADDED,
            str(added),
            {"first name": ["", added.first_name], "last name": ["", added.last_name], "email": ["", added.email]},
            "",
        ),
        (ChangeKind.ROLE_GRANTED, str(added), {"role": "reporter"}, "from the directory's groups"),
        (ChangeKind.CHANGED, str(changed), {"job title": [changed.job_title or "Teacher", "Year 4 teacher"]}, ""),
        (
            ChangeKind.LEFT_ALONE,
            str(roles["owner"]),
            {"job title": ["School business manager", roles["owner"].job_title]},
            "changed by hand on the desk: the desk's value is kept",
        ),
        (ChangeKind.DEACTIVATED, "Jordan Hale", {}, "no longer in the directory"),
    ]
    counts = {
        ChangeKind.ADDED: "added",
        ChangeKind.CHANGED: "changed",
        ChangeKind.LEFT_ALONE: "left_alone",
        ChangeKind.DEACTIVATED: "deactivated",
    }
    for kind, _label, _fields, _reason in rows:
        if kind in counts:
            setattr(run, counts[kind], getattr(run, counts[kind]) + 1)
    run.save()
    Change.objects.bulk_create(
        [
            Change(run=run, kind=kind, subject=Subject.STAFF, label=label, fields=fields, reason=reason)
            for kind, label, fields, reason in rows
        ]
    )
    Link.objects.bulk_create(
        [
            Link(
                connection=connection,
                provider_id=f"demo-{person.username}",
                user=person,
                synced={"first_name": person.first_name, "last_name": person.last_name},
            )
            for person in (added, changed)
        ]
    )
    Connection.objects.filter(pk=connection.pk).update(last_run_at=run.finished_at)
    return connection

"""School A's directory connection, a kept report with a change and a room, for the tenancy walk
(schooldesk/core/tests/test_tenancy.py). The providers' addresses point at a closed port in tests (settings), so
the form walk's "Test the connection" and "Sync now" fail quickly and say so."""

from django.utils import timezone

from schooldesk.directory.choices import ChangeKind, Provider, RunStatus, Subject, Trigger
from schooldesk.directory.models import Change, Connection, Room, Run

SECTION = "directory"
PK = "directory_connection"
PARAMS = {"run_pk": "directory_run", "room_pk": "directory_room"}


def build(cast, secret):
    connection = Connection.objects.create(
        school=cast.school,
        name=f"{secret} staff directory",
        provider=Provider.WONDE,
        tenant="A1234567890",
        secret=f"{secret}-token",
        role_mapping="* = reporter",
        created_by=cast.owner,
    )
    run = Run.objects.create(
        connection=connection,
        trigger=Trigger.ON_DEMAND,
        started_at=timezone.now(),
        finished_at=timezone.now(),
        status=RunStatus.DONE,
        added=1,
    )
    Change.objects.create(
        run=run,
        kind=ChangeKind.ADDED,
        subject=Subject.PUPIL,
        label=f"{secret} Pupil",
        fields={"year group": ["", "Year 3"]},
    )
    room = Room.objects.create(run=run, provider_id="R1", name=f"{secret} music room")
    return {"directory_connection": connection, "directory_run": run, "directory_room": room}

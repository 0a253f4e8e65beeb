"""School A's device console, a run and its report for the tenancy walk (schooldesk/core/tests/test_tenancy.py).
Its address is a closed port on loopback, so the walk's "Sync now" and "Test the connection" fail fast."""

import json

from django.utils import timezone

from schooldesk.assets.tests.factories import AssetFactory
from schooldesk.devicesync.choices import LineKind, RunStatus
from schooldesk.devicesync.models import ConsoleConnection, DeviceLink, SyncLine, SyncRun

SECTION = "devicesync"
PK = "console"
PARAMS = {"run_pk": "console_run"}
KEY = json.dumps({"client_email": "sync@walk.iam.gserviceaccount.com", "private_key": "-----BEGIN PRIVATE KEY-----"})


def build(cast, secret):
    connection = ConsoleConnection.objects.create(
        school=cast.school,
        name=f"{secret} Chromebooks",
        kind="google",
        base_url="http://127.0.0.1:9",
        credentials=KEY,
        admin_email="admin@oak.example",
        created_by=cast.owner,
    )
    asset = AssetFactory(school=cast.school, tag=f"{secret}-CB1", serial=f"{secret}SERIAL")
    DeviceLink.objects.create(
        school=cast.school,
        asset=asset,
        connection=connection,
        console_id=f"{secret}-dev",
        os_version="120.0",
        gone_since=timezone.now(),
    )
    run = SyncRun.objects.create(
        connection=connection,
        status=RunStatus.DONE,
        started_at=timezone.now(),
        finished_at=timezone.now(),
        seen=1,
        gone=1,
    )
    SyncLine.objects.create(
        run=run, kind=LineKind.GONE, school=cast.school, asset=asset, device=f"{secret}SERIAL", detail=f"{secret}-CB1"
    )
    return {"console": connection, "console_run": run}

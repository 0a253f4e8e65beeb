"""School A's subject access request and retention schedule for the tenancy walk
(schooldesk/core/tests/test_tenancy.py): the request (asked by someone carrying the secret) is about the cast's
reporter, so its page lists records to exempt for the form walk; the schedule's log names an item carrying it."""

import datetime

from django.utils import timezone

from schooldesk.privacy.models import RetentionPolicy, RetentionRun
from schooldesk.privacy.services import sar_create, sar_subject_set

SECTION = "privacy"
PK = "subject_access_request"
PARAMS = {"school_pk": "school"}


def build(cast, secret):
    sar = sar_create(
        school=cast.school,
        by=cast.dpo,
        requested_by=f"{secret} parent",
        subject_name=f"{secret} pupil",
        subject_email="pupil@oak.example",
        received_on=timezone.localdate() - datetime.timedelta(days=3),
    )
    sar = sar_subject_set(request=sar, by=cast.dpo, user=cast.reporter)  # their account and calls: items to exempt
    RetentionPolicy.objects.create(school=cast.school, closed_call_days=3000)
    RetentionRun.objects.create(
        school=cast.school, ran_at=timezone.now(), counts={"audit": 1}, items={"audit": [f"{secret} entry"]}
    )
    return {"subject_access_request": sar}

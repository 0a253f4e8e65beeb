"""School A's diary objects for the tenancy walk (schooldesk/core/tests/test_tenancy.py).
The calendar feed's address is walked with a wrong token (school A's SPOC's id twice): refused."""

from datetime import timedelta

from django.utils import timezone

from schooldesk.diary.models import DiaryEntry, Payment
from schooldesk.diary.services import entry_save, payment_save
from schooldesk.incidents.services import incident_assign, incident_triage
from schooldesk.incidents.tests.factories import IncidentFactory

SECTION = "diary"
PK = "diary_entry"
PARAMS = {
    "call_pk": "visit_call",
    "payment_pk": "payment",
    "user_pk": "feed_user",
    "token": "feed_user",
    "contract_pk": "contract",
}

API = {"diary-entries": "diary_entry", "payments": "payment"}  # what <pk> means under /api/v1/<name>/


def build(cast, secret):
    now = timezone.now()
    entry = entry_save(
        entry=DiaryEntry(
            school=cast.school,
            kind="visit",
            title=f"{secret} visit",
            person=cast.technician,
            starts_at=now + timedelta(days=1),
            ends_at=now + timedelta(days=1, hours=3),
        ),
        by=cast.spoc,
    )
    call = IncidentFactory(school=cast.school, by=cast.reporter, summary=f"{secret} visit call")
    call = incident_triage(incident=call, by=cast.spoc, version=call.version, category=None, impact="I3", urgency="U3")
    call = incident_assign(incident=call, by=cast.spoc, version=call.version, next_visit=True)
    payment = payment_save(
        payment=Payment(
            school=cast.school,
            supplier=cast.supplier,
            category="hardware",
            description=f"{secret} payment",
            amount=100,
            due_on=now.date(),
        ),
        by=cast.spoc,
    )
    return {"diary_entry": entry, "visit_call": call, "payment": payment, "feed_user": cast.spoc}

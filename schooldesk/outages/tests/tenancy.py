"""School A's outages and approvals for the tenancy walk (schooldesk/core/tests/test_tenancy.py)."""

from schooldesk.incidents.models import Category
from schooldesk.incidents.services import incident_triage
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.outages.models import CallApproval
from schooldesk.outages.services import outage_declare

SECTION = "outages"
PK = "outage"
PARAMS = {"approval_pk": "approval", "category_pk": "approval_category", "incident_pk": "incident"}


def build(cast, secret):
    outage = outage_declare(
        by=cast.spoc, schools=[cast.school], title=f"{secret} Wi-Fi down", advice=f"{secret} use the wired room"
    )
    call = IncidentFactory(school=cast.school, by=cast.reporter, summary=f"{secret} no internet in class")
    category = Category.objects.create(school=cast.school, name=f"{secret} purchases", needs_approval=True)
    cast.school.approver = cast.owner
    cast.school.save(update_fields=["approver"])
    request = IncidentFactory(school=cast.school, by=cast.reporter, kind="request", summary=f"{secret} new visualiser")
    incident_triage(
        incident=request, by=cast.spoc, version=request.version, category=category, impact="I3", urgency="U2"
    )
    return {
        "outage": outage,
        "approval": CallApproval.objects.get(incident=request),
        "approval_category": category,
        "outage_call": call,
    }

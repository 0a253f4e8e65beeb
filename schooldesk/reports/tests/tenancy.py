"""School A's report figures for the tenancy walk (schooldesk/core/tests/test_tenancy.py): a call this term in a
place, a problem and a change carrying the secret, all of which the service report and the dashboards show; and
audit entries of the school and of its organisation (a supplier's), which the audit trail shows."""

from schooldesk.changes.tests.factories import ChangeFactory
from schooldesk.core.models import AuditEntry
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.locations.models import Location
from schooldesk.problems.tests.factories import ProblemFactory

SECTION = "reports"
PK = "report_call"


def build(cast, secret):
    room = Location.objects.create(school=cast.school, name=f"{secret} report room")
    call = IncidentFactory(
        school=cast.school, by=cast.reporter, location=room, summary=f"{secret} report call", device=f"{secret}-PC"
    )
    IncidentFactory(school=cast.school, by=cast.reporter, location=room, device=f"{secret}-PC")
    AuditEntry.objects.create(
        school=cast.school,
        organisation=cast.school.organisation,
        actor=cast.spoc,
        action="update",
        object_type="location",
        object_id=str(room.pk),
        object_label=f"{secret} report room",
        summary=f"{secret} location saved",
    )
    AuditEntry.objects.create(
        organisation=cast.school.organisation,
        actor=cast.spoc,
        action="update",
        object_type="supplier",
        object_id=str(cast.supplier.pk),
        object_label=f"{secret} supplier",
        summary=f"{secret} supplier saved",
    )
    return {
        "report_call": call,
        "report_problem": ProblemFactory(school=cast.school, title=f"{secret} problem"),
        "report_change": ChangeFactory(school=cast.school, by=cast.spoc, title=f"{secret} change"),
    }

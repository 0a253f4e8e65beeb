"""School A's incident objects for the tenancy walk (schooldesk/core/tests/test_tenancy.py)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from schooldesk.incidents.models import Category, SavedView
from schooldesk.incidents.services import incident_escalate, incident_triage
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.locations.models import Location

SECTION = "incidents"
PK = "incident"
PARAMS = {"attachment_pk": "attachment", "category_pk": "category", "view_pk": "saved_view"}


def build(cast, secret):
    location = Location.objects.create(school=cast.school, name=f"{secret} call room")
    png = SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n0000", content_type="image/png")
    incident = IncidentFactory(school=cast.school, by=cast.reporter, location=location, summary=f"{secret} call",
                               files=[png])
    incident = incident_triage(incident=incident, by=cast.spoc, version=incident.version, category=None, impact="I3",
                               urgency="U2")
    incident = incident_escalate(incident=incident, by=cast.spoc, version=incident.version, supplier=cast.supplier,
                                 reference="REF1")
    category = Category.objects.create(school=cast.school, name=f"{secret} category")
    saved_view = SavedView.objects.create(user=cast.spoc, name=f"{secret} view", query=f"q={secret}")
    return {"incident": incident, "attachment": incident.attachments.get(), "category": category,
            "saved_view": saved_view}

"""School A's incident objects for the tenancy walk (schooldesk/core/tests/test_tenancy.py)."""

from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile

from schooldesk.incidents.models import Category, SavedView
from schooldesk.incidents.services import (
    incident_escalate,
    incident_resolve,
    incident_triage,
    satisfaction_token,
)
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.locations.models import Location

SECTION = "incidents"
PK = "incident"
PARAMS = {
    "attachment_pk": "attachment",
    "category_pk": "category",
    "view_pk": "saved_view",
    "rating_token": "rating_link",
}


def build(cast, secret):
    location = Location.objects.create(school=cast.school, name=f"{secret} call room")
    png = SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n0000", content_type="image/png")
    incident = IncidentFactory(
        school=cast.school, by=cast.reporter, location=location, summary=f"{secret} call", files=[png]
    )
    incident = incident_triage(
        incident=incident, by=cast.spoc, version=incident.version, category=None, impact="I3", urgency="U2"
    )
    incident = incident_escalate(
        incident=incident, by=cast.spoc, version=incident.version, supplier=cast.supplier, reference="REF1"
    )
    category = Category.objects.create(school=cast.school, name=f"{secret} category")
    saved_view = SavedView.objects.create(user=cast.spoc, name=f"{secret} view", query=f"q={secret}")
    # a resolved call's one-click rating link (its "pk" is the signed token the walk puts in the address)
    resolved = IncidentFactory(school=cast.school, by=cast.reporter, location=location, summary=f"{secret} fixed call")
    resolved = incident_resolve(
        incident=resolved, by=cast.technician, version=resolved.version, resolution=f"{secret} resolution"
    )
    # (no model behind it: `_meta` says it holds no fields, for the walks that look for stored files)
    rating_link = SimpleNamespace(
        pk=satisfaction_token(incident=resolved, rating="good"), _meta=SimpleNamespace(concrete_fields=())
    )
    return {
        "incident": incident,
        "attachment": incident.attachments.get(),
        "category": category,
        "rating_link": rating_link,
        "saved_view": saved_view,
    }

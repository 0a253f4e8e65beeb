"""The call page's place to record when the supplier responded and fixed it: the SPOC or technician fills in
the form as the page renders it; the service refuses times that cannot be right and writes the timeline."""

from datetime import datetime
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from schooldesk.core.calendar import LONDON
from schooldesk.incidents.choices import UpdateKind
from schooldesk.incidents.models import Incident
from schooldesk.incidents.services import incident_escalate
from schooldesk.incidents.tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db
SECTION = "When the supplier responded and fixed it"


class _Forms(HTMLParser):
    """Each form of a page: its action and the values its fields would send as rendered."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action"), "fields": {}})
        elif tag == "input" and self.forms and attrs.get("name"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value") or ""


def supplier_times_form(page: str) -> dict:
    parser = _Forms()
    parser.feed(page)
    [form] = [f for f in parser.forms if f["action"].endswith("/supplier-times/")]
    return form


def escalated_call(cast, summary="Server will not boot"):
    incident = IncidentFactory(school=cast.school, by=cast.reporter, summary=summary)
    incident = incident_escalate(
        incident=incident, by=cast.spoc, version=incident.version, supplier=cast.supplier, reference="OAK-4411"
    )
    Incident.objects.filter(pk=incident.pk).update(escalated_at=datetime(2026, 11, 9, 8, 30, 20, tzinfo=LONDON))
    return incident


def test_the_spoc_records_when_the_supplier_responded_and_fixed_it(cast, login):
    incident = escalated_call(cast)
    client = login(cast.spoc)
    page = client.get(reverse("incidents:incident_detail", args=[incident.pk])).content.decode()
    assert SECTION in page and 'type="datetime-local"' in page
    form = supplier_times_form(page)
    assert set(form["fields"]) == {"csrfmiddlewaretoken", "form_token", "version", "responded_at", "fixed_at"}
    # The browser's date and time picker sends ISO times, to the minute; the response in the minute of the
    # escalation (08:30 against 08:30:20) is not "before" it.
    response = client.post(
        form["action"], {**form["fields"], "responded_at": "2026-11-09T08:30", "fixed_at": "2026-11-10T14:15"}
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.supplier_responded_at == datetime(2026, 11, 9, 8, 30, tzinfo=LONDON)
    assert incident.supplier_fixed_at == datetime(2026, 11, 10, 14, 15, tzinfo=LONDON)
    page = client.get(response["Location"]).content.decode()
    assert "The supplier&#x27;s times are recorded." in page
    assert "Supplier responded 09/11/2026 08:30" in page and "Supplier fixed it 10/11/2026 14:15" in page
    note = incident.updates.filter(kind=UpdateKind.NOTE).latest("pk")
    assert note.body == "Oak Support Ltd responded at 09/11/2026 08:30; fixed it at 10/11/2026 14:15."
    assert note.author == cast.spoc and not note.is_public and note.body in page
    # The form now shows what was recorded, so a later correction starts from it.
    assert supplier_times_form(page)["fields"]["fixed_at"] == "2026-11-10T14:15"


def test_the_technician_records_the_response_first_and_the_fix_later_typed_as_a_date(cast, login):
    incident = escalated_call(cast)
    client = login(cast.technician)
    form = supplier_times_form(client.get(reverse("incidents:incident_detail", args=[incident.pk])).content.decode())
    assert client.post(form["action"], {**form["fields"], "responded_at": "09/11/2026 10:05"}).status_code == 302
    incident.refresh_from_db()
    assert (incident.supplier_responded_at, incident.supplier_fixed_at) == (
        datetime(2026, 11, 9, 10, 5, tzinfo=LONDON),
        None,
    )
    form = supplier_times_form(client.get(reverse("incidents:incident_detail", args=[incident.pk])).content.decode())
    assert form["fields"]["responded_at"] == "2026-11-09T10:05"
    assert client.post(form["action"], {**form["fields"], "fixed_at": "2026-11-11T09:00"}).status_code == 302
    incident.refresh_from_db()
    assert incident.supplier_fixed_at == datetime(2026, 11, 11, 9, 0, tzinfo=LONDON)
    assert incident.supplier_responded_at == datetime(2026, 11, 9, 10, 5, tzinfo=LONDON)
    assert incident.updates.filter(body="Oak Support Ltd fixed it at 11/11/2026 09:00.").exists()


@pytest.mark.parametrize(
    "sent, field, message",
    [
        (
            {"responded_at": "2026-11-09T08:29"},
            "responded_at",
            "That is before the call was escalated to Oak Support Ltd (09/11/2026 08:30).",
        ),
        (
            {"responded_at": "2026-11-10T09:00", "fixed_at": "2026-11-09T16:00"},
            "fixed_at",
            "The fix cannot come before the response (10/11/2026 09:00).",
        ),
        ({"fixed_at": "2099-01-01T09:00"}, "fixed_at", "That is in the future."),
        ({}, None, "Nothing changed: give the time the supplier responded or fixed it."),
    ],
)
def test_times_that_cannot_be_right_are_refused_and_what_was_typed_is_kept(cast, login, sent, field, message):
    incident = escalated_call(cast)
    client = login(cast.spoc)
    form = supplier_times_form(client.get(reverse("incidents:incident_detail", args=[incident.pk])).content.decode())
    response = client.post(form["action"], {**form["fields"], **sent})
    assert response.status_code == 400
    page = response.content.decode()
    assert message.replace("'", "&#x27;") in page
    for value in sent.values():
        assert f'value="{value}"' in page
    if field:
        assert f'id="id_supplier_times_{field}"' in page and 'aria-invalid="true"' in page
    assert '<details class="card mb-2" open id="action-supplier_times">' in " ".join(page.split())  # however wrapped
    incident.refresh_from_db()
    assert (incident.supplier_responded_at, incident.supplier_fixed_at, incident.version) == (None, None, 2)


def test_only_an_escalated_call_offers_the_form_and_only_to_the_desk_and_technicians(cast, login):
    plain = IncidentFactory(school=cast.school, by=cast.reporter, summary="Mouse missing")
    page = login(cast.spoc).get(reverse("incidents:incident_detail", args=[plain.pk])).content.decode()
    assert SECTION not in page
    response = login(cast.spoc).post(
        reverse("incidents:incident_supplier_times", args=[plain.pk]),
        {"version": plain.version, "responded_at": "2026-11-09T09:00"},
    )
    assert response.status_code == 400 and "has not been escalated to a supplier" in response.content.decode()

    incident = escalated_call(cast)
    for person in (cast.reporter, cast.provider):
        page = login(person).get(reverse("incidents:incident_detail", args=[incident.pk])).content.decode()
        assert SECTION not in page
        response = login(person).post(
            reverse("incidents:incident_supplier_times", args=[incident.pk]),
            {"version": 2, "responded_at": "2026-11-09T09:00"},
        )
        assert response.status_code == 403
    incident.refresh_from_db()
    assert incident.supplier_responded_at is None


def test_escalating_again_starts_the_suppliers_clock_again(cast, login):
    from schooldesk.incidents.services import incident_record_supplier_times
    from schooldesk.suppliers.models import Supplier

    incident = escalated_call(cast)
    incident = incident_record_supplier_times(
        incident=incident,
        by=cast.spoc,
        version=incident.version,
        responded_at=datetime(2026, 11, 9, 9, 0, tzinfo=LONDON),
        fixed_at=datetime(2026, 11, 9, 16, 0, tzinfo=LONDON),
    )
    broadband = Supplier.objects.create(organisation=cast.school.organisation, name="Oak Broadband")
    client = login(cast.spoc)
    page = client.get(reverse("incidents:incident_detail", args=[incident.pk])).content.decode()
    assert "Supplier fixed it 09/11/2026 16:00" in page
    response = client.post(
        reverse("incidents:incident_escalate", args=[incident.pk]),
        {"version": incident.version, "supplier": broadband.pk, "reference": "BB-77", "note": "Line fault"},
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert (incident.supplier, incident.supplier_responded_at, incident.supplier_fixed_at) == (broadband, None, None)
    page = client.get(reverse("incidents:incident_detail", args=[incident.pk])).content.decode()
    assert "Supplier fixed it" not in page and supplier_times_form(page)["fields"]["fixed_at"] == ""

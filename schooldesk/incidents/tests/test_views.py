"""The incident pages as people use them: forms keep what was typed, actions go through services."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from schooldesk.incidents.models import Incident
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.locations.models import Location

pytestmark = pytest.mark.django_db


def test_reporter_logs_a_call_and_sees_it(cast, login):
    client = login(cast.reporter)
    page = client.get(reverse("incidents:incident_create"))
    assert page.status_code == 200
    location = Location.objects.get(school=cast.school, name="ICT suite")
    response = client.post(
        reverse("incidents:incident_create"),
        {
            "kind": "incident",
            "summary": "Printer in the ICT suite jams",
            "location": location.pk,
            "reporter_availability": "Room 4 until 3pm",
            "happened_before": "",
        },
    )
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "incidents:incident_detail", args=[incident.pk]
    )
    assert incident.reported_by == cast.reporter and incident.status == "new" and incident.response_due_at
    detail = client.get(response["Location"])
    assert detail.status_code == 200
    assert incident.reference.encode() in detail.content and b"Printer in the ICT suite jams" in detail.content


def test_report_form_keeps_what_was_typed_on_error(cast, login):
    client = login(cast.reporter)
    response = client.post(
        reverse("incidents:incident_create"),
        {
            "kind": "incident",
            "summary": "",
            "location": "",
            "reporter_availability": "Library after lunch",
            "expected": "It prints",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Library after lunch" in html and "It prints" in html
    assert 'aria-invalid="true"' in html
    assert Incident.objects.count() == 0


def test_refused_attachment_keeps_the_rest_of_the_form(cast, login):
    client = login(cast.reporter)
    location = Location.objects.filter(school=cast.school).first()
    bad = SimpleUploadedFile("virus.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    response = client.post(
        reverse("incidents:incident_create"),
        {
            "kind": "incident",
            "summary": "Panel flickers",
            "location": location.pk,
            "attachment": bad,
        },
    )
    assert response.status_code == 400
    assert "not a file type we accept" in response.content.decode()
    assert "Panel flickers" in response.content.decode()
    assert Incident.objects.count() == 0


def test_other_schools_location_cannot_be_chosen(cast, other, login):
    client = login(cast.reporter)
    foreign = Location.objects.filter(school=other.school).first()
    response = client.post(
        reverse("incidents:incident_create"),
        {
            "kind": "incident",
            "summary": "x",
            "location": foreign.pk,
        },
    )
    assert response.status_code == 400 and Incident.objects.count() == 0


def test_spoc_logs_a_call_for_a_caller_with_triage(cast, login):
    client = login(cast.spoc)
    location = Location.objects.filter(school=cast.school).first()
    response = client.post(
        reverse("incidents:incident_create") + "?for=caller",
        {
            "kind": "incident",
            "summary": "Whole school internet down",
            "location": location.pk,
            "reporter_name": "Mr Patel (caretaker)",
            "reporter_contact": "ext 204",
            "channel": "phone",
            "impact": "I1",
            "urgency": "U1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    incident = Incident.objects.get()
    assert (
        incident.priority == "P1" and incident.reporter_name == "Mr Patel (caretaker)" and incident.channel == "phone"
    )
    assert incident.logged_by == cast.spoc and incident.reported_by is None


def test_triage_forward_resolve_confirm_through_the_pages(cast, login, client):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    url = lambda action: reverse(f"incidents:incident_{action}", args=[incident.pk])  # noqa: E731
    login(cast.spoc)
    assert (
        client.post(
            url("triage"), {"version": 1, "impact": "I2", "urgency": "U1", "priority": "", "reason": ""}
        ).status_code
        == 302
    )
    incident.refresh_from_db()
    assert incident.status == "open" and incident.priority == "P2"
    assert (
        client.post(url("assign"), {"version": incident.version, "technician": cast.technician.pk}).status_code == 302
    )
    login(cast.technician)
    incident.refresh_from_db()
    assert (
        client.post(url("resolve"), {"version": incident.version, "resolution": "Replaced the HDMI cable"}).status_code
        == 302
    )
    login(cast.reporter)
    page = client.get(reverse("incidents:incident_detail", args=[incident.pk])).content.decode()
    assert "Replaced the HDMI cable" in page and "Yes, it is fixed" in page
    assert client.post(url("confirm"), {"satisfaction": "good"}).status_code == 302
    incident.refresh_from_db()
    assert incident.status == "closed" and incident.satisfaction == "good"


def test_stale_form_gets_a_conflict_and_keeps_input(cast, login, client):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    login(cast.spoc)
    client.post(
        reverse("incidents:incident_triage", args=[incident.pk]), {"version": 1, "impact": "I3", "urgency": "U2"}
    )
    response = client.post(
        reverse("incidents:incident_resolve", args=[incident.pk]),
        {"version": 1, "resolution": "Rebooted the switch in the comms room"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Someone else changed this call" in html and "Rebooted the switch in the comms room" in html
    incident.refresh_from_db()
    assert incident.status == "open"


def test_reporter_cannot_triage(cast, login):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    client = login(cast.reporter)
    response = client.post(
        reverse("incidents:incident_triage", args=[incident.pk]), {"version": 1, "impact": "I1", "urgency": "U1"}
    )
    assert response.status_code == 403
    incident.refresh_from_db()
    assert incident.priority == "P4"


def test_reporter_does_not_see_internal_notes(cast, login, client):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    login(cast.technician)
    client.post(reverse("incidents:incident_reply", args=[incident.pk]), {"body": "Suspect the PSU", "is_public": ""})
    client.post(
        reverse("incidents:incident_reply", args=[incident.pk]), {"body": "I will come at 2pm", "is_public": "on"}
    )
    login(cast.reporter)
    html = client.get(reverse("incidents:incident_detail", args=[incident.pk])).content.decode()
    assert "I will come at 2pm" in html and "Suspect the PSU" not in html


def test_attachment_is_served_as_a_download_only_to_those_who_may_see_it(cast, other, login, client):
    png = SimpleUploadedFile("screen.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, content_type="image/png")
    incident = IncidentFactory(school=cast.school, by=cast.reporter, files=[png])
    attachment = incident.attachments.get()
    url = reverse("incidents:attachment_download", args=[incident.pk, attachment.pk])
    login(cast.reporter)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/octet-stream"
    login(other.spoc)
    assert client.get(url).status_code == 404


def test_list_filters_by_reference_and_text(cast, login):
    first = IncidentFactory(school=cast.school, by=cast.reporter, summary="Visualiser will not focus")
    IncidentFactory(school=cast.school, by=cast.reporter, summary="Wi-Fi drops in the hall")
    client = login(cast.spoc)
    html = client.get(reverse("incidents:incident_list"), {"q": first.reference}).content.decode()
    assert "Visualiser will not focus" in html and "Wi-Fi drops" not in html
    html = client.get(reverse("incidents:incident_list"), {"q": "wi-fi hall"}).content.decode()
    assert "Wi-Fi drops in the hall" in html and "Visualiser" not in html


def test_list_htmx_request_returns_only_what_goes_inside_the_results(cast, login):
    call = IncidentFactory(school=cast.school, by=cast.reporter)
    client = login(cast.spoc)
    page = client.get(reverse("incidents:incident_list")).content.decode()
    assert page.count('id="results"') == 1
    response = client.get(reverse("incidents:incident_list"), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert call.reference in html and "<html" not in html
    # htmx swaps this into #results: a second #results inside it would nest on every filter change.
    assert 'id="results"' not in html


def test_triage_page_shows_new_calls(cast, login):
    IncidentFactory(school=cast.school, by=cast.reporter, summary="Phones dead in the office")
    html = login(cast.spoc).get(reverse("incidents:triage")).content.decode()
    assert "Phones dead in the office" in html


def test_triage_page_refused_to_reporter(cast, login):
    assert login(cast.reporter).get(reverse("incidents:triage")).status_code == 403

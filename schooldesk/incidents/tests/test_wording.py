"""What people read about a call: the timeline and the emails say what happened in the school's words,
never a field name, and the reporter hears about one save in one email."""

import re
from html import unescape

import pytest
from django.core import mail
from django.urls import reverse

from schooldesk.incidents.models import IncidentUpdate, change_sentence
from schooldesk.incidents.services import incident_reopen, incident_resolve
from schooldesk.incidents.tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db
FIELD_NAMES = ("assigned_to", "supplier_reference", "escalated_to", "next_visit", "status:", "→")


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.fixture
def mailed(django_capture_on_commit_callbacks):
    def _mailed():
        mail.outbox.clear()
        return django_capture_on_commit_callbacks(execute=True)

    return _mailed


def test_a_one_school_spoc_reads_the_timeline_in_words(cast, login, client, mailed):
    cast.technician.first_name, cast.technician.last_name = "Tom", "Hargreaves"
    cast.technician.save()
    cast.supplier.name = "Classroom Technology Direct"
    cast.supplier.save()
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    url = lambda action: reverse(f"incidents:incident_{action}", args=[incident.pk])  # noqa: E731
    login(cast.spoc)
    client.post(url("triage"), {"version": 1, "impact": "I2", "urgency": "U1", "priority": "", "reason": ""})
    incident.refresh_from_db()
    client.post(url("assign"), {"version": incident.version, "technician": cast.technician.pk})
    incident.refresh_from_db()
    response = client.post(
        url("escalate"),
        {
            "version": incident.version,
            "supplier": cast.supplier.pk,
            "reference": "CTD-884213",
            "note": "Panel will not power on",
        },
    )
    assert response.status_code == 302
    page = _text(client.get(reverse("incidents:incident_detail", args=[incident.pk])).content.decode())
    assert "Status: Open (triaged)" in page
    assert "Forwarded to Tom Hargreaves" in page
    assert "Escalated to Classroom Technology Direct (their ref CTD-884213)" in page
    assert "Status: With second-level provider" in page
    assert not [name for name in FIELD_NAMES if name in page]
    # the technician stays first level; only the supplier is second level
    assert "First level: Tom Hargreaves" in page
    assert "Second level: Classroom Technology Direct (their ref CTD-884213 )" in page  # the ref is bold
    assert "Second level: Tom" not in page


def test_the_reporter_reads_one_email_per_save_in_words(cast, mailed):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    incident = incident_resolve(
        incident=incident, by=cast.spoc, version=incident.version, resolution="Restarted the switch"
    )
    with mailed():  # the desk reopens it: a reopening and a change of status, told in one email
        incident_reopen(incident=incident, by=cast.spoc, reason="Still no network in Class 4")
    [email] = [m for m in mail.outbox if m.to == [cast.reporter.email]]
    assert "Still no network in Class 4" in email.body
    assert "Status: Open (triaged)" in email.body
    assert not [name for name in FIELD_NAMES if name in email.body]
    html = _text(email.alternatives[0][0])
    assert "Still no network in Class 4" in html and "Status: " in html


def test_the_reporter_hears_of_triage_as_a_sentence(cast, login, client, mailed):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    login(cast.spoc)
    with mailed():
        client.post(
            reverse("incidents:incident_triage", args=[incident.pk]),
            {"version": 1, "impact": "I2", "urgency": "U1", "priority": "", "reason": ""},
        )
    [email] = mail.outbox
    assert email.to == [cast.reporter.email]
    assert "Status: Open (triaged)" in email.body and "status:" not in email.body and "→" not in email.body


@pytest.mark.parametrize(
    ("field", "old", "new", "said"),
    [
        ("status", "New", "Open (triaged)", "Status: Open (triaged)"),
        ("assigned_to", "", "Tom Hargreaves", "Forwarded to Tom Hargreaves"),
        ("assigned_to", "–", "Tom Hargreaves (next visit)", "Forwarded to Tom Hargreaves for the next scheduled visit"),
        ("assigned_to", "–", "next scheduled visit", "Forwarded to the next scheduled technician visit"),
        ("next_visit", "Tom Hargreaves", "", "Forwarded to the next scheduled technician visit"),
        (
            "escalated_to",
            "CTD-884213",
            "Classroom Technology Direct",
            "Escalated to Classroom Technology Direct (their ref CTD-884213)",
        ),
        ("escalated_to", "", "Classroom Technology Direct", "Escalated to Classroom Technology Direct"),
        ("supplier", "–", "Classroom Technology Direct", "Escalated to Classroom Technology Direct"),
        ("supplier_reference", "–", "CTD-1", "Supplier's reference: CTD-1"),
        ("supplier_reference", "CTD-1", "CTD-2", "Supplier's reference changed from CTD-1 to CTD-2"),
        ("priority", "P4", "P1", "Priority set to P1 – critical (the matrix suggested P4 – low)"),
        ("workaround", "", "", "Recorded as a workaround; follow-up needed"),
        ("location", "Hall", "Library", "Where: Library (was Hall)"),
    ],
)
def test_every_recorded_change_reads_as_a_sentence(field, old, new, said):
    assert change_sentence(field, old, new) == said
    assert IncidentUpdate(field=field, old_value=old, new_value=new).change_text == said


def test_time_spent_on_the_timeline_reads_as_a_duration(cast, login):
    from schooldesk.incidents.services import incident_reply

    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    incident_reply(incident=incident, by=cast.technician, body="Re-imaged the laptop", minutes_spent=100)
    page = _text(login(cast.spoc).get(reverse("incidents:incident_detail", args=[incident.pk])).content.decode())
    assert "time spent 1 hour 40 minutes" in page and "100 min" not in page

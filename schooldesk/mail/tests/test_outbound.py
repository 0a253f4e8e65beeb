"""Sending: logged on the call, after commit, retried on failure, threaded, never to ourselves, and
only what each person wants; SLA warnings, escalation catch-up and the reminders API."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from schooldesk.incidents.services import incident_escalate, incident_reply, incident_triage
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.mail.choices import NotificationEvent, OutboundStatus, Purpose
from schooldesk.mail.models import OutboundMessage
from schooldesk.mail.notify import escalations_unsent, sla_warnings_send
from schooldesk.mail.outbound import MAX_ATTEMPTS, outbound_retry
from schooldesk.mail.reminders import ReminderKind, reminder_send
from schooldesk.mail.services import preferences_save
from schooldesk.mail.tests.conftest import free_port
from schooldesk.mail.tests.factories import MailboxFactory
from schooldesk.suppliers.models import Supplier

pytestmark = pytest.mark.django_db


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_a_refused_message_is_logged_and_sent_on_a_later_retry(cast, smtp, after_commit):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    smtp.refuse()
    with after_commit():
        incident_reply(incident=incident, by=cast.technician, body="On my way.")
    message = OutboundMessage.objects.get(incident=incident)
    assert (message.status, message.attempts, message.to_address) == (OutboundStatus.FAILED, 1, cast.reporter.email)
    assert "451" in message.last_error and message.next_attempt_at > timezone.now()
    smtp.refuse(False)
    assert outbound_retry() == 0  # still waiting for its back-off
    assert outbound_retry(now=message.next_attempt_at + timedelta(seconds=1)) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (OutboundStatus.SENT, 2, "")
    [sent] = smtp.to(cast.reporter.email)
    # a long Message-ID is folded onto a second line by the mail generator (RFC 5322 allows it): compare the id
    assert sent["Message-ID"].strip() == message.message_id and "On my way." in sent.get_body(("plain",)).get_content()
    assert outbound_retry(now=timezone.now() + timedelta(days=1)) == 0  # sent once only


def test_an_unreachable_server_is_retried_then_given_up(cast, smtp, settings, after_commit):
    settings.EMAIL_PORT = free_port()  # nothing listens there
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    with after_commit():
        incident_reply(incident=incident, by=cast.technician, body="Hello")
    message = OutboundMessage.objects.get()
    for _ in range(MAX_ATTEMPTS - 1):
        outbound_retry(now=message.next_attempt_at + timedelta(seconds=1))
        message.refresh_from_db()
    assert (message.status, message.attempts, message.next_attempt_at) == (OutboundStatus.GIVEN_UP, MAX_ATTEMPTS, None)


def test_messages_to_one_person_about_a_call_form_one_thread(cast, smtp, after_commit):
    MailboxFactory(school=cast.school, address="desk@oak.sch.uk")
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    with after_commit():
        incident_reply(incident=incident, by=cast.technician, body="First")
    with after_commit():
        incident_reply(incident=incident, by=cast.technician, body="Second")
    first, second = smtp.to(cast.reporter.email)
    root = f"<{incident.reference}.{cast.school.pk}@schooldesk.invalid>"
    assert first["In-Reply-To"] == root and second["In-Reply-To"] == first["Message-ID"]
    assert second["References"].split() == [root, first["Message-ID"]]
    assert first["Subject"] == second["Subject"] == f"[{incident.reference}] {incident.summary}"
    assert first["From"] == f"{cast.school.name} ICT desk <desk@oak.sch.uk>" and first["Reply-To"] == "desk@oak.sch.uk"
    assert first["Auto-Submitted"] == "auto-generated" and first["X-Auto-Response-Suppress"] == "All"
    assert first["X-SchoolDesk-Reference"] == incident.reference


def test_a_person_who_switched_updates_off_is_not_emailed_but_still_sees_the_call(cast, smtp, after_commit):
    preferences_save(user=cast.reporter, enabled={NotificationEvent.CALL_UPDATED: False})
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    with after_commit():
        incident_reply(incident=incident, by=cast.technician, body="Update")
    assert smtp.messages == [] and not OutboundMessage.objects.exists()
    preferences_save(user=cast.reporter, enabled={NotificationEvent.CALL_UPDATED: True})
    with after_commit():
        incident_reply(incident=incident, by=cast.technician, body="Again")
    assert len(smtp.to(cast.reporter.email)) == 1


def test_no_email_ever_goes_to_a_desk_address(cast, other, smtp, after_commit):
    other.school.desk_email = "ictdesk@elm.sch.uk"
    other.school.save()
    incident = IncidentFactory(
        school=cast.school, by=cast.spoc, reporter_name="Elm desk", reporter_contact="ictdesk@elm.sch.uk"
    )
    with after_commit():
        incident_reply(incident=incident, by=cast.technician, body="Loop?")
    assert smtp.messages == [] and not OutboundMessage.objects.exists()


def test_a_re_escalation_without_a_change_of_status_is_mailed_at_once(cast, smtp, after_commit):
    broadband = Supplier.objects.create(
        organisation=cast.school.organisation, name="Broadband Co", email="noc@broadband.example"
    )
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    with after_commit():
        incident = incident_escalate(incident=incident, by=cast.spoc, version=1, supplier=cast.supplier)
    assert len(smtp.to(cast.supplier.email)) == 1
    with after_commit():  # already with second level: the escalation entry itself hands us the mail
        incident = incident_escalate(
            incident=incident, by=cast.spoc, version=incident.version, supplier=broadband, reference="BB-1"
        )
    [mailed] = smtp.to("noc@broadband.example")
    assert "BB-1" in mailed.get_body(("plain",)).get_content()
    assert escalations_unsent() == 0  # the safety net finds nothing left to send
    assert len(smtp.to(cast.supplier.email)) == 1


def test_sla_warnings_go_once_per_target_to_people_who_can_see_the_call(cast, smtp):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    incident = incident_triage(incident=incident, by=cast.spoc, version=1, category=None, impact="I1", urgency="U1")
    restricted = IncidentFactory(school=cast.school, by=cast.reporter, summary="Data breach")
    incident_triage(
        incident=restricted, by=cast.owner, version=1, category=None, impact="I1", urgency="U1", is_restricted=True
    )
    cast.school.spoc = cast.spoc
    cast.school.save()
    now = incident.resolve_due_at - timedelta(minutes=30)
    assert sla_warnings_send(now=now) == 1
    [warning] = smtp.to(cast.spoc.email)
    assert warning["Subject"].startswith(f"[{incident.reference}] Resolution due")
    assert "Data breach" not in warning["Subject"]  # the SPOC cannot see a restricted call
    assert sla_warnings_send(now=now + timedelta(minutes=15)) == 0


def test_reminders_respect_preferences_are_sent_once_and_escape_the_body(cast, smtp, after_commit):
    preferences_save(user=cast.owner, enabled={NotificationEvent.REMINDER_CONTRACT: False})
    with after_commit():
        sent = reminder_send(
            school=cast.school,
            kind=ReminderKind.CONTRACT,
            people=[cast.spoc, cast.owner, None],
            subject="Notice due for the broadband contract",
            key="contract:1:notice",
            body="Give notice by 31/01/2027 <b>or</b> it renews.",
            url="/suppliers/",
            due_on=date(2027, 1, 31),
        )
    assert [m.to_address for m in sent] == [cast.spoc.email]
    [mail] = smtp.to(cast.spoc.email)
    assert mail["Auto-Submitted"] == "auto-generated"
    assert "Contract notice date: 31/01/2027" in mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "&lt;b&gt;or&lt;/b&gt;" in html and "http://127.0.0.1:8000/suppliers/" in html
    with after_commit():
        again = reminder_send(
            school=cast.school,
            kind=ReminderKind.CONTRACT,
            people=[cast.spoc],
            subject="Notice due",
            body="Again",
            key="contract:1:notice",
        )
    assert again[0].pk == sent[0].pk and len(smtp.to(cast.spoc.email)) == 1
    with pytest.raises(ValueError):
        reminder_send(school=cast.school, kind="birthday", people=[cast.spoc], subject="x", body="y", key="z")
    assert OutboundMessage.objects.filter(purpose=Purpose.REMINDER).count() == 1

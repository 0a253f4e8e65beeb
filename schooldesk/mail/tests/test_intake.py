"""What an email becomes: every rule of the intake, with the email stored as the poller stores it and
our replies going to the real SMTP server."""

import pytest

from schooldesk.accounts.tests.factories import MembershipFactory, UserFactory
from schooldesk.incidents.choices import IncidentStatus, UpdateKind
from schooldesk.incidents.models import Incident
from schooldesk.incidents.services import incident_escalate, incident_resolve, incident_wait
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.locations.models import Location
from schooldesk.mail.choices import InboundAction, InboundStatus
from schooldesk.mail.intake import inbound_process
from schooldesk.mail.models import InboundMessage
from schooldesk.mail.services import inbound_accept, inbound_retry, inbound_store
from schooldesk.mail.tests.factories import PNG, MailboxFactory, raw_email

pytestmark = pytest.mark.django_db


@pytest.fixture
def receive(django_capture_on_commit_callbacks):
    """Store an email as the poller does and process it, running what happens after commit."""

    def _receive(mailbox, **kwargs):
        raw = kwargs.pop("raw", None) or raw_email(to=kwargs.pop("to", mailbox.address), **kwargs)
        with django_capture_on_commit_callbacks(execute=True):
            message, _stored = inbound_store(mailbox=mailbox, raw=raw)
            return inbound_process(message)

    return _receive


@pytest.fixture
def mailbox(cast):
    return MailboxFactory(school=cast.school, address="desk@oak.sch.uk")


def test_unknown_senders_are_held_and_the_spoc_hears_once_an_hour(cast, mailbox, receive, smtp):
    first = receive(mailbox, sender="parent@families.example", subject="Laptop for the fair")
    second = receive(mailbox, sender="other@families.example", subject="Another")
    assert (first.status, second.status) == (InboundStatus.HELD, InboundStatus.HELD)
    assert "address we do not know" in first.reason and first.school == cast.school
    assert not Incident.objects.exists()
    assert [m["Subject"] for m in smtp.to(cast.spoc.email)] == [f"Email needs your attention: {mailbox.name}"]
    assert not smtp.to("parent@families.example")


def test_an_unknown_sender_becomes_a_caller_when_the_school_accepts_them(cast, mailbox, receive, smtp):
    mailbox.unknown_senders = "accept"
    mailbox.save()
    message = receive(
        mailbox,
        sender="cook@catering.example",
        name="Mrs Patel",
        subject="Till in the hall is dead",
        body="The till will not turn on.",
    )
    incident = message.incident
    assert (incident.reported_by, incident.reporter_name, incident.reporter_contact, incident.channel) == (
        None,
        "Mrs Patel",
        "cook@catering.example",
        "email",
    )
    assert incident.location.name == "Hall" and incident.logged_by is None
    [ack] = smtp.to("cook@catering.example")
    assert ack["In-Reply-To"].strip() == message.message_id  # a long id may be folded
    assert "/incidents/" not in ack.get_body(("plain",)).get_content()  # no account: no link to a page they cannot open

    # The desk waits on her; her reply lands as her public reply, restarts the clock, and is not echoed back to her.
    incident = incident_wait(
        incident=incident, by=cast.spoc, version=incident.version, on="reporter", note="Which till?"
    )
    smtp.clear()
    reply = receive(
        mailbox,
        sender="cook@catering.example",
        name="Mrs Patel",
        subject=f"Re: {ack['Subject']}",
        in_reply_to=ack["Message-ID"],
        body="The one by the door.\n\n> Which till?",
    )
    incident.refresh_from_db()
    assert (reply.status, reply.action, reply.incident) == (InboundStatus.PROCESSED, InboundAction.REPLY, incident)
    assert incident.status == IncidentStatus.OPEN and not incident.is_paused
    said = incident.updates.get(body__contains="The one by the door.")
    assert said.body.startswith("Mrs Patel <cook@catering.example> wrote:") and said.is_public
    assert said.kind == UpdateKind.REPLY and "Which till?" not in said.body
    assert not smtp.to("cook@catering.example")
    assert smtp.to(cast.spoc.email)  # reply received


def test_an_organisation_mailbox_routes_by_the_schools_desk_address(cast, receive):
    la_mailbox = MailboxFactory(organisation=cast.school.organisation, address="schools.ict@council.example")
    cast.school.desk_email = "ict@oak.sch.uk"
    cast.school.save()
    teacher = UserFactory(email="t.one@oak.sch.uk")
    MembershipFactory(user=teacher, school=cast.school, role="reporter")
    routed = receive(
        la_mailbox,
        sender="t.one@oak.sch.uk",
        to="ict@oak.sch.uk, schools.ict@council.example",
        subject="No internet in the ICT suite",
    )
    assert routed.incident.school == cast.school and routed.incident.reported_by == teacher
    stranger = receive(la_mailbox, sender="x@elsewhere.example", subject="Help")
    assert stranger.status == InboundStatus.HELD and stranger.school is None
    assert "which school" in stranger.reason


def test_a_sender_flooding_the_desk_is_held_and_never_answered(cast, mailbox, receive, smtp):
    mailbox.rate_limit_per_hour = 3
    mailbox.save()
    results = [receive(mailbox, sender=cast.reporter.email, subject=f"Loop {n}") for n in range(5)]
    assert [m.status for m in results] == ["processed"] * 3 + ["held"] * 2
    assert "More than 3 emails in an hour" in results[-1].reason
    assert Incident.objects.count() == 3 and len(smtp.to(cast.reporter.email)) == 3


def test_our_reference_in_the_subject_finds_the_call_but_never_another_schools(cast, other, mailbox, receive):
    ours = IncidentFactory(school=cast.school, by=cast.reporter)
    theirs = IncidentFactory(school=other.school, by=other.reporter)
    added = receive(
        mailbox,
        sender=cast.reporter.email,
        subject=f"Re: [{ours.reference}] photo attached",
        body="Here it is.",
        attachments=[("screen.png", PNG, "image", "png")],
    )
    assert (added.incident, added.action) == (ours, InboundAction.REPLY)
    update = ours.updates.get(kind=UpdateKind.REPLY)
    assert (update.author, update.body, update.is_public) == (cast.reporter, "Here it is.", True)
    assert update.attachments.get().original_name == "screen.png"
    # Quoting another school's call number in our mailbox does not reach it: it is a new call here.
    crossed = receive(mailbox, sender=cast.reporter.email, subject=f"About [{theirs.reference}]")
    assert crossed.action == InboundAction.CREATED and crossed.incident.school == cast.school
    assert theirs.updates.count() == 1


def test_a_stranger_replying_on_a_call_is_held_and_the_spoc_can_add_it(cast, mailbox, receive):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    held = receive(mailbox, sender="someone@else.example", subject=f"[{incident.reference}] me too")
    assert (held.status, held.incident) == (InboundStatus.HELD, incident)
    assert incident.updates.count() == 1
    taken = inbound_accept(message=held, by=cast.spoc)
    assert taken.status == InboundStatus.PROCESSED and taken.handled_by == cast.spoc
    note = incident.updates.get(kind=UpdateKind.NOTE)
    assert note.author == cast.spoc and "someone@else.example" in note.body and not note.is_public


def test_staff_replying_by_email_write_an_internal_note(cast, mailbox, receive):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    receive(mailbox, sender=cast.technician.email, subject=f"[{incident.reference}] PSU ordered", body="PSU ordered.")
    note = incident.updates.get(body="PSU ordered.")
    assert (note.author, note.kind, note.is_public) == (cast.technician, UpdateKind.NOTE, False)


def test_a_provider_login_replying_by_email_writes_as_themselves(cast, mailbox, receive):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    incident = incident_escalate(incident=incident, by=cast.spoc, version=incident.version, supplier=cast.supplier)
    message = receive(
        mailbox,
        sender=cast.provider.email,
        subject=f"Re: [{incident.reference}] Ticket 445566 opened",
        body="Engineer booked.",
    )
    incident.refresh_from_db()
    assert message.action == InboundAction.SUPPLIER and incident.supplier_reference == "445566"
    note = incident.updates.get(body__contains="Engineer booked.")
    assert note.author == cast.provider and not note.is_public


def test_email_from_our_own_address_is_ignored(cast, mailbox, receive):
    message = receive(mailbox, sender="desk@oak.sch.uk", subject="[INC-000001] loop")
    assert message.status == InboundStatus.IGNORED and not Incident.objects.exists()


def test_a_refused_attachment_is_noted_and_the_rest_kept(cast, mailbox, receive):
    message = receive(
        mailbox,
        sender=cast.reporter.email,
        subject="Odd program",
        body="It popped up.",
        attachments=[("setup.exe", b"MZ\x90\x00", "application", "octet-stream"), ("screen.png", PNG, "image", "png")],
    )
    incident = message.incident
    assert [a.original_name for a in incident.attachments.all()] == ["screen.png"]
    assert "Attachments not kept" in incident.description and "setup.exe" in incident.description
    assert message.raw.size > 0  # the original, with everything, is kept


def test_a_failure_is_kept_with_its_reason_and_a_retry_succeeds(
    cast, mailbox, receive, smtp, django_capture_on_commit_callbacks
):
    Location.objects.filter(school=cast.school).update(is_archived=True)
    failed = receive(mailbox, sender=cast.reporter.email, subject="Printer")
    assert failed.status == InboundStatus.FAILED and "no locations" in failed.reason and failed.attempts == 1
    assert not Incident.objects.exists()
    assert smtp.to(cast.spoc.email)
    Location.objects.filter(school=cast.school, name="School office").update(is_archived=False)
    with django_capture_on_commit_callbacks(execute=True):
        retried = inbound_retry(message=failed, by=cast.spoc)
    assert (retried.status, retried.attempts, retried.handled_by) == (InboundStatus.PROCESSED, 2, cast.spoc)
    assert retried.incident.location.name == "School office"


def test_the_same_email_is_processed_once(cast, mailbox, receive):
    raw = raw_email(sender=cast.reporter.email, to=mailbox.address, subject="Printer")
    first = receive(mailbox, raw=raw)
    again = receive(mailbox, raw=raw)
    assert first.pk == again.pk and Incident.objects.count() == 1
    assert inbound_process(first).incident == first.incident and Incident.objects.count() == 1
    no_id = b"From: " + cast.reporter.email.encode() + b"\r\nSubject: no id\r\n\r\nbody\r\n"
    receive(mailbox, raw=no_id)
    receive(mailbox, raw=no_id)
    assert Incident.objects.count() == 2 and InboundMessage.objects.count() == 2


def test_a_reply_to_a_resolved_call_reopens_it(cast, mailbox, receive):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    incident = incident_resolve(incident=incident, by=cast.technician, version=incident.version, resolution="Done")
    message = receive(
        mailbox,
        sender=cast.reporter.email,
        subject=f"Re: [{incident.reference}]",
        body="It is not.",
        attachments=[("proof.png", PNG, "image", "png")],
    )
    incident.refresh_from_db()
    assert message.action == InboundAction.REOPENED and incident.status == IncidentStatus.OPEN
    assert incident.updates.get(kind=UpdateKind.REOPENED).body == "It is not."
    assert incident.attachments.get().original_name == "proof.png"


def test_a_supplier_writing_about_no_call_is_held(cast, mailbox, receive):
    message = receive(mailbox, sender="engineer@oak-support.example", subject="Visit booked")
    assert message.status == InboundStatus.HELD and cast.supplier.name in message.reason


def test_a_reply_to_an_alert_or_reminder_is_held_not_logged_as_a_call(cast, mailbox, receive, smtp):
    receive(mailbox, sender="parent@families.example", subject="Held one")
    [alert] = smtp.to(cast.spoc.email)
    answer = receive(
        mailbox,
        sender=cast.spoc.email,
        subject=f"Re: {alert['Subject']}",
        in_reply_to=alert["Message-ID"],
        body="Thanks, will look.",
    )
    assert answer.status == InboundStatus.HELD and "reminder or an alert" in answer.reason
    assert not Incident.objects.exists()

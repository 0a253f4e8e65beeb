"""The issue's "done when", against the real servers: Dovecot holds the demo school's desk mailbox,
aiosmtpd receives what we send. A teacher's email becomes a call; the SPOC escalates it to a supplier
by email; the supplier's reply with their reference lands on the call; the teacher's reply reopens
it; fetching everything again creates nothing; autoresponders get no answer, so nothing loops."""

import pytest

from schooldesk.demo.mail import mail_demo_create
from schooldesk.demo.schools import demo_create
from schooldesk.incidents.choices import IncidentStatus, UpdateKind
from schooldesk.incidents.models import Incident, IncidentUpdate
from schooldesk.incidents.services import incident_escalate, incident_resolve
from schooldesk.mail.choices import InboundAction, InboundStatus, OutboundStatus, Purpose
from schooldesk.mail.models import InboundMessage, Mailbox, OutboundMessage
from schooldesk.mail.services import mailbox_poll, mailbox_save
from schooldesk.mail.tests.conftest import IMAP_PASSWORD
from schooldesk.mail.tests.factories import PNG, raw_email

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(dovecot, imap_user, smtp, django_capture_on_commit_callbacks):
    """The demo desk, with Oakfield's mailbox record pointed at a real IMAP mailbox by its SPOC."""
    demo = demo_create(incidents=0)
    mail_demo_create(demo)
    school = demo.schools["oakfield"]
    spoc = demo.people["oakfield"].by_role["spoc"]
    mailbox = Mailbox.objects.get(school=school)
    assert mailbox.address == "ictdesk@oakfield.sch.uk" and not mailbox.is_active  # not polled until configured
    mailbox.is_active, mailbox.host, mailbox.port, mailbox.security = True, dovecot.host, dovecot.port, "none"
    mailbox.username = imap_user
    mailbox_save(mailbox=mailbox, by=spoc, secrets={"password": IMAP_PASSWORD})

    def poll():
        with django_capture_on_commit_callbacks(execute=True):
            result = mailbox_poll(mailbox=mailbox)
        assert result.error == "", result.error
        return result

    def deliver(raw):
        dovecot.deliver(imap_user, raw)

    return demo, school, spoc, mailbox, poll, deliver


def counts():
    return Incident.objects.count(), IncidentUpdate.objects.count(), InboundMessage.objects.count()


def test_an_email_becomes_a_call_escalated_by_email_updated_by_the_supplier_and_reopened_by_the_teacher(
    desk, dovecot, imap_user, smtp, django_capture_on_commit_callbacks
):
    demo, school, spoc, mailbox, poll, deliver = desk
    teacher = demo.people["oakfield"].staff[0]
    arbor = demo.suppliers["mis"]

    # 1. A teacher emails the desk address: a call for them, acknowledged in the same thread.
    first = raw_email(
        sender=teacher.email,
        name=teacher.get_full_name(),
        to="ictdesk@oakfield.sch.uk",
        subject="Interactive panel in the Hall has no sound",
        body="No sound from the panel since this morning.\n\n-- \nMrs Teacher\nYear 4",
        attachments=[("panel.png", PNG, "image", "png")],
    )
    deliver(first)
    assert poll().stored == 1
    incident = Incident.objects.get()
    assert (incident.channel, incident.reported_by, incident.school) == ("email", teacher, school)
    assert incident.summary == "Interactive panel in the Hall has no sound"
    assert incident.location.name == "Hall"  # named in the email
    assert "Mrs Teacher" not in incident.description  # the signature is left out
    assert incident.attachments.get().original_name == "panel.png"
    inbound = InboundMessage.objects.get(incident=incident)
    assert (inbound.status, inbound.action) == (InboundStatus.PROCESSED, InboundAction.CREATED)
    [ack] = smtp.to(teacher.email)
    assert ack["Subject"] == f"[{incident.reference}] {incident.summary}"
    assert ack["In-Reply-To"].strip() == inbound.message_id and inbound.message_id in ack["References"]
    assert ack["Auto-Submitted"] == "auto-generated"
    assert "ictdesk@oakfield.sch.uk" in ack["From"] and "ictdesk@oakfield.sch.uk" in ack["Reply-To"]
    assert ack.get_body(("plain",)).get_content().startswith("Thank you: your email has been logged as call")
    assert ack.get_body(("html",)) is not None
    assert "\\Seen" in dovecot.flags(imap_user)[1]  # read, and still on the server

    # 2. The SPOC escalates it to the MIS supplier: the supplier gets everything they need by email.
    smtp.clear()
    with django_capture_on_commit_callbacks(execute=True):
        incident = incident_escalate(
            incident=incident,
            by=spoc,
            version=incident.version,
            supplier=arbor,
            note="Sound driver on the panel PC seems to be missing.",
        )
    [escalation] = smtp.to(arbor.email)
    text = escalation.get_body(("plain",)).get_content()
    assert escalation["Subject"] == f"[{incident.reference}] Oakfield Primary School: {incident.summary}"
    for needed in (
        "Oakfield Primary School",
        "URN 119823",
        "Where: Hall",
        "Sound driver on the panel PC",
        teacher.get_full_name(),
        spoc.get_full_name(),
        spoc.email,
        "01632 960431",
        incident.reference,
        "Where and when to find them",
    ):
        assert needed in text, needed
    assert escalation["Auto-Submitted"] is None  # a person's request, which their helpdesk must not ignore
    sent = OutboundMessage.objects.get(purpose=Purpose.SUPPLIER_ESCALATION)
    assert sent.incident == incident and sent.status == OutboundStatus.SENT
    assert escalation["Message-ID"].strip() == sent.message_id  # a long id may be folded

    # 3. The supplier replies (threaded, with their own reference): a note on the call, their reference learnt.
    smtp.clear()
    deliver(
        raw_email(
            sender="helpdesk@arbor-mis.co.uk",
            name="Arbor Support",
            to="ictdesk@oakfield.sch.uk",
            subject=f"RE: {escalation['Subject']} [Case: ARB-552211]",
            in_reply_to=sent.message_id,
            references=sent.message_id,
            body="We are looking at the driver and will update you today.\n\nOn Mon, 2 Mar 2026, "
            "Oakfield ICT desk wrote:\n> Oakfield Primary School is escalating call",
        )
    )
    poll()
    incident.refresh_from_db()
    assert incident.supplier_reference == "ARB-552211"
    note = incident.updates.filter(kind=UpdateKind.NOTE, body__contains="We are looking").get()
    assert not note.is_public and "Arbor Education" in note.body
    assert "is escalating call" not in note.body  # the quote is folded away
    assert [m["Subject"] for m in smtp.to(spoc.email)] == [f"[{incident.reference}] Reply received: {incident.summary}"]

    # ... and a later email quoting only their reference finds the same call.
    deliver(
        raw_email(
            sender="helpdesk@arbor-mis.co.uk",
            to="ictdesk@oakfield.sch.uk",
            subject="Case ARB-552211 update: driver reinstalled",
            body="Driver reinstalled remotely.",
        )
    )
    poll()
    assert incident.updates.filter(body__contains="Driver reinstalled remotely").count() == 1
    assert Incident.objects.count() == 1

    # 4. Resolved: the teacher is asked to confirm; their reply says it is not fixed, so the call reopens.
    smtp.clear()
    incident.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        incident = incident_resolve(
            incident=incident, by=spoc, version=incident.version, resolution="Arbor reinstalled the sound driver."
        )
    [resolved] = smtp.to(teacher.email)
    assert "Is it fixed?" in resolved.get_body(("plain",)).get_content()
    thread = f"{resolved['References']} {resolved['Message-ID']}"
    reply = raw_email(
        sender=teacher.email,
        to="ictdesk@oakfield.sch.uk",
        subject=f"RE: {resolved['Subject']}",
        in_reply_to=resolved["Message-ID"],
        references=thread,
        body="Still no sound, sorry.\n\nSent from my iPhone\n\n> Arbor reinstalled the sound driver.",
    )
    deliver(reply)
    poll()
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.WITH_SECOND_LEVEL and incident.resolved_at is None
    reopened = incident.updates.get(kind=UpdateKind.REOPENED)
    assert (reopened.author, reopened.body) == (teacher, "Still no sound, sorry.")

    # 5. Fetched again (a crash before the mailbox position was saved, and the same email appended twice):
    #    nothing new is made and nobody is emailed again.
    before, sent_before = counts(), OutboundMessage.objects.count()
    Mailbox.objects.filter(pk=mailbox.pk).update(last_uid=0)
    deliver(reply)
    smtp.clear()
    assert poll().fetched == 5
    assert counts() == before and OutboundMessage.objects.count() == sent_before and smtp.messages == []


def test_autoresponders_get_no_answer_so_nothing_loops(desk, smtp):
    demo, school, spoc, mailbox, poll, deliver = desk
    teacher = demo.people["oakfield"].staff[1]
    deliver(raw_email(sender=teacher.email, to="ictdesk@oakfield.sch.uk", subject="Printer jams in the Library"))
    poll()
    incident = Incident.objects.get()
    [ack] = smtp.to(teacher.email)
    smtp.clear()

    # The teacher is away: their out-of-office answers our acknowledgement, and a list server chimes in.
    deliver(
        raw_email(
            sender=teacher.email,
            to="ictdesk@oakfield.sch.uk",
            subject=f"Automatic reply: {ack['Subject']}",
            in_reply_to=ack["Message-ID"],
            headers={"Auto-Submitted": "auto-replied"},
            body="I am out of the office until Monday.",
        )
    )
    deliver(
        raw_email(
            sender="autoresponder@holiday.example",
            to="ictdesk@oakfield.sch.uk",
            subject="Away",
            headers={"X-Autoreply": "yes", "Precedence": "auto_reply"},
            body="Away.",
        )
    )
    deliver(
        raw_email(
            sender="news@supplier-marketing.example",
            to="ictdesk@oakfield.sch.uk",
            subject="Our spring offers",
            headers={"Precedence": "bulk", "List-Id": "<offers.example>"},
        )
    )
    deliver(
        raw_email(
            sender="MAILER-DAEMON@mx.example",
            to="ictdesk@oakfield.sch.uk",
            subject="Undelivered Mail Returned to Sender",
            in_reply_to=ack["Message-ID"],
            headers={"Return-Path": "<>"},
        )
    )
    for _round in range(3):  # as if the worker kept polling: no ping-pong
        poll()
    assert smtp.messages == [] or all(m["Subject"].startswith("Email needs your attention") for m in smtp.messages)
    assert not [
        m
        for m in smtp.messages
        if m["To"]
        in (
            teacher.email,
            "autoresponder@holiday.example",
            "news@supplier-marketing.example",
            "MAILER-DAEMON@mx.example",
        )
    ]
    # only "logged", and the bounce of our acknowledgement noted for the desk (internal, never sent on)
    assert Incident.objects.count() == 1 and incident.updates.count() == 2
    bounced = incident.updates.latest("pk")
    assert not bounced.is_public and teacher.email in bounced.body and "did not arrive" in bounced.body
    statuses = dict(InboundMessage.objects.values_list("from_address", "status"))
    assert statuses["autoresponder@holiday.example"] == InboundStatus.IGNORED
    assert statuses["news@supplier-marketing.example"] == InboundStatus.HELD  # unknown and bulk: for the SPOC
    assert statuses["mailer-daemon@mx.example"] == InboundStatus.HELD  # a bounce: the SPOC should know
    out_of_office = InboundMessage.objects.get(subject__startswith="Automatic reply", from_address=teacher.email)
    assert (out_of_office.status, out_of_office.incident) == (InboundStatus.IGNORED, incident)
    # the SPOC hears once about the held mail, not once per email
    assert len(smtp.to(spoc.email)) == 1

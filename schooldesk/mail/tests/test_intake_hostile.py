"""The intake against hostile and awkward email, each fault found on a real Dovecot: the email is
delivered into Dovecot, the real poll reads it, our answers go to the real SMTP server.

Trust, not stalled, not lost: decision 0017 says why each rule is as it is."""

import time
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest
from django.urls import reverse
from django.utils import timezone

from schooldesk.incidents.choices import IncidentStatus, UpdateKind
from schooldesk.incidents.models import Incident
from schooldesk.incidents.services import incident_resolve
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.mail import imap, parsing
from schooldesk.mail.choices import InboundAction, InboundStatus
from schooldesk.mail.intake import inbound_process
from schooldesk.mail.models import InboundMessage, Mailbox, OutboundMessage
from schooldesk.mail.services import inbound_store, mailbox_poll
from schooldesk.mail.tests.factories import imap_mailbox, raw_email
from schooldesk.mail.tests.hostile import (
    AUTHSERV_ID,
    delivery_report,
    forged,
    nested_email,
    passed,
    screenshot_email,
    signed,
    with_headers,
    within,
)

pytestmark = pytest.mark.django_db

DESK = "desk@oak.sch.uk"


@pytest.fixture
def desk(cast, dovecot, imap_user, smtp, django_capture_on_commit_callbacks):
    """(mailbox, deliver, poll): a mailbox on Dovecot that trusts the school's receiving server."""
    mailbox = imap_mailbox(dovecot, imap_user, school=cast.school, address=DESK, authserv_id=AUTHSERV_ID)

    def deliver(raw: bytes) -> None:
        dovecot.deliver(imap_user, raw)

    def poll():
        with django_capture_on_commit_callbacks(execute=True):
            result = mailbox_poll(mailbox=mailbox)
        assert not result.error and not result.skipped, result
        return result

    return mailbox, deliver, poll


def genuine(sender: str, **kwargs) -> bytes:
    return signed(raw_email(sender=sender, to=DESK, **kwargs), sender)


def latest() -> InboundMessage:
    return InboundMessage.objects.order_by("-pk").first()


# --- trust ------------------------------------------------------------------------------------
def test_forged_mail_failing_dmarc_is_held_never_a_note_a_call_or_a_reopen(cast, desk):
    mailbox, deliver, poll = desk
    domain = cast.spoc.email.rsplit("@", 1)[-1]
    open_call = IncidentFactory(school=cast.school, by=cast.reporter)
    resolved = IncidentFactory(school=cast.school, by=cast.reporter)
    resolved = incident_resolve(incident=resolved, by=cast.technician, version=resolved.version, resolution="Done")
    # as the SPOC, on a call: it became an internal note by the SPOC
    deliver(
        with_headers(
            raw_email(
                sender=cast.spoc.email,
                to=DESK,
                subject=f"[{open_call.reference}] close it",
                body="Please close, and send the admin password to me.",
            ),
            ("Authentication-Results", forged(domain)),
        )
    )
    # as the teacher: a new call in her name, and her resolved call reopened
    deliver(
        with_headers(
            raw_email(
                sender=cast.reporter.email, to=DESK, subject="Reset my password", body="Send it to this address."
            ),
            ("Authentication-Results", forged(domain)),
        )
    )
    deliver(
        with_headers(
            raw_email(sender=cast.reporter.email, to=DESK, subject=f"Re: [{resolved.reference}]", body="Still broken."),
            ("Authentication-Results", forged(domain)),
        )
    )
    # a "pass" written by the sender under another server's name does not count; ours is missing
    deliver(
        with_headers(
            raw_email(sender=cast.reporter.email, to=DESK, subject="Another new call"),
            ("Authentication-Results", passed(domain, authserv_id="mx.evil.example")),
        )
    )
    # no DMARC result: SPF passes, but for another domain than the From, and no DKIM
    deliver(
        with_headers(
            raw_email(sender=cast.reporter.email, to=DESK, subject="And another"),
            ("Authentication-Results", f"{AUTHSERV_ID}; spf=pass smtp.mailfrom=evil.example; dkim=none; dmarc=none"),
        )
    )
    poll()
    messages = list(InboundMessage.objects.order_by("pk"))
    assert [m.status for m in messages] == [InboundStatus.HELD] * 5
    assert "fails DMARC" in messages[0].reason and messages[0].incident == open_call
    assert "no Authentication-Results from mx.oak.sch.uk" in messages[3].reason
    assert "Neither SPF nor DKIM passes" in messages[4].reason
    assert open_call.updates.count() == 1 and Incident.objects.count() == 2
    resolved.refresh_from_db()
    assert resolved.status == IncidentStatus.RESOLVED

    # the same teacher, genuinely (DKIM aligned, no DMARC record): a call
    deliver(
        with_headers(
            raw_email(sender=cast.reporter.email, to=DESK, subject="Projector in the Hall"),
            ("Authentication-Results", f"{AUTHSERV_ID}; spf=none; dkim=pass header.d={domain}"),
        )
    )
    poll()
    assert latest().action == InboundAction.CREATED and latest().incident.reported_by == cast.reporter


def test_a_mailbox_without_an_authserv_id_trusts_from_and_says_so_on_its_page(cast, dovecot, imap_user, client, login):
    mailbox = imap_mailbox(dovecot, imap_user, school=cast.school, address=DESK)
    login(cast.spoc)
    page = client.get(reverse("mail:mailbox_update", args=[mailbox.pk])).content.decode()
    assert "Senders are not checked" in page and "authserv-id" in page
    Mailbox.objects.filter(pk=mailbox.pk).update(authserv_id=AUTHSERV_ID)
    assert (
        "Senders are not checked" not in client.get(reverse("mail:mailbox_update", args=[mailbox.pk])).content.decode()
    )


def test_the_sender_is_the_address_in_angle_brackets_and_a_from_of_several_is_held(cast, desk):
    mailbox, deliver, poll = desk
    spoof = raw_email(
        sender="attacker@evil.example", to=DESK, subject="Laptop for me please", name=cast.reporter.email
    )  # From: oak-reporter@example.sch.uk <attacker@evil.example>
    assert f"From: {cast.reporter.email} <attacker@evil.example>".encode() in spoof
    deliver(with_headers(spoof, ("Authentication-Results", passed("evil.example"))))
    two = raw_email(sender=cast.reporter.email, to=DESK, subject="Two senders").replace(
        f"From: {cast.reporter.email}".encode(), f"From: {cast.reporter.email}, attacker@evil.example".encode()
    )
    deliver(signed(two, cast.reporter.email))
    # two From headers: a receiving server may judge one (it passes for evil.example) while we read the other
    twice = raw_email(sender=cast.reporter.email, to=DESK, subject="Two From lines").replace(
        f"From: {cast.reporter.email}\n".encode(),
        f"From: {cast.reporter.email}\nFrom: attacker@evil.example\n".encode(),
    )
    assert twice.count(b"From: ") == 2
    deliver(with_headers(twice, ("Authentication-Results", passed("evil.example"))))
    poll()
    spoofed, several, two_lines = InboundMessage.objects.order_by("pk")
    assert spoofed.from_address == "attacker@evil.example"
    assert spoofed.status == InboundStatus.HELD and "address we do not know" in spoofed.reason
    assert several.status == InboundStatus.HELD and "names 2 addresses" in several.reason
    assert two_lines.status == InboundStatus.HELD and "names 2 addresses" in two_lines.reason
    assert not Incident.objects.exists()


# --- not stalled ------------------------------------------------------------------------------
def test_a_megabyte_of_quoted_lines_polls_and_opens_in_linear_time(cast, desk, client, login):
    mailbox, deliver, poll = desk
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    quoted = "\n".join([">"] * 500_000)  # 1 MB: the old split rescanned the rest of the text at every line
    deliver(genuine(cast.reporter.email, subject=f"Re: [{incident.reference}]", body=f"{quoted}\nStill broken."))
    with within(60) as started:  # the old code: hours (stopped here after a minute)
        poll()
        elapsed = time.monotonic() - started
    assert elapsed < 30, elapsed  # about a second here; the old code took hours: a bound no loaded machine misses
    message = latest()
    assert (message.status, message.action) == (InboundStatus.PROCESSED, InboundAction.REPLY)
    assert incident.updates.get(kind=UpdateKind.REPLY).body == "Still broken."
    login(cast.spoc)
    with within(10):
        assert client.get(reverse("mail:inbound_detail", args=[message.pk])).status_code == 200


def test_an_email_over_the_bounds_is_held_with_the_reason_and_read_on_the_server(
    cast, desk, dovecot, imap_user, monkeypatch, client, login
):
    mailbox, deliver, poll = desk
    parts = [(f"note-{n}.txt", b"x", "text", "plain") for n in range(250)]  # a script's report, or a bomb
    deliver(genuine(cast.reporter.email, subject="Many parts", attachments=parts))
    poll()
    many = latest()
    assert many.status == InboundStatus.HELD and "more than 200 parts" in many.reason
    assert (many.from_address, many.subject) == (cast.reporter.email, "Many parts")
    login(cast.spoc)  # the SPOC can open it, and download the original
    assert client.get(reverse("mail:inbound_detail", args=[many.pk])).status_code == 200
    deliver(signed(nested_email(depth=25, sender=cast.reporter.email, to=DESK, subject="Deep"), cast.reporter.email))
    poll()
    deep = latest()
    assert deep.status == InboundStatus.HELD and "nested more than 20 deep" in deep.reason
    monkeypatch.setattr(parsing, "MAX_BYTES", 1024 * 1024)  # 25 MB here: a smaller bound, the same rule
    deliver(
        genuine(
            cast.reporter.email,
            subject="Large scan",
            attachments=[("scan.pdf", b"%" * 1_500_000, "application", "pdf")],
        )
    )
    poll()
    large = latest()
    assert large.status == InboundStatus.HELD and "more than the 1 MB the desk reads" in large.reason
    assert (large.subject, large.size > 1024 * 1024) == ("Large scan", True)
    monkeypatch.setattr(parsing, "MAX_SECONDS", 0.0)  # as if reading it took too long
    deliver(genuine(cast.reporter.email, subject="Slow to read"))
    poll()
    slow = latest()
    assert slow.status == InboundStatus.HELD and "took longer than" in slow.reason
    assert not Incident.objects.exists() and InboundMessage.objects.count() == 4
    assert all("\\Seen" in flags for flags in dovecot.flags(imap_user).values())  # not fetched again and again


def html_only(sender: str, subject: str, markup: str) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, DESK, subject
    msg["Date"], msg["Message-ID"] = format_datetime(timezone.now()), make_msgid(domain="oak.sch.uk")
    msg.set_content(markup, subtype="html")
    return signed(msg.as_bytes(), sender)


def test_html_that_would_stall_a_parser_is_read_in_time_or_held(cast, desk):
    """Two HTML parsers' slow paths: nh3 (html5ever) on a megabyte of unclosed <div>s took minutes, and the
    standard library's on a run of "</" took time growing with its square (seconds per 100 KB)."""
    mailbox, deliver, poll = desk
    deliver(html_only(cast.reporter.email, "Deep", "<div>" * 200_000 + "Help"))
    deliver(html_only(cast.reporter.email, "Broken", "<p>The board is dead.</p>" + "</" * 150_000))
    with within(60):  # the old code: many minutes
        poll()
    deep, broken = InboundMessage.objects.order_by("pk")
    assert deep.status == InboundStatus.HELD and "HTML is nested more than 500 deep" in deep.reason
    assert broken.action == InboundAction.CREATED
    assert broken.incident.description.startswith("The board is dead.")


# --- not lost ---------------------------------------------------------------------------------
def test_another_email_reusing_a_message_id_is_a_new_email_and_a_copy_is_not(cast, desk, dovecot, imap_user):
    mailbox, deliver, poll = desk
    first = genuine(
        cast.reporter.email, subject="Scan from the copier", message_id="<scan@copier.oak.sch.uk>", body="Page 1"
    )
    deliver(first)
    deliver(
        genuine(
            cast.reporter.email,
            subject="Scan from the copier (2)",
            message_id="<scan@copier.oak.sch.uk>",
            body="Page 2",
        )
    )
    deliver(with_headers(first, ("Received", "from relay2.oak.sch.uk by mx.oak.sch.uk")))  # the first, by another route
    poll()
    assert sorted(Incident.objects.values_list("summary", flat=True)) == [
        "Scan from the copier",
        "Scan from the copier (2)",
    ]
    assert InboundMessage.objects.count() == 2
    assert len(dovecot.flags(imap_user)) == 3 and all("\\Seen" in f for f in dovecot.flags(imap_user).values())


def test_a_lease_held_by_a_dead_worker_is_taken_over_on_the_next_poll(cast, desk):
    mailbox, deliver, poll = desk
    now = timezone.now()
    # a worker took the lease three minutes ago and died: no heartbeat since
    Mailbox.objects.filter(pk=mailbox.pk).update(
        polling_until=now + timedelta(minutes=7), poll_owner="dead-worker", poll_heartbeat_at=now - timedelta(minutes=3)
    )
    deliver(genuine(cast.reporter.email, subject="Mouse broken"))
    assert poll().taken_over
    assert Incident.objects.get().summary == "Mouse broken"
    mailbox.refresh_from_db()
    assert (mailbox.polling_until, mailbox.poll_owner) == (None, "")
    # a worker alive a moment ago keeps its lease
    Mailbox.objects.filter(pk=mailbox.pk).update(
        polling_until=now + timedelta(minutes=9), poll_owner="alive", poll_heartbeat_at=timezone.now()
    )
    assert mailbox_poll(mailbox=mailbox).skipped


def test_an_email_processed_just_before_a_crash_is_marked_read_on_the_next_poll(cast, desk, dovecot, imap_user):
    mailbox, deliver, poll = desk
    deliver(genuine(cast.reporter.email, subject="Keyboard missing keys"))
    # the state a worker leaves when it dies after storing, processing and moving past the email, before
    # flagging it: exactly what the poll does up to that point, against the same server
    with imap.imap_session(mailbox) as conn:
        validity = imap.uid_validity(conn)
        [uid] = imap.new_uids(conn, 0)
        message, _stored = inbound_store(mailbox=mailbox, raw=imap.fetch(conn, uid), uid=uid)
        inbound_process(message)
    Mailbox.objects.filter(pk=mailbox.pk).update(last_uid=uid, uid_validity=validity)
    assert "\\Seen" not in dovecot.flags(imap_user)[uid]
    result = poll()
    assert "\\Seen" in dovecot.flags(imap_user)[uid] and result.fetched == 0
    assert Incident.objects.count() == 1


@pytest.mark.parametrize("client_name", ["outlook", "thunderbird", "apple"])
def test_a_pasted_screenshot_is_kept_however_the_client_nests_it(cast, desk, client_name):
    mailbox, deliver, poll = desk
    deliver(
        signed(
            screenshot_email(
                client=client_name, sender=cast.reporter.email, to=DESK, subject="Error on the whiteboard"
            ),
            cast.reporter.email,
        )
    )
    poll()
    incident = Incident.objects.get()
    kept = {a.original_name.rsplit(".", 1)[-1] for a in incident.attachments.all()}
    assert "png" in kept, [a.original_name for a in incident.attachments.all()]
    assert incident.description.startswith("See the screenshot.")


def test_a_bottom_posted_reply_keeps_its_new_text(cast, desk):
    mailbox, deliver, poll = desk
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    body = (
        "On Mon, 2 Mar 2026 at 09:12, Oak ICT desk <desk@oak.sch.uk> wrote:\n> Which room is it in?\n>\n"
        "> Oak ICT desk\n\nRoom 12, by the window.\n\n-- \nJo Bloggs"
    )
    deliver(genuine(cast.reporter.email, subject=f"Re: [{incident.reference}]", body=body))
    poll()
    assert incident.updates.get(kind=UpdateKind.REPLY).body == "Room 12, by the window."


def test_a_delivery_report_is_linked_to_the_call_and_names_the_address_that_failed(cast, desk, smtp, client, login):
    mailbox, deliver, poll = desk
    deliver(genuine(cast.reporter.email, subject="Printer jams"))
    poll()
    incident = Incident.objects.get()
    ack = OutboundMessage.objects.get(incident=incident, to_address=cast.reporter.email)
    deliver(delivery_report(to=DESK, failed=cast.reporter.email, original_id=ack.message_id))
    poll()
    report = latest()
    assert (report.status, report.incident) == (InboundStatus.HELD, incident)
    assert cast.reporter.email in report.reason and "5.1.1" in report.reason
    note = incident.updates.latest("pk")
    assert note.kind == UpdateKind.NOTE and not note.is_public and cast.reporter.email in note.body
    login(cast.spoc)
    held_list = client.get(reverse("mail:inbound_list")).content.decode()
    assert cast.reporter.email in held_list and incident.reference in report.reason


@pytest.mark.parametrize(
    "headers",
    [
        {"Precedence": "bulk"},
        {"Precedence": "junk"},
        {"Subject": "Automatic reply: {subject}"},
        {"Subject": "Out of Office: {subject}"},
        {"Auto-Submitted": "auto-generated"},
        {"X-Autoreply": "yes"},
        {"X-Auto-Response-Suppress": "All"},
    ],
)
def test_an_out_of_office_never_makes_or_reopens_a_call(cast, desk, headers):
    mailbox, deliver, poll = desk
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    incident = incident_resolve(incident=incident, by=cast.technician, version=incident.version, resolution="Done")
    updates = incident.updates.count()
    subject = f"Re: [{incident.reference}] Resolved"
    extra = {k: v for k, v in headers.items() if k != "Subject"}
    deliver(
        genuine(
            cast.reporter.email,
            subject=headers.get("Subject", subject).format(subject=subject),
            body="I am out of the office until Monday.",
            headers=extra,
        )
    )
    deliver(
        genuine(
            cast.reporter.email,
            subject=headers.get("Subject", "Away").format(subject="Away"),
            body="I am out of the office until Monday.",
            headers=extra,
        )
    )
    poll()
    on_call, alone = InboundMessage.objects.order_by("pk")
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.RESOLVED and incident.updates.count() == updates
    assert (on_call.incident, on_call.status) == (incident, InboundStatus.IGNORED) and on_call.reason
    assert alone.status in (InboundStatus.IGNORED, InboundStatus.HELD) and alone.reason
    assert Incident.objects.count() == 1


def test_a_caller_without_an_account_replying_by_email_writes_a_public_reply(cast, desk, smtp):
    mailbox, deliver, poll = desk
    Mailbox.objects.filter(pk=mailbox.pk).update(unknown_senders="accept")
    deliver(genuine("cook@catering.example", name="Mrs Patel", subject="Till in the hall is dead"))
    poll()
    incident = Incident.objects.get()
    [ack] = smtp.to("cook@catering.example")
    deliver(
        genuine(
            "cook@catering.example",
            name="Mrs Patel",
            subject=f"Re: {ack['Subject']}",
            in_reply_to=ack["Message-ID"],
            body="The one by the door.\n\n> Which till?",
        )
    )
    poll()
    said = incident.updates.get(body__contains="The one by the door.")
    assert (said.kind, said.is_public, said.author) == (UpdateKind.REPLY, True, None)
    assert latest().action == InboundAction.REPLY

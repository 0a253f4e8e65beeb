"""A thousand mixed emails, the hostile ones among them, delivered into the real Dovecot's Maildir (as a
local delivery agent does) and read over IMAP by the real poll until nothing is left: every one becomes a
call or an update, or is held or set aside with its reason; none is lost and none is made twice."""

import time
from collections import Counter

import pytest

from schooldesk.incidents.models import Incident
from schooldesk.incidents.services import incident_resolve
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.mail.choices import InboundAction, InboundStatus
from schooldesk.mail.models import InboundMessage, Mailbox
from schooldesk.mail.services import BATCH, mailbox_poll
from schooldesk.mail.tests.factories import imap_mailbox, raw_email
from schooldesk.mail.tests.hostile import (
    AUTHSERV_ID,
    deliver_many,
    delivery_report,
    forged,
    passed,
    screenshot_email,
    signed,
    with_headers,
)

pytestmark = pytest.mark.django_db

DESK = "desk@oak.sch.uk"
OOO = [
    {"Precedence": "bulk"},
    {"Precedence": "junk"},
    {"Auto-Submitted": "auto-replied"},
    {"X-Autoreply": "yes"},
    {"X-Auto-Response-Suppress": "All"},
]


def _mix(cast, calls) -> tuple[list[bytes], dict[str, str]]:
    """(the emails, what each must become by its Message-ID's kind)."""
    reporter, technician = cast.reporter.email, cast.technician.email
    domain = reporter.rsplit("@", 1)[-1]
    raws, expected = [], {}

    def add(kind: str, raw: bytes, outcome: str) -> None:
        raws.append(raw)
        expected[kind] = outcome

    def mid(kind: str, n: int) -> str:
        return f"<{kind}.{n}@batch.test>"

    for n in range(400):
        add(
            "call",
            signed(
                raw_email(
                    sender=reporter,
                    to=DESK,
                    subject=f"Fault {n} in room {n % 30}",
                    message_id=mid("call", n),
                    body=f"Fault number {n}.",
                ),
                reporter,
            ),
            InboundAction.CREATED,
        )
    for n in range(40):
        add(
            "screenshot",
            signed(
                screenshot_email(
                    client=("outlook", "thunderbird", "apple")[n % 3],
                    sender=reporter,
                    to=DESK,
                    subject=f"Error screen {n}",
                ),
                reporter,
            ),
            InboundAction.CREATED,
        )
    for n in range(150):
        call = calls[n % len(calls)]
        sender = technician if n % 5 == 0 else reporter
        body = (
            f"On Mon, 2 Mar 2026, Oak ICT desk wrote:\n> Which room?\n\nRoom {n}."
            if n % 2
            else f"Room {n}.\n\n> Which room?"
        )
        add(
            "reply",
            signed(
                raw_email(
                    sender=sender,
                    to=DESK,
                    subject=f"Re: [{call.reference}] Which room?",
                    message_id=mid("reply", n),
                    body=body,
                ),
                sender,
            ),
            InboundAction.NOTE if sender == technician else "reply-or-reopen",
        )
    for n in range(10):
        quoted = "\n".join(["> earlier text"] * 7000)  # about 100 KB each
        add(
            "quoted",
            signed(
                raw_email(
                    sender=reporter,
                    to=DESK,
                    subject=f"Re: [{calls[n].reference}]",
                    message_id=mid("quoted", n),
                    body=f"{quoted}\nStill broken {n}.",
                ),
                reporter,
            ),
            "reply-or-reopen",
        )
    for n in range(100):
        add(
            "forged",
            with_headers(
                raw_email(
                    sender=cast.spoc.email if n % 2 else reporter,
                    to=DESK,
                    subject=f"[{calls[n % len(calls)].reference}] close it" if n % 2 else f"Password reset {n}",
                    message_id=mid("forged", n),
                ),
                ("Authentication-Results", forged(domain)),
            ),
            InboundStatus.HELD,
        )
    for n in range(30):
        add(
            "spoof",
            with_headers(
                raw_email(
                    sender="attacker@evil.example",
                    name=reporter,
                    to=DESK,
                    subject=f"Laptop {n}",
                    message_id=mid("spoof", n),
                ),
                ("Authentication-Results", passed("evil.example")),
            ),
            InboundStatus.HELD,
        )
    for n in range(20):
        two = raw_email(sender=reporter, to=DESK, subject=f"Two senders {n}", message_id=mid("several", n)).replace(
            f"From: {reporter}".encode(), f"From: {reporter}, attacker@evil.example".encode()
        )
        add("several", signed(two, reporter), InboundStatus.HELD)
    for n in range(100):
        headers = OOO[n % len(OOO)]
        call = calls[n % len(calls)]
        subject = f"Automatic reply: [{call.reference}]" if n % 2 else f"Out of Office: back on Monday {n}"
        add(
            "ooo",
            signed(
                raw_email(
                    sender=reporter,
                    to=DESK,
                    subject=subject,
                    message_id=mid("ooo", n),
                    headers=headers if n % 4 else {},
                    body="I am away until Monday.",
                ),
                reporter,
            ),
            "set-aside",
        )
    for n in range(30):
        add(
            "bounce",
            delivery_report(to=DESK, failed=f"gone{n}@example.sch.uk", original_id=f"<lost{n}@desk>"),
            InboundStatus.HELD,
        )
    for n in range(10):
        parts = [(f"n{i}.txt", b"x", "text", "plain") for i in range(250)]
        add(
            "bomb",
            signed(
                raw_email(
                    sender=reporter, to=DESK, subject=f"Many parts {n}", message_id=mid("bomb", n), attachments=parts
                ),
                reporter,
            ),
            InboundStatus.HELD,
        )
    for n in range(50):
        add(
            "stranger",
            signed(
                raw_email(
                    sender=f"parent{n}@families.example", to=DESK, subject=f"Laptop {n}", message_id=mid("stranger", n)
                ),
                f"parent{n}@families.example",
            ),
            InboundStatus.HELD,
        )
    for n in range(30):  # 30 pairs: another email reusing the Message-ID is another email
        for page in (1, 2):
            add(
                "reused",
                signed(
                    raw_email(
                        sender=reporter,
                        to=DESK,
                        subject=f"Scan {n} page {page}",
                        message_id=mid("reused", n),
                        body=f"Page {page}",
                    ),
                    reporter,
                ),
                InboundAction.CREATED,
            )
    return raws, expected


def test_a_thousand_mixed_emails_are_each_a_call_an_update_or_held_with_a_reason(cast, dovecot, imap_user):
    mailbox = imap_mailbox(
        dovecot, imap_user, school=cast.school, address=DESK, authserv_id=AUTHSERV_ID, rate_limit_per_hour=0
    )
    calls = [IncidentFactory(school=cast.school, by=cast.reporter) for _n in range(20)]
    for call in calls[:5]:
        incident_resolve(incident=call, by=cast.technician, version=call.version, resolution="Done")
    raws, _expected = _mix(cast, calls)
    assert len(raws) == 1000
    started = time.monotonic()
    deliver_many(dovecot, imap_user, raws)
    delivered = time.monotonic()
    polls = 0
    while True:
        result = mailbox_poll(mailbox=mailbox)
        polls += 1
        assert not result.error and not result.skipped, result
        if not result.fetched:
            break
        assert polls <= 1000 // BATCH + 2
    took = time.monotonic() - delivered
    print(f"\n1,000 emails: delivered in {delivered - started:.1f} s, polled in {took:.1f} s ({polls} polls)")

    messages = list(InboundMessage.objects.all())
    assert len(messages) == 1000  # none lost, none stored twice
    kinds = Counter(m.message_id.strip("<").split(".", 1)[0] for m in messages if m.message_id.endswith("batch.test>"))
    assert kinds["reused"] == 60 and kinds["call"] == 400
    for m in messages:
        assert m.attempts == 1 and m.processed_at, m  # processed once
        if m.status == InboundStatus.PROCESSED:
            assert m.incident_id and m.action, m
        else:
            assert m.status in (InboundStatus.HELD, InboundStatus.IGNORED) and m.reason, m
    by_kind = {}
    for m in messages:
        kind = (
            m.message_id.strip("<").split(".", 1)[0]
            if m.message_id.endswith("batch.test>")
            else ("bounce" if m.from_address.startswith("mailer-daemon") else "screenshot")
        )
        by_kind.setdefault(kind, Counter())[m.action or m.status] += 1
    print("by kind:", {kind: dict(counts) for kind, counts in sorted(by_kind.items())})
    assert by_kind["call"] == {InboundAction.CREATED: 400}
    assert by_kind["screenshot"] == {InboundAction.CREATED: 40}
    assert by_kind["reused"] == {InboundAction.CREATED: 60}
    assert set(by_kind["reply"]) <= {InboundAction.REPLY, InboundAction.REOPENED, InboundAction.NOTE}
    assert by_kind["reply"][InboundAction.NOTE] == 30 and sum(by_kind["reply"].values()) == 150
    assert set(by_kind["quoted"]) <= {InboundAction.REPLY, InboundAction.REOPENED}
    for kind, count in (
        ("forged", 100),
        ("spoof", 30),
        ("several", 20),
        ("bounce", 30),
        ("bomb", 10),
        ("stranger", 50),
    ):
        assert by_kind[kind] == {InboundStatus.HELD: count}, kind
    assert set(by_kind["ooo"]) <= {InboundStatus.IGNORED, InboundStatus.HELD} and sum(by_kind["ooo"].values()) == 100
    created = [m.incident_id for m in messages if m.action == InboundAction.CREATED]
    assert len(created) == len(set(created)) == 500  # a call each, never two
    assert Incident.objects.count() == 20 + 500
    assert Incident.objects.filter(reported_by=cast.reporter).count() == 520  # the spoofs made none in her name
    flags = dovecot.flags(imap_user)
    assert len(flags) == 1000 and all("\\Seen" in f for f in flags.values())
    assert not InboundMessage.objects.filter(is_marked_read=False).exists()
    assert Mailbox.objects.get(pk=mailbox.pk).last_uid == 1000

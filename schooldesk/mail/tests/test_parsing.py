"""Reading email: machine mail recognised by its standard markers, replies split from their quotes,
HTML made safe, attachments and references found."""

import pytest

from schooldesk.mail import parsing
from schooldesk.mail.choices import MailKind
from schooldesk.mail.intake import supplier_reference_in
from schooldesk.mail.tests.factories import PNG, raw_email


def mail(**kwargs):
    options = {"sender": "teacher@oak.sch.uk", "to": "desk@oak.sch.uk", "subject": "Printer"} | kwargs
    return parsing.parse(raw_email(**options))


@pytest.mark.parametrize(
    ("headers", "sender", "kind"),
    [
        ({}, "teacher@oak.sch.uk", MailKind.PERSON),
        ({"Auto-Submitted": "no"}, "teacher@oak.sch.uk", MailKind.PERSON),
        ({"Auto-Submitted": "auto-replied"}, "teacher@oak.sch.uk", MailKind.AUTO_REPLY),
        ({"Auto-Submitted": "auto-generated"}, "nas@oak.sch.uk", MailKind.AUTO_GENERATED),
        ({"X-Autoreply": "yes"}, "teacher@oak.sch.uk", MailKind.AUTO_REPLY),
        ({"X-Autorespond": "Out of office"}, "teacher@oak.sch.uk", MailKind.AUTO_REPLY),
        ({"Precedence": "auto_reply"}, "teacher@oak.sch.uk", MailKind.AUTO_REPLY),
        ({"Precedence": "bulk"}, "news@example.com", MailKind.BULK),
        ({"Precedence": "junk"}, "news@example.com", MailKind.BULK),
        ({"Precedence": "list"}, "staff-list@oak.sch.uk", MailKind.BULK),
        ({"List-Id": "<staff.oak.sch.uk>"}, "staff-list@oak.sch.uk", MailKind.BULK),
        ({"Return-Path": "<>"}, "postmaster@mx.example", MailKind.BOUNCE),
        ({}, "MAILER-DAEMON@mx.example", MailKind.BOUNCE),
    ],
)
def test_machine_mail_is_recognised_by_its_standard_markers(headers, sender, kind):
    parsed = mail(sender=sender, headers=headers)
    assert parsed.kind == kind
    assert parsed.no_auto_response == (kind != MailKind.PERSON)


def test_a_delivery_status_report_is_a_bounce():
    raw = (
        b"From: Mail Delivery System <mailer@mx.example>\r\nTo: desk@oak.sch.uk\r\nSubject: Undelivered\r\n"
        b"Message-ID: <b1@mx.example>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=XX\r\n\r\n"
        b"--XX\r\nContent-Type: text/plain\r\n\r\nCould not deliver.\r\n"
        b"--XX\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\n"
        b"Final-Recipient: rfc822; gone@oak.sch.uk\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n--XX--\r\n"
    )
    assert parsing.parse(raw).kind == MailKind.BOUNCE


def test_a_person_who_asks_exchange_for_no_auto_replies_is_not_acknowledged():
    parsed = mail(headers={"X-Auto-Response-Suppress": "OOF, AutoReply"})
    assert parsed.kind == MailKind.PERSON and parsed.no_auto_response


@pytest.mark.parametrize(
    "text",
    [
        "Still broken.\n\nOn Mon, 2 Mar 2026 at 09:12, Oak ICT desk <desk@oak.sch.uk> wrote:\n> Resolved: new lamp",
        "Still broken.\n\nOn Mon, 2 Mar 2026 at 09:12, Oak ICT desk <desk@oak.sch.uk>\nwrote:\n> Resolved",
        "Still broken.\n\n-----Original Message-----\nFrom: Oak ICT desk\nSent: 02 March 2026 09:12\nResolved",
        "Still broken.\n\n________________________________\nFrom: Oak ICT desk <desk@oak.sch.uk>\nSent: 02 March 2026",
        "Still broken.\n\nFrom: Oak ICT desk <desk@oak.sch.uk>\nSent: Monday, March 2, 2026 9:12 AM\nTo: Jo\nResolved",
        "Still broken.\n\n-- \nJo Bloggs\nYear 4 teacher",
        "Still broken.\n\nSent from my iPhone\n\n> Resolved",
        "Still broken.\n\n> Resolved: replaced the lamp\n> \n> Oak ICT desk",
    ],
)
def test_the_new_text_of_a_reply_is_split_from_quotes_and_signatures(text):
    new, folded = parsing.split_reply(text)
    assert new == "Still broken."
    assert folded and "Still broken" not in folded


def test_an_inline_answer_between_quotes_is_kept():
    new, _folded = parsing.split_reply("> Which room?\nRoom 12.\n> When?\nAfter 3pm.")
    assert "Room 12." in new and "After 3pm." in new


def test_html_mail_is_made_safe_and_read_as_text():
    html = (
        "<html><head><style>p{color:red}</style><script>alert(1)</script></head><body>"
        '<p onclick="steal()">The <b>projector</b> is broken</p><img src="https://tracker.example/p.gif">'
        '<a href="javascript:alert(2)">x</a><a href="https://oak.sch.uk/help">help</a>'
        '<iframe src="https://evil.example"></iframe><form action="/x"><input name="a"></form></body></html>'
    )
    raw = raw_email(sender="a@oak.sch.uk", to="desk@oak.sch.uk", subject="Projector", body="", html=html)
    raw = raw.replace(b"Content-Type: text/plain", b"Content-Type: text/x-ignored")  # only the HTML part
    parsed = parsing.parse(raw)
    safe = parsed.html_safe
    for bad in ("<script", "alert", "onclick", "<img", "tracker.example", "javascript:", "<iframe", "<form", "<style"):
        assert bad not in safe, bad
    assert "<b>projector</b>" in safe and 'href="https://oak.sch.uk/help"' in safe and 'rel="noopener' in safe
    assert "The projector is broken" in parsing.html_to_text(html)
    assert "alert" not in parsing.html_to_text(html) and "color:red" not in parsing.html_to_text(html)


def test_headers_threading_and_the_summary():
    parsed = mail(
        subject="RE: Fwd: [INC-000123] Printer jams",
        name="Jo Bloggs",
        sender="Jo.Bloggs@Oak.sch.uk",
        in_reply_to="<a@desk>",
        references="<root@desk> <a@desk>",
        message_id="<m1@oak.sch.uk>",
    )
    assert (parsed.from_name, parsed.from_address, parsed.message_id) == (
        "Jo Bloggs",
        "jo.bloggs@oak.sch.uk",
        "<m1@oak.sch.uk>",
    )
    assert parsed.thread_ids == ["<a@desk>", "<root@desk>"]
    assert parsed.summary == "[INC-000123] Printer jams"
    assert mail(subject="", body="\n\nPrinter on fire\nreally").summary == "Printer on fire"


def test_an_email_without_a_message_id_gets_one_from_its_content():
    raw = b"From: a@oak.sch.uk\r\nSubject: hi\r\n\r\nbody\r\n"
    first = parsing.message_id_of(raw)
    assert first.startswith("<sha256.") and first == parsing.message_id_of(raw)
    assert first != parsing.message_id_of(raw + b"more")


def test_attachments_and_inline_images_are_found():
    parsed = mail(attachments=[("fault.png", PNG, "image", "png"), ("notes.txt", b"hello", "text", "plain")])
    assert [(a.filename, a.content_type, a.is_inline) for a in parsed.attachments] == [
        ("fault.png", "image/png", False),
        ("notes.txt", "text/plain", False),
    ]
    assert parsed.attachments[0].content == PNG


def test_a_broken_charset_does_not_stop_the_email_being_read():
    raw = (
        b"From: a@oak.sch.uk\r\nSubject: =?x-unknown?q?Hi?=\r\nMessage-ID: <c@oak>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=x-made-up\r\n\r\nThe printer \xe9 is broken\r\n"
    )
    parsed = parsing.parse(raw)
    assert "The printer" in parsed.text and parsed.message_id == "<c@oak>"


@pytest.mark.parametrize(
    ("subject", "reference"),
    [
        ("RE: [INC-000001] Projector [Case: ARB-552211]", "ARB-552211"),
        ("Ticket #98765 has been created", "98765"),
        ("Your call reference CAS-01234-ABCDE [INC-000001]", "CAS-01234-ABCDE"),
        ("Re: [INC-000001] Broadband down (#NOC778812)", "NOC778812"),
        ("Incident INC4455667 logged", "INC4455667"),
        ("Re: [INC-000001] Thanks", ""),
    ],
)
def test_a_suppliers_reference_is_learnt_from_their_subject(subject, reference):
    assert supplier_reference_in(subject) == reference


@pytest.mark.parametrize(
    ("subject", "headers", "kind"),
    [
        ("Automatic reply: Printer jams", {}, MailKind.AUTO_REPLY),
        ("Out of Office: [INC-000001] Printer", {}, MailKind.AUTO_REPLY),
        ("Auto-Reply: away", {}, MailKind.AUTO_REPLY),
        ("Out of office", {}, MailKind.AUTO_REPLY),
        ("Out of office laptop will not charge", {}, MailKind.PERSON),  # a person's subject: not a machine's
        ("Re: printer", {"X-Auto-Response-Suppress": "All"}, MailKind.AUTO_REPLY),
    ],
)
def test_automatic_replies_are_known_by_subject_and_exchange_marks(subject, headers, kind):
    assert mail(subject=subject, headers=headers).kind == kind


def test_the_new_text_below_or_between_quotes_is_kept_in_one_pass():
    text = "On Mon, 2 Mar 2026, Oak ICT desk wrote:\n> Which room?\n>\n\nRoom 12.\n\n> When?\nAfter 3pm.\n-- \nJo"
    new, folded = parsing.split_reply(text)
    assert new == "Room 12.\n\nAfter 3pm." and "Which room?" in folded and "Jo" in folded


@pytest.mark.parametrize(
    ("results", "doubt"),
    [
        (["mx.oak.sch.uk; dmarc=pass header.from=oak.sch.uk"], ""),
        (["mx.oak.sch.uk; dmarc=fail header.from=oak.sch.uk"], "fails DMARC"),
        (["mx.oak.sch.uk; spf=pass smtp.mailfrom=mail.oak.sch.uk; dmarc=none"], ""),
        (["mx.oak.sch.uk; dkim=pass header.d=oak.sch.uk"], ""),
        (["mx.oak.sch.uk; spf=pass smtp.mailfrom=evil.example; dkim=pass header.d=evil.example"], "Neither SPF"),
        (["mx.evil.example; dmarc=pass header.from=oak.sch.uk"], "no Authentication-Results from mx.oak.sch.uk"),
        # the sender's own header, under our name, below ours: only the topmost is read for a pass
        (
            ["mx.oak.sch.uk; spf=fail smtp.mailfrom=evil.example", "mx.oak.sch.uk; dmarc=pass header.from=oak.sch.uk"],
            "Neither SPF",
        ),
        (["MX.OAK.SCH.UK; dmarc=pass header.from=oak.sch.uk", "mx.oak.sch.uk; dmarc=fail"], "fails DMARC"),
        # a DMARC pass for another From domain (a second From line the server judged) is not ours
        (["mx.oak.sch.uk; dmarc=pass header.from=evil.example"], "Neither SPF"),
        # SPF judges the return path; the HELO name counts only when there is no return path
        (["mx.oak.sch.uk; spf=pass smtp.mailfrom=evil.example smtp.helo=mail.oak.sch.uk; dmarc=none"], "Neither SPF"),
        (["mx.oak.sch.uk; spf=pass smtp.helo=mail.oak.sch.uk; dmarc=none"], ""),
    ],
)
def test_only_our_servers_authentication_results_decide(results, doubt):
    parsed = mail(sender="head@oak.sch.uk")
    parsed.auth_results = results
    found = parsing.sender_doubt(parsed, "mx.oak.sch.uk")
    assert (doubt in found) if doubt else found == ""


def test_an_email_over_the_size_bound_is_refused_before_it_is_read(monkeypatch):
    monkeypatch.setattr(parsing, "MAX_BYTES", 1024 * 1024)
    raw = raw_email(sender="a@oak.sch.uk", to="desk@oak.sch.uk", subject="Scan", body="x" * (2 * 1024 * 1024))
    with pytest.raises(parsing.MailTooComplex, match="more than the 1 MB"):
        parsing.parse(raw)
    assert parsing.sender_and_subject(raw) == ("a@oak.sch.uk", "", "Scan")

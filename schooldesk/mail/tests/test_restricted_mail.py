"""A restricted call's content never goes into an email (docs/decisions/0015): every email of its life, through a
real SMTP server, carries the reference and a link; the supplier it is escalated to gets only what the person
escalating typed for them, and never the summary, the description or the reporter."""

from datetime import timedelta

import pytest

from schooldesk.incidents.services import (
    incident_assign,
    incident_create,
    incident_escalate,
    incident_reply,
    incident_resolve,
)
from schooldesk.locations.models import Location
from schooldesk.mail.notify import sla_warnings_send

pytestmark = pytest.mark.django_db

SECRETS = {
    "summary": "Pupil safeguarding file sent to the wrong parent",
    "description": "The Year 4 class list with medical notes went to a parent's personal address",
    "expected": "Only the office reads the list",
    "happened": "Forwarded by the shared mailbox rule",
    "availability": "Mr Fenwick-Oduya in the deputy's office",
    "reply": "I have pulled the message back from the parent's inbox",
    "note": "Internal: DSL informed, ICO clock running",
    "resolution": "Mailbox rule removed and the parent has deleted the email",
}
FOR_THE_SUPPLIER = "Please trace message id 4411 through the mail relay and tell us when it left."


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def text_of(message) -> str:
    parts = [message["Subject"]]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            parts.append(part.get_content())
    return "\n".join(parts)


def test_no_email_in_a_restricted_calls_life_carries_its_content(cast, smtp, after_commit):
    reporter = cast.reporter
    reporter.first_name, reporter.last_name = "Philippa", "Quarrington-Lee"
    reporter.save()
    owner = cast.owner
    location = Location.objects.filter(school=cast.school).first()
    with after_commit():  # reported (by phone, logged by the ICT owner) as a data breach
        call = incident_create(
            school=cast.school,
            location=location,
            summary=SECRETS["summary"],
            by=owner,
            reported_by=reporter,
            channel="phone",
            description=SECRETS["description"],
            expected=SECRETS["expected"],
            happened=SECRETS["happened"],
            reporter_availability=SECRETS["availability"],
            is_restricted=True,
        )
    with after_commit():
        call = incident_assign(
            incident=call, by=owner, version=call.version, technician=cast.technician, note="Look at the mailbox rules"
        )
    with after_commit():
        incident_reply(incident=call, by=cast.technician, body=SECRETS["reply"], is_public=True)
    with after_commit():
        incident_reply(incident=call, by=owner, body=SECRETS["note"], is_public=False)
    call.refresh_from_db()
    sla_warnings_send(now=call.resolve_due_at - timedelta(minutes=30))
    with after_commit():
        call = incident_escalate(
            incident=call,
            by=owner,
            version=call.version,
            supplier=cast.supplier,
            reference="MR-77",
            note=FOR_THE_SUPPLIER,
        )
    with after_commit():
        incident_resolve(incident=call, by=cast.technician, version=call.version, resolution=SECRETS["resolution"])

    mails = smtp.messages
    to = {address for m in mails for address in m["To"].addresses for address in [address.addr_spec]}
    assert {reporter.email, cast.technician.email, cast.supplier.email} <= to, to
    assert len(mails) >= 5, [m["Subject"] for m in mails]
    leaks = [
        f"{m['To']}: {m['Subject']!r} carries the {what}"
        for m in mails
        for what, words in [*SECRETS.items(), ("reporter's name", reporter.last_name)]
        if words in text_of(m)
    ]
    assert not leaks, "\n".join(leaks)
    for mail in mails:
        assert call.reference in mail["Subject"] and call.reference in text_of(mail)
        if cast.supplier.email not in mail["To"]:
            assert f"/incidents/{call.pk}/" in text_of(mail), "a restricted call's email links to the call"
    [escalation] = smtp.to(cast.supplier.email)
    assert FOR_THE_SUPPLIER in text_of(escalation) and "MR-77" in text_of(escalation)

"""School A's mail objects for the tenancy walk (schooldesk/core/tests/test_tenancy.py).
The mailbox confirmation address (public: the signed token is the key) is walked with a token that is not a
signed one (the walk's <token> is a number): refused with 403, and nothing of school A's is shown."""

from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.mail.choices import InboundStatus, Purpose
from schooldesk.mail.models import InboundMessage, Mailbox, OutboundMessage
from schooldesk.mail.services import inbound_store
from schooldesk.mail.tests.factories import raw_email

SECTION = "mail"


def PK(route: str) -> str:  # noqa: N802 - the walk's name for what <pk> means
    if "messages" in route:
        return "inbound"
    return "mailbox" if "mailboxes" in route else "mail_incident"


def build(cast, secret):
    mailbox = Mailbox.objects.create(
        school=cast.school,
        name=f"{secret} desk",
        host="imap.example",
        address=f"{secret.lower()}@desk.example",
        username=f"{secret}-user",
    )
    raw = raw_email(
        sender="parent@families.example",
        to=mailbox.address,
        subject=f"{secret} held email",
        body=f"{secret} in the body",
    )
    message, _stored = inbound_store(mailbox=mailbox, raw=raw)
    InboundMessage.objects.filter(pk=message.pk).update(status=InboundStatus.HELD, reason=f"{secret} reason")
    incident = IncidentFactory(school=cast.school, by=cast.reporter, summary=f"{secret} emailed call")
    OutboundMessage.objects.create(
        school=cast.school,
        incident=incident,
        purpose=Purpose.CALL_UPDATED,
        dedupe_key="t",
        to_address="reporter@oak.example",
        from_address="desk@oak.example",
        subject=f"{secret} sent",
        body_text=secret,
        message_id="<tenancy@oak.example>",
    )
    return {"inbound": message, "mailbox": mailbox, "mail_incident": incident}

"""What a stored email becomes: a new call, an update on a call, or a message held for the SPOC.

Every change to a call goes through the incident services (incident_create, incident_reply,
incident_reopen, incident_resume, incident_supplier_reference_set). Processing is one transaction
with the email's row locked, so an email is processed exactly once however often it is fetched; an
error rolls everything back and leaves the email marked "could not be processed", with the reason,
for the SPOC to retry.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from schooldesk.accounts.models import User
from schooldesk.core.roles import STAFF_ROLES, Role
from schooldesk.core.uploads import attachment_validate
from schooldesk.incidents.choices import IncidentStatus
from schooldesk.incidents.models import Incident, IncidentUpdate
from schooldesk.incidents.services import (
    incident_create,
    incident_reopen,
    incident_reply,
    incident_supplier_reference_set,
)
from schooldesk.locations.models import Location
from schooldesk.mail import parsing
from schooldesk.mail.choices import MACHINE_KINDS, InboundAction, InboundStatus, MailKind, UnknownSenders
from schooldesk.mail.models import InboundMessage, OutboundMessage
from schooldesk.mail.outbound import deliver_after_commit, own_addresses
from schooldesk.schools.models import School
from schooldesk.suppliers.models import Supplier

logger = logging.getLogger(__name__)

REFERENCE = re.compile(r"\bINC-(\d{6,})\b", re.IGNORECASE)
TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-/_.]{2,59}")
SUPPLIER_REFERENCE = re.compile(
    r"(?:ticket|case|call|incident|job|ref(?:erence)?|request|RMA|SR)\s*(?:no\.?|number|id)?\s*[:#]?\s*#?"
    r"\s*((?=[A-Z0-9\-/_.]*\d)[A-Z0-9][A-Z0-9\-/_.]{3,40})",
    re.IGNORECASE,
)
BRACKETED = re.compile(r"[\[(]\s*#?([A-Z]{0,8}[-:]?\d{4,}[A-Z0-9\-]*)\s*[\])]", re.IGNORECASE)
PUBLIC_DOMAINS = {
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "hotmail.co.uk",
    "live.com",
    "live.co.uk",
    "yahoo.com",
    "yahoo.co.uk",
    "icloud.com",
    "me.com",
    "btinternet.com",
    "aol.com",
    "sky.com",
    "talktalk.net",
    "virginmedia.com",
    "protonmail.com",
}
INLINE_KEEP_BYTES = 16 * 1024  # smaller inline images are signature logos
NO_TEXT = "(The email had no new text.)"


@dataclass
class Outcome:
    status: str
    reason: str = ""
    action: str = ""
    incident: Incident | None = None
    school: object | None = None
    tell_desk: bool = False


def held(reason: str, incident=None, school=None) -> Outcome:
    return Outcome(InboundStatus.HELD, reason=reason, incident=incident, school=school)


# --- who and what -----------------------------------------------------------------------------
def _scope(mailbox):
    if mailbox.school_id:
        return Incident.objects.filter(school_id=mailbox.school_id)
    return Incident.objects.filter(school__organisation_id=mailbox.organisation_id)


def _organisation_id(mailbox) -> int:
    return mailbox.organisation_id or mailbox.school.organisation_id


def user_for(address: str, school):

    return (
        User.objects.filter(email__iexact=address, is_active=True)
        .filter(Q(memberships__school=school) | Q(memberships__organisation_id=school.organisation_id))
        .distinct()
        .order_by("pk")
        .first()
    )


def suppliers_for(mailbox, address: str):
    """Suppliers of the organisation this address belongs to: their escalation address, one of their
    contacts, a provider login, or (for a supplier's own domain, never a public one) the same domain."""

    domain = address.rsplit("@", 1)[-1]
    match = (
        Q(email__iexact=address)
        | Q(contacts__email__iexact=address)
        | Q(membership__user__email__iexact=address, membership__role=Role.PROVIDER)
    )
    if domain and domain not in PUBLIC_DOMAINS:
        match |= Q(email__iendswith=f"@{domain}")
    return Supplier.objects.filter(match, organisation_id=_organisation_id(mailbox)).distinct()


def find_thread(mailbox, mail, address: str):
    """(call, how it was found) from the thread headers, our reference, or the supplier's reference."""
    scope = _scope(mailbox)
    ids = mail.thread_ids
    if ids:
        sent = OutboundMessage.objects.filter(message_id__in=ids, incident__in=scope).order_by("-pk").first()
        if sent:
            return sent.incident, "thread"
        received = (
            InboundMessage.objects.filter(mailbox=mailbox, message_id__in=ids, incident__isnull=False)
            .exclude(message_id=mail.message_id)
            .order_by("-pk")
            .first()
        )
        if received:
            return received.incident, "thread"
    for number in REFERENCE.findall(mail.subject):
        incident = scope.filter(pk=int(number)).first()
        if incident:
            return incident, "reference"
    tokens = [t for t in TOKEN.findall(mail.subject) if any(c.isdigit() for c in t)][:20]
    if tokens:
        condition = Q()
        for token in tokens:
            condition |= Q(supplier_reference__iexact=token.strip("."))
        incident = scope.filter(condition, supplier__in=suppliers_for(mailbox, address)).order_by("-logged_at").first()
        if incident:
            return incident, "supplier reference"
    return None, ""


def supplier_reference_in(subject: str) -> str:
    """The supplier's own call reference, learnt from the subject of their reply ("Case 123456", "[#98765]")."""
    subject = REFERENCE.sub(" ", subject)
    for pattern in (SUPPLIER_REFERENCE, BRACKETED):
        for found in pattern.findall(subject):
            if any(c.isdigit() for c in found):
                return found.strip(".-/")[:60]
    return ""


def school_for(mailbox, mail, address: str):
    if mailbox.school_id:
        return mailbox.school

    schools = School.objects.filter(organisation_id=mailbox.organisation_id)
    addressed = list(schools.filter(desk_email__in=[*mail.to, *mail.cc])[:2])
    if len(addressed) == 1:
        return addressed[0]
    theirs = list(schools.filter(membership__user__email__iexact=address).distinct()[:2])
    return theirs[0] if len(theirs) == 1 else None


def location_for(school, mailbox, mail):
    """A location the email names ("the projector in the Hall"), else the mailbox's, else the office."""
    locations = list(Location.objects.filter(school=school, is_archived=False).only("pk", "name", "school_id"))
    text = f"{mail.subject}\n{mail.text[:3000]}".lower()
    for location in sorted(locations, key=lambda loc: len(loc.name), reverse=True):
        if len(location.name) >= 3 and re.search(rf"(?<!\w){re.escape(location.name.lower())}(?!\w)", text):
            return location
    chosen = mailbox.default_location
    if chosen is not None and chosen.school_id == school.pk and not chosen.is_archived:
        return chosen
    return next((loc for loc in locations if loc.name == "School office"), locations[0] if locations else None)


def files_from(mail) -> tuple[list, list[str]]:
    """Attachments that pass the same checks as uploads; the reasons for the ones refused."""
    files, refused = [], []
    for attachment in mail.attachments:
        if attachment.is_inline and len(attachment.content) < INLINE_KEEP_BYTES:
            continue
        upload = SimpleUploadedFile(attachment.filename, attachment.content, content_type=attachment.content_type)
        try:
            files.append(attachment_validate(upload))
        except ValidationError as exc:
            refused.append(exc.messages[0])
    return files, refused


def _with_refused(body: str, refused: list[str]) -> str:
    if len(body) > parsing.MAX_KEPT_CHARS:
        body = body[: parsing.MAX_KEPT_CHARS] + "\n\n(The rest of this email is in the original, kept by the desk.)"
    if not refused:
        return body
    return (
        body
        + "\n\nAttachments not kept (the original email is kept by the desk):\n"
        + "\n".join(f"- {reason}" for reason in refused)
    )


def _flooding(message) -> bool:
    limit = message.mailbox.rate_limit_per_hour
    if not limit:
        return False
    recent = InboundMessage.objects.filter(
        mailbox=message.mailbox,
        from_address=message.from_address,
        pk__lt=message.pk,
        created_at__gte=message.created_at - timedelta(hours=1),
    ).count()
    return recent >= limit


# --- routing ----------------------------------------------------------------------------------
def bounce(mailbox, mail) -> Outcome:
    """A delivery report: held for the SPOC, linked to the call whose email bounced and noted on its
    timeline with the address that failed. The link is made only through the Message-ID of an email we
    sent (in the report's returned headers, or its In-Reply-To): an id nobody outside could guess, so a
    forged report cannot write on a call."""
    ids = mail.thread_ids
    sent = (
        OutboundMessage.objects.filter(message_id__in=ids, incident__in=_scope(mailbox))
        .select_related("incident")
        .order_by("-pk")
        .first()
        if ids
        else None
    )
    failed = [address for address, _status, _why in mail.bounced] or ([sent.to_address] if sent else [])
    details = "; ".join(f"{address} ({status}{': ' + why if why else ''})" for address, status, why in mail.bounced)
    who = details or ", ".join(failed) or "an address we could not read from the report"
    if sent is None:
        return held(
            f"A delivery failure report ({mail.kind_reason}) for {who}: an email did not arrive, and it "
            "matches no email the desk sent."
        )
    incident = sent.incident
    incident_reply(
        incident=incident,
        by=None,
        is_public=False,  # by the desk itself: an internal note
        body=f"An email from the desk did not arrive: “{sent.subject}” to {who}. Check the address.",
    )
    statuses = "; ".join(f"{address} ({status})" for address, status, _why in mail.bounced) or mail.kind_reason
    return held(
        f"A delivery failure report: our email to {', '.join(failed)} about {incident.reference} did not "
        f"arrive ({statuses}). Check the address on the call.",
        incident=incident,
    )


def route(message, mail, *, by=None) -> Outcome:
    mailbox, address = message.mailbox, mail.from_address
    if address in own_addresses():
        return Outcome(
            InboundStatus.IGNORED, reason="Sent from one of the desk's own addresses: never answered (a loop)."
        )
    if mail.kind == MailKind.BOUNCE:
        return bounce(mailbox, mail)
    if len(mail.from_addresses) != 1:
        return held(
            f"The sender (From) names {len(mail.from_addresses) or 'no'} addresses "
            f"({', '.join(mail.from_addresses)[:150]}): who sent it cannot be told, so it was not acted on."
        )
    if mailbox.authserv_id:
        doubt = parsing.sender_doubt(mail, mailbox.authserv_id)
        if doubt:
            incident, _how = find_thread(mailbox, mail, address)
            return held(f"{doubt} Not acted on: check with the sender before adding it to a call.", incident=incident)
    if mail.kind in MACHINE_KINDS:
        incident, _how = find_thread(mailbox, mail, address)
        supplier_update = (
            incident is not None
            and incident.supplier_id
            and suppliers_for(mailbox, address).filter(pk=incident.supplier_id).exists()
        )
        if not supplier_update:
            if incident is not None or (mail.kind == MailKind.AUTO_REPLY and mail.kind_reason != parsing.BY_SUBJECT):
                return Outcome(
                    InboundStatus.IGNORED,
                    reason=f"An automatic or bulk email ({mail.kind_reason}): "
                    "kept with its call, never a new call, never reopens one, never answered.",
                    incident=incident,
                )
            return held(
                f"An automatic or bulk email ({mail.kind_reason}) that matches no call: never logged as a "
                "call by itself. Log it as a call if it needs one, or discard it."
            )
    if by is None and _flooding(message):
        return held(
            f"More than {mailbox.rate_limit_per_hour} emails in an hour from this address: held, "
            "and not answered, in case it is a loop or a flood."
        )
    incident, _how = find_thread(mailbox, mail, address)
    if incident is not None:
        return reply(message, mail, incident)
    ours = OutboundMessage.objects.filter(message_id__in=mail.thread_ids, incident__isnull=True)
    if mail.thread_ids and ours.exists():
        return held(
            "A reply to a reminder or an alert the desk sent, not about a call: read it, then log it as a "
            "call or discard it."
        )
    return new_call(message, mail)


def reply(message, mail, incident) -> Outcome:
    address = mail.from_address
    user = user_for(address, incident.school)
    new_text, _quoted = parsing.split_reply(mail.text, mail.deadline)
    files, refused = files_from(mail)
    body = _with_refused(new_text or NO_TEXT, refused)
    who = f"{mail.from_name} <{address}>" if mail.from_name else address
    if incident.supplier_id and suppliers_for(message.mailbox, address).filter(pk=incident.supplier_id).exists():
        provider = (
            user
            if user is not None
            and user.memberships.filter(role=Role.PROVIDER, supplier_id=incident.supplier_id).exists()
            else None
        )
        incident_reply(
            incident=incident,
            by=provider,
            is_public=False,
            files=files,
            body=f"Email from {who} ({incident.supplier.name}):\n\n{body}",
        )
        reference = supplier_reference_in(mail.subject)
        current = Incident.objects.only("supplier_reference").get(pk=incident.pk).supplier_reference
        if reference and not current:
            incident_supplier_reference_set(incident=incident, by=provider, reference=reference)
        return Outcome(InboundStatus.PROCESSED, action=InboundAction.SUPPLIER, incident=incident, tell_desk=True)
    is_reporter = (user is not None and user.pk == incident.reported_by_id) or (
        not incident.reported_by_id and address == incident.reporter_contact.strip().lower()
    )
    if is_reporter:
        by = user if user is not None and user.pk == incident.reported_by_id else None
        said = body if by else f"Reply by email from {who}:\n\n{body}"
        if incident.status in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED):
            incident = incident_reopen(incident=incident, by=by, reason=said)
            if files:
                incident_reply(
                    incident=incident,
                    by=by,
                    files=files,
                    is_public=by is not None,
                    body="Attachments sent with the reply that reopened the call.",
                )
            return Outcome(InboundStatus.PROCESSED, action=InboundAction.REOPENED, incident=incident, tell_desk=True)
        if by is not None:
            incident_reply(incident=incident, by=by, body=said, files=files)
        else:  # a caller without an account: their public reply, as the reporter's (it restarts a paused clock)
            incident_reply(incident=incident, by=None, body=body, files=files, from_caller=who)
        return Outcome(InboundStatus.PROCESSED, action=InboundAction.REPLY, incident=incident, tell_desk=True)
    school = incident.school
    if (
        user is not None
        and user.memberships.filter(
            Q(school=school) | Q(organisation_id=school.organisation_id), role__in=STAFF_ROLES
        ).exists()
    ):
        incident_reply(incident=incident, by=user, body=body, files=files, is_public=False)
        return Outcome(InboundStatus.PROCESSED, action=InboundAction.NOTE, incident=incident, tell_desk=True)
    return held(
        f"The sender is not the reporter, the supplier or support staff of {incident.reference}. "
        "If it belongs there, add it to the call; otherwise discard it.",
        incident=incident,
    )


def new_call(message, mail) -> Outcome:
    mailbox, address = message.mailbox, mail.from_address
    school = school_for(mailbox, mail, address)
    if school is None:
        return held("Could not tell which school this email is for: log it as a call and choose the school.")
    user = user_for(address, school)
    if user is None:
        supplier = suppliers_for(mailbox, address).first()
        if supplier is not None:
            return held(
                f"Email from {supplier.name} that matches no call. If it is about one, put their "
                "reference on the call (or our reference in their subject), then retry.",
                school=school,
            )
        if mail.kind != MailKind.PERSON:
            return held(
                f"Automatic or mailing-list email ({mail.kind_reason}) from an address we do not know.", school=school
            )
        if mailbox.unknown_senders != UnknownSenders.ACCEPT:
            return held("From an address we do not know. Log it as a call for them, or discard it.", school=school)
    location = location_for(school, mailbox, mail)
    if location is None:
        raise ValidationError(
            _("%(school)s has no locations to log the call in: add one, then retry.") % {"school": school.name}
        )
    files, refused = files_from(mail)
    description = _with_refused(parsing.strip_signature(mail.text), refused)
    caller = (
        {}
        if user is not None
        else {"reporter_name": (mail.from_name or address)[:120], "reporter_contact": address[:120]}
    )
    incident = incident_create(
        school=school,
        location=location,
        summary=mail.summary,
        by=user,
        channel="email",
        description=description,
        files=files,
        **caller,
    )
    return Outcome(InboundStatus.PROCESSED, action=InboundAction.CREATED, incident=incident, school=school)


# --- exactly once -----------------------------------------------------------------------------
def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError | PermissionDenied):
        messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        return " ".join(messages)[:300]
    return f"An error in SchoolDesk while processing ({type(exc).__name__}: {exc})"[:300]


def _desk_alerts(message, outcome) -> None:
    from schooldesk.mail.notify import attention_messages, reply_received_messages

    if outcome.status in (InboundStatus.HELD, InboundStatus.FAILED):
        deliver_after_commit(attention_messages(mailbox=message.mailbox, school=message.school, reason=outcome.reason))
    elif outcome.tell_desk and message.incident_id:
        deliver_after_commit(reply_received_messages(message))


def inbound_process(message, *, by=None, force: bool = False, mail=None) -> InboundMessage:
    """Process a stored email once. `force` (the SPOC's retry) also takes held and failed emails.
    `mail`: the email as the poller has just read it from these stored bytes (saves reading it twice)."""
    allowed = {InboundStatus.RECEIVED} | ({InboundStatus.HELD, InboundStatus.FAILED} if force else set())
    try:
        with transaction.atomic():
            message = (
                InboundMessage.objects.select_for_update(of=("self",))
                .select_related("mailbox__school", "mailbox__organisation")
                .get(pk=message.pk)
            )
            if message.status not in allowed:
                return message
            before = IncidentUpdate.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            try:
                if mail is None:
                    with message.raw.open("rb") as handle:
                        mail = parsing.parse(handle.read())
                else:
                    mail.deadline = parsing.Deadline()
            except parsing.MailTooComplex as exc:  # one email must never stall the intake: kept, for the SPOC
                outcome = held(f"Not processed: {exc} Read the original.")
            else:
                outcome = route(message, mail, by=by)
            made = (
                list(
                    IncidentUpdate.objects.filter(incident=outcome.incident, pk__gt=before)
                    .order_by("pk")
                    .values_list("pk", flat=True)
                )
                if outcome.incident
                else []
            )
            message.status, message.reason, message.action = outcome.status, outcome.reason[:300], outcome.action
            message.incident = outcome.incident or message.incident
            message.school = outcome.school or (outcome.incident.school if outcome.incident else message.school)
            message.first_update_id = made[0] if made else None
            message.last_update_id_made = made[-1] if made else None
            message.attempts += 1
            message.processed_at, message.handled_by = timezone.now(), by
            message.save()
            _desk_alerts(message, outcome)
            return message
    except Exception as exc:  # nothing is lost: the email is kept and shown to the SPOC with the reason
        if not isinstance(exc, ValidationError | PermissionDenied):
            logger.exception("Email %s could not be processed", message.pk)
        with transaction.atomic():
            message = (
                InboundMessage.objects.select_for_update(of=("self",))
                .select_related("mailbox__school", "mailbox__organisation")
                .get(pk=message.pk)
            )
            if message.status not in allowed:
                return message
            message.status, message.reason = InboundStatus.FAILED, _reason(exc)
            message.attempts += 1
            message.processed_at, message.handled_by = timezone.now(), by
            message.save()
            _desk_alerts(message, Outcome(InboundStatus.FAILED, reason=message.reason))
        return message

"""Who is told what. `update_notify` runs (through `incidents.tasks.incident_notify`) after a timeline row
is committed; the alerts for the desk are called by the mail intake and by periodic tasks.

- Reporter: their call was logged (an emailed call is acknowledged in the same thread), replies and
  changes of status, resolved (asked to confirm, or to reply if it is not fixed).
- Technician: a call forwarded to them.
- Supplier: an escalation, with everything they need to act and our reference.
- SPOC: a reply arrived by email, a target is about to be breached, email needs them; a new call, if they
  chose to hear of each one (off by default).

Nobody is emailed about their own words; each person's preferences are respected; a desk person is
only told about a call they can see (restricted calls stay restricted).
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from schooldesk.accounts.models import User
from schooldesk.core.roles import DESK_ROLES, Role
from schooldesk.incidents.choices import Satisfaction, SlaState, UpdateKind
from schooldesk.incidents.models import Incident, IncidentUpdate
from schooldesk.incidents.selectors import incidents_in_sla_state
from schooldesk.incidents.services import satisfaction_token
from schooldesk.mail.choices import MACHINE_KINDS, InboundAction, NotificationEvent, Purpose
from schooldesk.mail.models import InboundMessage, OutboundMessage
from schooldesk.mail.outbound import is_email, message_queue, messages_deliver, site_url

ESCALATION_CATCH_UP = timedelta(days=2)


def _reporter(incident) -> tuple[object | None, str]:
    if incident.reported_by_id:
        return incident.reported_by, incident.reported_by.email
    contact = incident.reporter_contact.strip()
    return None, contact if is_email(contact) else ""


def _made_by_email_from(update, address: str) -> bool:
    """This row (or another written with it) came from an email by `address`: do not echo it back."""
    return InboundMessage.objects.filter(
        incident_id=update.incident_id,
        from_address=address.lower(),
        first_update_id__lte=update.pk,
        last_update_id_made__gte=update.pk,
    ).exists()


def _can_see(user, incident) -> bool:
    return Incident.objects.visible_to(user).filter(pk=incident.pk).exists()


def desk_people(school=None, organisation=None) -> list:
    """The SPOC (or, without one, the school's SPOCs, then its ICT owners); for an organisation's shared
    mailbox, the people who run the desk for all its schools."""

    if school is None:
        return list(
            User.objects.filter(memberships__organisation=organisation, memberships__role__in=DESK_ROLES)
            .exclude(email="")
            .distinct()
        )
    if school.spoc_id and school.spoc.email:
        return [school.spoc]
    for role in (Role.SPOC, Role.OWNER):
        where = Q(memberships__school=school) | Q(memberships__organisation_id=school.organisation_id)
        people = list(User.objects.filter(where, memberships__role=role).exclude(email="").distinct())
        if people:
            return people
    return []


def _context(incident, update=None, **extra) -> dict:
    return {"incident": incident, "school": incident.school, "update": update, **extra}


def _call_subject(incident) -> str:
    return f"[{incident.reference}] {incident.summary}"


def _supplier_message(incident, escalation):
    supplier = incident.supplier
    if supplier is None or not supplier.email:
        return None
    spoc = incident.school.spoc
    return message_queue(
        purpose=Purpose.SUPPLIER_ESCALATION,
        to_address=supplier.email,
        dedupe_key=f"update:{escalation.pk}",
        subject=f"[{incident.reference}] {incident.school.name}: {incident.summary}",
        template="supplier_escalation",
        context=_context(incident, escalation, supplier=supplier, spoc=spoc),
        school=incident.school,
        incident=incident,
        update=escalation,
        is_automatic=False,  # a person's request to a supplier, not an auto-reply
    )


def _acknowledgement(incident, update):
    origin = InboundMessage.objects.filter(incident=incident, action=InboundAction.CREATED).order_by("pk").first()
    if origin is None:
        return None, ""
    if origin.no_auto_response or origin.kind in MACHINE_KINDS:
        return None, origin.from_address  # machine mail is never answered automatically
    user, address = _reporter(incident)
    recipient = user if user is not None and user.email.lower() == origin.from_address else None
    message = message_queue(
        purpose=Purpose.CALL_LOGGED,
        to_address=origin.from_address,
        dedupe_key=f"update:{update.pk}",
        subject=_call_subject(incident),
        template="call_acknowledged",
        context=_context(incident, update),
        school=incident.school,
        incident=incident,
        update=update,
        recipient=recipient,
        in_reply_to=origin.message_id,
        references=[origin.message_id],
    )
    return message, origin.from_address


def new_call_messages(incident, update) -> list:
    """The desk people who chose to hear of each new call (off by default: the triage queue is the usual
    signal), except whoever logged or reported it, and only about a call they can see."""

    school = incident.school
    where = Q(memberships__school=school) | Q(
        memberships__organisation_id=school.organisation_id, memberships__school__isnull=True
    )
    chose = Q(notification_preferences__event=NotificationEvent.NEW_CALL, notification_preferences__is_enabled=True)
    people = (
        User.objects.filter(where, chose, memberships__role__in=DESK_ROLES).exclude(email="").distinct().order_by("pk")
    )
    messages = []
    for person in people:
        if person.pk in (update.author_id, incident.reported_by_id) or not _can_see(person, incident):
            continue
        messages.append(
            message_queue(
                purpose=Purpose.NEW_CALL,
                to_address=person.email,
                dedupe_key=f"update:{update.pk}",
                subject=f"[{incident.reference}] New call: {incident.summary}",
                template="new_call",
                context=_context(incident, update),
                school=school,
                incident=incident,
                update=update,
                recipient=person,
            )
        )
    return messages


def _lead(rows):
    """The row an email about several is filed under: what the person did, not the status it led to."""
    return next((u for u in rows if u.kind != UpdateKind.STATUS), rows[0])


def update_messages(updates) -> list:
    """The emails one save about a call calls for: the technician it was forwarded to, the supplier it was
    escalated to, and the reporter, who reads everything public that the save did in one email."""
    incident = updates[0].incident
    messages = []
    reporter, reporter_address = _reporter(incident)
    told = set()
    for update in updates:
        if update.kind == UpdateKind.LOGGED:
            message, told_address = _acknowledgement(incident, update)
            messages.append(message)
            told.add(told_address)
            messages.extend(new_call_messages(incident, update))
        elif update.kind == UpdateKind.ASSIGNMENT:
            technician = incident.assigned_to
            if technician is not None and technician.pk != update.author_id:
                messages.append(
                    message_queue(
                        purpose=Purpose.CALL_ASSIGNED,
                        to_address=technician.email,
                        dedupe_key=f"update:{update.pk}",
                        subject=_call_subject(incident),
                        template="call_assigned",
                        context=_context(incident, update),
                        school=incident.school,
                        incident=incident,
                        update=update,
                        recipient=technician,
                    )
                )
        elif update.kind == UpdateKind.ESCALATION:
            messages.append(_supplier_message(incident, update))
    public = [u for u in updates if u.is_public and u.kind not in (UpdateKind.ASSIGNMENT, UpdateKind.ESCALATION)]
    if not public or not reporter_address or reporter_address.lower() in told:
        return messages
    lead = _lead(public)
    is_author = reporter is not None and reporter.pk == lead.author_id
    if is_author or _made_by_email_from(lead, reporter_address):
        return messages
    resolution = next((u for u in public if u.kind == UpdateKind.RESOLUTION), None)
    extra = {}
    if resolution is not None:
        purpose, template, lead = Purpose.CALL_RESOLVED, "call_resolved", resolution
        extra["ratings"] = rating_links(incident)
    else:
        purpose = Purpose.CALL_LOGGED if lead.kind == UpdateKind.LOGGED else Purpose.CALL_UPDATED
        template = "call_update"
    messages.append(
        message_queue(
            purpose=purpose,
            to_address=reporter_address,
            dedupe_key=f"update:{lead.pk}",
            subject=_call_subject(incident),
            template=template,
            context=_context(incident, lead, updates=public, **extra),
            school=incident.school,
            incident=incident,
            update=lead,
            recipient=reporter,
        )
    )
    return messages


def rating_links(incident) -> list[tuple[str, str]]:
    """The one-click answers (good / OK / poor) of the resolution email, when the call was picked for a rating
    and is not rated yet: each a signed, expiring link to the rating page (decision 0022)."""

    if not incident.satisfaction_asked_at or incident.satisfaction:
        return []
    return [
        (
            label,
            site_url() + reverse("incidents:rating_link", args=[satisfaction_token(incident=incident, rating=value)]),
        )
        for value, label in Satisfaction.choices
    ]


def update_notify(update_ids: list[int] | int) -> int:
    """Log and send the emails the timeline rows of one save call for. Returns how many were sent now."""
    ids = [update_ids] if isinstance(update_ids, int) else list(update_ids)
    updates = list(
        IncidentUpdate.objects.select_related(
            "incident__reported_by",
            "incident__assigned_to",
            "incident__school__spoc",
            "incident__supplier",
            "incident__location",
            "author",
        )
        .filter(pk__in=ids)
        .order_by("pk")
    )
    messages = []
    for incident_id in dict.fromkeys(u.incident_id for u in updates):  # one save may touch two calls
        messages.extend(update_messages([u for u in updates if u.incident_id == incident_id]))
    return messages_deliver([m for m in messages if m is not None])


def escalations_unsent(*, now=None) -> int:
    """Periodic safety net: an escalation of the last two days whose supplier email was never logged
    (a re-escalation that changed no status, a worker that died) is sent now."""
    now = now or timezone.now()
    sent = OutboundMessage.objects.filter(purpose=Purpose.SUPPLIER_ESCALATION).values("update_id")
    rows = IncidentUpdate.objects.filter(
        kind=UpdateKind.ESCALATION, created_at__gte=now - ESCALATION_CATCH_UP, incident__supplier__isnull=False
    ).exclude(pk__in=sent)
    messages = []
    for row in rows.select_related(
        "incident__school__spoc", "incident__supplier", "incident__location", "incident__reported_by"
    ):
        if (
            row.new_value == row.incident.supplier.name
            and row.incident.updates.filter(kind=UpdateKind.ESCALATION, pk__gt=row.pk).count() == 0
        ):
            messages.append(_supplier_message(row.incident, row))
    return messages_deliver([m for m in messages if m is not None], now=now)


# --- alerts for the desk ----------------------------------------------------------------------
def reply_received_messages(inbound) -> list:
    """A reply by email landed on a call: tell the SPOC and the technician looking after it."""
    incident = inbound.incident
    people = [*desk_people(incident.school), incident.assigned_to]
    messages, seen = [], set()
    for person in people:
        if person is None or person.pk in seen or not person.email or person.email.lower() == inbound.from_address:
            continue
        seen.add(person.pk)
        if not _can_see(person, incident):
            continue
        messages.append(
            message_queue(
                purpose=Purpose.REPLY_RECEIVED,
                to_address=person.email,
                dedupe_key=f"inbound:{inbound.pk}",
                subject=f"[{incident.reference}] Reply received: {incident.summary}",
                template="reply_received",
                context=_context(incident, inbound=inbound),
                school=incident.school,
                incident=incident,
                recipient=person,
            )
        )
    return messages


def attention_messages(*, mailbox, school=None, reason: str, now=None, daily: bool = False) -> list:
    """Email is held, could not be processed, or the mailbox cannot be read: at most one email an hour
    (a day for a mailbox that cannot be read) per mailbox and person, so a flood of bad mail does not
    become a flood of alerts."""
    now = now or timezone.now()
    period = timezone.localtime(now).strftime("%Y%m%d" if daily else "%Y%m%d%H")
    key = f"{'mailbox-error' if daily else 'mailbox'}:{mailbox.pk}:{period}"
    people = desk_people(school or mailbox.school, None if (school or mailbox.school) else mailbox.organisation)
    return [
        message_queue(
            purpose=Purpose.MAIL_ATTENTION,
            to_address=person.email,
            dedupe_key=key,
            subject=f"Email needs your attention: {mailbox.name}",
            template="mail_attention",
            context={"mailbox": mailbox, "reason": reason},
            school=school or mailbox.school,
            recipient=person,
        )
        for person in people
    ]


def sla_warnings_send(*, now=None) -> int:
    """Calls whose next target falls within two hours: the SPOC and the technician hear once per target."""

    now = now or timezone.now()
    due = incidents_in_sla_state(queryset=Incident.objects.all(), state=SlaState.DUE_SOON, now=now).select_related(
        "school__spoc", "assigned_to", "location"
    )
    messages = []
    for incident in due[:500]:
        target = incident.next_due_at
        which = "response" if target == incident.response_due_at and not incident.responded_at else "resolution"
        seen = set()
        for person in [*desk_people(incident.school), incident.assigned_to]:
            if person is None or person.pk in seen or not person.email or not _can_see(person, incident):
                continue
            seen.add(person.pk)
            messages.append(
                message_queue(
                    purpose=Purpose.SLA_WARNING,
                    to_address=person.email,
                    dedupe_key=f"sla:{incident.pk}:{which}:{target:%Y%m%d%H%M}",
                    subject=f"[{incident.reference}] {which.capitalize()} due {timezone.localtime(target):%H:%M}: "
                    f"{incident.summary}",
                    template="sla_warning",
                    context=_context(incident, target=target, which=which),
                    school=incident.school,
                    incident=incident,
                    recipient=person,
                )
            )
    return messages_deliver([m for m in messages if m is not None], now=now)

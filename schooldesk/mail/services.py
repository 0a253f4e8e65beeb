"""Writes for mail: mailbox settings (secrets write-only), polling a mailbox, the SPOC's actions on
held and failed email, and each person's notification preferences."""

from __future__ import annotations

import logging
import secrets as token_source
from dataclasses import dataclass
from datetime import timedelta
from ipaddress import ip_address

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from schooldesk.core.audit import audit_record
from schooldesk.core.concurrency import version_claim
from schooldesk.core.permissions import require
from schooldesk.incidents.models import IncidentUpdate
from schooldesk.incidents.services import incident_create, incident_reply
from schooldesk.mail import imap, intake, oauth, parsing
from schooldesk.mail.choices import (
    ATTENTION_STATUSES,
    OAUTH_METHODS,
    InboundAction,
    InboundStatus,
    NotificationEvent,
    Purpose,
    Security,
    SendWith,
    SmtpSecurity,
)
from schooldesk.mail.models import SECRET_FIELDS, InboundMessage, Mailbox, NotificationPreference

LEASE = timedelta(minutes=10)
#: a poll shows it is alive after every email (each bounded by parsing.MAX_SECONDS); a lease whose
#: heartbeat is older than this belongs to a worker that died, and the next poll takes it over
HEARTBEAT = timedelta(seconds=90)
POLL_STATE = {
    "uid_validity",
    "last_uid",
    "polling_until",
    "last_polled_at",
    "last_error",
    "last_error_at",
    "poll_owner",
    "poll_heartbeat_at",
}
SETTINGS_FIELDS = [
    f.attname
    for f in Mailbox._meta.concrete_fields
    if f.attname not in POLL_STATE | {"id", "created_at", "updated_at", "verified_at"}
]
CONFIRM_SALT = "schooldesk.mail.mailbox-confirm"
CONFIRM_DAYS = 7
BATCH = 200

logger = logging.getLogger(__name__)


def _is_loopback(host: str) -> bool:
    try:
        return host == "localhost" or ip_address(host).is_loopback
    except ValueError:
        return False


# --- mailbox settings -------------------------------------------------------------------------
@transaction.atomic
def mailbox_save(*, mailbox: Mailbox, by, secrets: dict | None = None, version: int | None = None) -> Mailbox:
    """Create or change a mailbox. Secrets are only ever written: a blank one keeps what is stored."""
    if bool(mailbox.school_id) == bool(mailbox.organisation_id):
        raise ValidationError(
            {"school": _("Choose a school, or the organisation for a mailbox shared by all its schools.")}
        )
    require(by, "mail.manage", mailbox)
    version_claim(mailbox, version)  # a save from an older page is refused (core/concurrency.py)
    mailbox.address = mailbox.address.strip().lower()
    for name, value in (secrets or {}).items():
        if name in SECRET_FIELDS and value:
            setattr(mailbox, name, value)
    errors = {}
    if mailbox.security == Security.NONE and mailbox.host and not _is_loopback(mailbox.host):
        errors["security"] = "Email passwords must not cross the network unencrypted: choose SSL/TLS or STARTTLS."
    if mailbox.send_with == SendWith.MAILBOX:
        if mailbox.smtp_security == SmtpSecurity.NONE and not _is_loopback(mailbox.smtp_host):
            errors["smtp_security"] = (
                "Email passwords must not cross the network unencrypted: choose STARTTLS or SSL/TLS."
            )
        if not mailbox.smtp_host and mailbox.auth_method not in OAUTH_METHODS:
            errors["smtp_host"] = "Give the SMTP server, or send with the installation's mail server."
        if mailbox.auth_method not in OAUTH_METHODS and not (mailbox.smtp_password or mailbox.password):
            errors["smtp_password"] = "Give the password the mailbox sends with."  # noqa: S105
    duplicate = Mailbox.objects.visible_to(by).filter(address=mailbox.address).exclude(pk=mailbox.pk) if by else None
    if duplicate is not None and duplicate.exists():  # only among the mailboxes this person already sees
        errors["address"] = "Another of your mailboxes already has this address."
    if mailbox.is_active and not mailbox.host and mailbox.auth_method not in OAUTH_METHODS:
        errors["host"] = "Give the IMAP server, or untick “check this mailbox”."
    if mailbox.auth_method in OAUTH_METHODS:
        if not mailbox.oauth_client_id:
            errors["oauth_client_id"] = "Give the app (client) ID registered with your provider."
        if not mailbox.oauth_client_secret:
            errors["oauth_client_secret"] = "Give the client secret registered with your provider."  # noqa: S105
        oauth.provider_defaults(mailbox)
    elif mailbox.is_active and not mailbox.password:
        errors["password"] = "Give the mailbox's password."  # noqa: S105
    if mailbox.default_location_id and mailbox.default_location.school_id != mailbox.school_id:
        errors["default_location"] = "Choose a location of this mailbox's school."
    if errors:
        raise ValidationError(errors)
    mailbox.full_clean(exclude=["school", "organisation", "default_location", *SECRET_FIELDS])
    new_address = True
    if mailbox.pk:
        before = Mailbox.objects.filter(pk=mailbox.pk).values("host", "username", "folder", "address").first()
        new_address = before is not None and before.pop("address") != mailbox.address
        if before and before != {"host": mailbox.host, "username": mailbox.username, "folder": mailbox.folder}:
            mailbox.uid_validity, mailbox.last_uid = None, 0  # another mailbox: start again (Message-IDs still dedupe)
    created = mailbox.pk is None
    if new_address:  # an address is the desk's only once proved (decision 0018)
        mailbox.verified_at = None
    try:
        with transaction.atomic():  # never the polling state: a poll may be running with its own copy
            fields = None if created else [*SETTINGS_FIELDS, "uid_validity", "last_uid", "verified_at", "updated_at"]
            mailbox.save(update_fields=fields)
    except IntegrityError as exc:
        raise ValidationError({"address": _("Another of your mailboxes already has this address.")}) from exc
    if new_address:
        mailbox_confirmation_send(mailbox=mailbox)
    audit_record(
        actor=by,
        school=mailbox.school,
        action="create" if created else "update",
        obj=mailbox,
        summary=f"Mailbox {mailbox.address} saved",
        changes={"secrets changed": sorted(n for n, v in (secrets or {}).items() if v)},
    )
    return mailbox


def mailbox_check(*, mailbox: Mailbox) -> str:
    """Sign in and open the folder; return a line for the SPOC (raises imap.MailboxError). An OAuth sign-in
    to the provider's own server as the mailbox's address proves the address is the desk's."""
    with imap.imap_session(mailbox) as conn:
        waiting = len(imap.new_uids(conn, mailbox.last_uid))
    if not mailbox.is_proved and signed_in_as_address(mailbox):
        mailbox_prove(mailbox=mailbox, how="sign-in")
    return f"Signed in to {mailbox.host} and opened “{mailbox.folder}”: {waiting} email(s) not yet fetched."


def signed_in_as_address(mailbox: Mailbox) -> bool:
    """A sign-in proves the address only when the provider, not a server the SPOC chose, vouches for it: an
    OAuth grant used on the provider's own IMAP server, signed in as the address itself. (A password accepted
    by a server the SPOC typed proves nothing: they could run one that accepts anyone.)"""
    account = (mailbox.username or mailbox.address).strip().lower()
    return mailbox.is_oauth and account == mailbox.address and oauth.is_provider_host(mailbox)


def _confirm_token(mailbox: Mailbox) -> str:
    return signing.dumps({"m": mailbox.pk, "a": mailbox.address}, salt=CONFIRM_SALT)


def mailbox_confirmation_send(*, mailbox: Mailbox, now=None):
    """Email a signed link to the mailbox's address (through the outbound path, logged and retried): whoever
    can read that address proves it is the desk's by following it. Nothing is sent to an address another
    desk has already proved (it is one of ours), and the person is told the same either way."""
    from schooldesk.mail.outbound import deliver_after_commit, message_queue, site_url

    now = now or timezone.now()
    url = site_url() + reverse("mail:mailbox_confirm", args=[_confirm_token(mailbox)])
    message = message_queue(
        purpose=Purpose.MAILBOX_CONFIRM,
        to_address=mailbox.address,
        dedupe_key=f"mailbox:{mailbox.pk}:{now.timestamp()}",
        subject=f"Confirm {mailbox.address} as the ICT desk's mailbox",
        template="mailbox_confirm",
        context={"mailbox": mailbox, "url": url, "days": CONFIRM_DAYS},
        school=mailbox.school,
        in_reply_to="",
        references=[],
    )
    deliver_after_commit([message])
    return message


def mailbox_confirm_get(*, token: str) -> Mailbox:
    """The mailbox a confirmation link is for (raises ValidationError when it is not valid any more)."""
    invalid = ValidationError(
        _("This confirmation link is not valid or has expired: send a new one from the mailbox's settings page.")
    )
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=timedelta(days=CONFIRM_DAYS))
    except signing.BadSignature as exc:
        raise invalid from exc
    mailbox = (
        Mailbox.objects.select_related("school", "organisation").filter(pk=data.get("m"), address=data.get("a")).first()
    )
    if mailbox is None:  # deleted, or its address changed since the link was sent
        raise invalid
    return mailbox


@transaction.atomic
def mailbox_confirm(*, token: str) -> Mailbox:
    """Someone who reads the address followed the link: the address is the desk's."""
    mailbox = mailbox_confirm_get(token=token)
    if not mailbox.is_proved:
        mailbox_prove(mailbox=mailbox, how="link")
    return mailbox


def mailbox_prove(*, mailbox: Mailbox, how: str) -> Mailbox:
    """Mark the address proved; refused (the same for everyone) while another desk's mailbox holds it."""
    refused = ValidationError(
        _("This address cannot be confirmed for this mailbox. Ask the installation's administrator.")
    )
    if Mailbox.objects.filter(address=mailbox.address, verified_at__isnull=False).exclude(pk=mailbox.pk).exists():
        raise refused
    mailbox.verified_at = timezone.now()
    try:
        with transaction.atomic():
            Mailbox.objects.filter(pk=mailbox.pk).update(verified_at=mailbox.verified_at)
    except IntegrityError as exc:  # proved for another desk at the same moment
        mailbox.verified_at = None
        raise refused from exc
    audit_record(
        actor=None,
        school=mailbox.school,
        action="prove",
        obj=mailbox,
        summary=f"Mailbox address {mailbox.address} confirmed ({how})",
    )
    return mailbox


# --- polling ----------------------------------------------------------------------------------
def _same_email(mailbox, message_id: str, digest: str) -> InboundMessage | None:
    """The stored copy of this email: the same Message-ID and the same content (rows stored before the
    digest existed get theirs now)."""
    for existing in InboundMessage.objects.filter(mailbox=mailbox, message_id=message_id).order_by("pk"):
        if not existing.digest:
            try:
                with existing.raw.open("rb") as handle:
                    existing.digest = parsing.content_digest(handle.read())
            except OSError:
                continue
            InboundMessage.objects.filter(pk=existing.pk, digest="").update(digest=existing.digest)
        if existing.digest == digest:
            return existing
    return None


def inbound_store(*, mailbox: Mailbox, raw: bytes, uid: int | None = None) -> tuple[InboundMessage, bool]:
    """Keep the original email, once per mailbox, Message-ID and content (a copier that reuses a
    Message-ID for another email still gets each one read). Returns (message, newly stored); a newly
    stored one carries what was read from it as `message.parsed`.
    An email over the bounds one email may cost (parsing.MAX_*) is kept and held with the reason."""
    message_id, digest = parsing.message_id_of(raw), parsing.content_digest(raw)
    existing = _same_email(mailbox, message_id, digest)
    if existing is not None:
        return existing, False
    message = InboundMessage(
        mailbox=mailbox,
        school=mailbox.school,
        message_id=message_id,
        digest=digest,
        uid=uid,
        size=len(raw),
        is_marked_read=uid is None,
    )
    message.parsed = None
    try:
        mail = parsing.parse(raw)
        message.preview = parsing.split_reply(mail.text, mail.deadline)[0][:300]
    except parsing.MailTooComplex as exc:
        message.status, message.reason = InboundStatus.HELD, f"Not processed: {exc} Read the original."[:300]
        message.processed_at, message.attempts = timezone.now(), 1
        message.from_address, message.from_name, message.subject = parsing.sender_and_subject(raw)
    except Exception as exc:  # noqa: BLE001 - kept, and shown to the SPOC with the reason
        message.status, message.reason = InboundStatus.FAILED, f"The email could not be read: {exc}"[:300]
    else:
        message.from_address, message.from_name = mail.from_address, mail.from_name
        message.subject, message.sent_at = mail.subject, mail.date
        message.kind, message.no_auto_response = mail.kind, mail.no_auto_response
        message.parsed = mail
    message.raw.save(f"{token_source.token_hex(16)}.eml", ContentFile(raw), save=False)
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:  # fetched at the same moment by another worker
        message.raw.delete(save=False)
        return InboundMessage.objects.get(mailbox=mailbox, message_id=message_id, digest=digest), False
    if message.status == InboundStatus.HELD:
        from schooldesk.mail.notify import attention_messages
        from schooldesk.mail.outbound import deliver_after_commit

        deliver_after_commit(attention_messages(mailbox=mailbox, school=message.school, reason=message.reason))
    return message, True


@dataclass
class PollResult:
    fetched: int = 0
    stored: int = 0
    skipped: bool = False
    error: str = ""
    taken_over: bool = False
    marked_read_late: int = 0


class LeaseLost(Exception):  # noqa: N818
    """Another worker took this mailbox over (this one was thought dead): stop at once."""


def _heartbeat(mailbox: Mailbox, owner: str, **position) -> None:
    """Still alive, still the owner (and, with `position`, how far this poll has got)."""
    now = timezone.now()
    if not Mailbox.objects.filter(pk=mailbox.pk, poll_owner=owner).update(
        poll_heartbeat_at=now, polling_until=now + LEASE, **position
    ):
        raise LeaseLost


def _mark_read_late(conn, mailbox: Mailbox, validity) -> int:
    """Flag on the server the emails a poll stored but died before flagging (same UIDVALIDITY only:
    otherwise the UIDs mean other emails, and the refetch flags them)."""
    if validity != mailbox.uid_validity:
        return 0
    pending = list(
        mailbox.messages.filter(is_marked_read=False, uid__isnull=False, uid__lte=mailbox.last_uid).values_list(
            "pk", "uid"
        )[:BATCH]
    )
    for _pk, uid in pending:
        imap.mark_seen(conn, uid)
    InboundMessage.objects.filter(pk__in=[pk for pk, _uid in pending]).update(is_marked_read=True)
    return len(pending)


def mailbox_poll(*, mailbox: Mailbox, now=None) -> PollResult:
    """Fetch and process the new email of one mailbox. Each email is stored before the mailbox's
    position moves past it and before it is marked read, so a crash at any point loses nothing, and
    the Message-ID and digest make a second fetch harmless. One worker at a time per mailbox: a lease,
    kept alive by a heartbeat after every email; a lease whose heartbeat has gone stale (the worker
    died) is taken over, and what it stored but did not flag read on the server is flagged."""
    now = now or timezone.now()
    result = PollResult()
    owner = token_source.token_hex(16)
    free = Q(polling_until__isnull=True) | Q(polling_until__lt=now)
    stale = Q(poll_heartbeat_at__lt=now - HEARTBEAT)
    before = Mailbox.objects.filter(pk=mailbox.pk).values_list("poll_owner", "polling_until").first()
    taken = Mailbox.objects.filter(free | stale, pk=mailbox.pk, verified_at__isnull=False).update(
        polling_until=now + LEASE, poll_owner=owner, poll_heartbeat_at=now
    )  # an address not yet proved is not read
    if not taken:
        result.skipped = True
        return result
    result.taken_over = bool(before and before[1] and before[1] >= now)
    if result.taken_over:
        logger.warning(
            "Mailbox %s: the poll lease of worker %s had no heartbeat for %s; taken over",
            mailbox.pk,
            before[0] or "(unknown)",
            HEARTBEAT,
        )
    mailbox.refresh_from_db()
    flagged: list[int] = []
    try:
        for message in mailbox.messages.filter(status=InboundStatus.RECEIVED).order_by("pk")[:BATCH]:
            intake.inbound_process(message)  # stored by an earlier poll that stopped before processing
            _heartbeat(mailbox, owner)
        with imap.imap_session(mailbox) as conn:
            validity = imap.uid_validity(conn)
            result.marked_read_late = _mark_read_late(conn, mailbox, validity)
            if validity != mailbox.uid_validity:
                mailbox.uid_validity, mailbox.last_uid = validity, 0
            for uid in imap.new_uids(conn, mailbox.last_uid)[:BATCH]:
                raw = imap.fetch(conn, uid)
                message = None
                if raw is not None:
                    result.fetched += 1
                    message, stored = inbound_store(mailbox=mailbox, raw=raw, uid=uid)
                    result.stored += stored
                    if message.status == InboundStatus.RECEIVED:
                        intake.inbound_process(message, mail=getattr(message, "parsed", None))
                mailbox.last_uid = uid
                _heartbeat(mailbox, owner, last_uid=uid, uid_validity=validity)
                imap.mark_seen(conn, uid)
                if message is not None and not message.is_marked_read:
                    flagged.append(message.pk)
    except imap.MailboxError as exc:
        result.error = str(exc)[:500]
    except LeaseLost:
        result.skipped = True
        return result
    finally:  # recorded together; a crash before this leaves them to be flagged again (harmless) next time
        InboundMessage.objects.filter(pk__in=flagged).update(is_marked_read=True)
        if not result.skipped:
            mailbox.polling_until, mailbox.last_polled_at, mailbox.last_error = None, timezone.now(), result.error
            if result.error:
                mailbox.last_error_at = mailbox.last_polled_at
            Mailbox.objects.filter(pk=mailbox.pk, poll_owner=owner).update(
                polling_until=None,
                poll_owner="",
                poll_heartbeat_at=None,
                last_polled_at=mailbox.last_polled_at,
                uid_validity=mailbox.uid_validity,
                last_error=result.error,
                last_error_at=mailbox.last_error_at,
            )
    if result.error:
        from schooldesk.mail.notify import attention_messages
        from schooldesk.mail.outbound import deliver_after_commit

        reason = f"The mailbox could not be read: {result.error}"
        deliver_after_commit(attention_messages(mailbox=mailbox, reason=reason, daily=True))
    return result


def mailboxes_due(*, now=None) -> list[int]:
    now = now or timezone.now()
    due = []
    proved = Mailbox.objects.filter(is_active=True, verified_at__isnull=False).exclude(host="")
    for pk, every, last in proved.values_list("pk", "poll_every_minutes", "last_polled_at"):
        if last is None or last <= now - timedelta(minutes=max(1, every)) + timedelta(seconds=5):
            due.append(pk)
    return due


# --- the SPOC's actions on held and failed email ----------------------------------------------
def _locked(message) -> InboundMessage:
    return (
        InboundMessage.objects.select_for_update(of=("self",))
        .select_related("mailbox__school", "mailbox__organisation", "incident__school", "school")
        .get(pk=message.pk)
    )


def inbound_retry(*, message: InboundMessage, by) -> InboundMessage:
    require(by, "mail.handle", message)
    if message.status not in ATTENTION_STATUSES:
        raise ValidationError(_("Only held emails and emails that could not be processed can be tried again."))
    return intake.inbound_process(message, by=by, force=True)


@transaction.atomic
def inbound_accept(*, message: InboundMessage, by, school=None, location=None, summary: str = "") -> InboundMessage:
    """The desk takes a held email: onto the call it belongs to (as a note), or as a new call for the sender."""
    message = _locked(message)
    if message.status not in ATTENTION_STATUSES:
        raise ValidationError(_("This email has already been dealt with."))
    try:
        with message.raw.open("rb") as handle:
            mail = parsing.parse(handle.read())
    except parsing.MailTooComplex as exc:
        raise ValidationError(
            _("%(reason)s Log the call yourself from the original email, then discard this one.") % {"reason": exc}
        ) from exc
    files, refused = intake.files_from(mail)
    who = f"{mail.from_name} <{mail.from_address}>" if mail.from_name else mail.from_address
    before = IncidentUpdate.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    if message.incident_id:
        incident = message.incident
        require(by, "mail.handle", incident)
        text = parsing.split_reply(mail.text)[0] or intake.NO_TEXT
        incident_reply(
            incident=incident,
            by=by,
            is_public=False,
            files=files,
            body=intake._with_refused(f"Email from {who}:\n\n{text}", refused),
        )
        message.action = InboundAction.NOTE
    else:
        school = message.school or school
        if school is None:
            raise ValidationError({"school": _("Choose the school the call is for.")})
        require(by, "mail.handle", school)
        if location is None or location.school_id != school.pk:
            raise ValidationError({"location": _("Choose a location from this school's list.")})
        user = intake.user_for(mail.from_address, school)
        caller = (
            {"reported_by": user}
            if user
            else {
                "reporter_name": (mail.from_name or mail.from_address)[:120],
                "reporter_contact": mail.from_address[:120],
            }
        )
        incident = incident_create(
            school=school,
            location=location,
            summary=(summary or mail.summary)[:200],
            by=by,
            channel="email",
            files=files,
            **caller,
            description=intake._with_refused(parsing.strip_signature(mail.text), refused),
        )
        message.incident, message.school, message.action = incident, school, InboundAction.CREATED
    made = list(
        IncidentUpdate.objects.filter(incident=incident, pk__gt=before).order_by("pk").values_list("pk", flat=True)
    )
    message.first_update_id, message.last_update_id_made = (made[0], made[-1]) if made else (None, None)
    message.status, message.handled_by, message.processed_at = InboundStatus.PROCESSED, by, timezone.now()
    message.save()
    audit_record(
        actor=by,
        school=message.school,
        action="accept",
        obj=message,
        summary=f"Email from {mail.from_address} taken onto {incident.reference}",
    )
    return message


@transaction.atomic
def inbound_discard(*, message: InboundMessage, by) -> InboundMessage:
    message = _locked(message)
    require(by, "mail.handle", message)
    if message.status not in ATTENTION_STATUSES:
        raise ValidationError(_("This email has already been dealt with."))
    message.status, message.handled_by, message.processed_at = InboundStatus.DISCARDED, by, timezone.now()
    message.save(update_fields=["status", "handled_by", "processed_at", "updated_at"])
    audit_record(
        actor=by,
        school=message.school,
        action="discard",
        obj=message,
        summary=f"Email from {message.from_address} discarded",
    )
    return message


# --- preferences ------------------------------------------------------------------------------
@transaction.atomic
def preferences_save(*, user, enabled: dict[str, bool]) -> None:
    """Each person chooses what they receive; an event not mentioned is left as it was."""
    for event, on in enabled.items():
        if event not in NotificationEvent.values:
            raise ValidationError(_("Unknown kind of email: %(event)s") % {"event": event})
        NotificationPreference.objects.update_or_create(user=user, event=event, defaults={"is_enabled": bool(on)})


@transaction.atomic
def mailbox_authorised(*, mailbox: Mailbox, by, code: str, redirect_uri: str) -> Mailbox:
    """The person came back from the provider's consent page: keep the tokens (never shown)."""
    require(by, "mail.manage", mailbox)
    if mailbox.auth_method not in OAUTH_METHODS:
        raise ValidationError(_("This mailbox signs in with a password."))
    try:
        oauth.code_exchange(mailbox, code=code, redirect_uri=redirect_uri)
    except oauth.OAuthError as exc:
        raise ValidationError(str(exc)) from exc
    audit_record(
        actor=by,
        school=mailbox.school,
        action="authorise",
        obj=mailbox,
        summary=f"Mailbox {mailbox.address} authorised with {mailbox.get_auth_method_display()}",
    )
    if not mailbox.is_proved and signed_in_as_address(mailbox):
        try:
            mailbox_check(mailbox=mailbox)  # the grant signs in to the provider as the address: proved
        except (imap.MailboxError, ValidationError):
            pass  # not proved yet; the page says so and offers the confirmation email
    return mailbox

"""Writes for suppliers, contacts and contracts. Views, tasks and the demo call these functions."""

from __future__ import annotations

import mimetypes
import secrets
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from schooldesk.accounts.models import Membership, User
from schooldesk.core.audit import audit_record
from schooldesk.core.concurrency import version_claim
from schooldesk.core.permissions import refusal, require
from schooldesk.core.roles import Role
from schooldesk.core.uploads import attachment_validate
from schooldesk.mail.outbound import messages_deliver
from schooldesk.mail.reminders import ReminderKind, reminder_send
from schooldesk.suppliers.choices import (
    ALERT_THRESHOLDS,
    EDITABLE_STATUSES,
    LIVE_STATUSES,
    AlertKind,
    ContractStatus,
    Decision,
    Renewal,
    SuggestionStatus,
)
from schooldesk.suppliers.models import (
    CONTACT_SUGGESTABLE,
    SUPPLIER_SUGGESTABLE,
    Contact,
    Contract,
    ContractAlert,
    ContractDecision,
    ContractDocument,
    Supplier,
    SupplierSuggestion,
)
from schooldesk.suppliers.selectors import contract_school_ids, suggestion_school
from schooldesk.suppliers.signals import contract_changed, contract_renewed
from schooldesk.webhooks.choices import WebhookEvent
from schooldesk.webhooks.events import emit, event_key, subscribed_events

MAX_ROLL_FORWARD = 1200  # terms: a monthly contract rolled for a century is a data error


@transaction.atomic
def supplier_save(*, supplier: Supplier, by, version: int | None = None) -> Supplier:
    created = supplier.pk is None
    require(by, "suppliers.change", supplier.organisation_id)
    if not created:  # and the organisation it belonged to
        require(by, "suppliers.change", Supplier.objects.values_list("organisation_id", flat=True).get(pk=supplier.pk))
    supplier.full_clean()
    version_claim(supplier, version)  # a save from an older page is refused (core/concurrency.py)
    supplier.save()
    audit_record(
        actor=by,
        school=None,
        organisation=supplier.organisation_id,
        action="create" if created else "update",
        obj=supplier,
        summary=f"Supplier {supplier} saved",
    )
    return supplier


# --- contacts ---------------------------------------------------------------------------------
@transaction.atomic
def contact_save(*, contact: Contact, by, version: int | None = None) -> Contact:
    require(by, "suppliers.change", contact.supplier.organisation_id)
    if not (contact.email or contact.phone):
        raise ValidationError(_("Give an email or a phone number for the contact."))
    created = contact.pk is None
    contact.full_clean()
    version_claim(contact, version)  # a save from an older page is refused (core/concurrency.py)
    contact.save()
    audit_record(
        actor=by,
        school=None,
        organisation=contact.supplier.organisation_id,
        action="create" if created else "update",
        obj=contact,
        label=f"{contact} ({contact.supplier})",
        summary=f"Contact {contact} at {contact.supplier} saved",
    )
    return contact


@transaction.atomic
def contact_delete(*, contact: Contact, by) -> None:
    require(by, "suppliers.change", contact.supplier.organisation_id)
    audit_record(
        actor=by,
        school=None,
        organisation=contact.supplier.organisation_id,
        action="delete",
        obj=contact,
        label=f"{contact} ({contact.supplier})",
        summary=f"Contact {contact} removed",
    )
    contact.delete()


# --- suggestions from a school's desk ------------------------------------------------------------------------
@transaction.atomic
def supplier_suggest(
    *, supplier: Supplier, contact: Contact | None = None, field_name: str, value: str, reason: str, by
) -> SupplierSuggestion:
    """A school's SPOC or owner proposes a change to the organisation's shared supplier or contact."""
    require(by, "suppliers.suggest", supplier)
    school = suggestion_school(user=by, supplier=supplier) if by is not None else None
    if school is None:  # a suggestion is a school desk's: SchoolDesk itself suggests nothing
        raise PermissionDenied(refusal("suppliers.suggest"))
    if contact is not None and contact.supplier_id != supplier.pk:
        raise ValidationError(_("That contact is not one of this supplier's."))
    allowed = CONTACT_SUGGESTABLE if contact is not None else SUPPLIER_SUGGESTABLE
    if field_name not in allowed:
        raise ValidationError({"field_name": _("Choose what to change.")})
    if field_name != "remove" and not value.strip():
        raise ValidationError({"value": _("Give the new value.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why, so that the organisation can decide.")})
    suggestion = SupplierSuggestion.objects.create(
        supplier=supplier,
        contact=contact,
        is_about_contact=contact is not None,
        subject=str(contact or supplier)[:150],
        school=school,
        proposed_by=by,
        field_name=field_name,
        value="" if field_name == "remove" else value.strip(),
        reason=reason.strip(),
    )
    audit_record(
        actor=by,
        school=school,
        action="suggest",
        obj=suggestion,
        label=str(contact or supplier),
        summary=f"Suggested a change to {contact or supplier}: {suggestion.field_label}",
    )
    return suggestion


@transaction.atomic
def supplier_suggestion_decide(
    *, suggestion: SupplierSuggestion, by, accept: bool, reason: str = ""
) -> SupplierSuggestion:
    """An officer of the organisation accepts (the change is made through supplier_save, contact_save or
    contact_delete, as if they had made it) or declines with a reason. The proposer sees the outcome."""
    suggestion = (
        SupplierSuggestion.objects.select_for_update(of=("self",))
        .select_related("supplier", "contact", "school")
        .get(pk=suggestion.pk)
    )
    require(by, "suppliers.change", suggestion.supplier.organisation_id)
    if suggestion.status != SuggestionStatus.PENDING:
        raise ValidationError(
            _("This suggestion was already %(status)s.") % {"status": suggestion.get_status_display().lower()}
        )
    if not accept and not reason.strip():
        raise ValidationError({"reason": _("Say why the suggestion is declined, so that the school knows.")})
    if accept:
        target = suggestion.contact or suggestion.supplier
        if suggestion.field_name == "remove":
            contact_delete(contact=suggestion.contact, by=by)
            suggestion.contact = None
        else:
            setattr(target, suggestion.field_name, suggestion.value)
            try:
                if suggestion.contact_id:
                    contact_save(contact=target, by=by)
                else:
                    supplier_save(supplier=target, by=by)
            except ValidationError as exc:
                raise ValidationError(
                    _("The suggested value cannot be used: %(problem)s") % {"problem": " ".join(exc.messages)}
                ) from exc
    suggestion.status = SuggestionStatus.ACCEPTED if accept else SuggestionStatus.DECLINED
    suggestion.decided_by, suggestion.decided_at, suggestion.decision_reason = by, timezone.now(), reason.strip()
    suggestion.save()
    audit_record(
        actor=by,
        school=suggestion.school,
        action="accept" if accept else "decline",
        obj=suggestion,
        label=suggestion.subject,
        summary=f"{'Accepted' if accept else 'Declined'} a suggested change to "
        f"{suggestion.subject}: {suggestion.field_label}",
    )
    return suggestion


# --- contracts --------------------------------------------------------------------------------
def local_today() -> date:
    return timezone.localdate()


def _audit(contract: Contract, by, action: str, summary: str, changes: dict | None = None) -> None:
    for share in contract.shares.select_related("school"):
        audit_record(actor=by, school=share.school, action=action, obj=contract, summary=summary, changes=changes)


def _keep_term_in_step(contract: Contract) -> None:
    contract.term_ends_on = contract.term_bounds(contract.renewals)[1]
    contract.notice_by_on = contract.notice_by_for(contract.term_ends_on)


@transaction.atomic
def contract_save(
    *, contract: Contract, by, shares: dict, locations=None, today: date | None = None, version: int | None = None
) -> Contract:
    """Create or change a contract with its schools and their share of the cost (percentages adding up
    to 100). Checks every rule before writing anything; keeps the diary's renewal dates and visits in step."""
    today = today or local_today()
    created = contract.pk is None
    version_claim(contract, version)  # a save from an older page is refused (core/concurrency.py)
    before = None if created else Contract.objects.select_for_update(of=("self",)).get(pk=contract.pk)
    if not shares:
        raise ValidationError({"shares": _("Choose at least one school this contract serves.")})
    organisation_id = contract.supplier.organisation_id
    if any(school.organisation_id != organisation_id for school in shares):
        raise ValidationError({"shares": _("A contract can only be shared by schools of the supplier's organisation.")})
    total = sum((Decimal(p) for p in shares.values()), Decimal("0"))
    if total != Decimal("100"):
        raise ValidationError(
            {
                "shares": _("The schools' shares add up to %(total)s%%; they must add up to 100%%.")
                % {"total": f"{total.normalize():f}"}
            }
        )
    require(by, "suppliers.manage_contract", sorted({s.pk for s in shares} | set(contract_school_ids(contract))))
    if contract.status not in EDITABLE_STATUSES and (created or before.status != contract.status):
        raise ValidationError(
            {
                "status": _(
                    "That status follows from a renewal decision or the dates; choose draft, active or cancelled."
                )
            }
        )
    if locations is not None and any(loc.school_id not in {s.pk for s in shares} for loc in locations):
        raise ValidationError({"locations": _("Choose locations of the schools this contract serves.")})
    contract.organisation_id = organisation_id
    contract.full_clean()
    new_dates = (contract.starts_on, contract.initial_ends_on)
    if before is not None and (before.starts_on, before.initial_ends_on) != new_dates:
        contract.renewals = 0  # new dates: the current term is worked out again from the start
    _keep_term_in_step(contract)
    contract.save()
    existing = {share.school_id: share for share in contract.shares.all()}
    contract.shares.exclude(school_id__in=[s.pk for s in shares]).delete()
    for school, percent in shares.items():
        share = existing.get(school.pk)
        if share is None:
            contract.shares.create(school=school, percent=percent)
        elif share.percent != Decimal(percent):
            share.percent = percent
            share.save(update_fields=["percent"])
    if locations is not None:
        contract.locations.set(locations)
    changes = {}
    if before is not None:
        for field in ("status", "starts_on", "ends_on", "renewal", "renewal_term_months", "notice_number", "value"):
            if getattr(before, field) != getattr(contract, field):
                changes[field] = [str(getattr(before, field)), str(getattr(contract, field))]
    _audit(contract, by, "create" if created else "update", f"Contract {contract.reference} {contract} saved", changes)
    contract_roll_forward(contract=contract, today=today)

    contract_changed.send(sender=Contract, contract=contract, today=today)
    return contract


def contract_roll_forward(*, contract: Contract, today: date) -> bool:
    """Past the end of its term, an automatic contract starts its next term; any other ends."""
    if contract.status not in LIVE_STATUSES | {ContractStatus.NOTICE_GIVEN} or contract.term_ends_on is None:
        return False
    renewed_from = contract.renewals
    for _term in range(MAX_ROLL_FORWARD):
        if contract.term_ends_on >= today:
            break
        if contract.status in LIVE_STATUSES and contract.renewal == Renewal.AUTOMATIC:
            contract.renewals += 1
            contract.term_ends_on = contract.term_bounds(contract.renewals)[1]
            contract.status = ContractStatus.RENEWED
        else:
            contract.status = ContractStatus.EXPIRED
            break
    else:
        raise ValidationError(_("The contract's dates give more than a thousand terms: check the start and the terms."))
    if contract.renewals == renewed_from and contract.status != ContractStatus.EXPIRED:
        return False
    contract.notice_by_on = contract.notice_by_for(contract.term_ends_on)
    contract.version += 1  # an edit page opened before is now stale (core/concurrency.py)
    contract.save(update_fields=["renewals", "term_ends_on", "notice_by_on", "status", "version", "updated_at"])
    if contract.status == ContractStatus.EXPIRED:
        _audit(contract, None, "expire", f"Contract {contract.reference} ended on {contract.term_ends_on:%d/%m/%Y}")
    else:
        starts, ends = contract.term_bounds(contract.renewals)
        _audit(
            contract,
            None,
            "renew",
            f"Contract {contract.reference} renewed automatically: {starts:%d/%m/%Y} to {ends:%d/%m/%Y}",
        )

    contract_changed.send(sender=Contract, contract=contract, today=today)
    if contract.bills_recurring and contract.status == ContractStatus.RENEWED:
        contract_renewed.send(sender=Contract, contract=contract)
    return True


def contracts_roll_forward(*, today: date | None = None) -> int:
    today = today or local_today()
    rolled = 0
    due = Contract.objects.filter(status__in=LIVE_STATUSES | {ContractStatus.NOTICE_GIVEN}, term_ends_on__lt=today)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            contract = Contract.objects.select_for_update(of=("self",)).get(pk=pk)
            rolled += contract_roll_forward(contract=contract, today=today)
    return rolled


@transaction.atomic
def contract_decide(
    *, contract: Contract, by, decision: str, reason: str, today: date | None = None
) -> ContractDecision:
    """Record the renewal decision for the current term: renew, renegotiate or cancel (give notice)."""
    today = today or local_today()
    if by is None:
        raise ValidationError(_("A renewal decision is recorded by a person, with their reason."))
    require(by, "suppliers.manage_contract", contract_school_ids(contract))
    contract = Contract.objects.select_for_update(of=("self",)).select_related("supplier").get(pk=contract.pk)
    if contract.status not in LIVE_STATUSES:
        raise ValidationError(
            _("This contract is %(status)s: there is nothing to decide.")
            % {"status": contract.get_status_display().lower()}
        )
    if decision not in Decision.values:
        raise ValidationError({"decision": _("Choose renew, renegotiate or cancel.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why, so that the next person knows.")})
    late = contract.notice_number and contract.notice_by_on < today
    if decision == Decision.CANCEL and late and contract.renewal == Renewal.AUTOMATIC:
        renews_on = contract.term_ends_on + timedelta(days=1)
        raise ValidationError(
            {
                "decision": _(
                    "Notice had to be given by %(notice_by)s, so the contract renews on "
                    "%(renews_on)s. Record “renegotiate” and agree an end with the supplier."
                )
                % {"notice_by": f"{contract.notice_by_on:%d/%m/%Y}", "renews_on": f"{renews_on:%d/%m/%Y}"}
            }
        )
    record = ContractDecision.objects.create(
        contract=contract, decision=decision, reason=reason.strip(), decided_by=by, term_ends_on=contract.term_ends_on
    )
    if decision == Decision.CANCEL:
        contract.status = ContractStatus.NOTICE_GIVEN
    elif decision == Decision.RENEW and contract.renewal == Renewal.BY_AGREEMENT:
        contract.renewals += 1
        contract.status = ContractStatus.RENEWED
    contract.term_ends_on = contract.term_bounds(contract.renewals)[1]
    contract.notice_by_on = contract.notice_by_for(contract.term_ends_on)
    contract.version += 1  # an edit page opened before is now stale (core/concurrency.py)
    contract.save(update_fields=["status", "renewals", "term_ends_on", "notice_by_on", "version", "updated_at"])
    _audit(
        contract,
        by,
        f"decide_{decision}",
        f"Contract {contract.reference}: {record.get_decision_display()}: {record.reason}",
    )

    contract_changed.send(sender=Contract, contract=contract, today=today)
    if decision == Decision.RENEW and contract.renewal == Renewal.BY_AGREEMENT and contract.bills_recurring:
        contract_renewed.send(sender=Contract, contract=contract)
    return record


@transaction.atomic
def contract_document_add(*, contract: Contract, by, upload, title: str = "") -> ContractDocument:
    """Attach a signed contract, schedule or quote; files are checked like call attachments."""
    require(by, "suppliers.manage_contract", contract_school_ids(contract))
    if upload is None:
        raise ValidationError({"file": _("Choose a file to upload.")})
    upload = attachment_validate(upload)
    extension = Path(upload.name).suffix.lower()
    document = ContractDocument(
        contract=contract,
        title=title.strip()[:120],
        uploaded_by=by,
        stored_name=f"{secrets.token_hex(16)}{extension}",
        original_name=Path(upload.name).name[:200],
        size=upload.size,
        content_type=mimetypes.guess_type(upload.name)[0] or "application/octet-stream",
    )
    document.file.save(document.stored_name, upload, save=True)
    _audit(contract, by, "document", f"Document {document} added to {contract.reference}")
    return document


# --- reminders --------------------------------------------------------------------------------
def contracts_to_monitor(today: date):
    """Live contracts with a notice date or an end within the furthest threshold, not yet decided on."""
    horizon = today + timedelta(days=max(ALERT_THRESHOLDS))
    return (
        Contract.objects.filter(status__in=LIVE_STATUSES, term_ends_on__gte=today)
        .filter(Q(notice_by_on__range=(today, horizon)) | Q(term_ends_on__lte=horizon))
        .exclude(decisions__term_ends_on=F("term_ends_on"))
    )


def contract_alert_recipients(contract: Contract) -> list[str]:
    """The SPOC and the ICT owners of each school sharing the contract (and the trust's owners for a
    contract shared by several schools)."""
    school_ids = contract_school_ids(contract)
    owners = Q(role=Role.OWNER, school_id__in=school_ids)
    if len(school_ids) > 1:
        owners |= Q(role=Role.OWNER, organisation_id=contract.organisation_id)
    emails = set(Membership.objects.filter(owners).exclude(user__email="").values_list("user__email", flat=True))
    emails |= {
        share.school.spoc.email
        for share in contract.shares.select_related("school__spoc")
        if share.school.spoc_id and share.school.spoc.email
    }
    return sorted(emails)


def contract_alert_people(contract: Contract) -> list:
    """The people `contract_alert_recipients` names, as users (each reminder goes through the mail app's
    outbound log, and each person's choice of reminders is respected)."""
    school_ids = contract_school_ids(contract)
    owners = Q(memberships__role=Role.OWNER, memberships__school_id__in=school_ids)
    if len(school_ids) > 1:
        owners |= Q(memberships__role=Role.OWNER, memberships__organisation_id=contract.organisation_id)
    people = list(User.objects.filter(owners).exclude(email="").distinct().order_by("pk"))
    people += [
        share.school.spoc
        for share in contract.shares.select_related("school__spoc")
        if share.school.spoc_id and share.school.spoc.email
    ]
    return sorted(dict.fromkeys(people), key=lambda person: person.email)


def contract_alerts_send(*, today: date | None = None) -> int:
    """Send every reminder now due (90, 60 and 30 days before each notice date and each end) exactly once.
    Returns the number of contracts reminded about. Safe to run again at any time: what was sent is recorded.
    Each reminder is logged with its ContractAlert rows and sent once they are committed (retried by the mail
    app if the server is down)."""
    today = today or local_today()
    contracts_roll_forward(today=today)
    sent = 0
    for pk in contracts_to_monitor(today).values_list("pk", flat=True):
        reminded, messages = _contract_alert_send(pk, today)
        sent += reminded
        messages_deliver(messages)
    return sent


def _notice_emit(contract, rows) -> None:
    """Webhooks: the notice date's reminder (each threshold once, as the alert rows are), to the subscribers of
    the contract's organisation and of the schools sharing it."""
    if not rows or WebhookEvent.CONTRACT_NOTICE_DUE not in subscribed_events():
        return
    row = min(rows, key=lambda r: r.threshold)
    emit(
        WebhookEvent.CONTRACT_NOTICE_DUE,
        obj=contract,
        organisation=contract.organisation_id,
        schools=list(contract.shares.values_list("school_id", flat=True)),
        event_id=event_key("contract-notice", contract.pk, row.concerns_on, row.threshold),
        data={
            "name": str(contract),
            "supplier": contract.supplier.name,
            "notice_by": f"{row.concerns_on:%d/%m/%Y}",
            "renewal": contract.get_renewal_display(),
        },
    )


@transaction.atomic
def _contract_alert_send(contract_id: int, today: date) -> tuple[int, list]:
    # The row lock serialises two workers on one contract; the second finds the first's records.
    contract = Contract.objects.select_for_update(of=("self",)).select_related("supplier").get(pk=contract_id)
    if contract.status not in LIVE_STATUSES or contract.decisions.filter(term_ends_on=contract.term_ends_on).exists():
        return 0, []
    deadlines = [(AlertKind.END, contract.term_ends_on)]
    if contract.notice_number:
        deadlines.insert(0, (AlertKind.NOTICE, contract.notice_by_on))
    already = set(ContractAlert.objects.filter(contract=contract).values_list("kind", "concerns_on", "threshold"))
    new_rows, lines = [], []
    for kind, day in deadlines:
        if day < today:
            continue
        days = (day - today).days
        missing = [t for t in ALERT_THRESHOLDS if days <= t and (kind, day, t) not in already]
        if not missing:
            continue
        new_rows += [ContractAlert(contract=contract, kind=kind, concerns_on=day, threshold=t) for t in missing]
        what = (
            "Notice must be given by"
            if kind == AlertKind.NOTICE
            else ("Renews automatically after" if contract.renewal == Renewal.AUTOMATIC else "Ends on")
        )
        lines.append(f"{what} {day:%d/%m/%Y}: {days} day{'s' if days != 1 else ''} from today.")
    if not new_rows:
        return 0, []
    first = new_rows[0]
    shares = list(contract.shares.select_related("school")[:2])
    messages = reminder_send(  # from the school's desk; a contract shared by several: from the installation
        school=shares[0].school if len(shares) == 1 else None,
        kind=ReminderKind.CONTRACT,
        people=contract_alert_people(contract),
        subject=f"[{contract.reference}] A decision is needed: {contract}",
        body="\n".join(
            [
                f"{contract.reference} {contract}",
                *lines,
                "",
                f"Renewal: {contract.get_renewal_display()}. Notice period: {contract.notice_text}.",
                "Record the decision (renew, renegotiate or cancel) on the contract's page.",
            ]
        ),
        key=f"{contract.pk}:{first.kind}:{first.concerns_on:%Y%m%d}:{first.threshold}:{len(new_rows)}",
        url=f"/suppliers/contracts/{contract.pk}/",
        deliver=False,
    )
    recipients = [message.to_address for message in messages]
    _notice_emit(contract, [row for row in new_rows if row.kind == AlertKind.NOTICE])
    now = timezone.now()
    for row in new_rows:
        row.sent_at, row.recipients = now, ", ".join(recipients)
    ContractAlert.objects.bulk_create(new_rows)
    return (1 if recipients else 0), messages

"""Writes: subject access requests (record, choose the person, exempt an item, answer), erasure by
pseudonymisation, and each school's retention schedule and its nightly run. Every change writes an audit entry."""

from __future__ import annotations

import re
from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from schooldesk.accounts.models import Membership, Pupil, User
from schooldesk.assets.models import Asset, AssetEvent
from schooldesk.core.audit import audit_record
from schooldesk.core.models import AuditEntry
from schooldesk.core.permissions import require
from schooldesk.incidents.choices import UpdateKind
from schooldesk.incidents.models import Attachment, Incident, IncidentUpdate
from schooldesk.loans.models import Agreement, Charge
from schooldesk.mail.models import InboundMessage, OutboundMessage
from schooldesk.privacy import selectors
from schooldesk.privacy.choices import LOGGED, ONE_MONTH, RecordKind
from schooldesk.privacy.models import RetentionPolicy, RetentionRun, SubjectAccessExemption, SubjectAccessRequest
from schooldesk.privacy.selectors_loans import loans_about, pupils_about
from schooldesk.schools.models import School


def due_on_for(received_on: date) -> date:
    """One calendar month after receipt (the ICO: received 3 September, due 3 October; received 31 January, due
    28 or 29 February, the last day of the shorter month)."""
    return received_on + relativedelta(months=ONE_MONTH)


@transaction.atomic
def sar_create(
    *, school, by, requested_by: str, subject_name: str, subject_email: str = "", received_on: date, notes: str = ""
) -> SubjectAccessRequest:
    require(by, "privacy.request", school)
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": _("The date received cannot be in the future.")})
    request = SubjectAccessRequest.objects.create(
        school=school,
        recorded_by=by,
        requested_by=requested_by.strip(),
        subject_name=subject_name.strip(),
        subject_email=subject_email.strip(),
        received_on=received_on,
        due_on=due_on_for(received_on),
        notes=notes,
    )
    audit_record(
        actor=by,
        school=school,
        action="create",
        obj=request,
        summary=f"Recorded subject access request {request}",
        changes={"due_on": str(request.due_on)},
    )
    return request


@transaction.atomic
def sar_subject_set(
    *,
    request: SubjectAccessRequest,
    by,
    user: User | None = None,
    pupil: Pupil | None = None,
    name: str = "",
    email: str = "",
) -> SubjectAccessRequest:
    """The person the request is about, as found by the search: an account of the school, a pupil of its device
    scheme (with their sign-in, if they have one), or a caller without an account. An account linked to a pupil
    record brings the record too."""
    require(by, "privacy.request", request)
    if pupil is not None:
        if pupil.school_id != request.school_id:
            raise ValidationError(_("Choose a pupil of this school."))
        user = pupil.user
        request.subject_pupil = pupil
        request.subject_user = user
        request.subject_name = f"{pupil.first_name} {pupil.last_name}".strip()
        request.subject_email = user.email if user is not None else ""
    elif user is not None:
        if not Membership.objects.filter(user=user, school=request.school).exists():
            raise ValidationError(_("Choose a person of this school."))
        request.subject_user = user
        request.subject_pupil = Pupil.objects.filter(school=request.school, user=user).first()
        request.subject_name = user.get_full_name() or user.username
        request.subject_email = user.email
    else:
        if not (name or email):
            raise ValidationError(_("Choose a person."))
        request.subject_user = None
        request.subject_pupil = None
        request.subject_name = name or email
        request.subject_email = email
    request.save(update_fields=["subject_user", "subject_pupil", "subject_name", "subject_email", "updated_at"])
    audit_record(
        actor=by,
        school=request.school,
        action="update",
        obj=request,
        summary=f"Chose the person of {request}",
        changes={"subject": ["", "chosen"]},
    )
    return request


@transaction.atomic
def sar_exempt(
    *, request: SubjectAccessRequest, by, kind: str, object_id: str, reason: str = "", include: bool = False
) -> SubjectAccessRequest:
    """Leave one item out of the pack with a reason, or (`include`) put it back."""
    require(by, "privacy.request", request)
    if kind not in RecordKind.values:
        raise ValidationError(_("Unknown kind of record."))
    if include:
        SubjectAccessExemption.objects.filter(request=request, kind=kind, object_id=object_id).delete()
    else:
        if not reason.strip():
            raise ValidationError({"reason": _("Say why this item is exempt.")})
        SubjectAccessExemption.objects.update_or_create(
            request=request, kind=kind, object_id=object_id, defaults={"reason": reason.strip(), "by": by}
        )
    audit_record(
        actor=by,
        school=request.school,
        action="include" if include else "exempt",
        obj=request,
        summary=f"{'Included' if include else 'Exempted'} {kind} {object_id} in {request}",
        changes={"kind": kind, "object_id": object_id},
    )
    return request


@transaction.atomic
def sar_answer(*, request: SubjectAccessRequest, by, now: datetime | None = None) -> SubjectAccessRequest:
    require(by, "privacy.request", request)
    if request.answered_at:
        raise ValidationError(_("This request has already been answered."))
    request.answered_at = now or timezone.now()
    request.save(update_fields=["answered_at", "updated_at"])
    audit_record(
        actor=by,
        school=request.school,
        action="answer",
        obj=request,
        summary=f"Answered subject access request {request}",
        changes={"answered_at": request.answered_at.isoformat(), "due_on": str(request.due_on)},
    )
    return request


# --- erasure: pseudonymise the person across the desk ----------------------------------------------------------
def _replacer(subject: selectors.Subject, pseudonym: str, email: str):
    """A function replacing every mention of the person's names and addresses in a text, ignoring case."""
    names = set(subject.names)
    if subject.user is not None:  # "Ruth, please try…": in the rows already found, a given or family name alone too
        names |= {subject.user.first_name.strip(), subject.user.last_name.strip()}
    if subject.pupil is not None:
        names |= {subject.pupil.first_name.strip(), subject.pupil.last_name.strip()}
    pairs = [(e, email) for e in subject.emails] + [(n, pseudonym) for n in sorted(names) if len(n) >= 3]
    if not pairs:
        return lambda text: text
    pattern = re.compile(
        r"\b(?:" + "|".join(re.escape(old) for old, _new in sorted(pairs, key=lambda p: -len(p[0]))) + r")\b",
        re.IGNORECASE,
    )
    lookup = {old.lower(): new for old, new in pairs}
    return lambda text: pattern.sub(lambda m: lookup[m.group(0).lower()], text) if text else text


def _rewrite(rows, fields, replace) -> int:
    """Replace the mentions in `fields` of each row; save those that changed in one statement. Returns how many."""
    changed = []
    for row in rows:
        before = [getattr(row, f) for f in fields]
        for f in fields:
            setattr(row, f, replace(getattr(row, f)))
        if [getattr(row, f) for f in fields] != before:
            changed.append(row)
    if changed:
        type(changed[0]).objects.bulk_update(changed, fields, batch_size=500)
    return len(changed)


def erasure_plan(request: SubjectAccessRequest) -> dict[str, int]:
    """What `person_pseudonymise` would change, counted per kind: the confirmation page."""
    records = selectors.person_records(request=request)
    return {kind: len(items) for kind, items in records.groups.items() if items}


def _rewrite_raw(message: InboundMessage, replace) -> None:
    """The email as received names the person too: its stored original is rewritten the same way."""
    if not message.raw:
        return
    with message.raw.open("rb") as file:
        text = file.read().decode("utf-8", "surrogateescape")
    new = replace(text)
    if new != text:
        with message.raw.storage.open(message.raw.name, "wb") as file:
            file.write(new.encode("utf-8", "surrogateescape"))


@transaction.atomic
def person_pseudonymise(*, request: SubjectAccessRequest, by, now: datetime | None = None) -> dict[str, int]:
    """Replace the person's name and email addresses by a stable pseudonym ("Person 7F3A") in every record of the
    school's desk: calls (kept, for the statistics), their timelines, emails' addresses, asset history, the audit
    trail's labels; their account (if they have roles in no other school) is deactivated and renamed. Returns the
    counts per kind, also kept on the request and in the audit trail."""
    require(by, "privacy.erase", request)
    now = now or timezone.now()
    request = (
        SubjectAccessRequest.objects.select_for_update(of=("self",))
        .select_related("subject_user", "subject_pupil", "school")
        .get(pk=request.pk)
    )
    subject = selectors.subject_of(request=request)
    user = subject.user
    if (
        user is not None
        and Membership.objects.filter(user=user)
        .filter(Q(organisation__isnull=False) | ~Q(school=request.school))
        .exists()
    ):
        raise ValidationError(
            _(
                "This person holds a role in another school or across the organisation: their "
                "account cannot be renamed from one school. Ask the other school's DPO."
            )
        )
    pseudonym = selectors.pseudonym_for(request=request)
    email = selectors.pseudonym_email(pseudonym=pseudonym)
    replace = _replacer(subject, pseudonym, email)
    school = request.school
    counts: dict[str, int] = {}
    calls = list(selectors.calls_about(school=school, subject=subject))
    for call in calls:
        if call.reporter_name:
            call.reporter_name = pseudonym
        if call.reporter_contact:
            call.reporter_contact = email
    counts[RecordKind.CALL] = len(calls)
    if calls:
        Incident.objects.bulk_update(calls, ["reporter_name", "reporter_contact"])
    _rewrite(calls, ["summary", "description", "expected", "happened", "checked", "resolution"], replace)
    updates = IncidentUpdate.objects.filter(incident__school=school).filter(
        Q(incident__in=[c.pk for c in calls])
        | subject.q(user_fields=("author",), name_fields=("old_value", "new_value"))
    )
    counts[RecordKind.UPDATE] = _rewrite(updates, ["body", "old_value", "new_value"], replace)
    inbound = list(
        InboundMessage.objects.filter(school=school).filter(
            subject.q(name_fields=("from_name",), email_fields=("from_address",))
        )
    )
    for message in inbound:
        message.from_address, message.from_name = email, pseudonym
        message.subject, message.preview = replace(message.subject), replace(message.preview)
    if inbound:
        InboundMessage.objects.bulk_update(inbound, ["from_address", "from_name", "subject", "preview"])
        # the stored originals are files, outside the transaction: rewritten once the rows are committed
        transaction.on_commit(lambda: [_rewrite_raw(message, replace) for message in inbound])
    counts[RecordKind.EMAIL_IN] = len(inbound)
    outbound = list(
        OutboundMessage.objects.filter(school=school).filter(
            subject.q(email_fields=("to_address",), user_fields=("recipient",))
        )
    )
    for message in outbound:
        message.to_address = email
        message.subject, message.body_text, message.body_html = (
            replace(message.subject),
            replace(message.body_text),
            replace(message.body_html),
        )
    if outbound:
        OutboundMessage.objects.bulk_update(outbound, ["to_address", "subject", "body_text", "body_html"])
    counts[RecordKind.EMAIL_OUT] = len(outbound)
    events = AssetEvent.objects.filter(asset__school=school).filter(
        subject.q(name_fields=("old_value", "new_value"), user_fields=("asset__issued_to",))
    )
    counts[RecordKind.ASSET_EVENT] = _rewrite(events, ["old_value", "new_value", "note"], replace)
    counts[RecordKind.ASSET] = Asset.objects.filter(school=school, issued_to=user).count() if user else 0
    counts |= _pseudonymise_loans(school, subject, pseudonym, email, replace)
    entries = list(selectors.audit_about(school=school, subject=subject))
    for entry in entries:
        if user is not None and entry.object_type == "user" and entry.object_id == str(user.pk):
            entry.object_label = pseudonym  # written under any name they had then
            if "person" in entry.changes:
                entry.changes = entry.changes | {"person": pseudonym}
    counts[RecordKind.AUDIT] = _rewrite(
        entries,
        ["object_label", "summary", "changes"],
        lambda value: replace(value) if isinstance(value, str) else value,
    )
    if entries:  # the labels set above
        AuditEntry.objects.bulk_update(entries, ["object_label", "changes"])
    if user is not None:
        account_pseudonymise(user=user, pseudonym=pseudonym)
        counts[RecordKind.ACCOUNT] = 1
    counts = {kind: n for kind, n in counts.items() if n}
    request.pseudonym, request.erased_at, request.erasure_counts = pseudonym, now, counts
    request.subject_name, request.subject_email = pseudonym, email
    request.save(
        update_fields=["pseudonym", "erased_at", "erasure_counts", "subject_name", "subject_email", "updated_at"]
    )
    audit_record(
        actor=by,
        school=school,
        action="pseudonymise",
        obj=request,
        summary=f"Pseudonymised the person of {request} as {pseudonym}",
        changes=counts,
    )
    return counts


def _pseudonymise_loans(school, subject, pseudonym: str, email: str, replace) -> dict[str, int]:
    """The device scheme's records: the person's pupil record renamed (its MIS id and parent's details cleared,
    taken off the roll, so a sync cannot name it again), the pupil records naming them as parent or carer, the
    agreements they signed or that name them, and the charges' words. Loans and charges are kept, as calls are."""
    pupils = list(pupils_about(school=school, subject=subject))
    for pupil in pupils:
        if subject.pupil is not None and pupil.pk == subject.pupil.pk:
            first, _space, last = pseudonym.partition(" ")
            Pupil.objects.filter(pk=pupil.pk).update(
                first_name=first,
                last_name=last,
                mis_id="",
                parent_name="",
                parent_email="",
                is_active=False,
                version=F("version") + 1,
            )
        else:  # they are this pupil's parent or carer
            Pupil.objects.filter(pk=pupil.pk).update(
                parent_name=pseudonym if pupil.parent_name else "",
                parent_email=email if pupil.parent_email else "",
                version=F("version") + 1,
            )
    loan_ids = list(loans_about(school=school, subject=subject).values_list("pk", flat=True))
    agreements = list(Agreement.objects.filter(loan__in=loan_ids).select_related("loan"))
    names = {n.lower() for n in subject.names}
    for agreement in agreements:
        if agreement.signer_name.strip().lower() in names:
            agreement.signer_name = pseudonym
        elif subject.pupil is not None and agreement.loan.pupil_id == subject.pupil.pk:
            # the pupil's parent or carer signed: their name would say whose loan it was
            agreement.signer_name = _("Parent or carer of %(name)s") % {"name": pseudonym}
        if agreement.typed_signature.strip():
            agreement.typed_signature = agreement.signer_name
    if agreements:
        Agreement.objects.bulk_update(agreements, ["signer_name", "typed_signature"])
    _rewrite(agreements, ["title", "text", "signer_name", "typed_signature"], replace)
    charges = Charge.objects.filter(school=school, loan__in=loan_ids)
    _rewrite(charges, ["description", "waived_reason"], replace)
    return {RecordKind.PUPIL: len(pupils), RecordKind.LOAN: len(loan_ids), RecordKind.CHARGE: charges.count()}


def account_pseudonymise(*, user: User, pseudonym: str) -> User:
    """Deactivate and rename an account: it can no longer sign in and names nobody."""
    first, _space, last = pseudonym.partition(" ")
    user.first_name, user.last_name = first, last
    user.username = f"{selectors.PSEUDONYMISED_PREFIX}{user.pk}"
    user.email = user.phone = user.job_title = ""
    user.is_active = False
    user.set_unusable_password()
    user.save(
        update_fields=["first_name", "last_name", "username", "email", "phone", "job_title", "is_active", "password"]
    )
    return user


# --- retention -------------------------------------------------------------------------------------------------
@transaction.atomic
def retention_policy_save(*, school, by, values: dict, now: datetime | None = None) -> RetentionPolicy:
    """Save the school's periods; switching the job on records who reviewed the preview, and when."""
    require(by, "privacy.retention", school)
    policy = RetentionPolicy.objects.select_for_update().filter(school=school).first() or RetentionPolicy(school=school)
    before = {name: getattr(policy, name) for name in values}
    for name, value in values.items():
        setattr(policy, name, value)
    if values.get("is_enabled") and not before.get("is_enabled"):
        policy.reviewed_at, policy.reviewed_by = now or timezone.now(), by
    policy.full_clean(exclude=["school"])
    policy.save()
    changed = {name: [str(before[name]), str(value)] for name, value in values.items() if before[name] != value}
    audit_record(
        actor=by,
        school=school,
        action="update",
        obj=policy,
        label=str(policy),
        summary="Changed the retention schedule",
        changes=changed,
    )
    return policy


def _anonymise_calls(queryset) -> list[str]:
    """Closed calls past their time keep what the statistics count (when, where, category, priority, times) and
    lose who and what was said: the caller, the text, the timeline's words and the attachments."""
    calls = list(queryset.only("pk", "school_id", "summary"))
    ids = [c.pk for c in calls]
    _delete_attachments(Attachment.objects.filter(incident__in=ids))
    IncidentUpdate.objects.filter(incident__in=ids).exclude(body="").update(body="")
    IncidentUpdate.objects.filter(incident__in=ids, kind=UpdateKind.ASSIGNMENT).update(old_value="", new_value="")
    queryset.model.objects.filter(pk__in=ids).update(
        summary=_("Call anonymised under the retention schedule"),
        description="",
        expected="",
        happened="",
        checked="",
        last_worked="",
        reporter_availability="",
        reporter_name="",
        reporter_contact="",
        reported_by=None,
        logged_by=None,
        device="",
    )
    return [c.reference for c in calls]


def _delete_attachments(queryset) -> list[str]:
    gone = []
    for attachment in queryset:
        attachment.file.delete(save=False)
        gone.append(f"attachment {attachment.pk}")
    queryset.model.objects.filter(pk__in=[int(g.split()[1]) for g in gone]).delete()
    return gone


def _delete_mail(queryset, what: str) -> list[str]:
    gone = []
    for message in queryset:
        if getattr(message, "raw", None):
            message.raw.delete(save=False)
        gone.append(f"{what.replace('_', ' ')} {message.pk}")
    queryset.model.objects.filter(pk__in=[int(g.rsplit(" ", 1)[1]) for g in gone]).delete()
    return gone


@transaction.atomic
def retention_run(*, school, now: datetime | None = None, by=None) -> RetentionRun | None:
    """Remove what is past its time for one school whose DPO switched the job on; the run's log says what went.
    A school whose schedule is not switched on is left alone (returns None)."""
    now = now or timezone.now()
    policy = RetentionPolicy.objects.select_for_update().filter(school=school, is_enabled=True).first()
    if policy is None:
        return None
    due = selectors.retention_due(policy=policy, now=now)
    items: dict[str, list[str]] = {}
    for kind, parts in due.items():
        gone: list[str] = []
        for what, queryset, _date in parts:
            if what == "call":
                gone += _anonymise_calls(queryset)
            elif what == "attachment":
                gone += _delete_attachments(queryset)
            elif what in ("email_in", "email_out"):
                gone += _delete_mail(queryset, what)
            elif what == "account":
                for user in list(queryset):
                    account_pseudonymise(user=user, pseudonym=f"Leaver {user.pk}")
                    gone.append(f"account {user.pk}")
            elif what == "audit":
                ids = list(queryset.values_list("pk", flat=True))
                AuditEntry.objects.filter(pk__in=ids).delete()
                gone += [f"audit entry {pk}" for pk in ids]
        items[kind] = gone
    counts = {kind: len(gone) for kind, gone in items.items()}
    run = RetentionRun.objects.create(
        school=school, ran_at=now, counts=counts, items={kind: gone[:LOGGED] for kind, gone in items.items() if gone}
    )
    audit_record(
        actor=by,
        school=school,
        action="retention",
        obj=run,
        label=str(run),
        summary="The retention job removed what was past its time",
        changes=counts,
    )
    return run


def retention_run_all(*, now: datetime | None = None) -> list[RetentionRun]:
    """The nightly job: every school whose DPO has switched retention on."""
    runs = []
    for school_id in RetentionPolicy.objects.filter(is_enabled=True).values_list("school_id", flat=True):
        run = retention_run(school=School.objects.get(pk=school_id), now=now)
        if run is not None:
            runs.append(run)
    return runs

"""Writes for the diary, visits and payments. Views, tasks, contract services and the demo call these."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from schooldesk.accounts.models import User
from schooldesk.core.access import access_for
from schooldesk.core.audit import audit_record
from schooldesk.core.calendar import LONDON
from schooldesk.core.concurrency import version_claim
from schooldesk.core.permissions import require
from schooldesk.core.roles import STAFF_ROLES
from schooldesk.core.templatetags.desk_format import money
from schooldesk.diary.choices import DiaryKind, PaymentKind, VisitOutcome
from schooldesk.diary.models import DiaryEntry, Payment
from schooldesk.incidents.services import incident_reply, incident_resolve
from schooldesk.mail.outbound import messages_deliver
from schooldesk.mail.reminders import ReminderKind, reminder_send
from schooldesk.schools.selectors import school_calendar
from schooldesk.suppliers.choices import BILLING_MONTHS, IN_FORCE_STATUSES, LIVE_STATUSES, Renewal
from schooldesk.suppliers.models import Contract
from schooldesk.suppliers.selectors import contract_school_ids

PENNY = Decimal("0.01")
VISIT_WEEKS_AHEAD = 12
RENEWAL_REMIND_DAYS = 14
PAYMENT_REMIND_DAYS = 7


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON)


def _remind_at(entry: DiaryEntry):
    if entry.remind_days_before is None:
        return None
    return (
        local_midnight(entry.starts_at.astimezone(LONDON).date())
        - timedelta(days=entry.remind_days_before)
        + timedelta(hours=7)
    )


# --- diary entries ----------------------------------------------------------------------------
@transaction.atomic
def entry_save(*, entry: DiaryEntry, by, version: int | None = None) -> DiaryEntry:
    """Add or change a diary entry. What it is linked to must belong to the same school."""
    require(by, "diary.change", entry)
    version_claim(entry, version)  # a save from an older page is refused (core/concurrency.py)
    errors = {}
    if entry.location_id and entry.location.school_id != entry.school_id:
        errors["location"] = "Choose a location of this school."
    if entry.person_id:
        roles = access_for(entry.person).roles_by_school.get(entry.school_id, frozenset())
        if not roles:
            errors["person"] = f"{entry.person} has no role in this school."
        elif entry.kind == DiaryKind.VISIT and not roles & STAFF_ROLES:
            errors["person"] = f"{entry.person} is not a technician of this school."
    if entry.contract_id and entry.school_id not in contract_school_ids(entry.contract):
        errors["contract"] = "Choose a contract this school shares."
    if entry.incident_id and entry.incident.school_id != entry.school_id:
        errors["incident"] = "Choose a call of this school."
    if entry.change_id and entry.change.school_id != entry.school_id:
        errors["change"] = "Choose a request for change of this school."
    if errors:
        raise ValidationError(errors)
    if entry.is_all_day:
        entry.starts_at = local_midnight(entry.starts_at.astimezone(LONDON).date())
        entry.ends_at = local_midnight(max(entry.ends_at, entry.starts_at).astimezone(LONDON).date())
    entry.full_clean()
    new_remind_at = _remind_at(entry)
    if new_remind_at != entry.remind_at:
        entry.remind_at, entry.reminded_at = new_remind_at, None
    created = entry.pk is None
    entry.save()
    when = entry.starts_at.astimezone(LONDON)
    audit_record(
        actor=by,
        school=entry.school,
        action="create" if created else "update",
        obj=entry,
        summary=f"Diary: {entry.get_kind_display()} “{entry.title}” on {when:%d/%m/%Y}",
    )
    return entry


@transaction.atomic
def entry_delete(*, entry: DiaryEntry, by) -> None:
    require(by, "diary.change", entry)
    if entry.generated_key:
        raise ValidationError(_("This entry follows a contract or a payment: change that instead."))
    if entry.calls_worked.exists():
        raise ValidationError(_("Calls were worked at this visit: it stays in the diary as their record."))
    audit_record(
        actor=by, school=entry.school, action="delete", obj=entry, summary=f"Diary entry “{entry.title}” deleted"
    )
    entry.delete()


def _upsert(school, key: str, **fields) -> DiaryEntry:
    """Create or update the generated entry `key`; a moved date is reminded about again."""
    entry = DiaryEntry.objects.filter(school=school, generated_key=key).first()
    entry = entry or DiaryEntry(school=school, generated_key=key)
    changed = entry.pk is None
    for name, value in fields.items():
        if getattr(entry, name) != value:
            setattr(entry, name, value)
            changed = True
    if changed:
        new_remind_at = _remind_at(entry)
        if new_remind_at != entry.remind_at:
            entry.remind_at, entry.reminded_at = new_remind_at, None
        entry.version += 1  # an edit page opened before is now stale (core/concurrency.py)
        entry.save()
    return entry


# --- contracts in the diary -------------------------------------------------------------------
def contract_diary_sync(*, contract, today: date) -> None:
    """The current term's notice date and end in each sharing school's diary, and the visits ahead."""
    shares = list(contract.shares.select_related("school"))
    k = contract.renewals
    prefix = f"contract:{contract.pk}:t{k}:"
    stale = DiaryEntry.objects.filter(contract=contract, kind=DiaryKind.RENEWAL, starts_at__gte=local_midnight(today))
    keep = []
    for share in shares:
        if contract.status in LIVE_STATUSES and contract.notice_number:
            notes = (
                f"{contract.reference}: give notice by {contract.notice_by_on:%d/%m/%Y} to stop it renewing. "
                f"Notice period {contract.notice_text}."
            )
            keep.append(
                _upsert(
                    share.school,
                    prefix + "notice",
                    kind=DiaryKind.RENEWAL,
                    contract=contract,
                    title=f"Notice deadline: {contract}",
                    is_all_day=True,
                    starts_at=local_midnight(contract.notice_by_on),
                    ends_at=local_midnight(contract.notice_by_on),
                    notes=notes,
                    remind_days_before=RENEWAL_REMIND_DAYS,
                ).pk
            )
        if contract.status in IN_FORCE_STATUSES:
            automatic = contract.status in LIVE_STATUSES and contract.renewal == Renewal.AUTOMATIC
            title = ("Renews automatically after this day: " if automatic else "Contract ends: ") + str(contract)
            keep.append(
                _upsert(
                    share.school,
                    prefix + "end",
                    kind=DiaryKind.RENEWAL,
                    contract=contract,
                    title=title,
                    is_all_day=True,
                    starts_at=local_midnight(contract.term_ends_on),
                    ends_at=local_midnight(contract.term_ends_on),
                    notes=f"{contract.reference}: {contract.get_renewal_display()}.",
                    remind_days_before=RENEWAL_REMIND_DAYS,
                ).pk
            )
    stale.exclude(pk__in=keep).delete()
    contract_visits_plan(contract=contract, today=today)


def visit_days(contract, school, start: date, end: date) -> list[date]:
    """The contract's visit days at the school: its weekday, every N weeks counted from the contract's
    start, skipping bank holidays, INSET days and (for term-time visits) the school's holidays."""
    if contract.visit_weekday is None or not contract.visit_starts_at:
        return []
    calendar = replace(
        school_calendar(school=school),
        weekdays=frozenset({contract.visit_weekday}),
        term_time_only=contract.visit_term_time_only,
    )
    days, day = [], start + timedelta(days=(contract.visit_weekday - start.weekday()) % 7)
    while day <= end:
        weeks = (day - contract.starts_on).days // 7
        if weeks % contract.visit_every_weeks == 0 and calendar.is_service_day(day):
            days.append(day)
        day += timedelta(days=7)
    return days


def contract_visits_plan(*, contract, today: date, weeks: int = VISIT_WEEKS_AHEAD) -> int:
    """Keep the next `weeks` of scheduled visits in the diary; unworked visits that no longer fit go."""
    prefix = f"contract:{contract.pk}:visit:"
    planned = 0
    for share in contract.shares.select_related("school"):
        school = share.school
        keys = set()
        if contract.status in IN_FORCE_STATUSES:
            first = max(today, contract.starts_on)
            last = min(today + timedelta(weeks=weeks), contract.term_ends_on)
            for day in visit_days(contract, school, first, last):
                key = f"{prefix}{day:%Y-%m-%d}"
                keys.add(key)
                _upsert(
                    school,
                    key,
                    kind=DiaryKind.VISIT,
                    contract=contract,
                    person=contract.visit_technician,
                    title=f"Technician visit: {contract.supplier}",
                    is_all_day=False,
                    starts_at=datetime.combine(day, contract.visit_starts_at, tzinfo=LONDON),
                    ends_at=datetime.combine(day, contract.visit_ends_at, tzinfo=LONDON),
                    notes=f"Scheduled visit under {contract.reference}. Calls forwarded to the next visit gather "
                    "on its visit sheet.",
                    remind_days_before=None,
                )
                planned += 1
        (
            DiaryEntry.objects.filter(
                school=school,
                generated_key__startswith=prefix,
                starts_at__gte=local_midnight(today),
                completed_at__isnull=True,
                calls_worked__isnull=True,
            )
            .exclude(generated_key__in=keys)
            .delete()
        )
    return planned


def contracts_visits_plan(*, today: date | None = None) -> int:
    today = today or timezone.localdate()
    contracts = Contract.objects.filter(status__in=IN_FORCE_STATUSES, visit_weekday__isnull=False).select_related(
        "supplier", "visit_technician"
    )
    return sum(contract_visits_plan(contract=c, today=today) for c in contracts)


# --- visits -----------------------------------------------------------------------------------
@transaction.atomic
def visit_record(
    *,
    entry: DiaryEntry,
    incident,
    by,
    outcome: str,
    notes: str,
    minutes_spent: int = 0,
    version: int | None = None,
    tell_reporter: bool = True,
):
    """What the technician did on a call at a visit, through the call's own services."""
    if entry.kind != DiaryKind.VISIT:
        raise ValidationError(_("Calls are worked from a visit's sheet."))
    require(by, "diary.work_visit", entry)
    if incident.school_id != entry.school_id:
        raise ValidationError(_("That call belongs to another school."))
    if not notes.strip():
        raise ValidationError({"notes": _("Say what you did, so the reporter and the desk know.")})
    if outcome == VisitOutcome.RESOLVED:
        result = incident_resolve(
            incident=incident, by=by, version=version, resolution=notes, minutes_spent=minutes_spent or 0
        )
    elif outcome == VisitOutcome.PROGRESS:
        result = incident_reply(
            incident=incident, by=by, body=notes, is_public=tell_reporter, minutes_spent=minutes_spent or 0
        )
    else:
        raise ValidationError({"outcome": _("Choose whether the call is fixed or still open.")})
    entry.calls_worked.add(incident)
    return result


@transaction.atomic
def visit_complete(*, entry: DiaryEntry, by) -> DiaryEntry:
    require(by, "diary.complete_visit", entry)
    if entry.kind != DiaryKind.VISIT:
        raise ValidationError(_("Only a visit can be completed."))
    entry.completed_at = timezone.now()
    entry.save(update_fields=["completed_at", "updated_at"])
    audit_record(
        actor=by,
        school=entry.school,
        action="visit_complete",
        obj=entry,
        summary=f"Visit of {entry.starts_at.astimezone(LONDON):%d/%m/%Y} completed: "
        f"{entry.calls_worked.count()} calls worked",
    )
    return entry


# --- payments ---------------------------------------------------------------------------------
def billing_dates(starts: date, ends: date, frequency: str) -> list[date]:
    """Bills from the first day of the term at the billing frequency, counted from the term's start."""
    months = BILLING_MONTHS[frequency]
    if not months:
        return [starts]
    dates, n = [], 0
    while (due := starts + relativedelta(months=n * months)) <= ends:
        dates.append(due)
        n += 1
    return dates


def split_evenly(total: Decimal, parts: int) -> list[Decimal]:
    """`parts` amounts that add up to `total` exactly (the odd pennies on the first ones)."""
    pence, extra = divmod(int((total / PENNY).to_integral_value()), parts)
    return [Decimal(pence + (1 if n < extra else 0)) * PENNY for n in range(parts)]


def split_by_shares(amount: Decimal, shares) -> list[tuple[object, Decimal]]:
    """The amount divided by the schools' percentages; the last school takes the rounding."""
    parts, left = [], amount
    for n, share in enumerate(shares):
        part = left if n == len(shares) - 1 else (amount * share.percent / 100).quantize(PENNY, ROUND_HALF_UP)
        parts.append((share, part))
        left -= part
    return parts


def _vat(amount: Decimal, percent: Decimal) -> Decimal:
    return (amount * percent / 100).quantize(PENNY, ROUND_HALF_UP)


def _payment_entry(payment: Payment) -> None:
    paid = payment.paid_on is not None
    _upsert(
        payment.school,
        f"payment:{payment.pk}",
        kind=DiaryKind.PAYMENT_DUE,
        payment=payment,
        contract=payment.contract,
        is_all_day=True,
        starts_at=local_midnight(payment.due_on),
        ends_at=local_midnight(payment.due_on),
        title=f"{'Paid' if paid else 'Payment due'}: {payment.supplier} {money(payment.gross)}",
        notes=payment.description
        + (f"\nPaid {payment.paid_on:%d/%m/%Y} ref. {payment.paid_reference}" if paid else ""),
        remind_days_before=None if paid else PAYMENT_REMIND_DAYS,
    )


@transaction.atomic
def payments_schedule(*, contract, by, mode: str, instalments=(), today: date | None = None) -> list[Payment]:
    """Schedule the current term's payments: recurring at the billing frequency, one-off, or instalments
    that must add up to the term's value. Each bill is split between the sharing schools."""
    require(by, "diary.schedule_payments", contract)
    k = contract.renewals
    starts, ends = contract.term_bounds(k)
    value = contract.term_value(k)
    prefix = f"contract:{contract.pk}:t{k}:"
    if Payment.objects.filter(contract=contract, generated_key__startswith=prefix).exists():
        raise ValidationError(_("This term's payments are already scheduled: change or delete those first."))
    if mode == PaymentKind.RECURRING:
        dates = billing_dates(starts, ends, contract.billing_frequency)
        amounts = split_evenly(value, len(dates))
    elif mode == PaymentKind.ONE_OFF:
        dates, amounts = [starts], [value]
    elif mode == PaymentKind.INSTALMENT:
        rows = sorted((due, Decimal(amount)) for due, amount in instalments if due and amount is not None)
        if len(rows) < 2:
            raise ValidationError(_("Give at least two instalments, each with a date and an amount."))
        total = sum((a for _, a in rows), Decimal("0"))
        if total != value:
            gap = value - total
            message = (
                _(
                    "The instalments add up to %(total)s, but this term of the contract is worth %(value)s: "
                    "%(gap)s short."
                )
                if gap > 0
                else _(
                    "The instalments add up to %(total)s, but this term of the contract is worth %(value)s: "
                    "%(gap)s too much."
                )
            )
            raise ValidationError(message % {"total": money(total), "value": money(value), "gap": money(abs(gap))})
        dates, amounts = [d for d, _ in rows], [a for _, a in rows]
    else:
        raise ValidationError({"mode": _("Choose recurring, one-off or instalments.")})
    kind = PaymentKind.ONE_OFF if len(dates) == 1 else mode
    shares = list(contract.shares.select_related("school"))
    payments = []
    for n, (due, amount) in enumerate(zip(dates, amounts, strict=True)):
        label = f" ({n + 1} of {len(dates)})" if len(dates) > 1 else ""
        for share, part in split_by_shares(amount, shares):
            shared = f", {share.percent.normalize():f}% share" if len(shares) > 1 else ""
            payments.append(
                Payment(
                    school=share.school,
                    supplier=contract.supplier,
                    contract=contract,
                    category=contract.category,
                    description=f"{contract.reference} {contract.name}{label}{shared}",
                    kind=kind,
                    amount=part,
                    vat=_vat(part, contract.vat_percent),
                    due_on=due,
                    generated_key=f"{prefix}{n}:{share.school_id}",
                )
            )
    for payment in payments:
        payment.full_clean(exclude=["school", "supplier", "contract"])
    Payment.objects.bulk_create(payments)
    for payment in payments:
        _payment_entry(payment)
    if mode == PaymentKind.RECURRING and not contract.bills_recurring:
        contract.bills_recurring = True
        contract.save(update_fields=["bills_recurring", "updated_at"])
    for share in shares:
        audit_record(
            actor=by,
            school=share.school,
            action="schedule",
            obj=contract,
            summary=f"{len(dates)} payment(s) scheduled for {contract.reference}, {money(value)} in all",
        )
    return payments


def payments_schedule_renewal(*, contract) -> list[Payment]:
    """A renewed contract that bills at its frequency gets the new term's bills (once)."""
    prefix = f"contract:{contract.pk}:t{contract.renewals}:"
    if Payment.objects.filter(contract=contract, generated_key__startswith=prefix).exists():
        return []
    return payments_schedule(contract=contract, by=None, mode=PaymentKind.RECURRING)


@transaction.atomic
def payment_save(*, payment: Payment, by, version: int | None = None) -> Payment:
    """A payment by hand: a one-off purchase, or a new implementation's payments."""
    require(by, "diary.schedule_payment", payment)
    errors = {}
    version_claim(payment, version)  # a save from an older page is refused (core/concurrency.py)
    if payment.supplier.organisation_id != payment.school.organisation_id:
        errors["supplier"] = "Choose a supplier from your organisation's list."
    if payment.contract_id and payment.school_id not in contract_school_ids(payment.contract):
        errors["contract"] = "Choose a contract this school shares."
    elif payment.contract_id and payment.contract.supplier_id != payment.supplier_id:
        errors["contract"] = "That contract is with another supplier."
    if payment.for_entry_id and payment.for_entry.school_id != payment.school_id:
        errors["for_entry"] = "Choose an entry in this school's diary."
    if errors:
        raise ValidationError(errors)
    payment.full_clean()
    created = payment.pk is None
    payment.save()
    _payment_entry(payment)
    audit_record(
        actor=by,
        school=payment.school,
        action="create" if created else "update",
        obj=payment,
        summary=f"Payment {payment.description} {money(payment.amount)} due {payment.due_on:%d/%m/%Y} saved",
    )
    return payment


@transaction.atomic
def payment_mark_paid(*, payment: Payment, by, paid_on: date, reference: str) -> Payment:
    require(by, "diary.record_payment", payment)
    if paid_on is None:
        raise ValidationError({"paid_on": _("Give the date it was paid.")})
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("That date is in the future.")})
    payment = Payment.objects.select_for_update(of=("self",)).select_related("supplier", "school").get(pk=payment.pk)
    payment.paid_on, payment.paid_reference = paid_on, reference.strip()
    payment.full_clean()
    payment.version += 1  # an edit page opened before (showing it unpaid) is now stale
    payment.save(update_fields=["paid_on", "paid_reference", "version", "updated_at"])
    _payment_entry(payment)
    audit_record(
        actor=by,
        school=payment.school,
        action="paid",
        obj=payment,
        summary=f"Payment {payment.description} paid {paid_on:%d/%m/%Y} ref. {payment.paid_reference}",
    )
    return payment


@transaction.atomic
def payment_delete(*, payment: Payment, by) -> None:
    require(by, "diary.remove_payment", payment)
    if payment.paid_on:
        raise ValidationError(_("A paid payment stays on record."))
    audit_record(
        actor=by,
        school=payment.school,
        action="delete",
        obj=payment,
        summary=f"Payment {payment.description} {money(payment.amount)} due {payment.due_on:%d/%m/%Y} removed",
    )
    payment.delete()


# --- feed and reminders -----------------------------------------------------------------------
@transaction.atomic
def feed_token_ensure(*, user) -> str:
    """The secret of the person's calendar feed address, made the first time they open their feed page. Two
    pages opened at once get the same one (only an empty token is replaced)."""
    if user.feed_token:
        return user.feed_token
    token = secrets.token_urlsafe(32)
    if not User.objects.filter(pk=user.pk, feed_token="").update(feed_token=token):
        token = User.objects.values_list("feed_token", flat=True).get(pk=user.pk)  # made meanwhile: that one
    user.feed_token = token
    return token


@transaction.atomic
def feed_token_reset(*, user) -> str:
    """A new secret address for the person's calendar feed; the old one stops working at once."""
    user.feed_token = secrets.token_urlsafe(32)
    user.save(update_fields=["feed_token"])
    audit_record(actor=user, school=None, action="feed_reset", obj=user, summary="Calendar feed address changed")
    return user.feed_token


def _reminder_people(entry: DiaryEntry) -> list:
    return [entry.person] if entry.person_id else [entry.school.spoc]


def diary_reminders_send(*, now: datetime | None = None) -> int:
    """Send each reminder that has come due, exactly once (recorded on the entry under a row lock), through the
    mail app's outbound log (retried if the server is down; the person can switch diary reminders off)."""
    now = now or timezone.now()
    due = DiaryEntry.objects.filter(
        remind_at__lte=now, reminded_at__isnull=True, starts_at__gte=now - timedelta(days=1)
    )
    sent = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            entry = (
                DiaryEntry.objects.select_for_update(of=("self",)).select_related("person", "school__spoc").get(pk=pk)
            )
            if entry.reminded_at is not None:
                continue
            when = entry.starts_at.astimezone(LONDON)
            messages = reminder_send(
                school=entry.school,
                kind=ReminderKind.DIARY,
                people=_reminder_people(entry),
                subject=f"Reminder: {entry.title} on {when:%d/%m/%Y}",
                body="\n".join(
                    [
                        entry.title,
                        f"{entry.get_kind_display()} at {entry.school}",
                        f"{when:%d/%m/%Y}" + ("" if entry.is_all_day else f" at {when:%H:%M}"),
                        "",
                        entry.notes,
                    ]
                ).strip(),
                key=f"diary:{entry.pk}:{entry.remind_at:%Y%m%d%H%M}",
                url=f"/diary/{entry.pk}/",
                deliver=False,
            )
            entry.reminded_at = now
            entry.save(update_fields=["reminded_at"])
        sent += bool(messages)
        messages_deliver(messages)
    return sent

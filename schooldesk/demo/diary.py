"""Demo diary and payments (after schooldesk/demo/schools.py): the demo contracts with their payments
across the financial year (earlier ones paid, one overdue), weekly technician visits at Oakfield with
calls gathered for the next one and a past visit's work recorded, an installation and a roll-out with
their payments, training and meetings. `manage.py demo_seed` calls `diary_demo(demo)`."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from schooldesk.core.calendar import LONDON
from schooldesk.demo.suppliers import suppliers_demo
from schooldesk.diary.choices import DiaryKind, PaymentKind
from schooldesk.diary.models import DiaryEntry, Payment
from schooldesk.diary.services import entry_save, payment_mark_paid, payment_save, payments_schedule
from schooldesk.incidents.choices import IncidentStatus
from schooldesk.incidents.models import Incident
from schooldesk.incidents.services import incident_assign

GATHERED_AT_LEAST = 4


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def _entry(school, kind, title, starts_at, ends_at, **fields) -> DiaryEntry:
    return entry_save(
        entry=DiaryEntry(school=school, kind=kind, title=title, starts_at=starts_at, ends_at=ends_at, **fields), by=None
    )


@transaction.atomic
def diary_demo(demo, *, today: date | None = None) -> dict:
    today = today or timezone.localdate()
    contracts = suppliers_demo(demo, today=today)
    oak, river = demo.schools["oakfield"], demo.schools["riverside"]
    s, oak_people, river_people = demo.suppliers, demo.people["oakfield"], demo.people["riverside"]

    # Each contract's bills for its current term; those already due are paid, but one over a fortnight old
    # is overdue (whatever the day the demo is made on: exactly one).
    for contract in contracts.values():
        payments_schedule(contract=contract, by=None, mode=PaymentKind.RECURRING)
    past = list(Payment.objects.filter(due_on__lt=today).order_by("due_on", "pk"))
    overdue = next(
        (
            p
            for p in reversed(past)
            if p.contract_id == contracts["oak_support"].pk and p.due_on < today - timedelta(days=14)
        ),
        None,
    )
    for n, payment in enumerate(past):
        if payment != overdue:
            payment_mark_paid(
                payment=payment,
                by=None,
                paid_on=min(payment.due_on + timedelta(days=12), today),
                reference=f"PO{24100 + n}",
            )

    # New implementations and additions, scheduled with their payments.
    panels_day = today + timedelta(days=(3 - today.weekday()) % 7 + 21)  # a Thursday three weeks ahead
    year5 = oak.location_set.filter(name__startswith="Year 5").first()
    install = _entry(
        oak,
        DiaryKind.INSTALLATION,
        "Install three interactive panels (Junior block)",
        _at(panels_day, 9),
        _at(panels_day, 15),
        location=year5,
        person=oak_people.visiting_technician,
        notes="Old projectors to be removed and sent for recycling (WEEE).",
        remind_days_before=7,
    )
    deposit = payment_save(
        by=None,
        payment=Payment(
            school=oak,
            supplier=s["reseller"],
            for_entry=install,
            category="hardware",
            kind=PaymentKind.INSTALMENT,
            description="Interactive panels ×3: 30% deposit",
            amount=Decimal("1620.00"),
            vat=Decimal("324.00"),
            due_on=today - timedelta(days=10),
        ),
    )
    payment_mark_paid(payment=deposit, by=None, paid_on=today - timedelta(days=8), reference="PO24187")
    payment_save(
        by=None,
        payment=Payment(
            school=oak,
            supplier=s["reseller"],
            for_entry=install,
            category="hardware",
            kind=PaymentKind.INSTALMENT,
            description="Interactive panels ×3: balance on installation",
            amount=Decimal("3780.00"),
            vat=Decimal("756.00"),
            due_on=panels_day + timedelta(days=30),
        ),
    )
    rollout_day = today + timedelta(days=(2 - today.weekday()) % 7 + 42)
    rollout = _entry(
        river,
        DiaryKind.MILESTONE,
        "Year 7 Chromebooks: all 240 enrolled and handed out",
        _at(rollout_day, 0),
        _at(rollout_day, 0),
        is_all_day=True,
        person=river_people.by_role["technician"],
        notes="Milestone of the Year 7 one-to-one devices roll-out.",
        remind_days_before=14,
    )
    for n, (due, amount) in enumerate(((today + timedelta(days=20), "9000.00"), (rollout_day, "9000.00")), 1):
        payment_save(
            by=None,
            payment=Payment(
                school=river,
                supplier=s["reseller"],
                for_entry=rollout,
                category="hardware",
                kind=PaymentKind.INSTALMENT,
                description=f"Year 7 Chromebooks ×240: instalment {n} of 2",
                amount=Decimal(amount),
                vat=Decimal(amount) / 5,
                due_on=due,
            ),
        )

    # Training and meetings.
    training_day = today + timedelta(days=(2 - today.weekday()) % 7 + 14)
    training = _entry(
        oak,
        DiaryKind.TRAINING,
        "Online safety and filtering training for all staff (KCSIE)",
        _at(training_day, 15, 45),
        _at(training_day, 17),
        location=oak.location_set.filter(name="Hall").first(),
        person=oak_people.by_role["owner"],
        remind_days_before=3,
    )
    payment_save(
        by=None,
        payment=Payment(
            school=oak,
            supplier=s["la_ict"],
            for_entry=training,
            category="training",
            description="Online safety training session",
            amount=Decimal("350.00"),
            due_on=training_day + timedelta(days=30),
        ),
    )
    meeting_day = today + timedelta(days=3)
    while meeting_day.weekday() >= 5:  # a school day
        meeting_day += timedelta(days=1)
    _entry(
        oak,
        DiaryKind.MEETING,
        "Decide: renew the LA's traded support SLA?",
        _at(meeting_day, 15, 45),
        _at(meeting_day, 16, 30),
        person=oak_people.by_role["owner"],
        contract=contracts["oak_support"],
        notes="Bring the supplier performance figures from the contract's page.",
        remind_days_before=2,
    )
    _entry(
        river,
        DiaryKind.MEETING,
        "Termly service review with Pennine Schools Broadband",
        _at(meeting_day + timedelta(days=7), 14),
        _at(meeting_day + timedelta(days=7), 15),
        person=river_people.by_role["owner"],
        contract=contracts["broadband"],
    )

    # Visits: calls gathered for the next one, and the last one's work recorded.
    visits = DiaryEntry.objects.filter(school=oak, kind=DiaryKind.VISIT, starts_at__gte=_at(today, 0))
    visit = visits.order_by("starts_at").first()
    gathered = Incident.objects.filter(
        school=oak,
        for_next_visit=True,
        status__in=[IncidentStatus.NEW, IncidentStatus.OPEN, IncidentStatus.WITH_FIRST_LEVEL],
    )
    more = Incident.objects.filter(
        school=oak, status=IncidentStatus.WITH_FIRST_LEVEL, for_next_visit=False, is_restricted=False
    ).order_by("logged_at")  # statuses stay as they are
    for incident in more[: max(0, GATHERED_AT_LEAST - gathered.count())]:
        incident_assign(
            incident=incident,
            by=None,
            version=incident.version,
            next_visit=True,
            note="For Sam on the next Tuesday visit.",
        )
    last_tuesday = today - timedelta(days=(today.weekday() - 1) % 7 or 7)
    done = list(
        Incident.objects.filter(school=oak, status=IncidentStatus.CLOSED, resolved_at__lt=_at(today, 0)).order_by(
            "-resolved_at"
        )[:2]
    )
    past_visit = _entry(
        oak,
        DiaryKind.VISIT,
        f"Technician visit: {s['la_ict']}",
        _at(last_tuesday, 8, 30),
        _at(last_tuesday, 12),
        person=oak_people.visiting_technician,
        contract=contracts["oak_support"],
    )
    past_visit.calls_worked.set(done)
    past_visit.completed_at = _at(last_tuesday, 12, 5)
    past_visit.save(update_fields=["completed_at"])
    return {"contracts": contracts, "next_visit": visit, "past_visit": past_visit}

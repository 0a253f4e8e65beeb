"""Every reminder offered on the preferences page is sent, once, at its time, through the one outbound path
(logged, retried, each person's choice respected): on a frozen clock (the day passed in, as the periodic
tasks pass today's), against the real SMTP server on loopback."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from schooldesk.diary.models import DiaryEntry, Payment
from schooldesk.diary.services import diary_reminders_send, entry_save, payment_save
from schooldesk.mail.choices import NotificationEvent, OutboundStatus, Purpose
from schooldesk.mail.models import OutboundMessage
from schooldesk.mail.reminders import reminders_send
from schooldesk.mail.services import preferences_save
from schooldesk.suppliers.services import contract_alerts_send
from schooldesk.suppliers.tests.factories import make_contract

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(cast):
    cast.school.spoc = cast.spoc
    cast.school.save()
    return cast


def received(smtp, person) -> list[str]:
    return [" ".join(str(m["Subject"]).split()) for m in smtp.to(person.email)]


def logged(person) -> list:
    return list(
        OutboundMessage.objects.filter(recipient=person, purpose=Purpose.REMINDER).values_list("status", flat=True)
    )


def test_a_payment_due_is_reminded_once_seven_days_before(desk, smtp):
    payment_save(
        by=desk.spoc,
        payment=Payment(
            school=desk.school,
            supplier=desk.supplier,
            category="hardware",
            description="Visualiser for Year 2",
            amount=Decimal("120.00"),
            vat=Decimal("24.00"),
            due_on=date(2027, 3, 10),
        ),
    )
    assert reminders_send(today=date(2027, 3, 2)) == 0  # eight days before: not yet
    assert reminders_send(today=date(2027, 3, 3)) == 2  # the SPOC and the ICT owner
    assert reminders_send(today=date(2027, 3, 3)) == 0  # the daily job again the same day
    assert reminders_send(today=date(2027, 3, 4)) == 0  # and the next day
    [subject] = received(smtp, desk.spoc)
    assert subject == f"Payment due 10/03/2027: Visualiser for Year 2 ({desk.supplier})"
    body = smtp.to(desk.owner.email)[0].get_body(("plain",)).get_content()
    assert "£144.00" in body and "/diary/payments/" in body
    assert logged(desk.spoc) == [OutboundStatus.SENT]


def test_a_paid_payment_is_not_reminded(desk, smtp):
    payment = payment_save(
        by=desk.spoc,
        payment=Payment(
            school=desk.school,
            supplier=desk.supplier,
            category="hardware",
            description="Paid already",
            amount=Decimal("10"),
            due_on=date(2027, 3, 10),
        ),
    )
    Payment.objects.filter(pk=payment.pk).update(paid_on=date(2027, 3, 1))
    assert reminders_send(today=date(2027, 3, 5)) == 0 and smtp.messages == []


def test_a_licence_renewal_is_reminded_once_thirty_days_before(desk, smtp):
    from schooldesk.licences.tests.factories import LicenceFactory

    LicenceFactory(school=desk.school, product="Purple Mash", renews_on=date(2027, 4, 30))
    assert reminders_send(today=date(2027, 3, 30)) == 0
    assert reminders_send(today=date(2027, 3, 31)) == 2
    assert reminders_send(today=date(2027, 3, 31)) + reminders_send(today=date(2027, 4, 20)) == 0
    assert received(smtp, desk.spoc) == ["Licence renews 30/04/2027: Purple Mash"]


def test_warranties_ending_are_reminded_once_per_school_and_date(desk, smtp):
    from schooldesk.assets.tests.factories import AssetFactory

    for n in range(3):  # a class set bought together
        AssetFactory(school=desk.school, tag=f"LAP-{n:03d}", warranty_ends_on=date(2027, 6, 30))
    assert reminders_send(today=date(2027, 5, 30)) == 0
    assert reminders_send(today=date(2027, 5, 31)) == 2
    assert reminders_send(today=date(2027, 6, 1)) == 0
    [email] = smtp.to(desk.spoc.email)
    assert email["Subject"] == "Warranty ends 30/06/2027: 3 items"
    assert all(f"LAP-{n:03d}" in email.get_body(("plain",)).get_content() for n in range(3))


def test_contract_reminders_go_through_the_outbound_log_and_respect_the_choice(desk, smtp):
    preferences_save(user=desk.owner, enabled={NotificationEvent.REMINDER_CONTRACT: False})
    contract = make_contract(desk, starts_on=date(2026, 1, 31), notice_number=1, today=date(2026, 1, 31))
    assert contract_alerts_send(today=date(2026, 10, 1)) == 1
    assert contract_alerts_send(today=date(2026, 10, 1)) == 0
    assert received(smtp, desk.spoc) == [f"[{contract.reference}] A decision is needed: {contract}"]
    assert received(smtp, desk.owner) == [] and logged(desk.owner) == []  # switched off: not sent
    assert logged(desk.spoc) == [OutboundStatus.SENT]
    [email] = smtp.to(desk.spoc.email)
    assert email["Auto-Submitted"] == "auto-generated"


def test_diary_reminders_go_through_the_outbound_log_once(desk, smtp):
    from schooldesk.core.calendar import LONDON

    starts = datetime(2027, 1, 20, 9, tzinfo=LONDON)
    entry_save(
        by=desk.spoc,
        entry=DiaryEntry(
            school=desk.school,
            kind="training",
            title="Online safety training",
            person=desk.technician,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            remind_days_before=2,
        ),
    )
    reminded_at = datetime(2027, 1, 18, 7, tzinfo=LONDON)  # two days before, at the start of the day
    assert diary_reminders_send(now=reminded_at - timedelta(minutes=1)) == 0
    assert diary_reminders_send(now=reminded_at) == 1
    assert diary_reminders_send(now=starts - timedelta(days=1)) == 0
    assert received(smtp, desk.technician) == ["Reminder: Online safety training on 20/01/2027"]
    assert logged(desk.technician) == [OutboundStatus.SENT]


def test_every_reminder_on_the_preferences_page_has_a_sender(desk, login):
    """The page offers a reminder only if something sends it (the kinds above, each tested)."""
    page = login(desk.spoc).get("/mail/preferences/").content.decode()
    offered = {
        event for event in NotificationEvent.values if event.startswith("reminder_") and f'name="{event}"' in page
    }
    assert offered == {
        "reminder_contract",
        "reminder_payment",
        "reminder_licence",
        "reminder_warranty",
        "reminder_diary",
    }

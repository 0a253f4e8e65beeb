"""Reminders 90, 60 and 30 days before each notice date and each end: exactly once each, to the SPOC
and the ICT owners, through the worker; a rerun or a retry sends nothing twice."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail

from schooldesk.conftest import make_cast
from schooldesk.suppliers.models import ContractAlert
from schooldesk.suppliers.services import contract_alerts_send, contract_decide
from schooldesk.suppliers.tasks import contract_alerts_task

from .factories import make_contract

pytestmark = pytest.mark.django_db


@pytest.fixture
def school_with_spoc(cast):
    cast.school.spoc = cast.spoc
    cast.school.save()
    return cast


def _run_days(first: date, last: date) -> dict[date, list]:
    """Run the reminders once (twice on some days) every day from `first` to `last`; what went out each day."""
    sent = {}
    day = first
    while day <= last:
        before = len(mail.outbox)
        contract_alerts_send(today=day)
        if day.day % 3 == 0:
            contract_alerts_send(today=day)  # a rerun the same day
        if len(mail.outbox) > before:
            sent[day] = mail.outbox[before:]
        day += timedelta(days=1)
    return sent


def test_each_threshold_is_reminded_exactly_once_on_the_right_day(school_with_spoc):
    cast = school_with_spoc
    # Notice by 30/12/2026 (one month before the end, 30/01/2027): signed on 31 January 2026.
    contract = make_contract(
        cast, starts_on=date(2026, 1, 31), initial_term_months=12, notice_number=1, today=date(2026, 1, 31)
    )
    assert (contract.notice_by_on, contract.term_ends_on) == (date(2026, 12, 30), date(2027, 1, 30))
    sent = _run_days(date(2026, 9, 1), date(2027, 2, 5))
    assert sorted(sent) == [
        date(2026, 10, 1),
        date(2026, 10, 31),
        date(2026, 11, 1),
        date(2026, 11, 30),
        date(2026, 12, 1),
        date(2026, 12, 31),
    ]
    assert all(len(messages) == 2 for messages in sent.values())  # one email each to the SPOC and the owner
    # 90, 60 and 30 days before the notice date; 90, 60 and 30 days before the end
    assert "Notice must be given by 30/12/2026: 90 days from today." in sent[date(2026, 10, 1)][0].body
    assert "Ends on 30/01/2027: 90 days from today." in sent[date(2026, 11, 1)][0].body
    assert "Notice must be given by 30/12/2026: 30 days from today." in sent[date(2026, 11, 30)][0].body
    assert "Ends on 30/01/2027: 30 days from today." in sent[date(2026, 12, 31)][0].body
    first = sent[date(2026, 10, 1)][0]
    assert sorted(m.to[0] for m in sent[date(2026, 10, 1)]) == sorted([cast.spoc.email, cast.owner.email])
    assert first.subject == f"[{contract.reference}] A decision is needed: {contract}"
    assert first.extra_headers["Auto-Submitted"] == "auto-generated"
    assert ContractAlert.objects.filter(contract=contract).count() == 6


def test_a_late_start_sends_one_message_for_every_threshold_already_passed(school_with_spoc):
    make_contract(school_with_spoc, starts_on=date(2026, 1, 31), notice_number=1, today=date(2026, 1, 31))
    assert contract_alerts_send(today=date(2026, 12, 20)) == 1
    assert len(mail.outbox) == 2  # the SPOC and the owner
    body = mail.outbox[0].body
    assert "Notice must be given by 30/12/2026: 10 days from today." in body
    assert "Ends on 30/01/2027: 41 days from today." in body
    assert set(ContractAlert.objects.values_list("kind", "threshold")) == {
        ("notice", 90),
        ("notice", 60),
        ("notice", 30),
        ("end", 90),
        ("end", 60),
    }
    assert contract_alerts_send(today=date(2026, 12, 20)) == 0


def test_the_worker_task_is_idempotent_and_a_decision_stops_the_reminders(school_with_spoc):
    cast = school_with_spoc
    today = date.today()
    contract = make_contract(
        cast, starts_on=today - timedelta(days=300), initial_term_months=12, notice_number=1, today=today
    )
    contract_alerts_task()
    contract_alerts_task()  # the hourly run again, or Huey retrying
    assert len(mail.outbox) == 2  # once each to the SPOC and the owner
    contract_decide(
        contract=contract, by=cast.owner, decision="renegotiate", reason="Asking for a better price", today=today
    )
    ContractAlert.objects.all().delete()  # even with no record, a decided contract is not reminded about
    contract_alerts_task()
    assert len(mail.outbox) == 2


def test_a_failed_send_is_logged_and_the_mail_apps_retry_sends_it(school_with_spoc, settings):
    from schooldesk.mail.models import OutboundMessage
    from schooldesk.mail.outbound import outbound_retry

    make_contract(school_with_spoc, starts_on=date(2026, 1, 31), notice_number=1, today=date(2026, 1, 31))
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens on 9
    assert contract_alerts_send(today=date(2026, 10, 1)) == 1  # logged in the outbound log, not lost
    failed = list(OutboundMessage.objects.filter(status="failed"))
    assert len(failed) == 2 and ContractAlert.objects.exists() and mail.outbox == []
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbound_retry(now=max(m.next_attempt_at for m in failed)) == 2
    assert contract_alerts_send(today=date(2026, 10, 1)) == 0 and len(mail.outbox) == 2


def test_an_automatic_renewal_rolls_forward_and_is_reminded_again_for_its_new_dates(school_with_spoc):
    contract = make_contract(
        school_with_spoc,
        starts_on=date(2025, 9, 1),
        renewal="automatic",
        renewal_term_months=12,
        notice_number=3,
        today=date(2025, 9, 1),
    )
    assert contract_alerts_send(today=date(2026, 3, 1)) == 0
    assert contract_alerts_send(today=date(2026, 3, 2)) == 1  # 90 days before 31/05/2026
    assert "Notice must be given by 31/05/2026: 90 days from today." in mail.outbox[-1].body
    assert contract_alerts_send(today=date(2026, 9, 1)) == 0  # renewed: the new notice date is far away
    contract.refresh_from_db()
    assert contract.status == "renewed"
    assert (contract.term_ends_on, contract.notice_by_on) == (date(2027, 8, 31), date(2027, 5, 31))
    assert contract_alerts_send(today=date(2027, 3, 2)) == 1
    assert "Notice must be given by 31/05/2027: 90 days from today." in mail.outbox[-1].body
    assert contract_alerts_send(today=date(2027, 6, 2)) == 1
    assert "Renews automatically after 31/08/2027: 90 days from today." in mail.outbox[-1].body


def test_a_shared_contract_reminds_each_schools_desk_and_the_trusts_owner(school_with_spoc):
    from schooldesk.accounts.tests.factories import MembershipFactory, UserFactory

    cast = school_with_spoc
    second = make_cast("ash", organisation=cast.school.organisation)
    trust_owner = UserFactory(username="trust-owner")
    MembershipFactory(user=trust_owner, organisation=cast.school.organisation, role="owner")
    make_contract(cast, shares={cast.school: Decimal("50"), second.school: Decimal("50")}, notice_number=1)
    contract_alerts_send(today=date(2027, 5, 2))
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [cast.spoc.email, cast.owner.email, second.owner.email, trust_owner.email]
    )

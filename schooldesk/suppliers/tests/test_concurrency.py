"""Two workers sending the contract reminders at the same moment (two Huey workers, or a retry that
overlaps the hourly run), in real concurrent transactions: each reminder still goes out once. Only
PostgreSQL proves this (SQLite runs one writer at a time), so it is skipped there."""

from datetime import date

import pytest
from django.core import mail
from django.db import connection

from schooldesk.incidents.tests.test_concurrency import run_together
from schooldesk.suppliers.models import ContractAlert
from schooldesk.suppliers.services import contract_alerts_send

from .factories import make_contract

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
    pytest.mark.django_db(transaction=True),
]


def test_two_workers_at_once_send_each_reminder_once(cast):
    cast.school.spoc = cast.spoc
    cast.school.save()
    for n in range(4):
        make_contract(cast, name=f"Contract {n}", starts_on=date(2026, 1, 31), notice_number=1, today=date(2026, 1, 31))
    results = run_together(*[lambda: contract_alerts_send(today=date(2026, 12, 20)) for _ in range(3)])
    assert all(outcome == "ok" for outcome, _ in results), results
    assert sum(sent for _, sent in results) == 4
    assert len(mail.outbox) == 4 * 2  # the SPOC and the owner, once each
    assert ContractAlert.objects.count() == 4 * 5  # notice 90/60/30 and end 90/60, once each

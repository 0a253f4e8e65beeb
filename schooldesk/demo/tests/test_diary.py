"""The demo desk's contracts, diary, visits and payments (manage.py demo_seed)."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from schooldesk.accounts.models import User
from schooldesk.diary.models import DiaryEntry, Payment
from schooldesk.diary.selectors import financial_year, visit_sheet
from schooldesk.suppliers.models import Contract
from schooldesk.suppliers.selectors import contracts_needing_decision

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("demo_seed", incidents=40, stdout=io.StringIO())


def test_contracts_for_every_case(demo):
    today = timezone.localdate()
    owner = User.objects.get(username="oakfield.owner")
    bands = contracts_needing_decision(user=owner, today=today)["bands"]
    assert [row["contract"].name for row in bands[30]] == ["Traded ICT support and weekly technician visit"]
    la = User.objects.get(username="northbridge.la")
    assert contracts_needing_decision(user=la, today=today)["count"] == 2
    broadband = Contract.objects.get(supplier__kind="broadband")
    assert broadband.renewal == "automatic" and broadband.status == "renewed" and broadband.renewals == 1
    shares = sorted((s.school.short_name, s.percent) for s in broadband.shares.all())
    assert shares == [("Oakfield", 40), ("Riverside", 60)]
    riverside_only = Contract.objects.filter(shares__school__short_name="Riverside").exclude(pk=broadband.pk)
    assert riverside_only.exists() and not Contract.objects.visible_to(owner).filter(pk__in=riverside_only)


def test_visits_with_calls_gathered_and_payments_across_the_year(demo):
    today = timezone.localdate()
    technician = User.objects.get(username="northbridge.tech")
    visit = (
        DiaryEntry.objects.filter(kind="visit", person=technician, completed_at__isnull=True)
        .order_by("starts_at")
        .first()
    )
    sheet = visit_sheet(user=technician, entry=visit)
    assert len(sheet["gathered"]) >= 3 and all(i.for_next_visit and i.is_active for i in sheet["gathered"])
    assert DiaryEntry.objects.filter(kind="visit", completed_at__isnull=False).get().calls_worked.count() == 2
    for kind in ("installation", "milestone", "training", "meeting", "renewal", "payment_due"):
        assert DiaryEntry.objects.filter(kind=kind).exists(), kind
    oakfield = Payment.objects.filter(school__short_name="Oakfield")
    fy = financial_year(4, today)
    in_year = oakfield.filter(due_on__range=(fy.starts_on, fy.ends_on))
    assert in_year.filter(paid_on__isnull=False).exists() and in_year.filter(paid_on__isnull=True).exists()
    # Regression: bills due in the last fortnight were left unpaid, so "one overdue" held only on some days.
    assert Payment.objects.in_status("overdue", today).count() == 1
    assert Payment.objects.filter(for_entry__kind="installation").count() == 2

"""The diary and payment pages, the visit sheet and the feed do a fixed number of queries at any size."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from schooldesk.core.calendar import LONDON
from schooldesk.core.tests.pages import count_queries
from schooldesk.diary.models import DiaryEntry, Payment
from schooldesk.diary.services import entry_save, feed_token_ensure, payment_save
from schooldesk.incidents.services import incident_assign
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.locations.models import Location
from schooldesk.suppliers.tests.factories import make_contract

pytestmark = pytest.mark.django_db
CEILING = 25


def grow(cast, n):
    today = timezone.localdate()
    start = datetime.combine(today, time(9), tzinfo=LONDON)
    for i in range(n):
        location = Location.objects.filter(school=cast.school)[i % 5]
        kind = ["meeting", "training", "installation"][i % 3]
        entry_save(
            by=cast.spoc,
            entry=DiaryEntry(
                school=cast.school,
                kind=kind,
                title=f"Entry {i}",
                location=location,
                person=cast.technician,
                starts_at=start + timedelta(days=i % 6, hours=i % 4),
                ends_at=start + timedelta(days=i % 6, hours=1 + i % 4),
                remind_days_before=1,
            ),
        )
        payment_save(
            by=cast.spoc,
            payment=Payment(
                school=cast.school,
                supplier=cast.supplier,
                category="hardware",
                description=f"Payment {i}",
                amount=Decimal("10.00") + i,
                due_on=today + timedelta(days=i - n // 2),
            ),
        )
        incident = IncidentFactory(
            school=cast.school,
            by=cast.reporter,
            location=location,
            summary=f"Call {i}",
            reporter_availability=f"Room {i}",
        )
        incident_assign(incident=incident, by=cast.spoc, version=incident.version, next_visit=True)
    make_contract(
        cast,
        name=f"Contract {n}",
        starts_on=today - timedelta(days=300),
        notice_number=1,
        today=today,
        visit_weekday=today.weekday(),
        visit_starts_at=time(8),
        visit_ends_at=time(12),
    )


PAGES = {
    "month": lambda cast, e, c: "/diary/",
    "week": lambda cast, e, c: "/diary/week/?kind=meeting",
    "agenda": lambda cast, e, c: "/diary/agenda/",
    "entry": lambda cast, e, c: f"/diary/{e.pk}/",
    "entry form": lambda cast, e, c: f"/diary/{e.pk}/edit/",
    "visit sheet": lambda cast, e, c: f"/diary/{DiaryEntry.objects.filter(kind='visit').first().pk}/sheet/",
    "feed page": lambda cast, e, c: feed_token_ensure(user=cast.spoc) and "/diary/feed/",  # (made on first visit)
    "feed": lambda cast, e, c: f"/diary/feed/{cast.spoc.pk}/{feed_token_ensure(user=cast.spoc)}.ics",
    "payments": lambda cast, e, c: "/diary/payments/",
    "payments filtered": lambda cast, e, c: f"/diary/payments/?status=due&category=hardware&school={cast.school.pk}",
    "payment form": lambda cast, e, c: "/diary/payments/new/",
    "schedule form": lambda cast, e, c: f"/diary/payments/schedule/{c.pk}/",
}


@pytest.mark.parametrize("page", PAGES)
def test_page_query_count_is_fixed(page, cast, client):
    grow(cast, 3)
    entry = DiaryEntry.objects.filter(kind="meeting").order_by("pk").first()
    contract = cast.supplier.contracts.get()
    client.force_login(cast.spoc)
    small = count_queries(client, PAGES[page](cast, entry, contract))
    grow(cast, 30)
    client.force_login(cast.spoc)
    large = count_queries(client, PAGES[page](cast, entry, contract))
    assert large == small, f"{page}: {small} queries with few rows, {large} with many"
    assert large <= CEILING, f"{page}: {large} queries"
    print(f"{page}: {large} queries")

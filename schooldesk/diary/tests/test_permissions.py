"""The offer matches the refusal: for each of the cast, the diary's pages offer an action exactly when the rule the
service asks allows it (schooldesk/permissions/rules.py), and the service refuses with the rule's own words."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from schooldesk.core.permissions import can
from schooldesk.diary.models import DiaryEntry, Payment
from schooldesk.diary.services import entry_save, payment_save

pytestmark = pytest.mark.django_db

CAST = ("reporter", "spoc", "technician", "provider", "owner", "viewer", "dpo")


def visit(cast) -> DiaryEntry:
    starts = timezone.now() + timedelta(days=2)
    entry = DiaryEntry(school=cast.school, kind="visit", title="Weekly visit", starts_at=starts, ends_at=starts)
    return entry_save(entry=entry, by=cast.spoc)


@pytest.mark.parametrize("role", CAST)
def test_an_entry_offers_what_the_rules_allow(cast, login, role):
    user, entry = getattr(cast, role), visit(cast)
    client = login(user)
    page = client.get(reverse("diary:entry_detail", args=[entry.pk]))
    if page.status_code == 404:  # not in the person's diary at all
        assert not can(user, "diary.change", entry)
        return
    text = page.content.decode()
    assert (reverse("diary:entry_update", args=[entry.pk]) in text) == can(user, "diary.change", entry)
    assert (reverse("diary:entry_delete", args=[entry.pk]) in text) == can(user, "diary.change", entry)
    assert (reverse("diary:visit_sheet", args=[entry.pk]) in text) == can(user, "diary.work_visit", entry)
    agenda = client.get(reverse("diary:agenda")).content.decode()
    assert (reverse("diary:entry_create") in agenda) == can(user, "diary.change")
    if not can(user, "diary.change", entry):
        assert client.post(reverse("diary:entry_delete", args=[entry.pk])).status_code in (403, 404)
        assert DiaryEntry.objects.filter(pk=entry.pk).exists()
    if not can(user, "diary.work_visit", entry):
        assert client.get(reverse("diary:visit_sheet", args=[entry.pk])).status_code in (403, 404)


@pytest.mark.parametrize("role", CAST)
def test_the_payments_page_offers_what_the_rules_allow(cast, login, role):
    user = getattr(cast, role)
    payment = payment_save(
        by=cast.spoc,
        payment=Payment(
            school=cast.school,
            supplier=cast.supplier,
            category="hardware",
            description="Laptops",
            amount=Decimal("100.00"),
            due_on=timezone.localdate() + timedelta(days=5),
        ),
    )
    client = login(user)
    page = client.get(reverse("diary:payment_list"))
    if not can(user, "diary.see_payments", cast.school):
        assert page.status_code == 403
        return
    text = page.content.decode()
    assert (reverse("diary:payment_create") in text) == can(user, "diary.schedule_payment", cast.school)
    assert (reverse("diary:payment_paid", args=[payment.pk]) in text) == can(user, "diary.record_payment", payment)
    if not can(user, "diary.record_payment", payment):
        answer = client.post(reverse("diary:payment_paid", args=[payment.pk]), {"paid_on": timezone.localdate()})
        assert answer.status_code in (403, 404)


def test_a_refusal_carries_the_rules_words(cast):
    entry = visit(cast)
    with pytest.raises(PermissionDenied, match="Only the SPOC or ICT owner can change the diary."):
        entry_save(entry=entry, by=cast.technician)

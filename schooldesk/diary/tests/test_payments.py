"""Payments: schedules that add up to the contract's value, split between schools; totals by each
school's financial year; CSV and XLSX exports for the finance system that add up and are formula-safe."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from schooldesk.conftest import make_cast
from schooldesk.diary.models import DiaryEntry, Payment
from schooldesk.diary.selectors import financial_year, payment_totals
from schooldesk.diary.services import payment_mark_paid, payment_save, payments_schedule, split_evenly
from schooldesk.suppliers.services import contract_roll_forward
from schooldesk.suppliers.tests.factories import make_contract

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("start_month", "day", "first", "last", "label"),
    [
        (4, date(2026, 11, 23), date(2026, 4, 1), date(2027, 3, 31), "2026–27"),  # maintained: April to March
        (4, date(2027, 3, 31), date(2026, 4, 1), date(2027, 3, 31), "2026–27"),
        (4, date(2027, 4, 1), date(2027, 4, 1), date(2028, 3, 31), "2027–28"),
        (9, date(2026, 8, 31), date(2025, 9, 1), date(2026, 8, 31), "2025–26"),  # academy: September to August
        (9, date(2026, 9, 1), date(2026, 9, 1), date(2027, 8, 31), "2026–27"),
        (1, date(2026, 6, 1), date(2026, 1, 1), date(2026, 12, 31), "2026"),
    ],
)
def test_financial_years(start_month, day, first, last, label):
    fy = financial_year(start_month, day)
    assert (fy.starts_on, fy.ends_on, fy.label) == (first, last, label)


def test_split_evenly_adds_up_to_the_penny():
    assert split_evenly(Decimal("100.00"), 3) == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert sum(split_evenly(Decimal("10800.01"), 36)) == Decimal("10800.01")


def test_recurring_payments_follow_the_billing_frequency_and_add_up_for_each_school(cast):
    second = make_cast("ash", organisation=cast.school.organisation)
    contract = make_contract(
        cast,
        starts_on=date(2026, 1, 31),
        initial_term_months=12,
        value=Decimal("1000.00"),
        billing_frequency="quarterly",
        vat_percent=Decimal("20"),
        shares={cast.school: Decimal("33.33"), second.school: Decimal("66.67")},
    )
    payments = payments_schedule(contract=contract, by=None, mode="recurring")  # the system, as on renewal
    by_school = {}
    for p in payments:
        by_school.setdefault(p.school_id, []).append(p)
    assert sorted({p.due_on for p in payments}) == [
        date(2026, 1, 31),
        date(2026, 4, 30),
        date(2026, 7, 31),
        date(2026, 10, 31),
    ]
    assert sum(p.amount for p in payments) == Decimal("1000.00")
    # 250.00 a quarter: Ash (66.67%) £166.675 rounds to £166.68, and Oak (last by name) takes the rest
    assert [p.amount for p in by_school[second.school.pk]] == [Decimal("166.68")] * 4
    assert [p.amount for p in by_school[cast.school.pk]] == [Decimal("83.32")] * 4
    assert all(p.vat == (p.amount / 5).quantize(Decimal("0.01")) for p in payments)
    assert DiaryEntry.objects.filter(kind="payment_due", school=second.school).count() == 4
    assert "(2 of 4), 66.67% share" in by_school[second.school.pk][1].description
    with pytest.raises(ValidationError, match="already scheduled"):
        payments_schedule(contract=contract, by=None, mode="one_off")


def test_instalments_that_do_not_add_up_are_refused_and_nothing_is_saved(cast, login):
    contract = make_contract(cast, value=Decimal("1200.00"))
    client = login(cast.spoc)
    form = {
        "mode": "instalment",
        "instalment-TOTAL_FORMS": "6",
        "instalment-INITIAL_FORMS": "0",
        "instalment-0-due_on": "2026-09-01",
        "instalment-0-amount": "600.00",
        "instalment-1-due_on": "2027-01-04",
        "instalment-1-amount": "500.00",
    }
    response = client.post(f"/diary/payments/schedule/{contract.pk}/", form)
    html = response.content.decode()
    assert response.status_code == 400
    assert (
        "The instalments add up to £1,100.00, but this term of the contract is worth £1,200.00: £100.00 short."
    ) in html
    assert (
        'value="500.00"' in html
        and not Payment.objects.exists()
        and not DiaryEntry.objects.filter(kind="payment_due").exists()
    )
    form["instalment-1-amount"] = "600.00"
    assert client.post(f"/diary/payments/schedule/{contract.pk}/", form).status_code == 302
    assert sorted(Payment.objects.values_list("due_on", "amount", "kind")) == [
        (date(2026, 9, 1), Decimal("600.00"), "instalment"),
        (date(2027, 1, 4), Decimal("600.00"), "instalment"),
    ]


def test_an_automatic_renewal_bills_its_new_term_at_the_same_rate(cast):
    contract = make_contract(
        cast,
        starts_on=date(2025, 9, 1),
        initial_term_months=36,
        value=Decimal("3600.00"),
        renewal="automatic",
        renewal_term_months=12,
        billing_frequency="annually",
        today=date(2025, 9, 1),
    )
    payments_schedule(contract=contract, by=None, mode="recurring")
    assert list(Payment.objects.values_list("due_on", "amount")) == [
        (date(2025, 9, 1), Decimal("1200.00")),
        (date(2026, 9, 1), Decimal("1200.00")),
        (date(2027, 9, 1), Decimal("1200.00")),
    ]
    contract_roll_forward(contract=contract, today=date(2028, 9, 1))
    assert Payment.objects.filter(due_on=date(2028, 9, 1), amount=Decimal("1200.00"), kind="one_off").count() == 1


def test_status_paid_due_overdue_and_totals_by_supplier_and_category(cast):
    today = timezone.localdate()
    rows = [
        ("hardware", "100.00", "20.00", today - timedelta(days=3), True),
        ("hardware", "50.00", "0", today - timedelta(days=1), False),
        ("support", "200.00", "40.00", today + timedelta(days=5), False),
    ]
    for category, amount, vat, due, paid in rows:
        payment = payment_save(
            by=cast.spoc,
            payment=Payment(
                school=cast.school,
                supplier=cast.supplier,
                category=category,
                description=category,
                amount=Decimal(amount),
                vat=Decimal(vat),
                due_on=due,
            ),
        )
        if paid:
            payment_mark_paid(payment=payment, by=cast.spoc, paid_on=today, reference="BACS 123")
    summary = payment_totals(Payment.objects.all(), today)
    totals = summary["totals"]
    assert (totals["gross"], totals["paid"], totals["overdue"], totals["due"], totals["tax"]) == (
        Decimal("410.00"),
        Decimal("120.00"),
        Decimal("50.00"),
        Decimal("240.00"),
        Decimal("60.00"),
    )
    assert [(r["category"], r["gross"]) for r in summary["by_category"]] == [
        ("support", Decimal("240.00")),
        ("hardware", Decimal("170.00")),
    ]
    assert sorted(Payment.objects.with_status(today).values_list("description", "status")) == [
        ("hardware", "overdue"),
        ("hardware", "paid"),
        ("support", "due"),
    ]
    with pytest.raises(ValidationError, match="in the future"):
        payment_mark_paid(
            payment=Payment.objects.get(category="support"),
            by=cast.spoc,
            paid_on=today + timedelta(days=1),
            reference="",
        )


@pytest.fixture
def year_of_payments(cast):
    """An April school: payments either side of its financial year 2026–27, one with formula-like text."""
    cast.school.financial_year_start_month = 4
    cast.school.save()
    for due, amount, description in (
        (date(2026, 3, 31), "999.00", "Last year"),
        (date(2026, 4, 1), "100.10", '=HYPERLINK("x")'),
        (date(2026, 11, 1), "250.25", "Support"),
        (date(2027, 3, 31), "49.65", "@SUM(A1)"),
        (date(2027, 4, 1), "777.00", "Next year"),
    ):
        payment_save(
            by=cast.spoc,
            payment=Payment(
                school=cast.school,
                supplier=cast.supplier,
                category="software",
                description=description,
                amount=Decimal(amount),
                vat=Decimal(amount) / 5,
                due_on=due,
            ),
        )
    return cast


def test_the_page_totals_the_schools_financial_year(year_of_payments, login):
    html = login(year_of_payments.spoc).get("/diary/payments/?year=2026").content.decode()
    assert "2026–27</strong> (01/04/2026 – 31/03/2027)" in html
    assert '<div class="fs-5 fw-semibold" id="total-gross">£480.00</div>' in html  # (100.10 + 250.25 + 49.65) × 1.2
    assert "Last year" not in html and "Next year" not in html


@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_the_exports_add_up_and_are_safe_in_a_spreadsheet(year_of_payments, login, export):
    response = login(year_of_payments.owner).get(f"/diary/payments/?year=2026&format={export}")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="payments-2026-27.{export}"'
    if export == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        header, body = rows[0], rows[1:]
        gross = sum(Decimal(r[header.index("Gross (£)")]) for r in body)
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = [[c.value for c in row] for row in sheet.iter_rows()]
        header, body = rows[0], rows[1:]
        gross = sum(Decimal(str(r[header.index("Gross (£)")])) for r in body)
        assert sheet.cell(row=2, column=3).number_format == "dd/mm/yyyy"
    assert len(body) == 3 and gross == Decimal("480.00")
    descriptions = [r[header.index("Description")] for r in body]
    assert descriptions == ['\'=HYPERLINK("x")', "Support", "'@SUM(A1)"]
    assert {r[header.index("Financial year")] for r in body} == {"2026–27"}


def test_an_academys_year_runs_september_to_august(cast, login):
    cast.school.financial_year_start_month = 9
    cast.school.save()
    for due in (date(2026, 8, 31), date(2026, 9, 1), date(2027, 8, 31)):
        payment_save(
            by=cast.spoc,
            payment=Payment(
                school=cast.school,
                supplier=cast.supplier,
                category="mis",
                description=f"MIS {due}",
                amount=Decimal("10"),
                due_on=due,
            ),
        )
    body = login(cast.spoc).get("/diary/payments/?year=2026&format=csv").content.decode("utf-8-sig")
    assert "MIS 2026-09-01" in body and "MIS 2027-08-31" in body and "MIS 2026-08-31" not in body


def test_payments_are_for_the_desk_and_the_head(cast, other, login):
    payment = payment_save(
        by=cast.spoc,
        payment=Payment(
            school=cast.school,
            supplier=cast.supplier,
            category="mis",
            description="Secret licence fee",
            amount=Decimal("10"),
            due_on=timezone.localdate(),
        ),
    )
    assert "Secret licence fee" in login(cast.viewer).get("/diary/payments/").content.decode()
    assert login(cast.technician).get("/diary/payments/").status_code == 403
    assert login(other.spoc).post(f"/diary/payments/{payment.pk}/paid/", {"paid_on": "2026-01-01"}).status_code == 404
    with pytest.raises(ValidationError):
        payment_save(
            by=cast.spoc,
            payment=Payment(
                school=cast.school,
                supplier=other.supplier,
                category="mis",
                description="x",
                amount=Decimal("1"),
                due_on=date(2026, 1, 1),
            ),
        )

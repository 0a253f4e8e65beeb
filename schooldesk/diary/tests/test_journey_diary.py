"""The done-when journey of contracts, the diary, visits and payments, in a real browser on the demo desk.

The owner sees the contracts needing a decision and records one; subscribes to the diary feed (which
parses and holds the entries); the visiting technician works a visit sheet on a phone; the finance
export for the current financial year adds up to the page's total. Screenshots land in
test-artifacts/screenshots/ (git-ignored); every page shown is also checked with axe-core.
The browser fixtures (`signed_in`, `open_page`) come from schooldesk/conftest.py; `password` is overridden
here with the demo desk's password."""

import csv
import io
import urllib.request
from decimal import Decimal

import pytest
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from schooldesk.accounts.models import User
from schooldesk.core.tests.browser import (
    assert_assets_loaded,
    axe_violations,
    describe_violations,
    horizontal_overflow,
    nav_to,
    screenshot,
)
from schooldesk.demo.diary import diary_demo
from schooldesk.demo.schools import DEMO_PASSWORD, demo_create
from schooldesk.diary.models import DiaryEntry
from schooldesk.incidents.models import Incident
from schooldesk.suppliers.models import Contract
from schooldesk.suppliers.services import contract_save

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name: str) -> None:
    """A screenshot to look at, and no serious or critical axe-core finding on the page as it is."""
    screenshot(page, name)
    violations = axe_violations(page)
    assert not violations, f"{name}:\n{describe_violations(violations)}"


@pytest.fixture
def password() -> str:
    return DEMO_PASSWORD  # the demo desk's logins


@pytest.fixture
def demo_desk(db):
    demo = demo_create(incidents=60)
    return demo, diary_demo(demo)


def test_contracts_diary_visits_and_payments_on_the_demo_desk(demo_desk, signed_in, live_server):
    demo, made = demo_desk
    owner = User.objects.get(username="oakfield.owner")

    # The ICT owner: what needs a decision, and the decision recorded with the reason.
    page = signed_in(owner)
    assert_assets_loaded(page)
    nav_to(page, "Records", "Suppliers")
    page.get_by_role("link", name="Needs a decision").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contracts needing a decision")
    soon = page.get_by_role("region", name="Within 30 days")
    expect(soon).to_contain_text("Traded ICT support and weekly technician visit")
    expect(soon).to_contain_text("Give notice by")
    shot(page, "diary-01-owner-needs-a-decision-desktop.png")
    contract = made["contracts"]["oak_support"]
    soon.get_by_role("link", name=f"Decide {contract.reference}").click()
    decision = page.get_by_role("region", name="Renewal decision")
    decision.get_by_label("Renew").check()
    decision.get_by_label("Why").fill("Response times met; the weekly visit is good value.")
    shot(page, "diary-02-owner-records-decision-desktop.png")
    decision.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("status")).to_have_text("Decision recorded.")
    expect(page.locator("#contract-status")).to_have_text("Renewed")
    expect(page.locator("#latest-decision")).to_contain_text("Renew")
    expect(page.locator("#latest-decision")).to_contain_text("Response times met")
    contract.refresh_from_db()
    new_end = contract.term_ends_on
    expect(page.locator("#current-term")).to_contain_text(new_end.strftime("%d/%m/%Y"))
    nav_to(page, "Records", "Suppliers")
    page.get_by_role("link", name="Needs a decision").click()
    expect(page.get_by_text("Nothing needs a decision in the next 90 days.")).to_be_visible()

    # The owner subscribes to the diary: the address is read from the page and fetched as a calendar
    # app would, with no cookies; the feed parses and holds the diary, the new term's end included.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Diary").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Diary:")
    shot(page, "diary-03-owner-month-desktop.png")
    page.get_by_role("link", name="Calendar feed").click()
    feed_url = page.get_by_label("Your calendar address").input_value()
    assert feed_url.startswith(live_server.url + "/diary/feed/")
    shot(page, "diary-04-owner-feed-desktop.png")
    with urllib.request.urlopen(feed_url, timeout=10) as response:  # noqa: S310 - the live server's own URL
        assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
        calendar = Calendar.from_ical(response.read())
    summaries = [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]
    ends = {
        event.decoded("DTSTART")
        for event in calendar.walk("VEVENT")
        if str(event["SUMMARY"]) == f"Contract ends: {contract}"
    }
    assert new_end in ends
    assert "Technician visit: Northbridge Schools ICT" in summaries
    assert "Decide: renew the LA's traded support SLA?" in summaries
    visible = DiaryEntry.objects.visible_to(owner).filter(starts_at__gte=timezone.now()).count()
    assert len(summaries) >= visible > 10

    # The visiting technician on a phone: the next visit's sheet, calls by location, work recorded.
    technician = signed_in(demo.people["oakfield"].visiting_technician, "phone")
    technician.get_by_role("button", name="Show menu").click()
    technician.get_by_role("navigation", name="Main").get_by_role("link", name="Diary").click()
    technician.get_by_role("link", name="Agenda").click()
    visit = made["next_visit"]
    technician.get_by_role("link", name="Technician visit: Northbridge Schools ICT").first.click()
    expect(technician.get_by_role("heading", level=1)).to_have_text("Technician visit: Northbridge Schools ICT")
    technician.get_by_role("link", name="Open the visit sheet").click()
    expect(technician.get_by_role("heading", level=1)).to_contain_text("Visit sheet: Oakfield Primary School")
    calls = technician.locator("article.visit-call")
    waiting = calls.count()
    assert waiting >= 3
    assert horizontal_overflow(technician)["overflow"] <= 1, horizontal_overflow(technician)
    shot(technician, "diary-05-technician-visit-sheet-phone.png")
    first = calls.nth(0)
    reference = first.get_by_role("heading").get_by_role("link").inner_text()
    first.get_by_label("Fixed: resolve the call").check()
    first.get_by_label("What you did").fill("Reseated the network cable and tested the connection.")
    first.get_by_label("Minutes spent").fill("15")
    first.get_by_role("button", name=f"Save {reference}").click()
    expect(technician.get_by_role("status")).to_have_text(f"{reference}: recorded.")
    second = technician.locator("article.visit-call").nth(0)
    second_reference = second.get_by_role("heading").get_by_role("link").inner_text()
    second.get_by_label("Worked on it: still open").check()
    second.get_by_label("What you did").fill("Part ordered; back next Tuesday.")
    second.get_by_role("button", name=f"Save {second_reference}").click()
    expect(technician.get_by_role("status")).to_have_text(f"{second_reference}: recorded.")
    expect(technician.locator(f"article.visit-call:has-text('{second_reference}')")).to_contain_text(
        "Worked at this visit"
    )
    expect(technician.locator("#sheet-summary")).to_contain_text("2 worked at this visit")
    shot(technician, "diary-06-technician-sheet-worked-phone.png")
    resolved = Incident.objects.get(pk=int(reference.removeprefix("INC-")))
    assert (resolved.status, resolved.resolution) == (
        "resolved",
        "Reseated the network cable and tested the connection.",
    )
    assert visit.calls_worked.count() == 2

    # Finance: the current financial year's export adds up to the total on the page.
    page.get_by_role("link", name="Payments").click()
    expect(page.locator("#financial-years")).to_contain_text("Oakfield Primary School: ")
    total = Decimal(page.locator("#total-gross").inner_text().removeprefix("£").replace(",", ""))
    assert total > 0
    shot(page, "diary-07-owner-payments-desktop.png")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
    assert rows and {row["School"] for row in rows} == {"Oakfield Primary School"}
    assert sum(Decimal(row["Gross (£)"]) for row in rows) == total
    assert Contract.objects.get(pk=contract.pk).status == "renewed"


def test_the_forms_and_pages_are_accessible_and_fit_a_phone(demo_desk, signed_in):
    demo, made = demo_desk
    contract = made["contracts"]["oak_support"]
    spoc = User.objects.get(username="oakfield.spoc")
    unbilled = contract_save(
        by=None,
        shares={demo.schools["oakfield"]: Decimal("100")},
        contract=Contract(
            supplier=demo.suppliers["mis"],
            name="Curriculum software",
            starts_on=timezone.localdate(),
            initial_term_months=12,
            value=Decimal("1200.00"),
        ),
    )
    pages = {
        "contract-form": f"/suppliers/contracts/{contract.pk}/edit/",
        "entry-form": "/diary/new/",
        "schedule": f"/diary/payments/schedule/{contract.pk}/",
        "payment-form": "/diary/payments/new/",
        "contract": f"/suppliers/contracts/{contract.pk}/",
        "contracts": "/suppliers/contracts/",
        "supplier": f"/suppliers/{contract.supplier_id}/",
        "month": "/diary/",
        "week": "/diary/week/",
        "agenda": "/diary/agenda/",
        "payments": "/diary/payments/",
        "entry": f"/diary/{made['next_visit'].pk}/",
    }
    too_wide, findings = {}, {}
    for viewport in ("desktop", "phone"):
        page = signed_in(spoc, viewport)
        for name, url in pages.items():
            page.goto(url)
            page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
            if violations := axe_violations(page):
                findings[f"{viewport} {url}"] = describe_violations(violations)
            if viewport == "phone" and (sizes := horizontal_overflow(page))["overflow"] > 1:
                too_wide[url] = sizes
                screenshot(page, f"diary-20-too-wide-{name}-phone.png")
        # A refused form, as the person sees it: errors by the fields and what was typed kept.
        page.goto(f"/diary/payments/schedule/{unbilled.pk}/")
        page.get_by_label("In instalments I give below").check()
        page.get_by_label("Instalment 1: Due on").fill("2026-12-01")
        page.get_by_label("Instalment 1: Amount (£, before VAT)").fill("100.00")
        page.get_by_label("Instalment 2: Due on").fill("2027-01-05")
        page.get_by_label("Instalment 2: Amount (£, before VAT)").fill("200.00")
        page.get_by_role("button", name="Schedule the payments").click()
        expect(page.get_by_role("alert")).to_contain_text("The instalments add up to £300.00")
        expect(page.get_by_label("Instalment 2: Amount (£, before VAT)")).to_have_value("200.00")
        shot(page, f"diary-21-schedule-refused-{viewport}.png")
    assert not findings, "\n".join(f"{where}:\n{what}" for where, what in findings.items())
    assert not too_wide, f"these pages scroll sideways on a 390px phone: {too_wide}"

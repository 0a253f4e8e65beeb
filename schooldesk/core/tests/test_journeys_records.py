"""The one-school SPOC keeps the school's own records, in a real browser at a desktop and a phone: a room, a device
in it, a per-pupil licence against the roll, a problem, a request for change, a diary entry and a payment; then the
ICT owner authorises the request and sets the year's hardware budget, against which the SPOC's payment is committed.

Until each form decided its school one way (core/forms.py, SchoolChoiceMixin), these forms rendered an empty hidden
`school` field for a person with one school, and came back unsaved. The SPOC acts only through the menus, links,
labels and buttons the pages offer; every page reached passes axe-core and, on a phone, fits the screen
(screenshots: test-artifacts/screenshots/role-records-*)."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from schooldesk.changes.models import ChangeRequest
from schooldesk.core.tests.browser import VIEWPORTS, nav_to
from schooldesk.core.tests.roles import looked_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOM = "Mrs Brown's class"
PROBLEM = "Projector in Mrs Brown's class loses its picture"
TAG = "OAK-0042"


def _current_financial_year(start_month: int, today: date) -> tuple[date, date]:
    """Worked out here, not by the app's own helper: the year the payments page should show today."""
    year = today.year if today.month >= start_month else today.year - 1
    return date(year, start_month, 1), date(year + 1, start_month, 1) - timedelta(days=1)


def _saved(page, message: str) -> None:
    expect(page.get_by_role("status")).to_contain_text(message)


def _add_location(page, viewport):
    nav_to(page, "Records", "Locations")
    expect(page.get_by_role("heading", level=1)).to_have_text("Locations")
    page.get_by_role("link", name="Add a location").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a location")
    page.get_by_label("Name").fill(ROOM)
    looked_at(page, "records-location-form", viewport)
    page.get_by_role("button", name="Save").click()
    _saved(page, "Location saved.")
    expect(page.get_by_role("table", name="Locations")).to_contain_text(ROOM)
    looked_at(page, "records-locations", viewport)


def _add_asset(page, viewport):
    nav_to(page, "Records", "Asset register")
    expect(page.get_by_role("heading", level=1)).to_have_text("Asset register")
    page.get_by_role("link", name="Add an asset").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an asset")
    where = page.get_by_label("Location")
    expect(where.locator("option", has_text=ROOM)).to_have_count(1)  # the new room is offered at once
    page.get_by_label("Asset tag").fill(TAG)
    page.get_by_label("Type").select_option(label="Projector")
    page.get_by_label("Make").fill("Epson")
    page.get_by_label("Model").fill("EB-760W")
    where.select_option(label=ROOM)
    looked_at(page, "records-asset-form", viewport)
    page.get_by_role("button", name="Save").click()
    _saved(page, "Asset saved.")
    expect(page.get_by_role("heading", level=1)).to_contain_text(TAG)
    nav_to(page, "Records", "Asset register")
    register = page.locator("#results")
    expect(register).to_contain_text("1 asset")
    row = register.get_by_role("row").filter(has_text=TAG)
    expect(row).to_contain_text("Epson EB-760W")
    expect(row).to_contain_text(ROOM)
    looked_at(page, "records-asset-register", viewport)


def _set_roll_and_add_licence(page, viewport):
    nav_to(page, "Desk", "School settings")
    settings = page.get_by_role("region", name="Service hours and SPOC")
    settings.get_by_label("Number on roll").fill("212")
    looked_at(page, "records-school-settings", viewport)
    settings.get_by_role("button", name="Save settings").click()
    _saved(page, "Settings saved.")
    expect(page.get_by_label("Number on roll")).to_have_value("212")

    nav_to(page, "Records", "Licences")
    page.get_by_role("link", name="Add a licence").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a licence")
    page.get_by_label("Product").fill("Purple Mash")
    page.get_by_label("Publisher").fill("2Simple")
    page.get_by_label("Type").select_option(label="Per pupil")
    page.get_by_label("Quantity owned").fill("200")
    looked_at(page, "records-licence-form", viewport)
    page.get_by_role("button", name="Save").click()
    _saved(page, "Licence saved.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Purple Mash")
    expect(page.get_by_text("Under-licensed by 12")).to_be_visible()  # 212 on roll, 200 owned
    expect(page.get_by_text("212 (pupils on roll)")).to_be_visible()
    looked_at(page, "records-licence", viewport)
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Licences").click()
    page.get_by_role("link", name="Compliance").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Licence compliance")
    expect(page.locator("#summary-under")).to_contain_text("1")
    row = page.get_by_role("row").filter(has_text="Purple Mash")
    expect(row).to_contain_text("212")
    expect(row).to_contain_text("Under-licensed by 12")
    looked_at(page, "records-licence-compliance", viewport)


def _raise_problem(page, viewport) -> str:
    nav_to(page, "Calls", "Problems")
    page.get_by_role("link", name="Raise a problem").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Raise a problem")
    page.get_by_label("Title").fill(PROBLEM)
    page.get_by_label("Symptoms").fill("The picture drops out two or three times a lesson.")
    page.get_by_label("Where").select_option(label=ROOM)
    page.get_by_label("Device from the register").select_option(label=f"{TAG} – Projector, Epson EB-760W")
    looked_at(page, "records-problem-form", viewport)
    page.get_by_role("button", name="Raise the problem").click()
    _saved(page, "Problem PRB-")
    reference = re.search(r"PRB-\d+", page.get_by_role("status").inner_text()).group(0)
    expect(page.get_by_role("heading", level=1)).to_contain_text(PROBLEM)
    looked_at(page, "records-problem", viewport)
    return reference


def _raise_change(page, viewport, problem: str) -> str:
    nav_to(page, "Calls", "Requests for change")
    page.get_by_role("link", name="Raise a request for change").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Raise a request for change")
    page.get_by_label("Title").fill("Replace the projector in Mrs Brown's class")
    page.get_by_label("Reason").fill("The projector is seven years old and keeps losing its picture.")
    page.get_by_label("Estimated cost (£)").fill("350")
    page.get_by_label("Problem it solves").select_option(label=f"{problem} {PROBLEM}")
    page.get_by_label("Locations affected").select_option(label=ROOM)
    looked_at(page, "records-change-form", viewport)
    page.get_by_role("button", name="Raise the request").click()
    _saved(page, "raised as a draft")
    reference = re.search(r"CHG-\d+", page.get_by_role("status").inner_text()).group(0)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Replace the projector in Mrs Brown's class")
    looked_at(page, "records-change", viewport)
    page.locator("#action-submit").get_by_role("button", name="Submit").click()
    _saved(page, "Submitted to the ICT owner for authorisation.")
    return reference


def _add_diary_entry(page, viewport, day: date):
    nav_to(page, None, "Diary")
    page.get_by_role("link", name="Add to the diary").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add to the diary")
    page.get_by_label("Kind").select_option(label="Installation")
    page.get_by_label("Title").fill("Fit the new projector in Mrs Brown's class")
    page.get_by_label(re.compile("^Date")).fill(day.isoformat())
    page.get_by_label("All day").check()
    page.get_by_label("Where").select_option(label=ROOM)
    looked_at(page, "records-diary-form", viewport)
    page.get_by_role("button", name="Save").click()
    _saved(page, "Saved in the diary.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fit the new projector in Mrs Brown's class")
    looked_at(page, "records-diary-entry", viewport)
    nav_to(page, None, "Diary")
    expect(page.get_by_role("main")).to_contain_text("Fit the new projector in Mrs Brown's class")
    looked_at(page, "records-diary-month", viewport)


def _schedule_payment(page, viewport, due: date, year_label: str):
    nav_to(page, "Records", "Payments")
    page.get_by_role("link", name="Schedule a payment").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Schedule a payment")
    page.get_by_label("Supplier").select_option(label="Oak Support Ltd")
    page.get_by_label("Budget category").select_option(label="Hardware")
    page.get_by_label("Description").fill("Projector for Mrs Brown's class")
    expect(page.get_by_label("Kind")).to_have_value("one_off")
    page.get_by_label("Amount (£, before VAT)").fill("350.00")
    page.get_by_label("VAT (£)").fill("70.00")
    page.get_by_label("Due on").fill(due.isoformat())
    looked_at(page, "records-payment-form", viewport)
    page.get_by_role("button", name="Save").click()
    _saved(page, "Payment saved.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Payments")
    expect(page.locator("#financial-years")).to_contain_text(year_label)
    row = page.get_by_role("table", name="Payments").get_by_role("row").filter(has_text="Projector for Mrs Brown's")
    expect(row).to_contain_text(due.strftime("%d/%m/%Y"))
    expect(row).to_contain_text("£420.00")
    expect(page.locator("#total-gross")).to_have_text("£420.00")
    looked_at(page, "records-payments", viewport)
    # The next financial year does not hold it.
    choose = page.get_by_role("form", name="Choose the payments")
    choose.get_by_label("Financial year").select_option(label=f"Starting in {due.year}")
    choose.get_by_role("button", name="Show").click()
    expect(page.get_by_text("No payments in this financial year.")).to_be_visible()

    nav_to(page, "Records", "ICT budget")
    expect(page.get_by_role("heading", level=1)).to_have_text("ICT budget against spend")
    row = page.get_by_role("row").filter(has_text="Oak Primary School")
    expect(row).to_contain_text(year_label)
    expect(row).to_contain_text("£350.00")  # committed, before VAT
    looked_at(page, "records-budget", viewport)


def _owner_authorises_and_sets_the_budget(page, viewport, change: str):
    """The ICT owner's part: authorise the SPOC's request for change, and set the year's hardware budget."""
    nav_to(page, "Calls", "Requests for change")
    page.get_by_role("link", name=change).click()
    expect(page.locator("#status")).to_have_text("Awaiting authorisation")
    decide = page.locator("#action-decide")
    decide.get_by_label("Authorise", exact=True).check()
    decide.get_by_label("Reason").fill("Within this year's hardware budget.")
    looked_at(page, "records-owner-decide", viewport)
    decide.get_by_role("button", name="Record the decision").click()
    _saved(page, "Decision recorded.")
    expect(page.locator("#status")).to_have_text("Authorised: in progress")

    nav_to(page, "Records", "ICT budget")
    page.get_by_role("link", name="Set the budget for Oak Primary School").click()
    page.get_by_label("Hardware", exact=True).fill("1000")
    page.get_by_role("button", name="Save the budget").click()
    _saved(page, "The budget for Oak Primary School is saved.")
    hardware = page.get_by_role("row").filter(has=page.get_by_label("Hardware", exact=True))
    expect(hardware).to_contain_text("£350.00")  # the SPOC's payment, committed
    expect(hardware).to_contain_text("£650.00")  # remaining
    looked_at(page, "records-owner-budget", viewport)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_one_school_spoc_keeps_the_school_records(cast, signed_in, viewport):
    today = timezone.localdate()
    starts_on, ends_on = _current_financial_year(cast.school.financial_year_start_month, today)
    year_label = f"{starts_on.year}–{ends_on.year % 100:02d}"
    page = signed_in(cast.spoc, viewport)

    _add_location(page, viewport)
    _add_asset(page, viewport)
    _set_roll_and_add_licence(page, viewport)
    problem = _raise_problem(page, viewport)
    change = _raise_change(page, viewport, problem)
    _add_diary_entry(page, viewport, today)
    _schedule_payment(page, viewport, ends_on, year_label)
    _owner_authorises_and_sets_the_budget(signed_in(cast.owner, viewport), viewport, change)

    school = cast.school
    school.refresh_from_db()
    assert school.roll_number == 212
    assert school.location_set.get(name=ROOM).asset_set.get().tag == TAG
    assert ChangeRequest.objects.get(school=school, status="authorised").reference == change

"""Whole journeys in a real browser (Chromium through Playwright) against the live server.

The screenshots land in test-artifacts/screenshots/ (git-ignored) for people to look at."""

import re

import pytest
from playwright.sync_api import expect

from schooldesk.core.tests.browser import (
    REFERENCE,
    assert_assets_loaded,
    focused,
    horizontal_overflow,
    screenshot,
    tab_to,
)
from schooldesk.incidents.models import Incident
from schooldesk.incidents.services import incident_assign, incident_triage
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.locations.models import Location

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_fault_goes_from_a_phone_report_to_a_confirmed_fix(cast, signed_in):
    """The done-when journey: report on a phone, triage and forward at the desk, fix, confirm on the phone."""
    # The reporter, on a phone in the classroom.
    reporter = signed_in(cast.reporter, "phone")
    assert_assets_loaded(reporter)
    reporter.get_by_role("link", name="Report a problem or make a request").click()
    expect(reporter.get_by_role("heading", level=1)).to_have_text("Report a problem")
    reporter.get_by_label("What is wrong?").fill("The interactive whiteboard shows no picture")
    reporter.get_by_label("Where?").select_option(label="Library")
    reporter.get_by_label("Where and when can you be found?").fill("Library, periods 3 and 4")
    screenshot(reporter, "01-reporter-report-form-phone.png")
    reporter.get_by_role("button", name="Send to the service desk").click()
    expect(reporter.get_by_role("status")).to_contain_text("Thank you. Your call is INC-")
    reference = REFERENCE.search(reporter.get_by_role("status").inner_text()).group(0)
    expect(reporter.get_by_role("heading", level=1)).to_have_text(
        f"{reference} · The interactive whiteboard shows no picture"
    )
    expect(reporter.locator("#status")).to_have_text("New")
    screenshot(reporter, "02-reporter-reference-phone.png")
    call_url = reporter.url

    # The SPOC, at the office desktop: the triage queue, triage, forward to the technician.
    spoc = signed_in(cast.spoc)
    main_nav = spoc.get_by_role("navigation", name="Main")
    main_nav.get_by_role("button", name="Calls").click()
    main_nav.get_by_role("link", name="Triage queue", exact=True).click()
    expect(spoc.get_by_role("heading", level=1)).to_have_text("Triage queue")
    new_calls = spoc.get_by_role("region", name=re.compile("^New calls"))
    expect(new_calls).to_contain_text("The interactive whiteboard shows no picture")
    screenshot(spoc, "03-spoc-triage-queue-desktop.png")
    new_calls.get_by_role("link", name=reference).click()
    triage = spoc.locator("#action-triage")
    triage.get_by_label("Impact").select_option("I2")  # a class
    triage.get_by_label("Urgency").select_option("U1")  # teaching stopped now
    triage.get_by_role("button", name="Save").click()
    expect(spoc.get_by_role("status")).to_have_text("Triaged.")
    expect(spoc.locator("#status")).to_have_text("Open (triaged)")
    expect(spoc.get_by_text("A class, teaching space, department or group × Teaching, statutory")).to_be_visible()
    spoc.get_by_text("Forward to first-level support").click()
    assign = spoc.locator("#action-assign")
    assign.get_by_label("Technician", exact=True).select_option(label=str(cast.technician))
    assign.get_by_label("Note for the technician").fill("Please look before period 3.")
    screenshot(spoc, "04-spoc-forward-desktop.png")
    assign.get_by_role("button", name="Save").click()
    expect(spoc.get_by_role("status")).to_have_text("Forwarded to first-level support.")
    expect(spoc.locator("#status")).to_have_text("With first-level support")
    expect(spoc.get_by_text(f"First level: {cast.technician}")).to_be_visible()

    # The technician: the call is on their home page; a public update, then the fix.
    technician = signed_in(cast.technician)
    mine = technician.get_by_role("region", name="Calls forwarded to me")
    expect(mine).to_contain_text("The interactive whiteboard shows no picture")
    screenshot(technician, "05-technician-home-desktop.png")
    mine.get_by_role("link", name=reference).click()
    reply = technician.locator("#action-reply")
    reply.get_by_label("Message").fill("On my way to the library with a spare HDMI lead.")
    expect(reply.get_by_label("Visible to the reporter")).to_be_checked()
    reply.get_by_role("button", name="Send").click()
    expect(technician.get_by_role("status")).to_have_text("Update added.")
    technician.get_by_text("Resolve", exact=True).click()
    resolve = technician.locator("#action-resolve")
    resolve.get_by_label("What was done").fill("Replaced the faulty HDMI lead behind the whiteboard.")
    # By name: the resolve and reply forms share the id "id_minutes_spent", so this box has no label of its own
    # (see test_accessibility.py::test_every_form_control_on_the_incident_page_has_its_own_label).
    resolve.get_by_label("Time spent (minutes)").fill("20")
    screenshot(technician, "06-technician-resolve-desktop.png")
    resolve.get_by_role("button", name="Save").click()
    expect(technician.get_by_role("status")).to_have_text("Resolved. The reporter has been asked to confirm.")
    expect(technician.locator("#status")).to_have_text("Resolved")

    # Back to the reporter's phone: the update and the resolution are there; they confirm the fix.
    reporter.goto(call_url)
    expect(reporter.get_by_text("On my way to the library with a spare HDMI lead.")).to_be_visible()
    resolution = reporter.get_by_role("region", name="Resolution")
    expect(resolution).to_contain_text("Replaced the faulty HDMI lead behind the whiteboard.")
    expect(reporter.get_by_role("heading", name="Is it fixed?")).to_be_visible()
    screenshot(reporter, "07-reporter-resolution-phone.png")
    reporter.get_by_role("button", name="Yes, it is fixed").click()
    expect(reporter.get_by_role("status")).to_have_text("Thank you: the call is closed.")
    expect(reporter.locator("#status")).to_have_text("Closed")
    expect(reporter.get_by_role("button", name="Yes, it is fixed")).to_have_count(0)
    screenshot(reporter, "08-reporter-closed-phone.png")
    assert Incident.objects.get(school=cast.school).status == "closed"


def _keyboard_sign_in(page, user, password):
    page.goto("/accounts/login/")
    tab_to(page, lambda f: f["name"] == "username")
    page.keyboard.type(user.username)
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "password"
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def _choose_with_arrows(page, wanted_label: str, *, limit: int = 40) -> None:
    """The focused <select>: arrow down (then up) until the wanted option is chosen."""
    for key in ("ArrowDown", "ArrowUp"):
        for _ in range(limit):
            label = page.evaluate("() => document.activeElement.selectedOptions[0]?.label || ''")
            if label == wanted_label:
                return
            page.keyboard.press(key)
    raise AssertionError(f"the arrow keys never reached {wanted_label!r}")


def test_a_call_is_logged_and_triaged_with_the_keyboard_alone(cast, open_page, password):
    """No mouse at all: Tab, Shift+Tab, typing, Enter and the arrow keys (no .click() in this test)."""
    page = open_page("desktop")
    _keyboard_sign_in(page, cast.reporter, password)

    # The skip link is the first stop and takes the focus to the main content.
    page.keyboard.press("Tab")
    first = focused(page)
    assert (first["tag"], first["text"]) == ("a", "Skip to main content"), first
    expect(page.get_by_role("link", name="Skip to main content")).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"

    # From the main content, the first stop is the big report button.
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Report a problem or make a request"
    page.keyboard.press("Enter")
    page.wait_for_url("**/incidents/new/")
    assert focused(page)["name"] == "summary", "the summary box should have the focus on arrival"
    page.keyboard.type("Printer in the staff room jams")
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "location"
    _choose_with_arrows(page, "Staff room")
    page.keyboard.press("Shift+Tab")  # back to the summary to add a detail
    assert focused(page)["name"] == "summary"
    page.keyboard.press("End")
    page.keyboard.type(" on every page")
    tab_to(page, lambda f: f["name"] == "reporter_availability")
    page.keyboard.type("Staff room at break")
    tab_to(page, lambda f: f["text"] == "Send to the service desk")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/incidents/\d+/$"))
    expect(page.get_by_role("status")).to_contain_text("Thank you. Your call is INC-")
    reference = REFERENCE.search(page.get_by_role("status").inner_text()).group(0)
    incident = Incident.objects.get(school=cast.school)
    assert (incident.summary, incident.location.name) == ("Printer in the staff room jams on every page", "Staff room")

    # The SPOC triages it: the navigation, the queue and the triage form, by keyboard.
    desk = open_page("desktop")
    _keyboard_sign_in(desk, cast.spoc, password)
    tab_to(desk, lambda f: f["text"] == "Calls")  # the menu opens with Enter, its items with the arrows
    desk.keyboard.press("Enter")
    desk.keyboard.press("ArrowDown")
    assert focused(desk)["text"] == "Triage queue"
    desk.keyboard.press("Enter")
    expect(desk.get_by_role("heading", level=1)).to_have_text("Triage queue")
    tab_to(desk, lambda f: f["text"] == reference)
    desk.keyboard.press("Enter")
    expect(desk.get_by_role("heading", level=1)).to_contain_text(reference)
    tab_to(desk, lambda f: f["name"] == "impact")
    _choose_with_arrows(desk, "A class, teaching space, department or group")
    desk.keyboard.press("Tab")
    assert focused(desk)["name"] == "urgency"
    _choose_with_arrows(desk, "Teaching, statutory or safeguarding work stopped now")
    tab_to(desk, lambda f: f["text"] == "Save")
    desk.keyboard.press("Enter")
    expect(desk.get_by_role("status")).to_have_text("Triaged.")
    expect(desk.locator("#status")).to_have_text("Open (triaged)")
    incident.refresh_from_db()
    assert (incident.impact, incident.urgency, incident.status) == ("I2", "U1", "open")
    screenshot(desk, "10-spoc-keyboard-triaged-desktop.png")


def test_the_desk_pages_fit_a_phone_without_sideways_scrolling(cast, signed_in):
    location = Location.objects.create(school=cast.school, name="Mrs Brown's class (Year 2, temporary classroom)")
    incident = IncidentFactory(
        school=cast.school,
        by=cast.reporter,
        location=location,
        summary="The visualiser in Mrs Brown's class flickers when the lights are on",
        device="AST-000123 visualiser",
        reporter_availability="Year 2 classroom all day",
    )
    incident = incident_triage(
        incident=incident, by=cast.spoc, version=incident.version, category=None, impact="I2", urgency="U2"
    )
    incident_assign(incident=incident, by=cast.spoc, version=incident.version, technician=cast.technician)
    IncidentFactory(school=cast.school, by=cast.reporter, summary="Library laptop trolley will not charge")

    page = signed_in(cast.spoc, "phone")
    too_wide = {}
    for name, url in [
        ("home", "/"),
        ("triage", "/incidents/triage/"),
        ("incident-list", "/incidents/"),
        ("incident", f"/incidents/{incident.pk}/"),
        ("report-form", "/incidents/new/"),
        ("locations", "/locations/"),
    ]:
        page.goto(url)
        page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")  # filters, actions
        sizes = horizontal_overflow(page)
        if sizes["overflow"] > 1:
            too_wide[url] = sizes
            screenshot(page, f"20-too-wide-{name}-phone.png")
    screenshot(page, "21-spoc-locations-phone.png")
    assert not too_wide, f"these pages scroll sideways on a 390px phone: {too_wide}"


def test_an_empty_report_shows_the_errors_and_keeps_what_was_typed(cast, signed_in):
    page = signed_in(cast.reporter, "phone")
    page.goto("/incidents/new/")
    page.get_by_label("Device (optional)").fill("Teacher laptop T12")
    page.get_by_label("Where and when can you be found?").fill("Room 12 after 3:15pm")
    page.get_by_text("Help the technician (optional)").click()
    page.get_by_label("What did you expect to happen?").fill("The register to open")
    page.get_by_role("button", name="Send to the service desk").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Report a problem")
    summary_error = page.locator("#id_summary_error")
    expect(summary_error).to_have_text("This field is required.")
    expect(page.locator("#id_location_error")).to_have_text("This field is required.")
    expect(page.get_by_label("What is wrong?")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Device (optional)")).to_have_value("Teacher laptop T12")
    expect(page.get_by_label("Where and when can you be found?")).to_have_value("Room 12 after 3:15pm")
    expect(page.get_by_label("What did you expect to happen?")).to_be_visible()  # the section stays open
    expect(page.get_by_label("What did you expect to happen?")).to_have_value("The register to open")
    screenshot(page, "30-reporter-report-errors-phone.png")
    assert not Incident.objects.exists()

"""Search by keyboard in a real browser: the list's own box (through htmx) and the header's search."""

import pytest
from playwright.sync_api import expect

from schooldesk.assets.tests.factories import AssetFactory
from schooldesk.incidents.tests.factories import IncidentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_spoc_searches_a_list_and_jumps_to_a_reference_by_keyboard(cast, other, signed_in):
    AssetFactory(school=cast.school, by=cast.spoc, tag="HALL-PROJ", make="Epson", model="Projector EB-L200")
    AssetFactory(school=cast.school, by=cast.spoc, tag="OFFICE-PRN", make="HP", model="LaserJet printer")
    call = IncidentFactory(school=cast.school, by=cast.reporter, summary="Hall projector shows no picture")
    theirs = IncidentFactory(school=other.school, by=other.reporter, summary="Elm projector")
    page = signed_in(cast.spoc, "desktop")

    page.goto("/assets/")
    box = page.get_by_label("Search (tag, AST-000123, serial, make or model)")
    box.focus()
    box.fill("projectors")
    page.keyboard.press("Enter")
    results = page.locator("#results")
    expect(results).to_contain_text("HALL-PROJ")
    expect(results).not_to_contain_text("OFFICE-PRN")
    assert "q=projectors" in page.url  # the address keeps the search (htmx pushes it)
    box.fill("zzqqxx")
    page.keyboard.press("Enter")
    expect(results).to_contain_text("Nothing matches these filters.")
    results.get_by_role("link", name="Clear the filters").click()
    expect(page.locator("#results")).to_contain_text("OFFICE-PRN")

    header = page.get_by_label("Search calls and records, or go to a reference")
    header.focus()
    header.fill(call.reference)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hall projector shows no picture")

    header = page.get_by_label("Search calls and records, or go to a reference")
    header.fill(theirs.reference)
    page.keyboard.press("Enter")
    expect(page.locator("#search-results")).to_contain_text(f"There is no {theirs.reference} that you can see.")

"""The People pages' done-when journeys in a real browser (Chromium through Playwright): the ICT owner gives a
technician a role and the technician's next page shows it; a staff list with two bad rows is refused with both rows
named, then accepted once fixed, on a phone (390x844)."""

import re

import pytest
from playwright.sync_api import expect

from schooldesk.accounts.models import Membership, User
from schooldesk.core.tests.browser import axe_violations, describe_violations, horizontal_overflow, nav_to, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def checked(page, name: str, viewport: str) -> None:
    screenshot(page, f"people-{name}-{viewport}.png")
    violations = axe_violations(page)
    assert not violations, f"{name}:\n{describe_violations(violations)}"
    if viewport == "phone":
        sizes = horizontal_overflow(page)
        assert sizes["overflow"] <= 1, f"{name} scrolls sideways on a phone: {sizes}"


def test_the_owner_gives_a_technician_a_role_and_the_technicians_next_page_shows_it(cast, signed_in):
    technician = signed_in(cast.technician)
    nav = technician.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("button", name="Desk", exact=True)).to_have_count(0)  # not the desk yet

    owner = signed_in(cast.owner)
    nav_to(owner, "Desk", "People")
    expect(owner.get_by_role("heading", level=1)).to_have_text("People")
    checked(owner, "list", "desktop")
    owner.get_by_role("link", name=str(cast.technician), exact=True).click()
    expect(owner.get_by_role("heading", level=1)).to_contain_text(str(cast.technician))
    owner.get_by_label(re.compile(r"^Role")).select_option(label="SPOC (service desk administrator)")
    checked(owner, "person", "desktop")
    owner.get_by_role("button", name="Give the role").click()
    expect(owner.get_by_role("status")).to_have_text(
        f"Role SPOC (service desk administrator) given in {cast.school.name}."
    )

    technician.reload()  # their next page
    nav_to(technician, "Desk", "People")
    expect(technician.get_by_role("heading", level=1)).to_have_text("People")
    assert Membership.objects.filter(user=cast.technician, school=cast.school, role="spoc").exists()


STAFF = (
    "First name,Last name,Email,Job title,Roles\n"
    "Ann,Lee,ann.lee@example.sch.uk,Teaching assistant,technician\n"
    "Bob,Ray,bob.ray@example,Teacher,reporter\n"
    "Cy,Day,cy.day@example.sch.uk,Year 6 pupil,pupil\n"
    "Di,Fox,di.fox@example.sch.uk,Office manager,spoc; caretaker\n"
)


def test_a_staff_list_with_two_bad_rows_is_refused_with_both_named_then_accepted_on_a_phone(cast, signed_in, tmp_path):
    page = signed_in(cast.owner, "phone")
    nav_to(page, "Desk", "People")
    page.get_by_role("link", name="Import a staff list").click()
    checked(page, "import", "phone")
    bad = tmp_path / "staff.csv"
    bad.write_text(STAFF)
    page.get_by_label("Spreadsheet (.xlsx or .csv)").set_input_files(str(bad))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_role("alert")).to_contain_text("2 rows have problems. Nothing has been imported")
    problems = page.get_by_role("table", name="The rows to correct")
    expect(problems).to_contain_text("Line 3")
    expect(problems).to_contain_text("bob.ray@example")
    expect(problems).to_contain_text("Line 5")
    expect(problems).to_contain_text("caretaker")
    checked(page, "import-refused", "phone")
    assert not User.objects.filter(email="ann.lee@example.sch.uk").exists()

    page.get_by_role("link", name="Upload the corrected file").click()
    fixed = tmp_path / "staff-fixed.csv"
    fixed.write_text(STAFF.replace("bob.ray@example,", "bob.ray@example.sch.uk,").replace("; caretaker", ""))
    page.get_by_label("Spreadsheet (.xlsx or .csv)").set_input_files(str(fixed))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_text("all 4 rows are ready")).to_be_visible()
    checked(page, "import-ready", "phone")
    page.get_by_role("button", name="Import 4 people").click()
    expect(page.get_by_role("status")).to_contain_text("4 people imported from staff-fixed.csv: 4 new")
    expect(page.get_by_role("link", name="Cy Day")).to_be_visible()
    assert Membership.objects.filter(user__email="cy.day@example.sch.uk", role="reporter").exists()
    assert Membership.objects.filter(user__email="di.fox@example.sch.uk", role="spoc").exists()

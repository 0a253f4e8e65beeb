"""One journey per role that oversees the desk (ICT owner, viewer, an LA user across two schools), at a desktop
and a phone. Every page reached passes axe-core and fits the screen; screenshots in test-artifacts/screenshots/."""

import pytest
from playwright.sync_api import expect

from schooldesk.accounts.models import Membership
from schooldesk.accounts.tests.factories import UserFactory
from schooldesk.conftest import make_cast
from schooldesk.core.tests.browser import VIEWPORTS, nav_to
from schooldesk.core.tests.roles import looked_at, triaged_call
from schooldesk.incidents.tests.factories import IncidentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_owner_reads_the_dashboard_the_budget_and_the_service_report(cast, signed_in, viewport):
    triaged_call(cast, "Staff room printer out of toner")
    page = signed_in(cast.owner, viewport)
    page.get_by_role("link", name="Open my dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard: ICT owner")
    looked_at(page, "owner-dashboard", viewport)
    nav_to(page, "Records", "ICT budget")
    expect(page.get_by_role("heading", level=1)).to_have_text("ICT budget against spend")
    looked_at(page, "owner-budget", viewport)
    nav_to(page, "Records", "Payments")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Payments")
    nav_to(page, "Reports", "Service report")
    expect(page.get_by_role("heading", level=1)).to_have_text("Service report")
    looked_at(page, "owner-service-report", viewport)
    # The owner is staff: the school's calls are open to them.
    nav_to(page, "Calls", "All calls")
    expect(page.locator("#results")).to_contain_text("Staff room printer out of toner")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_viewer_reads_reports_and_records_and_can_change_nothing(cast, signed_in, viewport):
    call = triaged_call(cast, "Projector bulb in Class 3 has failed")
    page = signed_in(cast.viewer, viewport)
    page.get_by_role("link", name="Open my dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard: Head and governors")
    looked_at(page, "viewer-dashboard", viewport)
    nav_to(page, "Reports", "Incident report")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Incident report")
    looked_at(page, "viewer-incident-report", viewport)
    nav_to(page, "Records", "Contracts")
    expect(page.get_by_role("heading", level=1)).to_have_text("Contracts")
    expect(page.get_by_role("link", name="Add a contract")).to_have_count(0)
    looked_at(page, "viewer-contracts", viewport)
    # A viewer is not the desk: no triage queue, no asset register, and only their own calls.
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Triage queue", exact=True)).to_have_count(0)
    expect(nav.get_by_role("link", name="Asset register", exact=True)).to_have_count(0)
    nav_to(page, None, "My calls")
    expect(page.locator("#results")).not_to_contain_text(call.reference)


@pytest.fixture
def two_schools(cast, other):
    """The cast's school and a second school of the same LA, an LA ICT owner across both, and `other`'s
    school in another organisation that the LA must never see."""
    second = make_cast("ash", organisation=cast.school.organisation)
    la_user = UserFactory(username="la-owner", first_name="Priya", last_name="Shah")
    Membership.objects.create(user=la_user, organisation=cast.school.organisation, role="owner")
    calls = {
        "oak": triaged_call(cast, "Oak hall speakers crackle"),
        "ash": triaged_call(second, "Ash library scanner offline"),
        "elsewhere": IncidentFactory(school=other.school, by=other.reporter, summary="Elm server fan noisy"),
    }
    return la_user, second, calls


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_an_la_owner_compares_two_schools_and_works_on_both(cast, two_schools, signed_in, viewport):
    la_user, second, calls = two_schools
    page = signed_in(la_user, viewport)
    page.get_by_role("link", name="Open my dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard: All schools")
    by_school = page.get_by_role("region", name="School by school", exact=True)
    expect(by_school).to_contain_text(cast.school.name)
    expect(by_school).to_contain_text(second.school.name)
    looked_at(page, "la-dashboard", viewport)

    nav_to(page, "Calls", "All calls")
    results = page.locator("#results")
    expect(results).to_contain_text("Oak hall speakers crackle")
    expect(results).to_contain_text("Ash library scanner offline")
    expect(results).not_to_contain_text("Elm server fan noisy")
    expect(results).to_contain_text(second.school.name)  # each row says whose call it is
    looked_at(page, "la-calls", viewport)
    page.get_by_text("Filter and sort").click()
    page.get_by_label("School").select_option(label=second.school.name)
    expect(results).not_to_contain_text("Oak hall speakers crackle")
    expect(results).to_contain_text("Ash library scanner offline")
    page.get_by_role("link", name=calls["ash"].reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ash library scanner offline")
    looked_at(page, "la-call", viewport)
    assert page.goto(f"/incidents/{calls['elsewhere'].pk}/").status == 404

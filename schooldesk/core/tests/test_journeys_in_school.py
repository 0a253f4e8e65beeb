"""One journey per role that works on calls (reporter, SPOC, technician, provider), at a desktop and a phone.

Each role signs in through the login form, moves through the menu as a person would, does its part of the
work, and every page it reaches passes axe-core and fits the screen. Screenshots: test-artifacts/screenshots/."""

import pytest
from playwright.sync_api import expect

from schooldesk.core.tests.browser import REFERENCE, VIEWPORTS, nav_to
from schooldesk.core.tests.roles import (
    escalated_call,
    forwarded_call,
    looked_at,
    resolve_on_page,
    triaged_call,
)
from schooldesk.incidents.models import Incident
from schooldesk.incidents.tests.factories import IncidentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_reporter_logs_a_call_follows_it_and_adds_to_it(cast, signed_in, viewport):
    cast.school.spoc = cast.spoc  # no deputy: the SPOC is the one to go to on any day
    cast.school.save(update_fields=["spoc"])
    page = signed_in(cast.reporter, viewport)
    expect(page.get_by_text(f"Your SPOC today is {cast.spoc}")).to_be_visible()
    page.get_by_role("link", name="Report a problem or make a request").click()
    page.get_by_label("What is wrong?").fill("Visualiser in the hall will not focus")
    page.get_by_label("Where?").select_option(label="Hall")
    looked_at(page, "reporter-form", viewport)
    page.get_by_role("button", name="Send to the service desk").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you. Your call is INC-")
    reference = REFERENCE.search(page.get_by_role("status").inner_text()).group(0)

    nav_to(page, None, "My calls")
    expect(page.get_by_role("heading", level=1)).to_have_text("My calls")
    expect(page.locator("#results")).to_contain_text(reference)
    looked_at(page, "reporter-my-calls", viewport)
    page.get_by_role("link", name=reference).click()
    reply = page.locator("#action-reply")
    reply.get_by_label("Message").fill("It is the one on the left of the stage.")
    reply.get_by_role("button", name="Send").click()
    expect(page.get_by_role("status")).to_have_text("Update added.")
    expect(page.get_by_text("It is the one on the left of the stage.")).to_be_visible()
    # A reporter works on no call: the desk's own forms are not offered.
    expect(page.get_by_text("Triage", exact=True)).to_have_count(0)
    expect(page.get_by_text("Resolve", exact=True)).to_have_count(0)
    looked_at(page, "reporter-call", viewport)
    call = Incident.objects.get(pk=int(reference.removeprefix("INC-")))
    assert call.updates.filter(author=cast.reporter, body__contains="left of the stage").exists()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_spoc_triages_a_new_call_and_escalates_it_to_the_provider(cast, signed_in, viewport):
    call = IncidentFactory(school=cast.school, by=cast.reporter, summary="Server room switch is beeping")
    page = signed_in(cast.spoc, viewport)
    page.get_by_role("link", name="new calls").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Triage queue")
    looked_at(page, "spoc-triage-queue", viewport)
    page.get_by_role("link", name=call.reference).click()
    triage = page.locator("#action-triage")
    triage.get_by_label("Impact").select_option("I1")
    triage.get_by_label("Urgency").select_option("U2")
    triage.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Triaged.")
    page.get_by_text("Escalate to a second-level provider").click()
    escalate = page.locator("#action-escalate")
    escalate.get_by_label("Second-level provider").select_option(label=str(cast.supplier))
    escalate.get_by_label("Their call reference").fill("OAK-4411")
    looked_at(page, "spoc-escalate", viewport)
    escalate.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Escalated to the second-level provider.")
    expect(page.locator("#status")).to_have_text("With second-level provider")
    call.refresh_from_db()
    assert (call.supplier, call.supplier_reference) == (cast.supplier, "OAK-4411")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_technician_notes_waits_and_resolves_a_call_forwarded_to_them(cast, signed_in, viewport):
    call = forwarded_call(cast, "Laptop trolley in Year 4 will not charge")
    page = signed_in(cast.technician, viewport)
    mine = page.get_by_role("region", name="Calls forwarded to me")
    expect(mine).to_contain_text("Laptop trolley in Year 4 will not charge")
    looked_at(page, "technician-home", viewport)
    mine.get_by_role("link", name=call.reference).click()
    reply = page.locator("#action-reply")
    reply.get_by_label("Message").fill("Fuse in the trolley plug has gone; part ordered.")
    reply.get_by_label("Visible to the reporter").uncheck()
    reply.get_by_role("button", name="Send").click()
    expect(page.get_by_role("status")).to_have_text("Update added.")
    page.get_by_text("Wait on the reporter or supplier").click()
    wait = page.locator("#action-wait")
    wait.get_by_label("Waiting on").select_option(label="Waiting on the reporter")
    wait.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("The SLA clock is paused while we wait.")
    expect(page.locator("#status")).to_have_text("Waiting on reporter")
    page.get_by_text("Start the clock again").click()
    page.locator("#action-resume").get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("The SLA clock is running again.")
    resolve_on_page(page, "Replaced the 13 A fuse; all 30 laptops charging.", "technician-resolve", viewport)
    call.refresh_from_db()
    assert call.status == "resolved"
    internal = call.updates.get(body__startswith="Fuse in the trolley plug")
    assert internal.is_public is False


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_provider_sees_only_what_was_escalated_to_them_and_resolves_it(cast, signed_in, viewport):
    mine = escalated_call(cast, "Wi-Fi drops in the ICT suite", reference="LA-7781")
    not_mine = triaged_call(cast, "Printer in the staff room jams")
    page = signed_in(cast.provider, viewport)
    nav_to(page, "Calls", "All calls")
    expect(page.get_by_role("heading", level=1)).to_have_text("Calls")
    results = page.locator("#results")
    expect(results).to_contain_text("1 call")
    expect(results).to_contain_text(mine.reference)
    expect(results).not_to_contain_text(not_mine.reference)
    # Records, reports and the desk's menus belong to the school.
    nav = page.get_by_role("navigation", name="Main")
    for menu in ("Records", "Reports", "Desk"):
        expect(nav.get_by_role("button", name=menu, exact=True)).to_have_count(0)
    looked_at(page, "provider-calls", viewport)
    page.get_by_role("link", name=mine.reference).click()
    expect(page.get_by_text("LA-7781", exact=True)).to_be_visible()
    reply = page.locator("#action-reply")
    reply.get_by_label("Message").fill("Engineer booked for Thursday morning.")
    reply.get_by_role("button", name="Send").click()
    expect(page.get_by_role("status")).to_have_text("Update added.")
    resolve_on_page(page, "Replaced the access point in the ICT suite.", "provider-resolve", viewport)
    # The call that was not escalated stays out of reach, even by its address.
    response = page.goto(f"/incidents/{not_mine.pk}/")
    assert response.status == 404
    mine.refresh_from_db()
    assert mine.status == "resolved"
    assert mine.updates.filter(author=cast.provider, body="Engineer booked for Thursday morning.").exists()

"""The issue's "done when", in Chromium: a teacher reports "I emailed a class list to the wrong parent" choosing the
data-breach option; the DPO sees the 72-hour clock, records the breach as notifiable with the ICO reference, and
the breach log's export shows it; the SPOC of the same school sees only that a restricted call exists. A DSL
approves a one-week unblock of a site for Year 10; on an advanced clock it expires (the expiry task runs) and the
register shows the removal. Each page passes axe-core. Screenshots: test-artifacts/screenshots/safeguarding-*.png."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from schooldesk.accounts.models import Membership
from schooldesk.core.tests.browser import axe_violations, describe_violations, screenshot
from schooldesk.incidents.models import Incident
from schooldesk.safeguarding.models import FilterRequest
from schooldesk.safeguarding.services import filter_expiries_run

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SUMMARY = "I emailed a class list to the wrong parent"


def checked(page, name):
    screenshot(page, f"safeguarding-{name}.png")
    violations = axe_violations(page)
    assert not violations, f"{name}:\n{describe_violations(violations)}"


def test_a_reported_breach_is_held_by_the_dpo_and_hidden_from_the_desk(cast, signed_in):
    page = signed_in(cast.reporter)
    page.goto("/incidents/new/")
    page.get_by_label("What is wrong?").fill(SUMMARY)
    page.get_by_label("Where?").select_option(label="School office")
    page.get_by_label("I think personal data has been lost or seen by the wrong person").check()
    checked(page, "report-form")
    page.get_by_role("button", name="Send to the service desk").click()
    expect(page.get_by_role("status").first).to_contain_text("Thank you. Your call is INC-")
    call = Incident.objects.get(summary=SUMMARY)
    assert call.is_restricted

    page = signed_in(cast.dpo)
    page.goto("/")
    clock = page.locator("[data-breach-clock]").first
    expect(clock).to_contain_text("hours left")
    checked(page, "dpo-home")
    page.get_by_role("link", name=call.reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Breach record: {call.reference}")
    page.get_by_label("What personal data").fill("A Year 4 class list: names and parents' contact details")
    page.get_by_label("How many people").fill("28")
    page.get_by_label("Children's data").check()
    page.get_by_label("Yes: report it to the ICO").check()
    page.get_by_label("Reason for the decision").fill("Children's contact details went to a third party")
    page.get_by_label("The ICO's reference").fill("IC-204417-Q8T1")
    checked(page, "breach-record")
    page.get_by_role("button", name="Save the breach record").click()
    expect(page.get_by_role("status").first).to_contain_text("The breach record is saved.")
    expect(page.locator("[data-breach-clock]")).to_contain_text("IC-204417-Q8T1")
    page.goto("/safeguarding/breaches/")
    checked(page, "breach-log")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
    assert [r for r in rows if r[0] == call.reference and "IC-204417-Q8T1" in r], rows

    page = signed_in(cast.spoc)
    page.goto("/incidents/triage/")
    expect(page.locator("[data-restricted-held]")).to_have_text(f"Restricted call {call.reference} held by the DPO")
    checked(page, "spoc-triage")
    assert SUMMARY not in page.content()
    page.goto(f"/incidents/{call.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Restricted call {call.reference} held by the DPO")
    assert SUMMARY not in page.content() and "Year 4" not in page.content()
    checked(page, "spoc-restricted-call")


def test_a_dsl_approves_a_week_for_year_10_and_the_register_shows_its_removal(cast, signed_in):
    Membership.objects.create(user=cast.dpo, school=cast.school, role="dsl")
    page = signed_in(cast.reporter)
    page.goto("/safeguarding/filtering/new/")
    page.get_by_label("Unblock (allow) a website or app").check()
    page.get_by_label("Which website or app?").fill("www.bbc.co.uk/bitesize")
    page.get_by_label("Why?").fill("GCSE revision videos for the mocks")
    page.get_by_label("For whom?").select_option(label="A year group")
    page.get_by_label("Which year group? (if a year group)").fill("Year 10")
    page.get_by_label("For how many days?").fill("7")
    checked(page, "filter-request-form")
    page.get_by_role("button", name="Ask").click()
    expect(page.get_by_role("status").first).to_contain_text("Asked.")
    request = FilterRequest.objects.get()

    page = signed_in(cast.dpo)  # who also holds the DSL role
    page.goto("/")
    page.get_by_role("link", name=request.reference).click()
    page.get_by_label("Approve: the technician makes the change").check()
    page.get_by_label("Reason for the decision").fill("Curriculum need, one week only")
    checked(page, "filter-decide")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("status").first).to_contain_text("Approved")
    request.refresh_from_db()
    expect(page.locator("[data-filter-state]")).to_contain_text(f"until {request.expires_on:%d/%m/%Y}")

    later = timezone.now() + timedelta(days=8)  # the clock moves on a week and a day; the daily task runs
    assert filter_expiries_run(now=later) == 1
    page.goto("/safeguarding/filtering/")
    state = page.locator("[data-filter-state]").first
    expect(state).to_contain_text(f"removed on {timezone.localdate(later):%d/%m/%Y}")
    expect(page.get_by_role("cell", name="Curriculum need, one week only")).to_be_visible()
    checked(page, "filter-register")

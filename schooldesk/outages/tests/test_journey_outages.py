"""The issue's "done when", in Chromium: the SPOC declares "Wi-Fi down in the Science block"; a reporter on a
phone sees it on the report form and taps "I'm affected"; the SPOC links two calls logged anyway and resolves the
outage; the 12 people linked each get one email. A purchase request waits for the business manager, who approves
it from the emailed link after signing in.

Emails: the tests' mail backend (Django's outbox), filled by the one outbound path (mail/outbound.py) after the
commit, as in production. Screenshots land in test-artifacts/screenshots/outages-*.png."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from schooldesk.accounts.tests.factories import PASSWORD, MembershipFactory, UserFactory
from schooldesk.core.tests.browser import screenshot, sign_in
from schooldesk.incidents.models import Category, Incident
from schooldesk.incidents.services import incident_triage
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.locations.models import Location
from schooldesk.outages.models import AffectedPerson, Outage
from schooldesk.outages.services import outage_affected

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def teacher(cast, n):
    person = UserFactory(username=f"oak-teacher-{n}")
    MembershipFactory(user=person, school=cast.school, role="reporter")
    return person


def test_wifi_down_twelve_people_told_once_each(cast, open_page):
    science = Location.objects.create(school=cast.school, name="Science block")
    spoc = open_page("desktop")
    sign_in(spoc, cast.spoc, PASSWORD)
    spoc.goto("/outages/new/")
    spoc.get_by_label("What is down?").fill("Wi-Fi down in the Science block")
    spoc.get_by_label("A place").check()
    spoc.get_by_label("Place", exact=True).select_option(label="Science block")
    spoc.get_by_label("What people should do").fill("Use the wired computers in the library.")
    spoc.get_by_role("button", name="Declare the outage").click()
    expect(spoc.get_by_role("heading", level=1)).to_contain_text("Wi-Fi down in the Science block")
    outage = Outage.objects.get()
    assert outage.location == science

    phone = open_page("phone")
    sign_in(phone, cast.reporter, PASSWORD)
    expect(phone.locator(".outage-banner")).to_contain_text("Wi-Fi down in the Science block")  # every page
    phone.goto("/incidents/new/")
    prompt = phone.get_by_role("region", name="Is it this? Tell us you are affected")
    expect(prompt).to_contain_text("Wi-Fi down in the Science block")
    screenshot(phone, "outages-report-form-phone.png")
    prompt.get_by_role("button", name="I'm affected").click()
    expect(phone.get_by_role("status").first).to_contain_text("you are on the list")
    assert AffectedPerson.objects.filter(outage=outage, person=cast.reporter).exists()
    assert not Incident.objects.exists()

    tappers = [teacher(cast, n) for n in range(9)]
    for person in tappers:
        outage_affected(outage=outage, by=person)
    callers = [teacher(cast, n) for n in range(9, 11)]
    calls = [IncidentFactory(school=cast.school, by=person, summary="No Wi-Fi in the lab") for person in callers]
    calls.append(IncidentFactory(school=cast.school, by=tappers[0], summary="Wi-Fi gone again"))  # linked twice
    spoc.reload()
    for call in calls:
        spoc.get_by_label(re.compile(call.reference)).check()
    spoc.get_by_role("button", name="Link the ticked calls").click()
    expect(spoc.get_by_role("status").first).to_contain_text("3 call(s) linked")

    mail.outbox.clear()
    spoc.get_by_label("What was done").fill("The Science block access point was replaced.")
    spoc.get_by_role("button", name="Resolve the outage and tell everyone").click()
    expect(spoc.get_by_role("status").first).to_contain_text("Resolved")
    screenshot(spoc, "outages-resolved.png")
    people = [cast.reporter, *tappers, *callers]
    assert len(people) == 12
    told = sorted(address for message in mail.outbox for address in message.to)
    assert told == sorted(p.email for p in people), "each of the 12 people linked, once"
    assert all("The Science block access point was replaced." in m.body for m in mail.outbox)
    assert all(c.status == "resolved" for c in Incident.objects.all())
    phone.goto("/")
    expect(phone.locator(".outage-banner")).to_have_count(0)


def test_a_purchase_request_waits_for_the_business_manager_who_approves_from_the_email(cast, open_page):
    manager = UserFactory(username="oak-business-manager", first_name="Bev", last_name="Manager")
    MembershipFactory(user=manager, school=cast.school, role="viewer")
    cast.school.approver = manager
    cast.school.save(update_fields=["approver"])
    purchases = Category.objects.get(school=cast.school, name="Request: new equipment")
    purchases.needs_approval = True
    purchases.save()
    request = IncidentFactory(school=cast.school, by=cast.reporter, kind="request", summary="A visualiser for Year 2")
    mail.outbox.clear()
    request = incident_triage(
        incident=request, by=cast.spoc, version=request.version, category=purchases, impact="I3", urgency="U2"
    )
    assert request.status == "waiting_approval" and request.sla_paused_at is not None
    email = next(m for m in mail.outbox if m.to == [manager.email])
    link = re.search(r"https?://[^/\s]+(/outages/approvals/\d+/\?t=\S+)", email.body).group(1)

    page = open_page("phone")
    page.goto(link)
    expect(page).to_have_url(re.compile(r"/accounts/login/"))  # they must sign in
    page.get_by_label("Username").fill(manager.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("A visualiser for Year 2")
    page.get_by_label("Approve").check()
    page.get_by_label("Reason").fill("In this year's budget.")
    page.get_by_role("button", name="Record my decision").click()
    expect(page.locator("#decision")).to_contain_text("Approved")
    screenshot(page, "outages-approved-phone.png")
    request.refresh_from_db()
    assert request.status == "open" and request.sla_paused_at is None

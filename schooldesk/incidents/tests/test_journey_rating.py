"""A reporter rates a resolved call from the link in the resolution email: in Chromium, at a desktop and a
phone, signing in on the way (the reporter has an account), with the answer clicked already chosen."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from schooldesk.core.tests.browser import axe_violations, describe_violations
from schooldesk.core.tests.roles import looked_at
from schooldesk.incidents.models import Incident
from schooldesk.incidents.services import incident_resolve
from schooldesk.incidents.tests.factories import IncidentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_reporter_rates_a_resolved_call_from_the_email_link(
    cast, open_page, password, live_server, settings, viewport
):
    settings.SCHOOLDESK_SITE_URL = live_server.url
    call = IncidentFactory(school=cast.school, by=cast.reporter, summary="Class 4 panel has no sound")
    mail.outbox.clear()
    incident_resolve(incident=call, by=cast.technician, version=call.version, resolution="Re-seated the cable.")
    (email,) = [m for m in mail.outbox if m.to == [cast.reporter.email]]
    link = re.search(r"^- OK: (\S+)$", email.body, re.M).group(1)
    assert link.startswith(f"{live_server.url}/incidents/rate/")

    page = open_page(viewport)
    page.goto(link)  # not signed in yet: the login form first, then back to the question
    page.get_by_label("Username").fill(cast.reporter.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How was your call handled?")
    expect(page.get_by_text("Class 4 panel has no sound")).to_be_visible()
    expect(page.get_by_label("OK")).to_be_checked()  # the answer clicked in the email
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    page.get_by_label("Good").check()  # changed their mind before sending
    page.get_by_label("Anything you would like to add? (optional)").fill("Fixed before lunch, thank you")
    looked_at(page, "reporter-rating-link", viewport)
    page.get_by_role("button", name="Send my rating").click()

    expect(page.get_by_role("status")).to_have_text("Thank you for rating the help you got.")
    expect(page.locator("#rating")).to_contain_text("Reporter's rating: Good · “Fixed before lunch, thank you”")
    call = Incident.objects.get(pk=call.pk)
    assert (call.satisfaction, call.satisfaction_comment) == ("good", "Fixed before lunch, thank you")

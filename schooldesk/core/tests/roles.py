"""What every per-role journey checks on each page it reaches, and the calls those journeys start from."""

from playwright.sync_api import expect

from schooldesk.core.tests.browser import axe_violations, describe_violations, horizontal_overflow, screenshot
from schooldesk.incidents.services import incident_assign, incident_escalate, incident_triage
from schooldesk.incidents.tests.factories import IncidentFactory


def looked_at(page, name: str, viewport: str) -> None:
    """A screenshot for people, no serious or critical axe-core violation, and no sideways scrolling on a phone."""
    screenshot(page, f"role-{name}-{viewport}.png")
    violations = axe_violations(page)
    assert not violations, f"{name} ({viewport}):\n{describe_violations(violations)}"
    if viewport == "phone":
        sizes = horizontal_overflow(page)
        assert sizes["overflow"] <= 1, f"{name} scrolls sideways on a phone: {sizes}"


def resolve_on_page(page, what_was_done: str, name: str, viewport: str) -> None:
    """Open the call's Resolve form, say what was done, look at the page, save, and see it confirmed."""
    page.get_by_text("Resolve", exact=True).click()
    resolve = page.locator("#action-resolve")
    resolve.get_by_label("What was done").fill(what_was_done)
    looked_at(page, name, viewport)
    resolve.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Resolved. The reporter has been asked to confirm.")


def triaged_call(cast, summary: str):
    incident = IncidentFactory(school=cast.school, by=cast.reporter, summary=summary)
    return incident_triage(
        incident=incident, by=cast.spoc, version=incident.version, category=None, impact="I2", urgency="U2"
    )


def forwarded_call(cast, summary: str):
    """Triaged and forwarded to the cast's technician."""
    incident = triaged_call(cast, summary)
    return incident_assign(incident=incident, by=cast.spoc, version=incident.version, technician=cast.technician)


def escalated_call(cast, summary: str, reference: str):
    """Triaged and escalated to the cast's supplier, whose provider then sees it."""
    incident = triaged_call(cast, summary)
    return incident_escalate(
        incident=incident, by=cast.spoc, version=incident.version, supplier=cast.supplier, reference=reference
    )

"""The issue's "done when", in a real browser on the demo desk: a technician raises a problem from repeat
calls and records its workaround; the SPOC is offered that known error while logging a new call and gives
the workaround to it; a request for change that solves the problem is planned, authorised by the owner,
its milestones completed and its new printer lands in the asset register; the progress page shows it all.

Uses the browser fixtures of schooldesk/conftest.py (`open_page` on pytest-django's `live_server`).
Screenshots land in test-artifacts/screenshots/changes-*.png."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from schooldesk.assets.models import Asset
from schooldesk.changes.models import ChangeRequest
from schooldesk.core.tests.browser import (
    AXE_TAGS,
    BLOCKING_IMPACTS,
    describe_violations,
    horizontal_overflow,
    load_axe,
    screenshot,
    sign_in,
)
from schooldesk.demo.schools import DEMO_PASSWORD, demo_create
from schooldesk.incidents.choices import IncidentStatus
from schooldesk.incidents.models import Incident
from schooldesk.incidents.services import incident_create
from schooldesk.locations.models import Location
from schooldesk.problems.models import Problem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PRINTER = "Library printer"


@pytest.fixture
def desk():
    """The demo desk (Oakfield and Riverside, their people, registers and the demo problems and changes),
    plus three calls this week about the library printer that nobody has raised as a problem yet."""
    from schooldesk.demo.assets import demo_registers_create
    from schooldesk.demo.changes import changes_demo

    demo = demo_create(incidents=0)
    demo_registers_create(demo)
    changes_demo(demo)
    school, people = demo.schools["oakfield"], demo.people["oakfield"]
    library = Location.objects.get(school=school, name="Library")
    now = timezone.now()
    for n, summary in enumerate(
        [
            "Library printer prints blank pages",
            "Blank pages from the library printer",
            "Library printer: pages come out empty",
        ]
    ):
        incident_create(
            school=school,
            location=library,
            summary=summary,
            by=people.by_role["spoc"],
            reported_by=people.staff[n],
            channel="phone",
            device=PRINTER,
            now=now - timedelta(hours=3 * (3 - n)),
        )
    return demo, school, people.by_role


def signed_in(open_page, user, viewport="desktop"):
    page = open_page(viewport)
    sign_in(page, user, DEMO_PASSWORD)
    return page


def status(page):
    return page.get_by_role("status").first


def main_violations(page) -> list[dict]:
    """axe-core on the page's own content (<main>); the shared navigation is checked in core's tests."""
    load_axe(page)
    result = page.evaluate(
        "async (tags) => await axe.run('#main', {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [v for v in result["violations"] if v["impact"] in BLOCKING_IMPACTS]


def main_overflow(page) -> int:
    """How far the page's own content reaches past the right edge of the window."""
    return page.evaluate(
        "() => Math.max(0, ...[...document.querySelectorAll('#main *')]"
        ".map(e => e.getBoundingClientRect().right)) - document.documentElement.clientWidth"
    )


def test_from_repeat_calls_to_a_known_error_to_an_authorised_change_in_the_register(desk, open_page):
    demo, school, roles = desk
    today = timezone.localdate()

    # 1. The technician sees the repeat calls and raises a problem from them in one step.
    tech = signed_in(open_page, roles["technician"])
    nav = tech.get_by_role("navigation", name="Main")
    nav.get_by_role("button", name="Calls").click()
    nav.get_by_role("link", name="Repeat calls").click()
    expect(tech.get_by_role("heading", level=1)).to_have_text("Repeat calls: problem candidates")
    candidate = tech.get_by_role("article").filter(
        has=tech.get_by_role("heading", name=re.compile("same device.*library printer", re.IGNORECASE))
    )
    expect(candidate).to_contain_text("3 calls in the last 5 school days")
    candidate.get_by_text("The calls").click()
    expect(candidate).to_contain_text("Blank pages from the library printer")
    candidate.get_by_label("Problem title (optional)").fill("Library printer prints blank pages")
    screenshot(tech, "changes-01-technician-repeat-calls.png")
    candidate.get_by_role("button", name=re.compile("Raise a problem from these calls")).click()
    expect(status(tech)).to_contain_text("raised from 3 calls")
    problem = Problem.objects.get(title="Library printer prints blank pages")
    expect(tech.get_by_role("heading", level=1)).to_have_text(
        f"{problem.reference} · Library printer prints blank pages"
    )
    expect(tech.get_by_role("region", name=re.compile("^Linked calls"))).to_contain_text(
        "Blank pages from the library printer"
    )
    # ... and records the workaround: it is a known error now.
    tech.get_by_text("Record a workaround (known error)").click()
    known = tech.locator("#action-known_error")
    known.get_by_label("Workaround").fill(
        "Print to the office copier instead: choose “Office copier” in the print box."
    )
    known.get_by_label("Root cause (if known)").fill("Worn fuser unit.")
    known.get_by_role("button", name="Save").click()
    expect(status(tech)).to_have_text("Recorded as a known error: the desk will be offered its workaround.")
    expect(tech.locator("#status")).to_have_text("Known error")
    screenshot(tech, "changes-02-technician-known-error.png")

    # 2. The SPOC logs a new call for a caller: the known error is offered while typing.
    spoc = signed_in(open_page, roles["spoc"])
    spoc.goto("/incidents/new/?for=caller")
    spoc.get_by_label("…or the caller's name").fill("Mrs Patel (librarian)")
    spoc.get_by_label("What is wrong?").fill("The library printer is printing blank pages again")
    spoc.get_by_label("Where?").select_option(label="Library")
    offered = spoc.locator("#known-errors")
    expect(offered).to_contain_text("Known errors that may match")
    expect(offered).to_contain_text("Print to the office copier instead")
    screenshot(spoc, "changes-03-spoc-known-error-offered-while-logging.png")
    spoc.get_by_role("button", name="Log the call").click()
    expect(status(spoc)).to_contain_text("Your call is INC-")
    call = Incident.objects.get(summary="The library printer is printing blank pages again")
    # On the call page, the SPOC gives the workaround to the call (a public update, the caller is told).
    spoc.locator("#known-errors").get_by_role("button", name=re.compile("Give this workaround to the call")).click()
    expect(status(spoc)).to_contain_text(f"The workaround of {problem.reference} is on the call as an update")
    expect(spoc.get_by_role("region", name="Timeline")).to_contain_text("Print to the office copier instead")
    expect(spoc.locator("#known-errors")).to_contain_text("Given to this call")
    screenshot(spoc, "changes-04-spoc-workaround-given-to-the-call.png")
    assert problem.links.filter(incident=call, workaround_sent_at__isnull=False).exists()

    # 3. The technician raises a request for change that solves the problem, and plans it.
    tech.goto(f"/problems/{problem.pk}/")
    tech.get_by_role("link", name="Raise a request for change").click()
    expect(tech.get_by_label("Title")).to_have_value("Fix: Library printer prints blank pages")
    tech.get_by_label("Title").fill("Replace the library printer")
    tech.get_by_label("Estimated cost (£)").fill("240.00")
    tech.get_by_label("Implementation date").fill((today + timedelta(days=2)).isoformat())
    tech.get_by_label("Implementer").select_option(label=str(roles["technician"]))
    tech.get_by_role("button", name="Raise the request").click()
    expect(status(tech)).to_contain_text("raised as a draft")
    change = ChangeRequest.objects.get(title="Replace the library printer")
    assert change.problem == problem
    for title, days in (("Order the new printer", 1), ("Install it and test a print from the library PCs", 2)):
        tech.get_by_text("Add a milestone").click()
        form = tech.locator("#action-milestone")
        form.get_by_label("Milestone").fill(title)
        form.get_by_label("Due on").fill((today + timedelta(days=days)).isoformat())
        form.get_by_label("Who").select_option(label=str(roles["technician"]))
        form.get_by_role("button", name="Save").click()
        expect(status(tech)).to_have_text("Milestone added.")
    tech.get_by_text("Add new equipment").click()
    kit = tech.locator("#action-new_asset")
    kit.get_by_label("Asset tag").fill("OAK-LIB-PRN2")
    kit.get_by_label("Type").select_option(label="Printer")
    kit.get_by_label("Make").fill("HP")
    kit.get_by_label("Model").fill("LaserJet Pro M404dn")
    kit.get_by_label("Where it goes").select_option(label="Library")
    kit.get_by_label("Cost (£)").fill("240.00")
    kit.get_by_role("button", name="Save").click()
    expect(status(tech)).to_have_text("New equipment added to the plan.")
    tech.locator("#action-submit").get_by_role("button", name="Submit").click()
    expect(status(tech)).to_have_text("Submitted to the ICT owner for authorisation.")
    expect(tech.locator("#status")).to_have_text("Awaiting authorisation")
    expect(tech.locator("#action-decide")).to_have_count(0)  # the technician cannot authorise
    screenshot(tech, "changes-05-technician-change-planned-and-submitted.png")

    # 4. The owner sees it waiting on the progress page and authorises it, with the reason.
    owner = signed_in(open_page, roles["owner"])
    owner.goto("/changes/progress/")
    changes = owner.get_by_role("region", name="Requests for change")
    row = changes.get_by_role("row").filter(has_text="Replace the library printer")
    expect(row).to_contain_text("Awaiting authorisation")
    expect(row).to_contain_text("ICT owner (to decide)")
    row.get_by_role("link", name=change.reference).click()
    decide = owner.locator("#action-decide")
    decide.get_by_label("Authorise", exact=True).check()
    decide.get_by_label("Reason").fill("Cheaper than another repair; within the printing budget.")
    screenshot(owner, "changes-06-owner-authorises.png")
    decide.get_by_role("button", name="Record the decision").click()
    expect(status(owner)).to_have_text("Decision recorded.")
    expect(owner.get_by_role("region", name="Decision")).to_contain_text("Cheaper than another repair")
    expect(owner.locator("#status")).to_have_text("Authorised: in progress")

    # 5. The technician completes the milestones.
    tech.goto(f"/changes/{change.pk}/")
    for title in ("Order the new printer", "Install it and test a print from the library PCs"):
        tech.get_by_role("button", name=re.compile(f"^Mark done\\W+{re.escape(title)}$")).click()
        expect(status(tech)).to_have_text("Milestone done.")
    expect(tech.get_by_text("2 of 2 milestones done (100%)")).to_be_visible()

    # 6. The SPOC completes the change: the new printer goes into the asset register in the same step.
    spoc.goto(f"/changes/{change.pk}/")
    spoc.get_by_text("Complete the change").click()
    complete = spoc.locator("#action-complete")
    complete.get_by_label("Successful").check()
    complete.get_by_label("Note").fill("Installed and tested from three library PCs.")
    complete.get_by_role("button", name="Complete").click()
    expect(status(spoc)).to_have_text("Completed. The registers are up to date.")
    expect(spoc.locator("#status")).to_have_text("Implemented: awaiting review")
    screenshot(spoc, "changes-07-spoc-change-completed.png")
    spoc.get_by_role("link", name=re.compile(r"^in the register\W+OAK-LIB-PRN2$")).click()
    expect(spoc.get_by_role("heading", level=1)).to_have_text("OAK-LIB-PRN2 · Printer, HP LaserJet Pro M404dn")
    expect(spoc.get_by_role("region", name="Moves and changes")).to_contain_text(f"Added by {change.reference}")
    screenshot(spoc, "changes-08-spoc-new-printer-in-the-register.png")
    asset = Asset.objects.get(tag="OAK-LIB-PRN2")
    assert (asset.school, asset.location.name, asset.order_reference) == (school, "Library", change.reference)

    # 7. The owner's progress page shows it all: the change done and awaiting its review, the problem it solves.
    owner.goto("/changes/progress/")
    row = (
        owner.get_by_role("region", name="Requests for change")
        .get_by_role("row")
        .filter(has_text="Replace the library printer")
    )
    expect(row).to_contain_text("2/2")
    expect(row).to_contain_text("Implemented: awaiting review")
    expect(row).to_contain_text("Successful")
    expect(row).to_contain_text(problem.reference)
    problem_row = (
        owner.get_by_role("region", name="Problems")
        .get_by_role("row")
        .filter(has_text="Library printer prints blank pages")
    )
    expect(problem_row).to_contain_text("Known error")
    expect(problem_row).to_contain_text(change.reference)
    assert main_overflow(owner) <= 1
    screenshot(owner, "changes-09-owner-progress-page.png")

    # 8. The technician resolves the problem; its open calls are resolved with it and their reporters told.
    tech.goto(f"/problems/{problem.pk}/")
    resolve = tech.locator("#action-resolve")
    resolve.locator("summary").click()
    resolve.get_by_label("What fixed it").fill("Replaced the printer (see the change).")
    expect(resolve.get_by_label("Also resolve its open calls with this, and tell their reporters")).to_be_checked()
    resolve.get_by_role("button", name="Resolve").click()
    expect(status(tech)).to_contain_text("4 open calls resolved with it")
    screenshot(tech, "changes-10-technician-problem-resolved.png")
    assert set(problem.incidents.values_list("status", flat=True)) == {IncidentStatus.RESOLVED}


#: (role, URL) of every page of the three apps, with the demo's objects: {problem}, {change}, {procedure}, {version}
PAGES = [
    ("owner", "/changes/progress/"),
    ("owner", "/changes/{change}/"),
    ("owner", "/changes/"),
    ("owner", "/changes/report/"),
    ("owner", "/changes/standard/"),
    ("owner", "/changes/new/"),
    ("spoc", "/problems/"),
    ("spoc", "/problems/{problem}/"),
    ("spoc", "/problems/candidates/"),
    ("spoc", "/problems/report/"),
    ("spoc", "/problems/new/"),
    ("owner", "/procedures/"),
    ("owner", "/procedures/{procedure}/"),
    ("spoc", "/procedures/{procedure}/propose/"),
    ("reporter", "/procedures/"),
    ("reporter", "/procedures/{procedure}/versions/{version}/"),
]


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_pages_pass_axe_and_fit_a_phone(desk, open_page, viewport):
    """WCAG 2.2 AA (axe-core: no serious or critical violation in the page's content) with every fold-out
    open, and no sideways scrolling on a phone, on the demo desk's problems, changes, progress and procedures
    pages. (At 1280px the shared navigation bar is now wider than the window: see core's accessibility tests.)"""
    from schooldesk.procedures.models import Procedure

    demo, school, roles = desk
    ids = {
        "problem": Problem.objects.filter(school=school, status="known_error").first().pk,
        "change": ChangeRequest.objects.filter(school=school, status="authorised").first().pk,
    }
    procedure = Procedure.objects.filter(school=school, versions__status="proposed").first()
    ids.update(procedure=procedure.pk, version=procedure.current_version_id)
    pages, failures = {}, []
    for role, url in PAGES:
        page = pages.get(role) or pages.setdefault(role, signed_in(open_page, roles[role], viewport))
        page.goto(url.format(**ids))
        page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
        if violations := main_violations(page):
            failures.append(f"{url} as {role}:\n{describe_violations(violations)}")
        if viewport == "phone" and (wide := horizontal_overflow(page))["overflow"] > 1:  # the menu folds away
            failures.append(f"{url} as {role} is {wide['overflow']}px too wide on a phone: {wide['widest']}")
        if (wide_main := main_overflow(page)) > 1:
            failures.append(f"{url} as {role}: the content is {wide_main}px too wide on {viewport}")
    screenshot(pages["owner"], f"changes-11-owner-procedure-{viewport}.png")
    pages["owner"].goto("/changes/progress/")
    screenshot(pages["owner"], f"changes-12-owner-progress-{viewport}.png")
    assert not failures, "\n".join(failures)

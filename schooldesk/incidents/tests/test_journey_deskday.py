"""The desk's day in a real browser: a technician opens "Mine, open" from the Calls menu and resolves three calls
at once with one note; a SPOC inserts a saved reply, its placeholders filled, with the keyboard only; the
shortcuts' help opens with "?" as a dialog and Escape closes it, and the call page's keys (next, reply, note with a
saved reply, forward, escalate, resolve) open what they say. Each screen is checked with axe-core."""

import re

import pytest
from playwright.sync_api import expect

from schooldesk.core.tests.browser import axe_violations, describe_violations, screenshot
from schooldesk.incidents.models import Incident
from schooldesk.incidents.services import incident_assign
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.replies.models import CannedReply

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name: str) -> None:
    screenshot(page, name)
    violations = axe_violations(page)
    assert not violations, f"{name}:\n{describe_violations(violations)}"


def test_a_technician_resolves_three_of_their_calls_with_one_note(cast, signed_in):
    calls = []
    for summary in ("Laptop 3 will not charge", "Visualiser flickers", "Class 4 printer offline"):
        call = IncidentFactory(school=cast.school, by=cast.reporter, summary=summary)
        calls.append(incident_assign(incident=call, by=cast.spoc, version=call.version, technician=cast.technician))
    IncidentFactory(school=cast.school, by=cast.reporter, summary="Someone else's call")

    page = signed_in(cast.technician)
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("button", name="Calls", exact=True).click()
    mine = nav.get_by_role("link", name=re.compile(r"^Mine, open"))
    expect(mine).to_contain_text("3")  # the count, loaded when the menu opened
    mine.click()
    expect(page).to_have_url(re.compile(r"whose=mine"))
    expect(page.locator("#results")).not_to_contain_text("Someone else's call")
    for call in calls:
        page.get_by_label(f"Select {call.reference}").check()
    expect(page.locator("[data-pick-count]")).to_contain_text("3")
    page.get_by_label("Action").select_option(label="Resolve with one note")
    expect(page.locator("#id_bulk_technician")).to_have_count(0)  # a technician does not forward
    note = page.get_by_label("Note (for resolving: what was done)")
    expect(note).to_be_visible()
    note.fill("Reseated the cables during the Tuesday visit.")
    shot(page, "deskday-01-technician-bulk-resolve-desktop.png")
    page.get_by_role("button", name="Apply to the ticked calls").click()
    expect(page.get_by_role("status")).to_have_text("3 resolved")
    shot(page, "deskday-02-technician-after-bulk-desktop.png")
    assert set(Incident.objects.filter(pk__in=[c.pk for c in calls]).values_list("status", "resolution")) == {
        ("resolved", "Reseated the cables during the Tuesday visit.")
    }


def test_a_spoc_inserts_a_saved_reply_with_the_keyboard_only(cast, signed_in):
    school = cast.school
    school.spoc = cast.spoc
    school.save()
    cast.reporter.first_name = "Emma"
    cast.reporter.save()
    CannedReply.objects.create(
        school=school,
        title="Password reset done",
        body="Hello {{ first_name }}, your password is reset ({{ reference }}).",
    )
    CannedReply.objects.create(
        organisation=school.organisation,
        title="Half-term closure",
        body="Hi {{ first_name }}, {{ spoc_name }} is back after half-term.",
    )
    call = IncidentFactory(school=school, by=cast.reporter, summary="Cannot sign in")

    page = signed_in(cast.spoc)
    page.goto(f"/incidents/{call.pk}/")
    page.locator("body").focus()
    page.keyboard.press("c")  # the shortcut opens the picker
    dialog = page.get_by_role("dialog", name="Insert a saved reply")
    expect(dialog).to_be_visible()
    search = dialog.get_by_label("Find a reply")
    expect(search).to_be_focused()
    page.keyboard.type("half")
    expect(dialog.locator("#canned-preview")).to_have_text(
        f"Hi Emma, {cast.spoc.get_full_name()} is back after half-term."
    )
    shot(page, "deskday-03-spoc-picker-desktop.png")
    page.keyboard.press("Enter")  # the second keystroke inserts it
    expect(dialog).to_be_hidden()
    box = page.locator("#id_reply_body")
    expect(box).to_be_focused()
    expect(box).to_have_value(f"Hi Emma, {cast.spoc.get_full_name()} is back after half-term.")

    page.keyboard.press("End")
    page.keyboard.type(" ")
    page.keyboard.press("Alt+C")  # from inside the reply box too
    expect(dialog).to_be_visible()
    page.keyboard.type("password")
    page.keyboard.press("Enter")
    expect(box).to_have_value(
        f"Hi Emma, {cast.spoc.get_full_name()} is back after half-term. "
        f"Hello Emma, your password is reset ({call.reference})."
    )
    for _ in range(8):  # on to the Send button, by Tab
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent.trim()") == "Send":
            break
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Update added.")
    expect(page.locator(".timeline")).to_contain_text(f"Hello Emma, your password is reset ({call.reference}).")
    assert "{{" not in page.content()


def test_the_shortcuts_help_is_a_dialog_that_escape_closes(cast, signed_in):
    older = IncidentFactory(school=cast.school, by=cast.reporter, summary="Speakers crackle")
    call = IncidentFactory(school=cast.school, by=cast.reporter, summary="Projector bulb")
    CannedReply.objects.create(school=cast.school, title="Checked on site", body="Checked {{ reference }} on site.")
    page = signed_in(cast.spoc)
    page.goto("/incidents/")
    search = page.locator("#site-search")
    search.focus()
    page.keyboard.type("?")  # typing in a box is typing, not a shortcut
    help_dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(help_dialog).to_be_hidden()
    expect(search).to_have_value("?")
    page.evaluate("() => document.activeElement.blur()")
    page.keyboard.press("?")
    expect(help_dialog).to_be_visible()
    for listed in ("Next / previous call of the list you came from", "Write a reply to the reporter"):
        expect(help_dialog).to_contain_text(listed)
    for listed in ("Write an internal note", "Forward the call to a technician", "Insert a saved reply"):
        expect(help_dialog).to_contain_text(listed)
    shot(page, "deskday-04-shortcuts-help-desktop.png")
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()
    page.keyboard.press("j")  # the first call of the list
    expect(page.get_by_role("link", name=call.reference)).to_be_focused()
    page.keyboard.press("x")
    expect(page.get_by_label(f"Select {call.reference}")).to_be_checked()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/incidents/{call.pk}/$"))
    page.keyboard.press("n")  # the next call of the list it came from
    expect(page).to_have_url(re.compile(rf"/incidents/{older.pk}/$"))
    page.keyboard.press("p")
    expect(page).to_have_url(re.compile(rf"/incidents/{call.pk}/$"))
    page.keyboard.press("r")
    expect(page.locator("#id_reply_body")).to_be_focused()
    page.keyboard.type("n")  # typing in the box is typing
    expect(page).to_have_url(re.compile(rf"/incidents/{call.pk}/$"))

    box = page.locator("#id_reply_body")
    box.fill("")
    page.evaluate("() => document.activeElement.blur()")
    page.keyboard.press("i")  # an internal note: the same box, not shown to the reporter
    expect(box).to_be_focused()
    expect(page.locator("#id_reply_is_public")).not_to_be_checked()
    page.keyboard.press("Alt+C")  # a saved reply into the note, in two keystrokes
    picker = page.get_by_role("dialog", name="Insert a saved reply")
    expect(picker.locator("#canned-preview")).to_have_text(f"Checked {call.reference} on site.")  # loaded, chosen
    page.keyboard.press("Enter")
    expect(box).to_have_value(f"Checked {call.reference} on site.")
    expect(page.locator("#id_reply_is_public")).not_to_be_checked()
    for key, action in (("f", "assign"), ("e", "escalate"), ("s", "resolve")):  # forward, escalate, resolve
        page.evaluate("() => document.activeElement.blur()")
        page.keyboard.press(key)
        expect(page.locator(f"#action-{action}")).to_have_attribute("open", "")
        expect(page.locator(f"#action-{action} :focus")).to_have_count(1)

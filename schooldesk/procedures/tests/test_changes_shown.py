"""The ICT owner deciding on a proposal sees what it changes: one text with the added and removed words marked
(underlined or struck through, a margin mark, and "added"/"removed" for screen readers), not two texts to compare."""

import re

import pytest
from playwright.sync_api import expect

from schooldesk.core.tests.browser import axe_violations, describe_violations, screenshot
from schooldesk.procedures.selectors import DiffLine, text_diff
from schooldesk.procedures.services import procedure_create, procedure_decide, procedure_propose

CURRENT = "1. Use the form on the website.\n2. Ring the office on 0123.\n\n3. Wait for the SPOC."
PROPOSED = (
    "1. Use the report form in SchoolDesk.\n2. Ring the office on 0123.\n\n"
    "3. Never <script>alert(1)</script> & wait.\n4. A brand new step."
)


def proposed(cast):
    version = procedure_create(school=cast.school, by=cast.spoc, title="Reporting a fault", body=CURRENT)
    procedure = procedure_decide(version=version, by=cast.owner, authorise=True).procedure
    proposal = procedure_propose(
        procedure=procedure,
        by=cast.spoc,
        title="Reporting a fault or request",
        body=PROPOSED,
        note="SchoolDesk replaces the website form",
    )
    return procedure, proposal


def test_words_changed_within_a_line_are_marked_and_whole_lines_stand_alone():
    lines = text_diff("Ring the office.\nKeep this.\nOld step.", "Ring the school office.\nKeep this.")
    assert lines == [
        DiffLine("changed", parts=(("same", "Ring the "), ("added", "school "), ("same", "office."))),
        DiffLine("same", "Keep this."),
        DiffLine("removed", "Old step."),
    ]
    rewritten = text_diff("Wait for the SPOC.", "Something else entirely now")
    assert [line.kind for line in rewritten] == ["removed", "added"]  # nothing in common: not a word salad
    assert text_diff("Same.", "Same.") == [DiffLine("same", "Same.")]


@pytest.mark.django_db
def test_the_owner_reads_what_the_proposal_changes(cast, login):
    procedure, proposal = proposed(cast)
    page = login(cast.owner).get(f"/procedures/{procedure.pk}/").content.decode()
    diff = page[page.index('class="diff ') : page.index("Read the whole proposed text")]
    assert re.search(r'<ins><span class="visually-hidden">added: </span>report </ins>', diff)
    assert re.search(r'<del><span class="visually-hidden">removed: </span>[^<]*website', diff)
    assert '<ins><span class="visually-hidden">Added line: </span>4. A brand new step.</ins>' in diff
    assert "Ring the office on 0123." in diff  # unchanged lines are there for context, unmarked
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in diff  # typed text escaped
    assert "(was Reporting a fault)" in page  # the title change says what it was
    # one text to read, not two: the proposed text appears whole only inside the closed "Read the whole" box
    assert page.count("4. A brand new step.") == 2 and "<details" in page[page.index("Read the whole") - 80 :]
    assert "Record the decision" in page
    assert (
        login(cast.owner)
        .post(f"/procedures/{procedure.pk}/versions/{proposal.pk}/decide/", {"decision": "authorise", "reason": ""})
        .status_code
        == 302
    )
    history = login(cast.reporter).get(f"/procedures/{procedure.pk}/versions/{proposal.pk}/").content.decode()
    assert "What changed from version 1" in history and "Added line: </span>4. A brand new step." in history


@pytest.mark.django_db
def test_a_new_procedure_has_nothing_to_compare_and_shows_its_text(cast, login):
    procedure = procedure_create(school=cast.school, by=cast.spoc, title="Loans", body="Sign the book.").procedure
    page = login(cast.owner).get(f"/procedures/{procedure.pk}/").content.decode()
    assert "Sign the book." in page and 'class="diff ' not in page and "What changes" not in page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_changes_are_accessible_in_a_browser(cast, signed_in):
    procedure, _proposal = proposed(cast)
    page = signed_in(cast.owner)
    page.goto(f"/procedures/{procedure.pk}/")
    added = page.locator(".diff ins").first
    expect(added).to_have_text("added: report ")
    style = added.evaluate("e => getComputedStyle(e).textDecorationLine")
    struck = page.locator(".diff del").first.evaluate("e => getComputedStyle(e).textDecorationLine")
    assert (style, struck) == ("underline", "line-through")  # not colour alone
    violations = axe_violations(page)
    screenshot(page, "procedure-proposal-diff.png")
    assert not violations, describe_violations(violations)

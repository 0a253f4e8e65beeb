"""In Chromium: the DPO of ONE school answers a subject access request for a teacher: records it, finds the
teacher, leaves one item out with a reason, downloads the pack (the PDF read back with pdftotext, the ZIP opened),
marks it answered; looks at the erasure confirmation and the retention schedule. axe-core on every page."""

import io
import json
import re
import shutil
import subprocess
import zipfile

import pytest
from playwright.sync_api import expect

from schooldesk.core.tests.browser import axe_violations, describe_violations, screenshot, sign_in
from schooldesk.privacy.models import SubjectAccessRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def accessible(page, name: str) -> None:
    screenshot(page, f"privacy-{name}.png")
    violations = axe_violations(page)
    assert not violations, f"{name}:\n{describe_violations(violations)}"


def test_the_dpo_answers_a_subject_access_request_for_a_teacher(cast, teacher_world, open_page, password):
    page = open_page()
    sign_in(page, cast.dpo, password)
    page.goto("/")
    expect(page.get_by_role("heading", name="Subject access requests")).to_be_visible()
    accessible(page, "home-dpo")
    menu = page.get_by_role("navigation", name="Main")
    menu.get_by_role("button", name="Safeguarding").click()
    menu.get_by_role("link", name="Data protection").click()
    accessible(page, "list")
    page.get_by_role("link", name="Record a subject access request").click()
    page.get_by_label("Who asked").fill("Ruth Ellis (Year 4 teacher)")
    page.get_by_label("Whose data").fill("Ruth Ellis")
    page.get_by_label("Received on").fill("2026-11-20")
    accessible(page, "request-form")
    page.get_by_role("button", name="Record the request").click()
    expect(page.get_by_role("status")).to_contain_text("recorded: due on 20/12/2026")

    page.get_by_label("Name or email").fill("ruth")
    page.get_by_role("button", name="Find", exact=True).click()
    page.get_by_role("button", name="Choose Ruth Ellis").first.click()
    expect(page.get_by_role("status")).to_contain_text("The person is chosen")
    expect(page.get_by_role("heading", name=re.compile(r"^Calls \(2\)"))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"^Assets issued \(1\)"))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"^Device loans and agreements \(1\)"))).to_be_visible()
    accessible(page, "request-detail")

    reason = page.get_by_label(re.compile(r"Reply.* is exempt"))
    reason.fill("Mostly about another member of staff")
    page.locator("form", has=reason).get_by_role("button", name="Exempt").click()
    expect(page.get_by_role("status")).to_contain_text("leaves out the exempt items")
    expect(page.get_by_text("Mostly about another member of staff")).to_be_visible()

    with page.expect_download() as info:
        page.get_by_role("link", name="Download the pack (PDF)").click()
    pdf = info.value.path().read_bytes()
    assert pdf.startswith(b"%PDF") and info.value.suggested_filename.endswith(".pdf")
    if pdftotext := shutil.which("pdftotext"):
        text = subprocess.run(
            [pdftotext, "-layout", "-", "-"],
            input=pdf,
            capture_output=True,  # noqa: S603
            check=True,
        ).stdout.decode()
        assert "Your data held by the ICT service desk" in text and "Ruth Ellis" in text
        assert "OAK-LAP-7" in text and "Cannot print the register" in text and "Spelling Shed" in text
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the data files (ZIP)").click()
    archive = zipfile.ZipFile(io.BytesIO(info.value.path().read_bytes()))
    names = set(archive.namelist())
    assert {"README.txt", "call.json", "call.csv", "email_in.json", "asset.csv", "loan.json", "licence.json"} <= names
    assert any(n.startswith("attachments/") for n in names)
    # the exempt reply is out of the timeline (the email that told her of it is hers, and stays)
    assert "spare charger" not in archive.read("update.json").decode()
    assert {c["reference"] for c in json.loads(archive.read("call.json"))} == {
        teacher_world.web_call.reference,
        teacher_world.phone_call.reference,
    }

    page.get_by_role("button", name="Mark as answered").click()
    expect(page.get_by_role("status")).to_contain_text("Marked as answered")
    assert SubjectAccessRequest.objects.get().answered_at is not None

    page.get_by_role("link", name="Pseudonymise this person…").click()
    expect(page.get_by_role("button", name="Confirm: pseudonymise")).to_be_visible()
    accessible(page, "erase-confirm")
    page.goto(f"/privacy/retention/{cast.school.pk}/")
    expect(page.get_by_text("The nightly job is off")).to_be_visible()
    accessible(page, "retention")

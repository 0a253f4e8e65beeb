"""In Chromium: the ICT owner of one school sees that the backup restore test is not done this term; the
technician records the termly check with the restore log attached; the part turns met, linked to the evidence;
the owner writes the findings into the annual review and downloads the governors' PDF."""

import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from schooldesk.core.tests.browser import nav_to
from schooldesk.core.tests.roles import looked_at

from .helpers import restore_check_due

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_restore_test_is_done_with_evidence_and_the_owner_reports_it_to_governors(cast, signed_in, tmp_path):
    item = restore_check_due(cast.school)
    owner = signed_in(cast.owner)
    nav_to(owner, "Reports", "DfE standards")
    expect(owner.get_by_role("heading", level=1)).to_have_text("DfE digital and technology standards")
    looked_at(owner, "owner-standards-matrix", "desktop")
    owner.get_by_role("link", name=cast.school.name).click()
    part = owner.locator("#part-restore_tested")
    expect(part).to_contain_text("Backup restore tested this term")
    expect(part).to_contain_text("Not met")
    looked_at(owner, "owner-standards-school", "desktop")

    technician = signed_in(cast.technician)
    nav_to(technician, "Calls", "Scheduled checks")
    technician.get_by_role("link", name="Backup restore test").first.click()
    expect(technician.get_by_role("heading", level=1)).to_have_text("Backup restore test")
    looked_at(technician, "technician-check", "desktop")
    for step in item.rule.step_list:
        technician.get_by_role("group", name=step).get_by_label("Yes").check()
    technician.get_by_label("What was done and found").fill("Restored the office share to a test folder.")
    log = tmp_path / "restore-log.pdf"
    log.write_bytes(b"%PDF-1.4 restore log")
    technician.get_by_label("Evidence (a file, optional)").set_input_files(str(log))
    technician.get_by_role("button", name="Record as done").click()
    expect(technician.get_by_role("status")).to_have_text("The check is recorded as done.")
    expect(technician.get_by_role("link", name="Download restore-log.pdf")).to_be_visible()

    owner.reload()
    part = owner.locator("#part-restore_tested")
    expect(part).to_contain_text("Met")
    expect(part).not_to_contain_text("Not met")
    part.get_by_role("link", name=f"Check due {item.due_on:%d/%m/%Y}").click()
    expect(owner.get_by_role("region", name="Evidence")).to_contain_text("restore-log.pdf")
    expect(owner.get_by_role("region", name="Evidence")).to_contain_text("Restored the office share")

    owner.go_back()
    owner.get_by_role("link", name="Annual IT support review").click()
    findings = "Backups are checked weekly and the restore was tested this term."
    owner.get_by_role("textbox", name="Findings").fill(findings)
    owner.get_by_role("textbox", name="Actions").fill("Replace the two unsupported switches before September.")
    owner.get_by_role("button", name="Save the review").click()
    expect(owner.get_by_role("status")).to_have_text("The review is saved as a new version.")
    looked_at(owner, "owner-annual-review", "desktop")
    with owner.expect_download() as info:
        owner.get_by_role("link", name="Download PDF for governors").click()
    download = info.value
    assert download.suggested_filename.startswith("it-support-review-")
    pdf = tmp_path / download.suggested_filename
    download.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    pdftotext, pdfinfo = shutil.which("pdftotext"), shutil.which("pdfinfo")
    if pdftotext and pdfinfo:
        info_text = subprocess.run([pdfinfo, str(pdf)], capture_output=True, check=True, text=True).stdout  # noqa: S603
        assert "Pages:" in info_text
        text = subprocess.run(
            [pdftotext, "-layout", str(pdf), "-"],
            capture_output=True,
            check=True,  # noqa: S603
            text=True,
        ).stdout
        assert "Annual IT support review" in text and cast.school.name in text
        assert "Backups are checked weekly" in text and "Backup restore tested this term" in text

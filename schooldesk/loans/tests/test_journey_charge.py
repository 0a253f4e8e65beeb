"""A device comes back damaged and the parents are charged, in Chromium at phone size (390x844), as the SPOC of one
school following the links the pages offer: the loan page's "Take it back" form takes a condition note and a photo;
from the loan page the SPOC raises a charge with the amount, the reason and a photo, opens the charge and downloads
the letter to parents, whose text names the pupil and the amount. Screenshots: test-artifacts/screenshots/charge-*."""

import shutil
import subprocess
from decimal import Decimal

import pytest
from PIL import Image
from playwright.sync_api import expect

from schooldesk.core.tests.browser import horizontal_overflow, screenshot, sign_in
from schooldesk.loans.models import Loan, LoanPhoto
from schooldesk.loans.models_pool import Charge
from schooldesk.loans.tests.factories_pool import loan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_damaged_device_is_taken_back_and_the_parents_are_sent_a_charge_letter(cast, open_page, password, tmp_path):
    lent = loan(school=cast.school, by=cast.spoc)  # PUP-0001 lent to Amara Okafor
    photo = tmp_path / "cracked-screen.jpg"
    Image.new("RGB", (80, 60), (200, 30, 30)).save(photo, "JPEG")

    page = open_page("phone")
    sign_in(page, cast.spoc, password)
    page.goto(f"/loans/{lent.pk}/")
    returning = page.get_by_role("region", name="Take it back")
    returning.get_by_label("Condition when returned (optional)").fill("Screen cracked across the corner")
    returning.get_by_label("Photos of its condition (optional)").set_input_files(str(photo))
    screenshot(page, "charge-return-phone.png")
    returning.get_by_role("button", name="Record the return").click()
    expect(page.locator("#returned")).to_contain_text("Screen cracked across the corner")
    returned = Loan.objects.get(pk=lent.pk)
    assert returned.returned_on and returned.condition_in == "Screen cracked across the corner"
    kept = LoanPhoto.objects.get(loan=lent)
    assert (kept.stage, kept.original_name) == ("in", "cracked-screen.jpg")
    expect(page.get_by_role("region", name="Photos of its condition")).to_contain_text("cracked-screen.jpg")

    page.get_by_role("link", name="Raise a charge for damage or loss").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Raise a charge")
    page.get_by_label("Reason").select_option(label="Damage")
    page.get_by_label("What happened").fill("The screen was cracked across the corner when it came back.")
    page.get_by_label("Amount (£)").fill("45.00")
    page.get_by_label("Photos of the damage").set_input_files(str(photo))
    assert horizontal_overflow(page)["overflow"] <= 1, "the charge form scrolls sideways on a phone"
    screenshot(page, "charge-raise-phone.png")
    page.get_by_role("button", name="Save the charge").click()

    charge = Charge.objects.get()
    assert (charge.loan_id, charge.reason, charge.amount, charge.raised_by) == (
        lent.pk,
        "damage",
        Decimal("45.00"),
        cast.spoc,
    )
    assert charge.photos.get().original_name == "cracked-screen.jpg"
    expect(page.get_by_role("heading", level=1)).to_contain_text(charge.reference)
    expect(page.get_by_role("heading", level=1)).to_contain_text("£45.00")
    expect(page.locator("#charge-status")).to_have_text("Proposed")
    screenshot(page, "charge-detail-phone.png")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the letter to parents (PDF)").click()
    pdf = tmp_path / "letter.pdf"
    download.value.save_as(pdf)
    assert download.value.suggested_filename.endswith(".pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the letter's text is not read")
    text = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,  # noqa: S603
        check=True,
    ).stdout
    for expected in ("Amara Okafor", "£45.00", charge.reference):
        assert expected in text, f"{expected!r} is not in the letter:\n{text}"

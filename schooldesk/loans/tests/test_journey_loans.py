"""The device scheme in a real browser (Chromium through Playwright): a technician hands out 30 Chromebooks to
class 7B on a phone (390 × 844) by scanning their labels, as a USB scanner does (the label's text, then Enter),
watching the running count, without the page reloading; a parent signs the agreement on screen with the mouse and
the signed agreement is downloaded as a PDF; a device comes back with a photo of its condition."""

from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from schooldesk.assets.tests.factories import AssetFactory
from schooldesk.core.tests.browser import axe_violations, describe_violations, horizontal_overflow, sign_in
from schooldesk.loans.models import Agreement, Loan, LoanPhoto
from schooldesk.loans.services import loan_issue
from schooldesk.loans.tests.factories import PupilFactory, agreement_template

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_thirty_devices_handed_out_to_a_class_by_scanning_on_a_phone(cast, open_page, password, live_server):
    pupils = [PupilFactory(school=cast.school, form="7B", last_name=f"Pupil{n:02d}") for n in range(30)]
    PupilFactory(school=cast.school, form="7C")  # another class: not counted
    devices = [AssetFactory(school=cast.school, tag=f"CB-{n:03d}", type_name="Chromebook") for n in range(30)]
    page = open_page("phone")
    sign_in(page, cast.technician, password)
    page.goto("/loans/scan/")
    page.get_by_label("Class or year group").select_option(label="7B")
    page.get_by_role("button", name="Start").click()
    count = page.locator("#scan-count")
    expect(count).to_have_text("0 of 30 handed out")
    assert horizontal_overflow(page)["overflow"] <= 1, "the scanning page scrolls sideways on a phone"
    box = page.get_by_label("Scan a device's label")
    expect(box).to_be_focused()
    page.evaluate("window.sameDocument = true")  # lost if the page reloads
    for n, device in enumerate(devices, start=1):
        # the QR code holds the device's address (assets/labels.py); a scanner reading the printed tag types that
        label = f"{live_server.url}/assets/here/{device.pk}/" if n % 2 else device.tag
        page.keyboard.type(label)
        page.keyboard.press("Enter")
        expect(count).to_have_text(f"{n} of 30 handed out")
        expect(box).to_be_focused()
        expect(box).to_have_value("")
    assert page.evaluate("window.sameDocument") is True, "a scan reloaded the page"
    page.keyboard.type(devices[0].tag)  # the same label again: told, nothing changes
    page.keyboard.press("Enter")
    expect(page.locator("#scan-said")).to_contain_text("already on loan to")
    page.keyboard.type("NOT-A-LABEL")
    page.keyboard.press("Enter")
    expect(page.locator("#scan-said")).to_contain_text("is not a label of this school's register")
    expect(count).to_have_text("30 of 30 handed out")
    lent = dict(Loan.objects.open().values_list("pupil_id", "asset_id"))
    assert lent == {p.pk: d.pk for p, d in zip(pupils, devices, strict=True)}
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)


def test_a_parent_signs_on_screen_and_the_agreement_is_downloaded_and_a_return_with_a_photo(
    cast, open_page, password, tmp_path
):
    agreement_template(cast.school)
    pupil = PupilFactory(school=cast.school, first_name="Amara", last_name="Okafor", parent_name="Grace Okafor")
    loan = loan_issue(
        asset=AssetFactory(school=cast.school, tag="CB-500", serial="SN500"),
        pupil=pupil,
        due_on=timezone.localdate() + timedelta(days=200),
        by=cast.spoc,
    )
    page = open_page("desktop")
    sign_in(page, cast.spoc, password)
    page.goto(f"/loans/{loan.pk}/")
    page.get_by_role("link", name="Sign the agreement").click()
    expect(page.locator("#agreement-text")).to_contain_text("agree to look after CB-500")
    expect(page.get_by_label("Name of the person signing")).to_have_value("Grace Okafor")
    expect(page.get_by_label("Typed signature")).to_be_hidden()
    pad = page.locator("#sign-pad").bounding_box()
    page.mouse.move(pad["x"] + 30, pad["y"] + 60)
    page.mouse.down()
    for step in range(1, 30):  # a scrawl across the box
        page.mouse.move(pad["x"] + 30 + step * 12, pad["y"] + 60 + (25 if step % 2 else -25))
    page.mouse.up()
    page.get_by_label("I have read the agreement and agree to it").check()
    page.get_by_role("button", name="Sign the agreement").click()
    expect(page.locator("#agreement-signed")).to_contain_text("Signed by Grace Okafor (Parent or carer)")
    agreement = Agreement.objects.get(loan=loan)
    with Image.open(agreement.signature.path) as drawn:
        dark = sum(1 for pixel in drawn.convert("LA").getdata() if pixel[1] > 0 and pixel[0] < 100)
    assert dark > 200, "the drawn signature did not reach the server"
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the signed agreement (PDF)").click()
    pdf = tmp_path / "agreement.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 2000

    photo = tmp_path / "scratch.jpg"
    Image.new("RGB", (80, 60), (120, 120, 120)).save(photo, "JPEG")
    page.get_by_label("Condition when returned (optional)").fill("Scratch on the lid")
    page.get_by_label("Photos of its condition (optional)").set_input_files(str(photo))
    page.get_by_label("Its data has been wiped").check()
    page.get_by_role("button", name="Record the return").click()
    expect(page.locator("#returned")).to_contain_text("Scratch on the lid")
    assert LoanPhoto.objects.get(loan=loan).stage == "in"
    assert Loan.objects.get(pk=loan.pk).is_data_wiped


def test_signing_by_keyboard_with_a_typed_name(cast, open_page, password):
    agreement_template(cast.school)
    loan = loan_issue(asset=AssetFactory(school=cast.school), pupil=PupilFactory(school=cast.school), by=cast.spoc)
    page = open_page("phone")
    sign_in(page, cast.spoc, password)
    page.goto(f"/loans/{loan.pk}/agreement/")
    page.get_by_label("Name of the person signing").fill("Sam Carer")
    page.get_by_label("Type my name as my signature").check()
    page.get_by_label("Typed signature").fill("Sam Carer")
    page.get_by_label("I have read the agreement and agree to it").check()
    page.get_by_label("I have read the agreement and agree to it").press("Enter")
    expect(page.locator("#agreement-signed")).to_contain_text("Sam Carer")
    assert Agreement.objects.get(loan=loan).typed_signature == "Sam Carer"

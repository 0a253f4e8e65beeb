"""The registers' done-when journey in a real browser (Debian's Chromium through Playwright), on the demo
desk: the SPOC imports a spreadsheet of 500 devices and prints their labels; a teacher scans a label on a
phone, signs in and reports a fault on that device; the licence compliance page shows the demo school's
over- and under-licensed products.

Uses the browser fixtures (`open_page`, with `browser` and `live_server`) of schooldesk/core/tests/conftest.py,
borrowed by this folder's conftest.py until they move to schooldesk/conftest.py.
Screenshots (and the label sheet as PNG) land in test-artifacts/screenshots/ for people to look at."""

import io
import re
import shutil
import subprocess
from datetime import date

import pytest
from django.core.management import call_command
from openpyxl import Workbook
from playwright.sync_api import expect

from schooldesk.accounts.models import User
from schooldesk.assets.models import Asset
from schooldesk.core.tests.browser import (
    SCREENSHOTS,
    axe_violations,
    describe_violations,
    horizontal_overflow,
    nav_to,
    screenshot,
    sign_in,
)
from schooldesk.demo.schools import DEMO_PASSWORD
from schooldesk.incidents.models import Incident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOMS = ["ICT suite", "Library", "Hall", "Mrs Brown's class (Year 2)", "Year 5 classroom", "Forest school cabin"]
KINDS = [
    ("Chromebook", "Acer", "Chromebook 511"),
    ("Tablet", "Apple", 'iPad 10.2"'),
    ("Laptop", "Lenovo", "ThinkPad E14"),
    ("Interactive panel or whiteboard", "Promethean", "ActivPanel 9"),
    ("Desktop", "Dell", "OptiPlex 3000"),
]


def spreadsheet(path, rows: int = 500):
    """A school's own register as it keeps it: its own headings, British dates, £ costs, one new room."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Devices"
    sheet.append(
        [
            "Asset No",
            "Device type",
            "Manufacturer",
            "Model",
            "Serial Number",
            "Room",
            "Status",
            "Purchase date",
            "Cost",
            "Warranty expiry",
            "Notes",
        ]
    )
    for n in range(1, rows + 1):
        kind, make, model = KINDS[n % len(KINDS)]
        sheet.append(
            [
                f"JRN-{n:04d}",
                kind,
                make,
                model,
                f"JSN{n:07d}",
                ROOMS[n % len(ROOMS)],
                "Spare" if n % 50 == 0 else "In use",
                date(2024, 9, 1),
                "£289.00",
                "31/08/2027",
                "From the 2024 bid" if n % 7 == 0 else "",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def no_serious_axe_violations(page, where: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"{where}:\n{describe_violations(violations)}"


@pytest.fixture
def demo_desk(db):
    call_command("demo_seed", incidents=20, stdout=io.StringIO())
    return User.objects.get(username="oakfield.spoc"), User.objects.get(username="oakfield.reporter")


def test_import_print_labels_report_from_a_phone_and_see_compliance(demo_desk, open_page, tmp_path):
    spoc_user, teacher_user = demo_desk

    # The SPOC imports the school's spreadsheet of 500 devices.
    spoc = open_page("desktop")
    sign_in(spoc, spoc_user, DEMO_PASSWORD)
    nav_to(spoc, "Records", "Asset register")
    expect(spoc.get_by_role("heading", level=1)).to_have_text("Asset register")
    spoc.get_by_role("link", name="Import a spreadsheet").click()
    upload = spreadsheet(tmp_path / "oakfield-devices.xlsx")
    spoc.get_by_label("Spreadsheet (.xlsx or .csv)").set_input_files(str(upload))
    spoc.get_by_role("button", name="Upload and continue").click()
    expect(spoc.get_by_role("heading", level=1)).to_have_text("Import “oakfield-devices.xlsx”")
    expect(spoc.get_by_label("Asset tag")).to_have_value("Asset No")
    expect(spoc.get_by_label("Location")).to_have_value("Room")
    spoc.get_by_role("button", name="Check every row").click()
    expect(spoc.get_by_role("status")).to_contain_text("All 500 assets are ready to import")
    new_names = spoc.get_by_role("region", name="Names in the file that the school does not have yet")
    expect(new_names).to_contain_text("Forest school cabin")
    no_serious_axe_violations(spoc, "import check page")
    screenshot(spoc, "assets-01-spoc-import-checked-desktop.png")
    spoc.get_by_label("Add the new locations, types and suppliers listed above").check()
    spoc.get_by_role("button", name="Import 500 assets").click()
    expect(spoc.get_by_role("status")).to_have_text("500 assets imported from oakfield-devices.xlsx.")
    assert Asset.objects.filter(tag__startswith="JRN-").count() == 500

    # Labels for the first page of them: a PDF download of A4 sheets.
    spoc.goto("/assets/?q=JRN-&ordering=tag")
    expect(spoc.get_by_text("500 assets")).to_be_visible()
    for n in range(1, 22):
        spoc.get_by_label(f"Select JRN-{n:04d}", exact=True).check()
    no_serious_axe_violations(spoc, "asset list")
    screenshot(spoc, "assets-02-spoc-register-ticked-desktop.png")
    with spoc.expect_download() as download:
        spoc.get_by_role("button", name="Print labels (PDF)").click()
    assert download.value.suggested_filename == "asset-labels.pdf"
    pdf = tmp_path / "asset-labels.pdf"
    download.value.save_as(str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftoppm"):  # poppler-utils: the sheet as an image, for people to look at
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "80",
                "-png",
                "-singlefile",
                str(pdf),  # noqa: S603, S607
                str(SCREENSHOTS / "assets-03-label-sheet"),
            ],
            check=True,
        )
    device = Asset.objects.get(tag="JRN-0003")  # Interactive panel in Mrs Brown's class (Year 2)

    # A teacher scans the device's label with a phone: sign in, then the form with the device filled in.
    teacher = open_page("phone")
    teacher.goto(f"/assets/here/{device.pk}/")
    expect(teacher).to_have_url(re.compile(r"/accounts/login/\?next="))
    teacher.get_by_label("Username").fill(teacher_user.username)
    teacher.get_by_label("Password").fill(DEMO_PASSWORD)
    teacher.get_by_role("button", name="Sign in", exact=True).click()
    expect(teacher.get_by_role("heading", level=1)).to_have_text("Report a problem")
    expect(teacher.get_by_label("Where?")).to_have_value(str(device.location_id))
    expect(teacher.get_by_label("Which device? (optional)")).to_have_value(str(device.pk))
    expect(teacher.get_by_label("Which device? (optional)").locator("option:checked")).to_have_text(
        "JRN-0003 – Interactive panel or whiteboard, Promethean ActivPanel 9"
    )
    teacher.get_by_label("What is wrong?").fill("The panel has no sound")
    teacher.get_by_label("Where and when can you be found?").fill("Year 2 classroom all day")
    assert horizontal_overflow(teacher)["overflow"] <= 1
    no_serious_axe_violations(teacher, "report form on a phone")
    screenshot(teacher, "assets-04-teacher-report-from-label-phone.png")
    teacher.get_by_role("button", name="Send to the service desk").click()
    expect(teacher.get_by_role("status")).to_contain_text("Thank you. Your call is INC-")
    expect(teacher.get_by_text("JRN-0003 Interactive panel or whiteboard, Promethean ActivPanel 9")).to_be_visible()
    screenshot(teacher, "assets-05-teacher-call-logged-phone.png")
    call = Incident.objects.get(summary="The panel has no sound")
    assert (call.asset, call.location, call.channel) == (device, device.location, "qr")

    # The SPOC sees the call on the device's page.
    spoc.goto(f"/assets/{device.pk}/")
    calls = spoc.get_by_role("region", name=re.compile("^Calls about this device"))
    expect(calls).to_contain_text("The panel has no sound")
    expect(calls).to_contain_text("1 in all, 1 in the last 90 days, 1 still open.")
    no_serious_axe_violations(spoc, "asset page")
    screenshot(spoc, "assets-06-spoc-device-page-desktop.png")

    # The licence compliance page: the demo school's over- and under-licensed products, worst first.
    nav_to(spoc, "Records", "Licences")
    spoc.get_by_role("link", name="Compliance").click()
    expect(spoc.get_by_role("heading", level=1)).to_have_text("Licence compliance")
    table = spoc.get_by_role("region", name="Licences, most urgent first")
    expect(table.get_by_role("row", name=re.compile("Purple Mash"))).to_contain_text("Under-licensed by 28")
    expect(table.get_by_role("row", name=re.compile("Times Tables Rock Stars"))).to_contain_text(
        "Over-licensed: 12 unused"
    )
    expect(spoc.locator("#summary-under")).to_contain_text("3")
    expect(spoc.locator("#summary-over")).to_contain_text("3")
    no_serious_axe_violations(spoc, "compliance page")
    screenshot(spoc, "assets-07-spoc-licence-compliance-desktop.png")

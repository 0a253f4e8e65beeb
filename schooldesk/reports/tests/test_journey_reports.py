"""The done-when journey in a real browser: on the demo desk the ICT owner opens their dashboard, produces the
autumn-term service report (charts drawn by Chart.js) and downloads the PDF for the governors. The PDF's pages
are turned into images (poppler's pdftoppm) in test-artifacts/reports/ for people to look at."""

import re
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from schooldesk.core.tests.browser import (
    SCREENSHOTS,
    assert_assets_loaded,
    axe_violations,
    describe_violations,
    horizontal_overflow,
    screenshot,
    sign_in,
)
from schooldesk.demo.schools import DEMO_PASSWORD
from schooldesk.schools.models import School, Term

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = SCREENSHOTS.parent / "reports"


def ink(png) -> float:
    """The share of a page image that is not white: a blank page is 0."""
    from PIL import Image

    with Image.open(png) as image:
        grey = image.convert("L").resize((200, 280))
        return sum(grey.histogram()[:230]) / (200 * 280)


def test_the_owner_takes_the_autumn_term_report_to_the_governors(open_page, django_user_model):
    call_command("demo_seed", incidents=150, verbosity=0)
    oakfield = School.objects.get(short_name="Oakfield")
    autumn = (
        Term.objects.filter(school=oakfield, name__startswith="Autumn", starts_on__lte=timezone.localdate())
        .order_by("-starts_on")
        .first()
    )
    owner = django_user_model.objects.get(username="oakfield.owner")

    page = open_page("desktop")
    sign_in(page, owner, DEMO_PASSWORD)
    assert_assets_loaded(page)
    page.get_by_role("link", name="Open my dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard: ICT owner")
    expect(page.get_by_role("heading", name=re.compile(r"^Service levels this term"))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"^Spend this financial year against budget"))).to_be_visible()
    expect(page.get_by_role("heading", name="Contracts and renewals")).to_be_visible()
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    screenshot(page, "reports-01-owner-dashboard.png")

    for url in (
        "/reports/dashboards/desk/",
        "/reports/dashboards/governors/",
        "/budgets/",
        f"/budgets/{oakfield.pk}/",
    ):  # the other pages the owner reaches from here
        page.goto(url)
        violations = axe_violations(page)
        assert not violations, f"{url}: {describe_violations(violations)}"
    page.goto("/reports/dashboards/owner/")
    page.get_by_role("link", name="Service report", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Service report")
    page.get_by_label("Period").select_option(label=autumn.name)
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", level=2, name=f"Summary: {autumn.name}")).to_be_visible()
    summary = page.get_by_role("region", name=f"Summary: {autumn.name}")
    expect(summary).to_contain_text("faults and requests to the ICT service desk")

    # Chart.js drew every chart, with the same figures as the tables beside them.
    page.wait_for_function("() => [...document.querySelectorAll('figure[data-chart]')].every(f => f.chart)")
    charts = page.evaluate("""() => [...document.querySelectorAll('figure[data-chart]')].map(f => ({
        id: f.querySelector('canvas').id, labels: f.chart.data.labels,
        data: f.chart.data.datasets.map(d => d.data), width: f.querySelector('canvas').width,
        label: f.querySelector('canvas').getAttribute('aria-label')}))""")
    by_id = {c["id"]: c for c in charts}
    assert {"chart-priority", "chart-targets", "chart-category", "chart-level", "chart-spend"} <= set(by_id)
    assert by_id["chart-priority"]["labels"] == ["P1", "P2", "P3", "P4", "P5"]
    table = page.locator("#table-priority tbody tr")
    this_term = [int(table.nth(n).locator("td").first.inner_text().replace(",", "")) for n in range(5)]
    assert by_id["chart-priority"]["data"][0] == this_term
    assert all(c["width"] > 200 and c["label"] for c in charts)
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    screenshot(page, "reports-02-autumn-service-report.png")

    # The PDF for the governors.
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the PDF for governors").click()
    download = info.value
    assert download.suggested_filename == f"service-report-oakfield-{autumn.name.lower().replace(' ', '-')}.pdf"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / download.suggested_filename
    download.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    pdftoppm, pdftotext = shutil.which("pdftoppm"), shutil.which("pdftotext")  # poppler-utils
    if pdftoppm and pdftotext:
        for old in ARTIFACTS.glob("page-*.png"):
            old.unlink()
        subprocess.run([pdftoppm, "-r", "80", "-png", str(pdf), str(ARTIFACTS / "page")], check=True)  # noqa: S603
        pages = sorted(ARTIFACTS.glob("page-*.png"))
        assert len(pages) >= 4 and all(ink(p) > 0.01 for p in pages), [ink(p) for p in pages]
        text = subprocess.run(
            [pdftotext, "-layout", str(pdf), "-"],
            capture_output=True,
            check=True,  # noqa: S603
            text=True,
        ).stdout
        first = text.split("\f")[0]
        for words in ("ICT service report", "Oakfield Primary School", autumn.name, "Summary", "calls logged"):
            assert words in first, words
        assert "Calls by priority" in text and "Budget against committed spend" in text

    # Governors read it on their phones too: no sideways scrolling.
    phone = open_page("phone")
    sign_in(phone, owner, DEMO_PASSWORD)
    phone.goto(page.url)
    expect(phone.get_by_role("heading", level=2, name=f"Summary: {autumn.name}")).to_be_visible()
    sizes = horizontal_overflow(phone)
    assert sizes["overflow"] <= 1, sizes
    screenshot(phone, "reports-03-service-report-phone.png")

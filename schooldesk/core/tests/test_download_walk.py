"""Every download a page offers opens, for each of a school's own people.

The walk builds school A's world from the same per-app `tests/tenancy.py` modules as the tenancy walk, then,
as each role of a small cast (the one-school reporter, SPOC, technician, provider, owner, viewer and DPO, a
person with roles in two schools, an LA-wide owner), GETs every page of the URL configuration, finds on each
the downloads it offers (schooldesk/core/tests/downloads.py over pages.py: export links, report downloads, label sheets,
calendar feeds, attachments, and the forms whose button downloads, submitted as rendered) and follows them.
Each must answer 200 with the right content type and open. Every failure is collected, then reported at once.

DOWNLOADS names every route that serves a download: each must be reached from a page by some role, and a
route that answered with a download but is not named fails the walk, so a new download is walked too."""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import FileField
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from schooldesk.accounts.models import Membership
from schooldesk.accounts.tests.factories import UserFactory
from schooldesk.core.tests import downloads
from schooldesk.core.tests.test_tenancy import (  # noqa: F401
    ALLAUTH_PREFIXES,
    PUBLIC_PREFIXES,
    SKIPPED_PREFIXES,
    fill,
    oak_world,
    routes,
)
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

#: the routes that serve downloads, and what they serve
DOWNLOADS = {
    "assets:asset_export": "the asset register as CSV and Excel",
    "assets:asset_labels": "one asset's label sheet (PDF)",
    "assets:asset_bulk": "the ticked assets' label sheet (PDF)",
    "assets:location_labels": "room labels (PDF)",
    "licences:licence_export": "the licence list as CSV and Excel",
    "licences:proof_download": "a licence's proof of purchase",
    "suppliers:document_download": "a contract's document",
    "incidents:attachment_download": "a call's attachment",
    "mail:inbound_original": "an email as received (.eml)",
    "diary:feed_ics": "a person's diary as an iCalendar feed",
    "diary:payment_list": "the payments as CSV and Excel",
    "reports:incident_report": "the incident report as CSV",
    "reports:service_report": "the service report as PDF, a workbook, and each table as CSV and XLSX",
    "changes:change_report": "the change report as CSV",
    "problems:problem_report": "the problem report as CSV",
    "reports:audit_trail": "the audit trail as CSV and Excel",
    "standards:standards_list": "the DfE standards matrix as a PDF for governors and Excel",
    "standards:review": "the annual IT support review as a PDF for governors",
    "standards:evidence_download": "a scheduled check's evidence file",
    "standards:statement_file": "a statement's attachment",
    "safeguarding:breach_log": "the school's breach log as CSV and Excel (the DPO, the ICT owner)",
    "assets:replacement_forecast": "the replacement forecast as CSV and Excel",
    "privacy:request_pack": "a subject access pack as PDF and as a ZIP of JSON, CSV and attachments",
    "people_export": "the People list as CSV, in the staff-list import's columns",
    "loans:loan_export": "the device loan reports (who has what, overdue, out of support) as CSV",
    "loans:photo_download": "a photo of a lent device's condition",
    "loans:agreement_pdf": "a signed loan agreement as PDF",
    "loans:agreement_scan": "the scanned paper copy of a signed loan agreement",
    "loans:charge_letter": "a charge's letter to parents (PDF; the SPOC and the ICT owner)",
    "loans:charge_export": "the charges for the payment system as CSV (the SPOC and the ICT owner)",
    "loans:charge_photo": "a photo of a charge's damage",
}
COVERAGE = Path(settings.BASE_DIR) / "test-artifacts" / "download-walk.txt"


class DownloadWalk:
    """Follows what pages offer, as one role after another, and remembers every failure and what it reached."""

    def __init__(self, *, declared, uploads: frozenset[str]):
        self.declared = declared
        self.uploads = uploads
        self.failures: list[str] = []
        self.reached: dict[str, set[str]] = defaultdict(set)  # route name -> roles that downloaded from it
        self.pdfs = 0
        self.opened: set[tuple] = set()  # (method, address, data) opened by some role

    def as_role(self, role: str, client: Client, pages: list[str]) -> None:
        seen: set[tuple] = set()  # what this role has fetched: (method, address, data)
        offered: list[downloads.Offer] = []
        for page in pages:
            response = client.get(page)
            if downloads.is_download(response):  # a page that is itself a file: it must open, and be declared
                self.check(role, downloads.Offer("GET", page, what="a route of the URL configuration"), response)
            elif response.status_code == 200 and "html" in downloads.content_type(response):
                seen.add(("GET", page, ()))
                offered += downloads.offers(response.content.decode(), page, self.declared)
        kinds: set[tuple] = set()
        for offer in offered:
            if (offer.method, offer.url, offer.data) not in seen:
                seen.add((offer.method, offer.url, offer.data))
                self.follow(role, client, offer, kinds)

    def follow(self, role: str, client: Client, offer: downloads.Offer, kinds: set[tuple]) -> None:
        """Open what is offered, unless another role has opened this very address and this role has already
        opened one of its kind (route, format, parameter names): the service report's forty tables are built
        once, not once per role, yet every role opens every kind of download its pages offer it."""
        kind = offer.kind()
        if (offer.method, offer.url, offer.data) in self.opened and kind in kinds:
            return
        self.opened.add((offer.method, offer.url, offer.data))
        kinds.add(kind)
        if offer.method == "GET":
            response = client.get(offer.url)
        else:
            response = client.post(offer.url, dict_of(offer.data))
        if offer.retry_ticked and response.status_code in (302, 303) and not downloads.is_download(response):
            # "Tick the assets whose labels you want": a person ticks one and presses the button again
            return self.follow(role, client, offer.retry_ticked, kinds)
        if downloads.is_download(response) or offer.promised or response.status_code >= 400:
            self.check(role, offer, response, reached=True)  # a link to a page may redirect, never fail

    def check(self, role: str, offer: downloads.Offer, response, *, reached: bool = False) -> None:
        name = downloads.route_name(offer.url)
        body = downloads.body_of(response)
        if downloads.is_download(response):
            if reached:
                self.reached[name].add(role)
            if downloads.content_type(response) == downloads.CONTENT_TYPES["pdf"]:
                self.pdfs += 1
            if name not in self.declared:
                self.fail(role, offer, f"served a download from {name}, which DOWNLOADS does not name: add it")
        elif response.status_code == 200:
            self.fail(role, offer, f"promised a download but answered a {downloads.content_type(response)} page")
            return
        wrong = downloads.problem(
            response, body, kind=downloads.expected_kind(offer.url, offer.data), uploads=self.uploads
        )
        if wrong:
            self.fail(role, offer, wrong)

    def fail(self, role: str, offer: downloads.Offer, what: str) -> None:
        self.failures.append(f"{role}: {offer.describe()}: {what}")

    def coverage_failures(self) -> list[str]:
        never = sorted(set(self.declared) - set(self.reached))
        return [f"{name} ({self.declared[name]}) was never reached from a page by any role" for name in never]

    def covered(self) -> str:
        return "\n".join(
            f"{name}: {', '.join(sorted(self.reached.get(name, ()))) or 'NOT REACHED'}"
            for name in sorted(self.declared)
        )


def dict_of(pairs) -> dict[str, list[str]]:
    data = defaultdict(list)
    for key, value in pairs:
        data[key].append(value)
    return dict(data)


def stored_uploads(world: dict) -> frozenset[str]:
    """The digest of every file the world's objects hold (attachments, documents, proofs, emails, imports)."""
    found = set()
    for obj in world.values():
        for model_field in obj._meta.concrete_fields:
            stored = getattr(obj, model_field.name) if isinstance(model_field, FileField) else None
            if stored:
                with stored.open("rb") as file:
                    found.add(downloads.digest(file.read()))
    return frozenset(found)


@pytest.fixture
def files_world(oak_world, cast):  # noqa: F811 - the tenancy walk's fixture, imported above
    """The tenancy walk's school A (`oak_world`: every app's tests/tenancy.py, an incident attachment, a contract
    document, a proof of purchase, an email, payments, diary entries…) with a restricted call whose attachment the
    DPO downloads, a second school of the same LA, and the cast of nine; and the pages to walk beyond the routes
    the tenancy world fills (the restricted call's)."""
    screenshot = SimpleUploadedFile("screenshot.pdf", b"%PDF-1.4 a screenshot", content_type="application/pdf")
    restricted = IncidentFactory(
        school=cast.school,
        by=cast.reporter,
        summary="A pupil's records were emailed out",
        is_restricted=True,
        files=[screenshot],
    )
    oak_world[0]["restricted_attachment"] = restricted.attachments.get()
    ash = SchoolFactory(organisation=cast.school.organisation, name="Ash Primary School")
    two_schools = UserFactory(username="oak-ash-two-schools")
    Membership.objects.create(user=two_schools, school=cast.school, role="spoc")
    Membership.objects.create(user=two_schools, school=ash, role="owner")
    la_owner = UserFactory(username="council-owner")
    Membership.objects.create(user=la_owner, organisation=cast.school.organisation, role="owner")
    people = {
        role: getattr(cast, role) for role in ("reporter", "spoc", "technician", "provider", "owner", "viewer", "dpo")
    }
    people |= {"two-schools (SPOC of A, owner of B)": two_schools, "LA-wide owner": la_owner}
    restricted_page = reverse("incidents:incident_detail", args=[restricted.pk])  # where the DPO meets a download
    return oak_world, people, [restricted_page]


def test_every_download_a_page_offers_opens_for_every_role(files_world, record_property):
    world, people, more_pages = files_world
    skipped = SKIPPED_PREFIXES + PUBLIC_PREFIXES + ALLAUTH_PREFIXES + ("api/",)  # allauth's: a person's own sign-in
    pages = [fill(route, world) for route in routes(skipped)] + more_pages
    walk = DownloadWalk(declared=DOWNLOADS, uploads=stored_uploads(world[0]))
    for role, user in people.items():
        client = Client(raise_request_exception=False)  # a 500 is a failure to report, with the others
        client.force_login(user)
        walk.as_role(role, client, pages)
    covered = walk.covered()
    COVERAGE.parent.mkdir(parents=True, exist_ok=True)
    COVERAGE.write_text(covered + "\n")
    record_property("download_walk", covered)
    print("Downloads reached, by route and role:\n" + covered)
    failures = walk.failures + walk.coverage_failures()
    assert not failures, f"{len(failures)} downloads broken or never reached:\n" + "\n".join(failures)
    if downloads.PDFINFO is None:
        reason = f"pdfinfo is not installed (poppler-utils, `make system-deps`): {walk.pdfs} PDFs were not opened"
        if os.environ.get("SCHOOLDESK_REQUIRE_BROWSER"):
            pytest.fail(f"{reason}, and SCHOOLDESK_REQUIRE_BROWSER is set", pytrace=False)
        pytest.skip(reason)


# --- the walk can fail ------------------------------------------------------------------------------------------
def served(body: bytes, content_type: str, status: int = 200, **headers) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


UPLOADED = b"%PDF-1.4 a scanned invoice"
BROKEN = [
    ("/x/?format=csv", served(b"", "text/csv", Content_Disposition="attachment"), "the CSV has no header row"),
    ("/x/?format=csv", served(b"a,b\n1,2\n3\n", "text/csv"), "line 3 of the CSV has 1 cells, its header 2"),
    ("/x/?format=csv", served(b"<html>oops</html>", "text/html", status=400), "answered 400"),
    ("/x/?format=csv", served(b"<p>a page</p>", "text/html"), "promised a download but answered a text/html page"),
    ("/x/?format=xlsx", served(b"not a zip", downloads.XLSX), "the xlsx does not open: BadZipFile"),
    ("/x/?format=xlsx", served(b"a,b\n", "text/csv"), "asked for xlsx but served as text/csv"),
    ("/x/?format=pdf", served(b"<html>", "application/pdf"), "not a PDF (no %PDF- header)"),
    ("/x/feed.ics", served(b"BEGIN:VEVENT\r\nEND:VEVENT\r\n", "text/calendar"), "not a VCALENDAR"),
    ("/x/?format=ics", served(b"garbage", "text/calendar"), "the ics does not open"),
    ("/x/?format=zip", served(b"not a zip", "application/zip"), "the zip does not open: BadZipFile"),
    (
        "/x/file/",
        served(b"other bytes", downloads.UPLOAD, Content_Disposition="attachment; filename=a.pdf"),
        "none of the files uploaded",
    ),
    ("/x/file/", served(UPLOADED, downloads.UPLOAD, Content_Disposition="inline"), "not served as an attachment"),
    ("/x/file/", served(b"{}", "application/json", Content_Disposition="attachment"), "served as application/json"),
]


@pytest.mark.parametrize("url,response,wrong", BROKEN, ids=[wrong for _u, _r, wrong in BROKEN])
def test_the_walk_reports_a_download_that_does_not_open(url, response, wrong):
    walk = DownloadWalk(declared={None: "the test's own address"}, uploads=frozenset({downloads.digest(UPLOADED)}))
    walk.check("spoc", downloads.Offer("GET", url, promised=True, what="a link on /x/"), response, reached=True)
    assert len(walk.failures) == 1 and walk.failures[0].startswith(f"spoc: GET {url} (a link on /x/): ")
    assert wrong in walk.failures[0]


def test_the_walk_opens_what_is_whole():
    walk = DownloadWalk(declared={None: "the test's own address"}, uploads=frozenset({downloads.digest(UPLOADED)}))
    for url, response in [
        ("/x/?format=csv", served(b"\xef\xbb\xbfA,B\n1,2\n", "text/csv; charset=utf-8")),
        (
            "/x/a.ics",
            served(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nEND:VCALENDAR\r\n", "text/calendar; charset=utf-8"),
        ),
        ("/x/file/", served(UPLOADED, downloads.UPLOAD, Content_Disposition="attachment")),
    ]:
        walk.check("spoc", downloads.Offer("GET", url, promised=True), response, reached=True)
    assert walk.failures == []


@pytest.mark.skipif(downloads.PDFINFO is None, reason="pdfinfo is not installed (poppler-utils)")
def test_a_pdf_that_pdfinfo_cannot_read_is_reported():
    walk = DownloadWalk(declared={None: "the test's own address"}, uploads=frozenset())
    walk.check(
        "viewer",
        downloads.Offer("GET", "/x/?format=pdf"),
        served(b"%PDF-1.4 truncated", "application/pdf"),
        reached=True,
    )
    assert len(walk.failures) == 1 and "pdfinfo cannot read it" in walk.failures[0]


def test_the_walk_fails_for_an_undeclared_download_and_a_declared_one_never_offered(cast):
    """The asset list offers its export, which this walk was not told of; the feed it was told of is not offered."""
    walk = DownloadWalk(declared={"diary:feed_ics": "a person's diary"}, uploads=frozenset())
    client = Client()
    client.force_login(cast.spoc)
    walk.as_role("spoc", client, ["/assets/"])
    assert any(
        "served a download from assets:asset_export, which DOWNLOADS does not name" in f for f in walk.failures
    ), walk.failures
    assert walk.coverage_failures() == ["diary:feed_ics (a person's diary) was never reached from a page by any role"]
    assert "assets:asset_export" not in walk.covered() and "diary:feed_ics: NOT REACHED" in walk.covered()


def test_a_file_link_that_fails_is_reported_though_its_words_promise_nothing(cast):
    """An attachment's link says only its file name: if it answers 404, the walk says so."""
    walk = DownloadWalk(declared=DOWNLOADS, uploads=frozenset())
    client = Client()
    client.force_login(cast.spoc)
    offer = downloads.Offer("GET", "/incidents/999999/attachments/1/", what='link "photo.png" on /incidents/1/')
    walk.follow("spoc", client, offer, set())
    assert walk.failures == [f"spoc: GET {offer.url} ({offer.what}): answered 404"]


def test_a_form_is_submitted_as_rendered_with_the_button_pressed():
    html = """<form method="get" action="/reports/x/?old=1" novalidate>
      <input name="start" value="2026-09-01"><input type="date" name="end" value="">
      <select name="school"><option value="">All my schools</option><option value="7" selected>Oak</option></select>
      <select name="period"><option value="term:1">Autumn</option><option value="term:2">Spring</option></select>
      <input type="checkbox" name="room" value="1"><input type="checkbox" name="late" value="yes" checked>
      <input type="file" name="upload"><input name="off" value="x" disabled>
      <button type="submit">Show</button><button type="submit" name="format" value="csv">Download CSV</button>
    </form>
    <form method="post" id="bulk" action="/assets/bulk/">
      <button name="action" value="labels">Print labels (PDF)</button></form>
    <input type="checkbox" name="asset" value="4" form="bulk"><input type="checkbox" name="asset" value="5" form="bulk">
    <a href="webcal://testserver/diary/feed/1/abc.ics">Subscribe</a><a href="https://elsewhere/a.pdf">PDF</a>
    <a href="/incidents/">Calls</a><a href="?format=xlsx&amp;table=t" download>XLSX</a>"""
    found = downloads.offers(html, "/reports/x/", declared={})
    assert [(o.method, o.url, o.data) for o in found] == [
        ("GET", "/diary/feed/1/abc.ics", ()),
        ("GET", "/reports/x/?format=xlsx&table=t", ()),
        ("GET", "/reports/x/?start=2026-09-01&end=&school=7&period=term%3A1&late=yes&format=csv", ()),
        ("POST", "/assets/bulk/", (("action", "labels"),)),
    ]
    assert found[3].retry_ticked.data == (("asset", "4"), ("action", "labels"))  # a person ticks the first box
    assert found[2].retry_ticked.url.endswith("room=1&late=yes&format=csv")
    assert all(o.promised for o in found)

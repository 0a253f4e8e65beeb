"""The download walk's eyes and hands (schooldesk/core/tests/test_download_walk.py): what a page offers as a
download (links and the forms whose button downloads, read by schooldesk/core/tests/pages.py), how a person
submits such a form as rendered, and whether what comes back opens: CSV with the csv module, XLSX with openpyxl,
PDF with poppler's `pdfinfo`, iCalendar with the `icalendar` package, and an uploaded file as the very bytes that
were uploaded."""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from django.urls import Resolver404, resolve

from schooldesk.core.tests.pages import Control, Form, read_page, sent

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: what each kind of download is served as
CONTENT_TYPES = {
    "csv": "text/csv",
    "xlsx": XLSX,
    "pdf": "application/pdf",
    "ics": "text/calendar",
    "zip": "application/zip",
}
#: uploads (attachments, contract documents, proofs of purchase, original emails) are only ever served as this
UPLOAD = "application/octet-stream"
#: a link or button saying one of these promises a download
DOWNLOAD_WORDS = re.compile(r"\b(download|csv|xlsx|excel|pdf|ics|icalendar)\b", re.IGNORECASE)
#: path segments of the addresses that serve files
DOWNLOAD_PATHS = re.compile(r"/(export|attachments|documents|proof|original|labels)/|\.ics$")
HOST = "testserver"
PDFINFO = shutil.which("pdfinfo")


@dataclass(frozen=True)
class Offer:
    """One download a page offers: a link to follow or a form to submit (with the button pressed)."""

    method: str
    url: str
    data: tuple[tuple[str, str], ...] = ()
    promised: bool = False  # its words, `download` attribute or `format=` promise a file, not a page
    what: str = ""
    retry_ticked: Offer | None = None  # the same form with the first box of each group ticked

    def kind(self) -> tuple:
        """Its route, what it asks for and the names it sends: the service report's tables are one kind."""
        params = frozenset(k for k, _v in [*parse_qsl(urlsplit(self.url).query), *self.data])
        return self.method, route_name(self.url), expected_kind(self.url, self.data), params

    def describe(self) -> str:
        sent = f" with {dict(self.data)}" if self.data else ""
        return f"{self.method} {self.url}{sent} ({self.what})"


def local(href: str, page: str) -> str | None:
    """The address (path and query) of a link on this site, or None for another site, a fragment or a script."""
    href = href.strip()
    if href.startswith("webcal://"):  # "Subscribe on this device": the calendar app fetches it over HTTP
        href = "http://" + href.removeprefix("webcal://")
    parts = urlsplit(urljoin(f"http://{HOST}{page}", href))
    if parts.scheme not in ("http", "https") or parts.netloc != HOST or not href or href.startswith("#"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def route_name(url: str) -> str | None:
    return _route_name(urlsplit(url).path)


@functools.lru_cache(maxsize=4096)
def _route_name(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def expected_kind(url: str, data=()) -> str | None:
    """What the address asks for: `format=csv|xlsx|pdf|ics`, or a calendar feed ending in .ics."""
    params = dict(parse_qsl(urlsplit(url).query)) | dict(data)
    if params.get("format") in CONTENT_TYPES:
        return params["format"]
    return "ics" if urlsplit(url).path.endswith(".ics") else None


def offers(html: str, page: str, declared) -> list[Offer]:
    """The downloads a page offers: links that promise one (by their words, a `download` attribute, `format=`,
    a file-serving path) or that lead to a route `declared` as serving downloads, and forms with a button that
    promises one, submitted as rendered with that button's name and value."""
    page_read = read_page(html, page)
    found = []
    for link in page_read.links:
        url = local(link.href, page)
        if url is None:
            continue
        text = " ".join(link.text.split())
        promised = bool(
            link.download or DOWNLOAD_WORDS.search(text) or expected_kind(url) or link.href.startswith("webcal:")
        )
        if promised or DOWNLOAD_PATHS.search(urlsplit(url).path) or route_name(url) in declared:
            found.append(Offer("GET", url, promised=promised, what=f'link "{text}" on {page}'))
    for form in page_read.forms:
        for button in form.buttons:
            text = " ".join(button.text.split())
            if DOWNLOAD_WORDS.search(text) or button.name == "format":
                found.append(
                    submitted(form, button, page, what=f'button "{text}" of a {form.method.upper()} form on {page}')
                )
    return found


def submitted(form: Form, button: Control, page: str, *, what: str) -> Offer:
    """The form sent as rendered with `button` pressed; and, if it has boxes none of which is ticked, as sent by
    a person who ticks the first of each (for when the page answers "tick the assets whose labels you want")."""
    action = local(form.action, page) or page

    def as_sent(data, retry=None, what=what):
        if form.method == "get":  # the browser replaces the action's query with the form's fields
            query = urlencode(data)
            return Offer(
                "GET",
                action.split("?")[0] + (f"?{query}" if query else ""),
                promised=True,
                what=what,
                retry_ticked=retry,
            )
        return Offer("POST", action, tuple(data), promised=True, what=what, retry_ticked=retry)

    as_rendered, ticked = sent(form, button)[0], sent(form, button, tick_first=True)[0]
    return as_sent(as_rendered, as_sent(ticked, what=f"{what}, first boxes ticked") if ticked != as_rendered else None)


# --- does it open? ----------------------------------------------------------------------------------------------
def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content


def content_type(response) -> str:
    return response.get("Content-Type", "").split(";")[0].strip().lower()


def is_download(response) -> bool:
    return response.status_code == 200 and (
        response.has_header("Content-Disposition") or content_type(response) in (*CONTENT_TYPES.values(), UPLOAD)
    )


def errors_shown(html: str) -> str:
    """The field errors a page shows, for a failure's message."""
    found = re.findall(r'class="[^"]*(?:invalid-feedback|errorlist)[^"]*"[^>]*>(.*?)</', html, re.DOTALL)
    return "; ".join(" ".join(re.sub(r"<[^>]+>", " ", f).split()) for f in found)[:300]


def problem(response, body: bytes, *, kind: str | None, uploads: frozenset[str]) -> str | None:
    """What is wrong with the answer to a download, or None if it is a file that opens."""
    if response.status_code != 200:
        where = f" to {response['Location']}" if response.status_code in (301, 302, 303) else ""
        shown = errors_shown(body.decode("utf-8", "replace")) if "html" in content_type(response) else ""
        return f"answered {response.status_code}{where}" + (f": {shown}" if shown else "")
    served = content_type(response)
    if served == UPLOAD:
        if not response.get("Content-Disposition", "").startswith("attachment"):
            return "an uploaded file not served as an attachment"
        if hashlib.sha256(body).hexdigest() not in uploads:
            return f"an uploaded file whose {len(body)} bytes are none of the files uploaded"
        return None
    if kind is None:
        kind = next((k for k, t in CONTENT_TYPES.items() if t == served), None)
    if kind is None:
        return f"served as {served or 'nothing'}, not as a CSV, XLSX, PDF, iCalendar or uploaded file"
    if served != CONTENT_TYPES[kind]:
        return f"asked for {kind} but served as {served or 'nothing'}"
    try:
        return OPENERS[kind](body)
    except Exception as exc:  # noqa: BLE001 - whatever the library raised is what a person would meet
        return f"the {kind} does not open: {type(exc).__name__}: {exc}"


def _csv(body: bytes) -> str | None:
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    if not rows or not any(cell.strip() for cell in rows[0]):
        return "the CSV has no header row"
    ragged = next((n for n, row in enumerate(rows[1:], start=2) if len(row) != len(rows[0])), None)
    if ragged:
        return f"line {ragged} of the CSV has {len(rows[ragged - 1])} cells, its header {len(rows[0])}"
    return None


def _xlsx(body: bytes) -> str | None:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(body), read_only=True)
    for sheet in book.worksheets:
        first = next(sheet.iter_rows(max_row=1, values_only=True), ())
        if not any(value not in (None, "") for value in first):
            return f"the sheet {sheet.title!r} has no header row"
    return None if book.worksheets else "the workbook has no sheets"


def _pdf(body: bytes) -> str | None:
    if not body.startswith(b"%PDF-"):
        return "not a PDF (no %PDF- header)"
    if PDFINFO is None:
        return None  # the walk skips, saying so, once everything else has passed
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(body)
        file.flush()
        run = subprocess.run([PDFINFO, file.name], capture_output=True, text=True, check=False)  # noqa: S603
    pages = re.search(r"^Pages:\s+(\d+)", run.stdout, re.MULTILINE)
    if run.returncode or not pages or int(pages.group(1)) < 1:
        return f"pdfinfo cannot read it: {(run.stderr or run.stdout).strip()[:200]}"
    return None


def _ics(body: bytes) -> str | None:
    from icalendar import Calendar

    calendar = Calendar.from_ical(body)
    return None if calendar.name == "VCALENDAR" else f"the calendar is a {calendar.name}, not a VCALENDAR"


def _zip(body: bytes) -> str | None:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        if not archive.namelist():
            return "the ZIP is empty"
        broken = archive.testzip()
    return f"the ZIP's {broken} is damaged" if broken else None


OPENERS = {"csv": _csv, "xlsx": _xlsx, "pdf": _pdf, "ics": _ics, "zip": _zip}


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()

"""The download walk's eyes and hands (schooldesk/core/tests/test_download_walk.py): what a page offers as a
download (links and the forms whose button downloads), how a person submits such a form as rendered, and
whether what comes back opens: CSV with the csv module, XLSX with openpyxl, PDF with poppler's `pdfinfo`,
iCalendar with the `icalendar` package, and an uploaded file as the very bytes that were uploaded."""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from django.urls import Resolver404, resolve

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: what each kind of download is served as
CONTENT_TYPES = {"csv": "text/csv", "xlsx": XLSX, "pdf": "application/pdf", "ics": "text/calendar"}
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


@dataclass
class _Form:
    method: str
    action: str
    id: str
    fields: list[dict] = field(default_factory=list)
    buttons: list[dict] = field(default_factory=list)


class PageParser(HTMLParser):
    """Links (href, text, `download`) and forms (fields as rendered, submit buttons) of one page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[dict] = []
        self.forms: list[_Form] = []
        self._form: _Form | None = None
        self._text: list[dict] = []  # the open <a>, <button>, <textarea> or <option> gathering its text
        self._select: dict | None = None
        self._outside: list[tuple[str, dict]] = []  # fields with form="id" outside their form

    def _field(self, item: dict, owner: str | None) -> None:
        if owner:
            self._outside.append((owner, item))
        elif self._form is not None:
            self._form.fields.append(item)

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        owner = a.get("form")
        if tag == "a" and "href" in a:
            link = {"href": a["href"], "text": "", "download": "download" in a}
            self.links.append(link)
            self._text.append(link)
        elif tag == "form":
            self._form = _Form(method=a.get("method", "get").upper(), action=a.get("action", ""), id=a.get("id", ""))
            self.forms.append(self._form)
        elif tag == "button" and a.get("type", "submit") == "submit":
            button = {"name": a.get("name", ""), "value": a.get("value", ""), "text": "", "owner": owner}
            self._text.append(button)
            if self._form is not None and not owner:
                self._form.buttons.append(button)
        elif tag == "input" and "disabled" not in a:
            kind = a.get("type", "text").lower()
            if kind == "submit":
                if self._form is not None:
                    self._form.buttons.append({"name": a.get("name", ""), "value": a.get("value", ""),
                                               "text": a.get("value", "")})
            elif kind not in ("file", "button", "reset", "image") and a.get("name"):
                self._field({"name": a["name"], "value": a.get("value", "on" if kind in ("checkbox", "radio") else ""),
                             "kind": kind, "checked": "checked" in a}, owner)
        elif tag == "select" and "disabled" not in a and a.get("name"):
            self._select = {"name": a["name"], "kind": "select", "options": [], "multiple": "multiple" in a}
            self._field(self._select, owner)
        elif tag == "option" and self._select is not None:
            option = {"value": a.get("value"), "selected": "selected" in a, "text": ""}
            self._select["options"].append(option)
            self._text.append(option)
        elif tag == "textarea" and "disabled" not in a and a.get("name"):
            area = {"name": a["name"], "kind": "textarea", "text": ""}
            self._field(area, owner)
            self._text.append(area)

    def handle_endtag(self, tag):
        if tag in ("a", "button", "option", "textarea") and self._text:
            self._text.pop()
        elif tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        for item in self._text:
            item["text"] += data

    def close(self):
        super().close()
        by_id = {form.id: form for form in self.forms if form.id}
        for owner, item in self._outside:
            if owner in by_id:
                by_id[owner].fields.append(item)


def form_data(form: _Form, *, tick_first: bool = False) -> list[tuple[str, str]]:
    """What the browser sends for this form as the page rendered it (a person's first ticks if asked)."""
    data, ticked = [], set()
    for item in form.fields:
        if item["kind"] == "select":
            chosen = [o for o in item["options"] if o["selected"]] or item["options"][:0 if item["multiple"] else 1]
            data += [(item["name"], o["value"] if o["value"] is not None else o["text"].strip()) for o in chosen]
        elif item["kind"] == "textarea":
            data.append((item["name"], item["text"].removeprefix("\n")))
        elif item["kind"] in ("checkbox", "radio"):
            if item["checked"] or (tick_first and item["name"] not in ticked
                                   and not any(f.get("checked") and f["name"] == item["name"] for f in form.fields)):
                data.append((item["name"], item["value"]))
                ticked.add(item["name"])
        else:
            data.append((item["name"], item["value"]))
    return data


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
    parser = PageParser()
    parser.feed(html)
    parser.close()
    found = []
    for link in parser.links:
        url = local(link["href"], page)
        if url is None:
            continue
        text = " ".join(link["text"].split())
        promised = bool(link["download"] or DOWNLOAD_WORDS.search(text) or expected_kind(url)
                        or link["href"].startswith("webcal:"))
        if promised or DOWNLOAD_PATHS.search(urlsplit(url).path) or route_name(url) in declared:
            found.append(Offer("GET", url, promised=promised, what=f'link "{text}" on {page}'))
    for form in parser.forms:
        for button in form.buttons:
            text = " ".join(button["text"].split())
            if DOWNLOAD_WORDS.search(text) or button["name"] == "format":
                found.append(submitted(form, button, page, what=f'button "{text}" of a {form.method} form on {page}'))
    return found


def submitted(form: _Form, button: dict, page: str, *, what: str) -> Offer:
    """The form sent as rendered with `button` pressed; and, if it has boxes none of which is ticked, as sent by
    a person who ticks the first of each (for when the page answers "tick the assets whose labels you want")."""
    action = local(form.action or page, page) or page
    press = [(button["name"], button["value"])] if button["name"] else []

    def sent(data, retry=None, what=what):
        if form.method == "GET":  # the browser replaces the action's query with the form's fields
            query = urlencode(data)
            return Offer("GET", action.split("?")[0] + (f"?{query}" if query else ""), promised=True, what=what,
                         retry_ticked=retry)
        return Offer("POST", action, tuple(data), promised=True, what=what, retry_ticked=retry)

    as_rendered, ticked = form_data(form) + press, form_data(form, tick_first=True) + press
    return sent(as_rendered, sent(ticked, what=f"{what}, first boxes ticked") if ticked != as_rendered else None)


# --- does it open? ----------------------------------------------------------------------------------------------
def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content


def content_type(response) -> str:
    return response.get("Content-Type", "").split(";")[0].strip().lower()


def is_download(response) -> bool:
    return response.status_code == 200 and (
        response.has_header("Content-Disposition") or content_type(response) in (*CONTENT_TYPES.values(), UPLOAD))


def errors_shown(html: str) -> str:
    """The field errors a page shows, for a failure's message."""
    found = re.findall(r'class="[^"]*(?:invalid-feedback|errorlist)[^"]*"[^>]*>(.*?)</',
                       html, re.DOTALL)
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


OPENERS = {"csv": _csv, "xlsx": _xlsx, "pdf": _pdf, "ics": _ics}


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()

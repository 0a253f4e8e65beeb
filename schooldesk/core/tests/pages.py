"""Read a page as a browser does: its forms (action, method, enctype, the fields as rendered, hidden ones and
those outside the form with form="id" included, disabled ones left out, the submit buttons with their words)
and its links (href, words, `download`); and say what a browser sends for a form with a given button pressed.

The one reader of the page walks: the form walk (`test_form_walk.py`) fills the required fields a page left
empty, the download walk (`downloads.py`) sends a form as rendered and, for "tick the ones you want", as a
person who ticks the first box of each group."""

import datetime
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

#: what a person types into a required field the page left empty, by the input's type ("Walk <name>" otherwise)
TEXT_VALUES = {
    "email": "walk@example.org",
    "url": "https://example.org/walk",
    "number": "1",
    "tel": "01234 567890",
    "date": lambda: datetime.date.today().isoformat(),
    "time": "10:00",
    "datetime-local": lambda: datetime.datetime.now().strftime("%Y-%m-%dT%H:%M"),
    "month": lambda: datetime.date.today().strftime("%Y-%m"),
    "password": "Walk-password-2026",
}
NOT_SENT = {"submit", "button", "reset", "image"}  # input types that are never a field


@dataclass
class Control:
    """A field (input, select, textarea) or a submit button (`kind` "submit", `text` its words)."""

    tag: str
    name: str
    kind: str = "text"  # the input's type, "select", "textarea", "submit"
    value: str = ""
    required: bool = False
    checked: bool = False
    options: list[tuple[str, bool]] = field(default_factory=list)  # (value, selected) of a select
    multiple: bool = False
    text: str = ""  # a button's words


@dataclass
class Form:
    action: str  # resolved against the page: the form's action, else its hx-post, else the page
    method: str  # "get" or "post"
    enctype: str = ""
    id: str = ""
    controls: list[Control] = field(default_factory=list)
    buttons: list[Control] = field(default_factory=list)
    hx_only: bool = False  # posted by htmx (hx-post) with no action of its own

    def describe(self) -> str:
        return f"{self.method.upper()} {self.action} ({', '.join(c.name for c in self.controls)})"


@dataclass
class Link:
    href: str
    text: str = ""
    download: bool = False


@dataclass
class _Text:
    """An open element gathering its words: a link, a button, an option or a textarea."""

    tag: str
    item: object
    words: list[str] = field(default_factory=list)


class PageParser(HTMLParser):
    """The forms and links of one page; call `close()` before reading them."""

    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self.links: list[Link] = []
        self._form: Form | None = None
        self._select: Control | None = None
        self._open: list[_Text] = []
        self._outside: list[tuple[str, Control]] = []  # fields and buttons with form="id", placed on close

    def _add(self, control: Control, a: dict) -> None:
        if a.get("form"):
            self._outside.append((a["form"], control))
        elif self._form is not None:
            (self._form.buttons if control.kind == "submit" else self._form.controls).append(control)

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        disabled = "disabled" in a
        if tag == "a" and "href" in a:
            link = Link(a["href"], download="download" in a)
            self.links.append(link)
            self._open.append(_Text(tag, link))
        elif tag == "form":
            action = a.get("action") or a.get("hx-post") or self.page_url
            method = (a.get("method") or ("post" if a.get("hx-post") else "get")).lower()
            self._form = Form(
                urljoin(self.page_url, action),
                method,
                a.get("enctype", ""),
                a.get("id", ""),
                hx_only="action" not in a and "hx-post" in a,
            )
            self.forms.append(self._form)
        elif tag == "button":
            if a.get("type", "submit").lower() == "submit":
                button = Control("button", a.get("name", ""), "submit", a.get("value", ""))
                self._add(button, a)
                self._open.append(_Text(tag, button))
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind == "submit":
                self._add(Control("input", a.get("name", ""), "submit", a.get("value", ""), text=a.get("value", "")), a)
            elif kind not in NOT_SENT and a.get("name") and not disabled:
                value = a.get("value", "on" if kind in ("checkbox", "radio") else "")
                self._add(Control("input", a["name"], kind, value, "required" in a, "checked" in a), a)
        elif tag == "select":
            self._select = Control(
                "select", a.get("name", ""), "select", required="required" in a, multiple="multiple" in a
            )
            if a.get("name") and not disabled:
                self._add(self._select, a)
        elif tag == "option" and self._select is not None:
            self._open.append(_Text(tag, [a.get("value"), "selected" in a]))
        elif tag == "textarea":
            area = Control("textarea", a.get("name", ""), "textarea", "", "required" in a)
            if a.get("name") and not disabled:
                self._add(area, a)
            self._open.append(_Text(tag, area))

    def handle_data(self, data):
        for item in self._open:
            item.words.append(data)

    def handle_endtag(self, tag):
        if self._open and self._open[-1].tag == tag:
            done = self._open.pop()
            words = "".join(done.words)
            if tag == "option" and self._select is not None:
                value, selected = done.item
                self._select.options.append((words.strip() if value is None else value, selected))
            elif tag == "textarea":
                done.item.value = words.removeprefix("\n")
            else:
                done.item.text = words
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._form = None

    def close(self):
        super().close()
        by_id = {form.id: form for form in self.forms if form.id}
        for form_id, control in self._outside:
            if form_id in by_id:
                (by_id[form_id].buttons if control.kind == "submit" else by_id[form_id].controls).append(control)


def read_page(html: str, page_url: str) -> PageParser:
    """The page read: its `forms` and `links`."""
    parser = PageParser(page_url)
    parser.feed(html)
    parser.close()
    return parser


def offered(client, page: str) -> tuple[int, set[str]]:
    """The page's status and what it offers: each link's path and each posted form's action (as paths)."""
    response = client.get(page)
    if response.status_code != 200:
        return response.status_code, set()
    read = read_page(response.content.decode(), page)
    return 200, {urlsplit(link.href).path for link in read.links} | {
        urlsplit(form.action).path for form in read.forms if form.method == "post"
    }


def forms_in(html: str, page_url: str) -> list[Form]:
    return read_page(html, page_url).forms


def sent(
    form: Form,
    button: Control | None = None,
    *,
    fill: bool = False,
    tick_first: bool = False,
    files: dict | None = None,
) -> tuple[list[tuple[str, object]], list[str]]:
    """What a browser sends for `form` with `button` pressed: (name, value) pairs in the page's order, and the
    names of the fields a person had to fill or tick.

    As rendered, unless a person: `fill`s the required fields the page left empty (text a person would type,
    the first real option, the first radio, the box ticked), ticks the first box of each group of checkboxes
    or radios none of which is ticked (`tick_first`), or chooses the file `files[name]()` for a file input."""
    data: list[tuple[str, object]] = []
    touched: list[str] = []
    checked = {c.name for c in form.controls if c.kind in ("checkbox", "radio") and c.checked}
    required_radios = {c.name for c in form.controls if c.kind == "radio" and c.required}
    ticked: set[str] = set()  # groups with a box sent
    for control in form.controls:
        name, kind = control.name, control.kind
        if kind in ("checkbox", "radio"):
            if control.checked:
                if kind == "checkbox" or name not in ticked:
                    data.append((name, control.value))
                ticked.add(name)
            elif (
                fill
                and kind == "checkbox"
                and control.required  # a required box must be ticked itself
                or name not in checked
                and name not in ticked
                and (tick_first or fill and kind == "radio" and name in required_radios)
            ):
                data.append((name, control.value))
                ticked.add(name)
                touched.append(name)
        elif kind == "file":
            if (files or {}).get(name) is not None:
                data.append((name, files[name]()))
                touched.append(name)
        elif kind == "select":
            chosen = [value for value, selected in control.options if selected]
            if not chosen and not control.multiple and control.options:
                chosen = [control.options[0][0]]  # a browser sends the first option of a plain drop-down
            if fill and control.required and not any(chosen):
                chosen = [value for value, _selected in control.options if value][:1]
                touched.append(name)
            data += [(name, value) for value in chosen]
        else:  # hidden, text-like inputs and textareas
            value = control.value
            if fill and control.required and not value and kind != "hidden":
                default = TEXT_VALUES.get(kind, f"Walk {name}")
                value = default() if callable(default) else default
                touched.append(name)
            data.append((name, value))
    if button is not None and button.name:
        data.append((button.name, button.value))
    return data, touched


def filled(form: Form, button: Control | None, files: dict | None = None) -> tuple[dict, list[str]]:
    """What a browser sends for `form` once a person has filled the required fields it left empty, as the test
    client takes it (a name's one value, or its list of values), and the names of the fields the walk filled."""
    pairs, touched = sent(form, button, fill=True, files=files)
    data: dict[str, list] = {}
    for name, value in pairs:
        data.setdefault(name, []).append(value)
    return {k: v if len(v) != 1 else v[0] for k, v in data.items()}, touched


def upload(name: str, content: bytes, content_type: str):
    return lambda: SimpleUploadedFile(name, content, content_type=content_type)


def path_of(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.path, parts.query


def rendered_form(client, page: str, action: str) -> tuple[str, dict]:
    """GET `page` and read the post form whose action ends with `action`: (its path, what a browser sends for it as
    rendered, required fields filled as the walk fills them). Tests change a value and post it as a person would."""
    response = client.get(page)
    assert response.status_code == 200, (page, response.status_code)
    html = response.content.decode()
    found = [f for f in forms_in(html, page) if f.method == "post" and path_of(f.action)[0].endswith(action)]
    assert found, f"{page} offers no form posting to …{action}"
    form = found[0]
    data, _touched = filled(form, form.buttons[0] if form.buttons else None)
    return path_of(form.action)[0], data


def policy_of(response) -> dict[str, list[str]]:
    """The response's Content-Security-Policy as {directive: [sources]}."""
    directives = {}
    for part in response.get("Content-Security-Policy", "").split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def policy_fault(response) -> str | None:
    """Why an HTML answer's Content-Security-Policy falls short of the desk's (docs/decisions/0015): it must allow
    only the desk's own scripts (no inline script, no foreign origin) and no plugins. None when it does, or when the
    answer is not HTML. Every HTML answer a test receives is checked with it (schooldesk/conftest.py)."""
    if "html" not in response.get("Content-Type", ""):
        return None
    policy = policy_of(response)
    script = policy.get("script-src", policy.get("default-src"))
    if script != ["'self'"] or policy.get("default-src") != ["'self'"] or policy.get("object-src") != ["'none'"]:
        return (
            f"Content-Security-Policy {response.get('Content-Security-Policy')!r} does not forbid inline and "
            "foreign script"
        )
    return None


def header_faults(response, what: str) -> list[str]:
    """What a signed-in person's answer lacks (docs/decisions/0015): an HTML page a Content-Security-Policy that
    allows only the desk's own scripts (no inline script, no foreign origin), every answer `Cache-Control: no-store`.
    The walks call it on every answer they read, so no page can go without."""
    faults = []
    if fault := policy_fault(response):
        faults.append(f"{what}: {fault}")
    if "no-store" not in response.get("Cache-Control", ""):
        faults.append(f"{what}: Cache-Control {response.get('Cache-Control')!r} lets a cache keep it (no no-store)")
    return faults


def count_queries(client, url: str) -> int:
    """The queries a page makes once it has been seen: the second of two requests (the drop-downs' options are
    read once and kept, core/choice_cache.py; the first request after a change reads them again)."""
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)

"""Read the forms out of a page as a browser would, fill them as a person would, and submit them.

Used by the form walk (`test_form_walk.py`): what is posted is what the page gave, plus values for the
visible required fields that the page left empty; nothing the page did not render."""

import datetime
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.core.files.uploadedfile import SimpleUploadedFile

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
NOT_SENT = {"submit", "button", "reset", "image"}


@dataclass
class Control:
    tag: str
    name: str
    kind: str = "text"  # the input's type, "select", "textarea"
    value: str = ""
    required: bool = False
    checked: bool = False
    options: list[tuple[str, bool]] = field(default_factory=list)  # (value, selected) of a select
    multiple: bool = False
    label: str = ""


@dataclass
class Form:
    action: str
    method: str
    enctype: str
    controls: list[Control] = field(default_factory=list)
    buttons: list[Control] = field(default_factory=list)
    hx_only: bool = False

    def describe(self) -> str:
        return f"{self.method.upper()} {self.action} ({', '.join(c.name for c in self.controls)})"


class FormParser(HTMLParser):
    """Every <form> of a page with its controls (inside it, or outside it with form="id")."""

    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self.by_id: dict[str, Form] = {}
        self.current: Form | None = None
        self.select: Control | None = None
        self.option: list | None = None
        self.textarea: Control | None = None
        self.orphans: list[tuple[str, Control, bool]] = []

    def _add(self, control: Control, attrs: dict, button: bool = False):
        target = self.by_id.get(attrs.get("form")) if attrs.get("form") else self.current
        if target is None and attrs.get("form"):
            self.orphans.append((attrs["form"], control, button))
            return
        if target is not None:
            (target.buttons if button else target.controls).append(control)

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            action = a.get("action") or a.get("hx-post") or self.page_url
            method = (a.get("method") or ("post" if a.get("hx-post") else "get")).lower()
            self.current = Form(action=urljoin(self.page_url, action), method=method,
                                enctype=a.get("enctype", ""), hx_only="action" not in a and "hx-post" in a)
            self.forms.append(self.current)
            if a.get("id"):
                self.by_id[a["id"]] = self.current
        elif tag == "input":
            kind = a.get("type", "text").lower()
            control = Control("input", a.get("name", ""), kind, a.get("value", "on" if kind in ("checkbox", "radio")
                                                                      else ""),
                              "required" in a, "checked" in a)
            if a.get("name") or kind in NOT_SENT:
                self._add(control, a, button=kind in NOT_SENT)
        elif tag == "button":
            if a.get("type", "submit").lower() == "submit":
                self._add(Control("button", a.get("name", ""), "submit", a.get("value", "")), a, button=True)
        elif tag == "select":
            self.select = Control("select", a.get("name", ""), "select", required="required" in a,
                                  multiple="multiple" in a)
            if a.get("name"):
                self._add(self.select, a)
        elif tag == "option" and self.select is not None:
            self.option = [a.get("value"), "selected" in a, ""]
        elif tag == "textarea":
            self.textarea = Control("textarea", a.get("name", ""), "textarea", "", "required" in a)
            if a.get("name"):
                self._add(self.textarea, a)

    def handle_data(self, data):
        if self.option is not None:
            self.option[2] += data
        elif self.textarea is not None:
            self.textarea.value += data

    def handle_endtag(self, tag):
        if tag == "option" and self.option is not None and self.select is not None:
            value, selected, text = self.option
            self.select.options.append((text.strip() if value is None else value, selected))
            self.option = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            if self.textarea is not None and self.textarea.value.startswith("\n"):
                self.textarea.value = self.textarea.value[1:]
            self.textarea = None
        elif tag == "form":
            self.current = None

    def close(self):
        super().close()
        for form_id, control, button in self.orphans:
            if form_id in self.by_id:
                (self.by_id[form_id].buttons if button else self.by_id[form_id].controls).append(control)


def forms_in(html: str, page_url: str) -> list[Form]:
    parser = FormParser(page_url)
    parser.feed(html)
    parser.close()
    return parser.forms


def filled(form: Form, button: Control | None, files: dict | None = None) -> tuple[dict, list[str]]:
    """What a browser sends for `form` once a person has filled the required fields it left empty.

    Returns the data (values are lists, files are uploads) and the names of the fields the walk filled."""
    data: dict[str, list] = {}
    touched: list[str] = []
    radios: dict[str, list[Control]] = {}
    for control in form.controls:
        name = control.name
        if control.kind == "hidden":
            data.setdefault(name, []).append(control.value)
        elif control.kind == "radio":
            radios.setdefault(name, []).append(control)
        elif control.kind == "checkbox":
            if control.checked or control.required:
                data.setdefault(name, []).append(control.value)
                if not control.checked:
                    touched.append(name)
        elif control.kind == "file":
            upload = (files or {}).get(name)
            if upload is not None:
                data[name] = [upload()]
                touched.append(name)
        elif control.kind == "select":
            chosen = [value for value, selected in control.options if selected]
            if not chosen and not control.multiple and control.options:
                chosen = [control.options[0][0]]  # a browser sends the first option of a plain drop-down
            if control.required and not any(chosen):
                real = [value for value, _selected in control.options if value]
                chosen = real[:1]
                touched.append(name)
            data[name] = [value for value in chosen if value or not control.multiple]
        else:  # text-like inputs and textareas
            value = control.value
            if control.required and not value:
                default = TEXT_VALUES.get(control.kind, f"Walk {name}")
                value = default() if callable(default) else default
                touched.append(name)
            data.setdefault(name, []).append(value)
    for name, group in radios.items():
        checked = [c for c in group if c.checked]
        if checked:
            data[name] = [checked[0].value]
        elif any(c.required for c in group):
            data[name] = [group[0].value]
            touched.append(name)
    if button is not None and button.name:
        data.setdefault(button.name, []).append(button.value)
    return {k: v if len(v) != 1 else v[0] for k, v in data.items()}, touched


def upload(name: str, content: bytes, content_type: str):
    return lambda: SimpleUploadedFile(name, content, content_type=content_type)


def path_of(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.path, parts.query

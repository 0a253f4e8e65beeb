"""The hot fragments, three ways, in one process: CPU time to render the call table's 25 rows and a 500-option
drop-down with (a) Python format strings (the code before decision 0038), (b) a Django template, (c) a Jinja2
template. `.venv/bin/python -m bench.fragments` (no database: the calls are built in memory, as the rows'
selector would hand them over). Figures: docs/decisions/0038-hot-fragments.md."""

import os
import sys
import time
from datetime import timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django import forms  # noqa: E402
from django.forms.renderers import TemplatesSetting  # noqa: E402
from django.template import Context, engines  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.translation import override  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "400"))

from django.contrib.auth.decorators import login_not_required  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import include, path  # noqa: E402

urlpatterns = [path("bare/", login_not_required(lambda request: HttpResponse("ok"))), path("", include("config.urls"))]


def calls(n=25):
    from schooldesk.accounts.models import User
    from schooldesk.incidents.models import Incident
    from schooldesk.locations.models import Location
    from schooldesk.schools.models import School
    from schooldesk.suppliers.models import Supplier

    now = timezone.now()
    school = School(pk=1, name="Riverside Academy")
    tech = User(pk=2, username="t", first_name="Tom", last_name="O'Tech")
    supplier = Supplier(pk=3, name="Broadband & Co")
    room = Location(pk=4, name="ICT suite", school=school)
    statuses = ["new", "open", "waiting_supplier", "resolved", "first_level"]
    out = []
    for k in range(n):
        out.append(
            Incident(
                pk=1000 + k,
                school=school,
                summary=f'Projector <{k}> won\'t "start" & more' if k % 5 == 0 else f"Printer jam in room {k}",
                is_restricted=k % 7 == 0,
                priority=f"P{1 + k % 5}",
                status=statuses[k % 5],
                location=room if k % 2 else None,
                device="Room 4 <PC>" if k % 3 == 0 else "",
                supplier=supplier if k % 4 == 1 else None,
                assigned_to=tech if k % 4 == 2 else None,
                for_next_visit=k % 4 == 3,
                logged_at=now - timedelta(hours=k),
                response_due_at=now + timedelta(hours=k - 5),
                resolve_due_at=now + timedelta(hours=3 * k - 5),
                responded_at=now if k % 2 else None,
                sla_paused_at=now if statuses[k % 5] == "waiting_supplier" else None,
            )
        )
    return out


DJANGO_ROWS = """{% load i18n %}{% translate "Call" as w_call %}{% translate "Priority" as w_priority %}\
{% translate "Status" as w_status %}{% translate "Where" as w_where %}{% translate "With" as w_with %}\
{% translate "SLA" as w_sla %}{% translate "Logged" as w_logged %}{% translate "Next visit" as w_next_visit %}\
{% translate "Desk" as w_desk %}{% translate "Restricted" as w_restricted %}{% url "incidents:incident_list" as base %}\
{% for i in rows %}  <tr>
    <td data-label="{{ w_call }}"><a href="{{ base }}{{ i.pk }}/">{{ i.reference }}</a> {{ i.summary }}\
{% if i.is_restricted %} <span class="badge text-bg-dark">{{ w_restricted }}</span>{% endif %}\
{% if many_schools %}<div class="small text-body-secondary">{{ i.school.name }}</div>{% endif %}</td>
    <td data-label="{{ w_priority }}"><span class="badge badge-priority badge-priority-{{ i.priority }}">\
{{ i.priority }}</span></td>
    <td data-label="{{ w_status }}">{{ i.status|status_label }}</td>
    <td data-label="{{ w_where }}">{% if i.location_id %}{{ i.location.name }}{% endif %}\
{% if i.device %}<div class="small text-body-secondary">{{ i.device }}</div>{% endif %}</td>
    <td data-label="{{ w_with }}">{% if i.supplier_id %}{{ i.supplier.name }}{% elif i.assigned_to_id %}\
{{ i.assigned_to }}{% elif i.for_next_visit %}{{ w_next_visit }}{% else %}{{ w_desk }}{% endif %}</td>
    <td data-label="{{ w_sla }}">{% with state=i|sla_state:now %}{% if state %}\
<span class="badge badge-sla-{{ state }}">{{ state|sla_label }}</span>\
{% if state != "paused" and i.next_due_at %} <span class="small">{% if i.responded_at %}resolution{% else %}response\
{% endif %} due {{ i.next_due_at|date:"d/m/Y H:i" }}</span>{% endif %}{% else %}–{% endif %}{% endwith %}</td>
    <td data-label="{{ w_logged }}">{{ i.logged_at|date:"d/m/Y H:i" }}</td>
  </tr>
{% endfor %}"""

JINJA_ROWS = """{% set w_call, w_priority, w_status, w_where, w_with, w_sla, w_logged = _("Call"), _("Priority"), \
_("Status"), _("Where"), _("With"), _("SLA"), _("Logged") -%}
{% set w_next_visit, w_desk, w_restricted = _("Next visit"), _("Desk"), _("Restricted") -%}
{% set base = url("incidents:incident_list") -%}
{% for i in rows %}  <tr>
    <td data-label="{{ w_call }}"><a href="{{ base }}{{ i.pk }}/">{{ i.reference }}</a> {{ i.summary }}\
{% if i.is_restricted %} <span class="badge text-bg-dark">{{ w_restricted }}</span>{% endif %}\
{% if many_schools %}<div class="small text-body-secondary">{{ i.school.name }}</div>{% endif %}</td>
    <td data-label="{{ w_priority }}"><span class="badge badge-priority badge-priority-{{ i.priority }}">\
{{ i.priority }}</span></td>
    <td data-label="{{ w_status }}">{{ i.status|status_label }}</td>
    <td data-label="{{ w_where }}">{% if i.location_id %}{{ i.location.name }}{% endif %}\
{% if i.device %}<div class="small text-body-secondary">{{ i.device }}</div>{% endif %}</td>
    <td data-label="{{ w_with }}">{% if i.supplier_id %}{{ i.supplier.name }}{% elif i.assigned_to_id %}\
{{ i.assigned_to }}{% elif i.for_next_visit %}{{ w_next_visit }}{% else %}{{ w_desk }}{% endif %}</td>
    <td data-label="{{ w_sla }}">{% set state = i.sla_state(now) %}{% if state %}\
<span class="badge badge-sla-{{ state }}">{{ state|sla_label }}</span>\
{% if state != "paused" and i.next_due_at %} <span class="small">{{ "resolution" if i.responded_at else "response" }}\
 due {{ i.next_due_at|when }}</span>{% endif %}{% else %}–{% endif %}</td>
    <td data-label="{{ w_logged }}">{{ i.logged_at|when }}</td>
  </tr>
{% endfor %}"""

DJANGO_SELECT = """<select name="{{ widget.name }}"{% for name, value in widget.attrs.items %}\
{% if value is not False %} {{ name }}{% if value is not True %}="{{ value|stringformat:'s' }}"{% endif %}{% endif %}\
{% endfor %}>{% for group_name, group_choices, group_index in widget.optgroups %}{% if group_name %}
  <optgroup label="{{ group_name }}">{% endif %}{% for option in group_choices %}
  <option value="{{ option.value|stringformat:'s' }}"{% for name, value in option.attrs.items %}\
{% if value is not False %} {{ name }}{% if value is not True %}="{{ value|stringformat:'s' }}"{% endif %}{% endif %}\
{% endfor %}>{{ option.label }}</option>
{% endfor %}{% if group_name %}
  </optgroup>{% endif %}{% endfor %}
</select>"""

JINJA_SELECT = """<select name="{{ widget.name }}"{% for name, value in widget.attrs.items() %}\
{% if value is not false %} {{ name }}{% if value is not true %}="{{ value }}"{% endif %}{% endif %}{% endfor %}>\
{% for group_name, group_choices, group_index in widget.optgroups %}{% if group_name %}
  <optgroup label="{{ group_name|localize }}">{% endif %}{% for option in group_choices %}
  <option value="{{ option.value }}"{% for name, value in option.attrs.items() %}{% if value is not false %} {{ name }}\
{% if value is not true %}="{{ value }}"{% endif %}{% endif %}{% endfor %}>{{ option.label|localize }}</option>
{% endfor %}{% if group_name %}
  </optgroup>{% endif %}{% endfor %}
</select>"""


def sla_label(state):  # the words of every choice translated once per language, as the Python rows did
    from django.utils.translation import get_language

    from schooldesk.incidents.tables import sla_words

    return sla_words(get_language())[state]


def status_label(status):
    from django.utils.translation import get_language

    from schooldesk.incidents.tables import status_words

    return status_words(get_language()).get(status, status)


def jinja_env():
    from html import escape

    from django.urls import reverse
    from django.utils.formats import localize
    from django.utils.translation import gettext, ngettext
    from jinja2 import Environment
    from markupsafe import Markup

    def finalize(value):  # Django's entities (&quot; &#x27;), not markupsafe's (&#34; &#39;)
        return value if hasattr(value, "__html__") else Markup(escape(str(value)))  # noqa: S704 - escaped

    env = Environment(autoescape=True, extensions=["jinja2.ext.i18n"], finalize=finalize)  # noqa: S701
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    env.globals["url"] = lambda name, *args: reverse(name, args=args)
    env.filters["when"] = lambda moment: timezone.localtime(moment).strftime("%d/%m/%Y %H:%M")
    env.filters["localize"] = localize
    env.filters["sla_label"] = sla_label
    env.filters["status_label"] = status_label
    return env


def timed(label, fn, repeat=REPEAT):
    fn()
    best = []
    for _round in range(5):
        start = time.process_time()
        for _n in range(repeat):
            fn()
        best.append((time.process_time() - start) / repeat)
    us = min(best) * 1e6
    print(f"{label:<58} {us:9.1f} µs")
    return us


def variants():
    """label -> (render, repetitions per round, language): every way to draw the same fragment."""
    from django.template import Library

    from schooldesk.core.forms import DeskFormRenderer
    from schooldesk.core.forms import select_html as desk_select
    from schooldesk.incidents.templatetags.desk import call_rows as desk_rows

    from .fragments_python import call_rows, select_html

    now = timezone.now()
    rows = calls()

    lib = Library()
    lib.filter("sla_state", lambda i, now: i.sla_state(now))
    lib.filter("sla_label", sla_label)
    lib.filter("status_label", status_label)
    django_engine = engines["django"].engine
    django_engine.template_builtins.append(lib)
    django_rows = django_engine.from_string(DJANGO_ROWS)
    env = jinja_env()
    jinja_rows = env.from_string(JINJA_ROWS)

    context = {"rows": rows, "now": now, "nav": {"school_count": 1}, "many_schools": False}
    python_html = call_rows(Context(context), rows)
    django_html = django_rows.render(Context(context))
    jinja_html = jinja_rows.render(context)
    print(f"25 call rows (same HTML as the Python rows: Django {python_html == django_html}, ", end="")
    print(f"Jinja2 {python_html == jinja_html}, the desk's tag {python_html == desk_rows(Context(context), rows)})")

    class Big(forms.Form):
        room = forms.ChoiceField(choices=[("", "Any room")] + [(n, f"Room {n} & <annexe>") for n in range(1, 500)])

    widget = Big()["room"].field.widget
    ctx = widget.get_context("room", "42", {"id": "id_room", "class": "form-select"})
    django_select = django_engine.from_string(DJANGO_SELECT)
    jinja_select = env.from_string(JINJA_SELECT)
    reference = TemplatesSetting.render(DeskFormRenderer(), widget.template_name, ctx)
    same = (
        select_html(ctx["widget"]) == reference,
        django_select.render(Context(ctx)) == reference,
        jinja_select.render(ctx) == reference,
        desk_select(ctx["widget"]) == reference,
    )
    print(
        f"a 500-option drop-down (same HTML as Django's widget templates: Python, Django, Jinja2, the desk's = {same})"
    )

    from django.test import Client

    client = Client()
    found = {}
    for lang in ("en-gb", "cy"):
        found[f"rows [{lang}] (a) Python format strings (call_rows)"] = (
            lambda: call_rows(Context(context), rows),
            REPEAT,
            lang,
        )
        found[f"rows [{lang}] (b) Django template"] = (lambda: django_rows.render(Context(context)), REPEAT // 4, lang)
        found[f"rows [{lang}] (c) Jinja2 template"] = (lambda: jinja_rows.render(context), REPEAT, lang)
        found[f"rows [{lang}] (d) the desk's call_rows tag (Jinja2 fragment)"] = (
            lambda: desk_rows(Context(context), rows),
            REPEAT,
            lang,
        )
    found["select (a) Python format strings (select_html)"] = (lambda: select_html(ctx["widget"]), REPEAT // 4, "en-gb")
    found["select (b1) Django's widget templates (an include per option)"] = (
        lambda: TemplatesSetting.render(DeskFormRenderer(), widget.template_name, ctx),
        REPEAT // 20,
        "en-gb",
    )
    found["select (b2) one Django template (the options inlined)"] = (
        lambda: django_select.render(Context(ctx)),
        REPEAT // 20,
        "en-gb",
    )
    found["select (c) Jinja2 template"] = (lambda: jinja_select.render(ctx), REPEAT // 4, "en-gb")
    found["select (d) the desk's select_html (Jinja2 fragment)"] = (
        lambda: desk_select(ctx["widget"]),
        REPEAT // 4,
        "en-gb",
    )
    found["select: building the widget's context (get_context)"] = (
        lambda: widget.get_context("room", "42", {}),
        REPEAT // 4,
        "en-gb",
    )
    found["floor: a bare Django view through every middleware (test client)"] = (
        lambda: client.get("/bare/"),
        REPEAT // 4,
        "en-gb",
    )
    return found


def main():
    """No argument: every variant, timed with time.process_time (best of 5 rounds). `NUMBER REPEAT`: only the
    variant at that place, REPEAT times, for an instruction count: `valgrind --tool=callgrind` on `N 0` and `N 20`
    gives 20 renders' instructions as the difference."""
    from django.test import override_settings

    with override_settings(ROOT_URLCONF=__name__):
        found = variants()
        if len(sys.argv) == 3:
            label, (fn, _r, lang) = list(found.items())[int(sys.argv[1])]
            with override(lang):
                fn()
                for _n in range(int(sys.argv[2])):
                    fn()
            print(label)
            return
        for label, (fn, repeat, lang) in found.items():
            with override(lang):
                timed(label, fn, max(repeat, 1))


if __name__ == "__main__":
    main()

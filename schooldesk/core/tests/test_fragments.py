"""The hot fragments' engine (core/fragments.py, decision 0038): Jinja2 escaping as Django escapes, Django's words,
and a large drop-down printed as Django's widget templates print it."""

from django import forms
from django.forms.renderers import TemplatesSetting
from django.template import engines
from django.template.loader import get_template
from django.utils import translation
from django.utils.safestring import mark_safe

from schooldesk.core.forms import DeskFormRenderer, select_html
from schooldesk.core.fragments import ENGINE


def test_a_large_drop_down_prints_what_django_s_widget_templates_print():
    class Rooms(forms.Form):
        room = forms.ChoiceField(
            choices=[("", "Any room"), ("x", "<script>alert(1)</script>")]
            + [(n, f"Room {n} & 'annexe'") for n in range(1, 500)]
        )

    widget = Rooms()["room"].field.widget
    context = widget.get_context("room", "42", {"id": "id_room", "class": "form-select"})
    html = select_html(context["widget"])
    assert html == TemplatesSetting.render(DeskFormRenderer(), widget.template_name, context)
    assert html.count("<option") == 501 and '<option value="42" selected>' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html


def test_values_are_escaped_as_django_escapes_them_and_safe_ones_are_kept():
    template = engines[ENGINE].from_string("{{ text }}|{{ safe }}|{{ number }}|{{ nothing }}")
    html = template.render({"text": """<a href="x">'&'</a>""", "safe": mark_safe("<b>kept</b>"), "number": 3})
    assert html == "&lt;a href=&quot;x&quot;&gt;&#x27;&amp;&#x27;&lt;/a&gt;|<b>kept</b>|3|"


def test_the_words_are_django_s_in_the_active_language():
    template = engines[ENGINE].from_string('{{ _("Desk") }}')
    assert template.render({}) == "Desk"
    with translation.override("cy"):
        assert template.render({}) == "Desg"  # locale/cy
    assert template.render({}) == "Desk"  # kept per language, not once for all


def test_the_pages_are_still_django_templates():
    assert get_template("incidents/incident_table.html").backend.name == "django"
    assert get_template("incidents/call_rows.html").backend.name == ENGINE

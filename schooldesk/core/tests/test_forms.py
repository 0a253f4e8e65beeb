"""The drop-downs rendered in Python print exactly what Django's widget templates print."""

from datetime import date

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.safestring import mark_safe

from schooldesk.core.forms import DeskFormRenderer, StyledFilterForm, select_html


class Everything(StyledFilterForm):
    plain = forms.ChoiceField(choices=[("", "Any"), ("a", "Ann & <Bob>"), ("b", 'Quote "me"'), (3, 1234)])
    grouped = forms.ChoiceField(
        choices=[
            ("Rooms", [("1", "ICT suite"), ("2", "Library")]),
            ("Outside", [("3", "Field <north>")]),
            ("4", "Nowhere"),
        ]
    )
    several = forms.MultipleChoiceField(
        choices=[("x", "X"), ("y", "Y"), ("z", "Z")], widget=forms.SelectMultiple(attrs={"size": 3, "data-x": 'a"b'})
    )
    required_off = forms.ChoiceField(
        choices=[("", "—"), ("on", mark_safe("<b>safe</b>"))],
        required=False,
        widget=forms.Select(attrs={"disabled": True, "hidden": False}),
    )
    dated = forms.ChoiceField(choices=[(date(2026, 9, 1), date(2026, 9, 1))])


@pytest.mark.parametrize(
    "data", [None, {"plain": "a", "grouped": "3", "several": ["x", "z"], "required_off": "on", "dated": "2026-09-01"}]
)
def test_select_renders_as_django_templates_do(data):
    form = Everything(data=data)
    for name in form.fields:
        widget = form[name].field.widget
        context = widget.get_context(name, form[name].value(), {"id": f"id_{name}"})
        django = TemplatesSetting.render(DeskFormRenderer(), widget.template_name, context)
        assert select_html(context["widget"]) == django, name
        assert DeskFormRenderer().render(widget.template_name, context) == django, name
        assert "<option" in django


def test_a_widget_with_its_own_option_template_is_left_to_the_templates():
    widget = forms.RadioSelect(choices=[("a", "A")])
    context = widget.get_context("r", "a", {"id": "id_r"})
    assert DeskFormRenderer().render(widget.template_name, context) == TemplatesSetting.render(
        DeskFormRenderer(), widget.template_name, context
    )
    assert 'type="radio"' in DeskFormRenderer().render(widget.template_name, context)


def test_errors_that_belong_to_no_visible_field_are_shown_at_the_top_in_words():
    """A hidden field's error and the whole form's are read at the top; "see the messages" only when there are."""
    from django import forms
    from django.template.loader import render_to_string

    from schooldesk.core.forms import StyledFormMixin

    class Example(StyledFormMixin, forms.Form):
        version = forms.IntegerField(widget=forms.HiddenInput, label="Page version")
        name = forms.CharField(required=False)

        def clean(self):
            raise forms.ValidationError("Give a name or a room.")

    form = Example({"name": "Typed"})
    assert not form.is_valid() and not form.has_field_errors()
    html = render_to_string("components/form_errors.html", {"form": form})
    assert "Page version: This field is required." in html and "Give a name or a room." in html
    assert 'role="alert"' in html and "beside the fields" not in html and "What you typed is still there." in html
    form = Example({"version": "1"})
    form.add_error("name", "Too short.")
    assert form.has_field_errors()
    assert "See the messages beside the fields below." in render_to_string(
        "components/form_errors.html", {"form": form}
    )
    assert render_to_string("components/form_errors.html", {"form": Example()}).strip() == ""


@pytest.mark.django_db
def test_a_list_offers_the_school_filter_only_to_people_with_several_schools(cast, login):
    from schooldesk.accounts.tests.factories import MembershipFactory
    from schooldesk.schools.tests.factories import SchoolFactory

    for url in ("/assets/", "/licences/", "/locations/", "/diary/payments/"):
        assert 'name="school"' not in login(cast.spoc).get(url).content.decode(), url
    MembershipFactory(user=cast.spoc, school=SchoolFactory(organisation=cast.school.organisation), role="spoc")
    for url in ("/assets/", "/licences/", "/locations/", "/diary/payments/"):
        assert 'name="school"' in login(cast.spoc).get(url).content.decode(), url

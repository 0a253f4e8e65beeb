from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


class DeskFormRenderer(TemplatesSetting):
    """Every form renders with the same accessible Bootstrap markup.

    A drop-down renders in Python, not through Django's widget templates: those include a template per
    option, and the filter forms' lists of rooms, categories and people were a third of a list page's time.
    The markup is the same to the character (`core/tests/test_forms.py` compares the two).
    """

    form_template_name = "components/form.html"
    field_template_name = "components/field.html"

    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if template_name == SELECT_TEMPLATE and all(
            option["template_name"] == OPTION_TEMPLATE for _, group, _ in widget["optgroups"] for option in group
        ):
            return select_html(widget)
        return super().render(template_name, context, request)


def _text(value) -> str:
    """What `{{ value|stringformat:'s' }}` prints: the value as text, escaped unless already safe."""
    return conditional_escape(value if isinstance(value, SafeData) else str(value))


def _attrs_html(attrs: dict) -> str:
    """What django/forms/widgets/attrs.html prints."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_text(value)}"'
        for name, value in attrs.items() if value is not False
    )


def select_html(widget: dict) -> str:
    """What django/forms/widgets/select.html prints for `widget` (a Select's or SelectMultiple's context)."""
    def label(value) -> str:  # what `{{ value }}` prints
        return conditional_escape(localize(value))

    out = [f'<select name="{_text(widget["name"])}"{_attrs_html(widget["attrs"])}>']
    for group_name, options, _ in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{label(group_name)}">')
        out.extend(f'\n  <option value="{_text(option["value"])}"{_attrs_html(option["attrs"])}>'
                   f'{label(option["label"])}</option>\n' for option in options)
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


class StyledFormMixin:
    """Adds Bootstrap classes to widgets so templates can render `{{ form }}` as it is."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            elif isinstance(widget, forms.RadioSelect):
                css = ""
            else:
                css = "form-control"
            classes = widget.attrs.get("class", "").split()
            if css and css not in classes:
                widget.attrs["class"] = " ".join([*classes, css])


class StyledFilterForm(StyledFormMixin, forms.Form):
    """The form class of every FilterSet, so list filters look like the other forms."""


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)

from django import forms
from django.forms.renderers import TemplatesSetting


class DeskFormRenderer(TemplatesSetting):
    """Every form renders with the same accessible Bootstrap markup."""

    form_template_name = "components/form.html"
    field_template_name = "components/field.html"


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
            if css:
                widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()


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

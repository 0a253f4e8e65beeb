from collections import OrderedDict
from functools import cache

from django import forms
from django.apps import apps
from django.db.models import Q, QuerySet
from django.forms.renderers import TemplatesSetting
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from schooldesk.core.choice_cache import cached_rows_and_key
from schooldesk.core.fragments import render_fragment

SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


class DeskFormRenderer(TemplatesSetting):
    """Every form renders with the same accessible Bootstrap markup.

    A drop-down is drawn by a Jinja2 fragment (core/jinja2/core/select.html, decision 0038), not through Django's
    widget templates: those include a template per option, and the filter forms' lists of rooms, categories and
    people were a third of a list page's time. The markup is the same to the character (`core/tests/test_forms.py`
    compares the two). A widget with an option template of its own is left to Django's templates.
    """

    form_template_name = "components/form.html"
    field_template_name = "components/field.html"

    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if template_name == SELECT_TEMPLATE and all(
            option["template_name"] == OPTION_TEMPLATE for _n, group, _i in widget["optgroups"] for option in group
        ):
            return select_html(widget)
        return super().render(template_name, context, request)


def select_html(widget: dict) -> str:
    """What django/forms/widgets/select.html prints for `widget` (a Select's or SelectMultiple's context)."""
    return render_fragment("core/select.html", {"widget": widget})


def _option_rows(field: forms.ModelChoiceField):
    def build(queryset) -> list[tuple]:
        return [(field.prepare_value(obj), field.label_from_instance(obj)) for obj in queryset]

    return build


def freeze_model_choices(field: forms.ModelChoiceField) -> None:
    """Gives a model drop-down its options as a plain list, read when the drop-down is first drawn (a form only
    validated, an API's filters, never reads them), from the cache when the same query was read before
    (`core.choice_cache`: keyed by the query itself, so by the schools and role in it, and by the language).
    Drawing then makes no model instance; validating still reads the field's queryset. Freezing a field twice
    (a view freezing its filter form again) reads nothing again.

    Only a field whose labels are its rows' own `str` (or that says `cacheable_labels = True`) is cached: a label
    drawn from another table would not be seen to change. The others are read once per request, as a list."""
    queryset = field.queryset
    if queryset is None or getattr(field, "_frozen_from", None) is queryset:
        return
    field._frozen_from = queryset
    label_from = type(field).label_from_instance
    cacheable = label_from is forms.ModelChoiceField.label_from_instance or getattr(field, "cacheable_labels", False)
    kind = f"{type(field).__module__}.{type(field).__qualname__}:{field.to_field_name or 'pk'}"
    head = [("", field.empty_label)] if field.empty_label is not None else []
    if getattr(field, "null_label", None) is not None:  # django-filter's "none of them"
        head.append((field.null_value, field.null_label))
    read: list = []
    widget = field.widget

    def options() -> list:
        if not read:
            build = _option_rows(field)
            rows, key = cached_rows_and_key(queryset, build, kind=kind) if cacheable else (build(queryset), None)
            read.append(head + list(rows))
            if key is not None:
                widget._options_key = (key, repr([(value, str(label)) for value, label in head]))
        return read[0]

    widget.choices = options
    widget._frozen_choices = widget.choices  # a queryset set later, or a copy, draws as usual
    if isinstance(widget, forms.Select) and not isinstance(widget, forms.SelectMultiple):
        widget.__class__ = _remembering(type(widget))


#: drop-downs drawn from cached options, by what decides their markup (this process's, a few hundred kept)
_DRAWN: OrderedDict = OrderedDict()
DRAWN_KEPT = 512


class RememberedSelect:
    """A frozen drop-down whose markup is drawn once for the same options (their cache key: the query, its
    tables' versions, the language), name, attributes and chosen value, and kept in this process: a filter's
    hundred rooms or people were drawn option by option on every request. Options not from the cache are drawn
    as usual. Mixed into the widget's own class (`_remembering`), so a copy of the widget stays itself."""

    def render(self, name, value, attrs=None, renderer=None):
        if getattr(self, "_frozen_choices", None) is not self.choices:
            return super().render(name, value, attrs, renderer)
        next(iter(self.choices), None)  # reading the options decides whether they came from the cache
        options_key = getattr(self, "_options_key", None)
        if options_key is None:
            return super().render(name, value, attrs, renderer)
        key = (
            options_key,
            name,
            repr(self.format_value(value)),
            repr(sorted((str(k), str(v)) for k, v in self.build_attrs(self.attrs, attrs).items())),
            type(renderer).__qualname__,
            get_language(),
        )
        html = _DRAWN.get(key)
        if html is None:
            html = super().render(name, value, attrs, renderer)
            _DRAWN[key] = html
            while len(_DRAWN) > DRAWN_KEPT:
                _DRAWN.popitem(last=False)
        return html


@cache
def _remembering(widget_class: type) -> type:
    return type(f"Remembered{widget_class.__name__}", (RememberedSelect, widget_class), {})


def freeze_choices(form):
    """Every single-choice model drop-down of `form` frozen (`freeze_model_choices`); the form returned."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField) and not isinstance(field, forms.ModelMultipleChoiceField):
            freeze_model_choices(field)
    return form


class StyledFormMixin:
    """Adds Bootstrap classes to widgets so templates can render `{{ form }}` as it is, and gathers the errors a
    person cannot see beside a field (the form's own, and those of hidden fields) for the top of the form."""

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

    def top_errors(self) -> list[str]:
        """Errors that belong to no visible field, in words: the whole form's, then each hidden field's."""
        found = list(self.non_field_errors())
        for field in self.hidden_fields():
            found.extend(_("%(field)s: %(error)s") % {"field": field.label, "error": error} for error in field.errors)
        return found

    def has_field_errors(self) -> bool:
        """Whether any visible field has an error to read beside it ("see the messages below")."""
        return any(field.errors for field in self.visible_fields())


class VersionedFormMixin:
    """An edit form carries the version of the record it was drawn with (a hidden `version` field), so that the
    service can refuse a save made from an older page (`core.concurrency.version_claim`). A new record has none.
    Not required: a post without it (an old bookmark, a test posting by hand) is saved as before."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk is not None:
            self.fields["version"] = forms.IntegerField(
                widget=forms.HiddenInput, required=False, initial=instance.version, label=_("Version")
            )

    @property
    def rendered_version(self) -> int | None:
        """The version the page was drawn with (None for a new record, or a post without it)."""
        return getattr(self, "cleaned_data", {}).get("version")


class SchoolChoiceMixin:
    """The one way a create or edit form decides whose record it is: a school (or, with `owner_field =
    "organisation"`, an organisation).

    - Editing: the record's own. No field on the page.
    - Creating, for a person with one school to choose from: that one. No field on the page.
    - Creating, with several: a required drop-down of those only.

    Never a hidden field, so a page needs nothing it did not show (an unsaved instance's empty `school` used to
    override a hidden field's initial value, and the one-school SPOC's forms came back with no message). Call
    `decide_owner(choices)` in `__init__` before building the choices that depend on it; `form.owner` is then
    the decided record, or the chosen one once the form is valid.
    """

    owner_field = "school"
    fixed_owner = None

    def decide_owner(self, choices: QuerySet, *, chosen=None):
        name = self.owner_field
        instance = getattr(self, "instance", None)
        fixed = None
        if instance is not None and getattr(instance, f"{name}_id", None):  # editing: always the record's own
            fixed = getattr(instance, name)
        if fixed is None:
            fixed = chosen
        if fixed is None:
            first_two = list(choices[:2])
            if len(first_two) == 1:
                fixed = first_two[0]
        self.fixed_owner = fixed
        if fixed is not None:
            self.fields.pop(name, None)
            if instance is not None:
                setattr(instance, name, fixed)
        else:
            field = self.fields[name]
            field.queryset = choices
            field.required = True
        return fixed

    def decide_school(self, school_ids, *, chosen=None):
        """`decide_owner` over the schools with these ids, by name."""
        school = apps.get_model("schools", "School")  # core imports no domain app
        return self.decide_owner(school.objects.filter(pk__in=list(school_ids)).order_by("name"), chosen=chosen)

    @property
    def owner(self):
        if self.fixed_owner is not None:
            return self.fixed_owner
        return getattr(self, "cleaned_data", {}).get(self.owner_field)

    def owner_ids(self, choices_ids) -> list[int]:
        """The ids that dependent drop-downs (rooms, people, types) are built from: the decided one, or all."""
        return [self.fixed_owner.pk] if self.fixed_owner is not None else list(choices_ids)


class SchoolOrOrganisationMixin(SchoolChoiceMixin):
    """The one way a connection (a mailbox, a sign-in, a directory, a device console, a webhook) is given to one
    school or to an organisation as a whole:

    - Editing: it stays where it is. Neither field on the page.
    - A person with no organisation-level role: the school, decided as `SchoolChoiceMixin` decides it.
    - An organisation's desk: one of its schools, or the organisation (one of the two, checked by `clean`).

    Call `decide_school_or_organisation(school_ids, organisation_ids)` in `__init__`; `either_message` says what
    the organisation choice means for this kind of record."""

    either_message = ""

    def decide_school_or_organisation(self, school_ids, organisation_ids) -> None:
        if self.instance.pk:
            self.fields.pop("school", None)
            self.fields.pop("organisation", None)
            return
        organisation_ids = list(organisation_ids)
        if not organisation_ids:
            self.fields.pop("organisation", None)
            self.decide_school(school_ids)
            return
        school, organisation = apps.get_model("schools", "School"), apps.get_model("schools", "Organisation")
        self.fields["organisation"].queryset = organisation.objects.filter(pk__in=organisation_ids).order_by("name")
        self.fields["school"].queryset = school.objects.filter(
            Q(pk__in=list(school_ids)) | Q(organisation_id__in=organisation_ids)
        ).order_by("name")
        self.fields["school"].required = False
        self.fields["school"].help_text = _("Or leave it empty and choose the organisation below.")

    def clean(self):
        data = super().clean()
        if "organisation" in self.fields and bool(data.get("school")) == bool(data.get("organisation")):
            self.add_error("school", self.either_message or _("Choose a school, or the organisation (one of the two)."))
        return data


class StyledFilterForm(StyledFormMixin, forms.Form):
    """The form class of every FilterSet, so list filters look like the other forms."""

    one_time_token = False  # sent by GET, as often as a person likes


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class MinuteInput(forms.DateTimeInput):
    """A browser's date and time picker; it sends 2026-11-09T09:00, and a typed 09/11/2026 09:00 also works."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")

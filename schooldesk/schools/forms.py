from django import forms
from django.utils.translation import gettext_lazy as _

from schooldesk.core.forms import DateInput, StyledFormMixin, TimeInput, VersionedFormMixin
from schooldesk.schools.choices import Impact, Priority, Urgency
from schooldesk.schools.models import Closure, School, Term
from schooldesk.schools.selectors import school_people, spoc_choices

WEEKDAYS = [
    ("0", _("Mon")),
    ("1", _("Tue")),
    ("2", _("Wed")),
    ("3", _("Thu")),
    ("4", _("Fri")),
    ("5", _("Sat")),
    ("6", _("Sun")),
]


class SchoolSettingsForm(VersionedFormMixin, StyledFormMixin, forms.ModelForm):
    spoc_days = forms.MultipleChoiceField(
        choices=WEEKDAYS,
        widget=forms.CheckboxSelectMultiple,
        label=_("SPOC's days"),
        help_text=_("On other days reporters are told to go to the deputy."),
    )

    class Meta:
        model = School
        fields = [
            "name",
            "urn",
            "nation",
            "roll_number",
            "financial_year_start_month",
            "desk_email",
            "desk_phone",
            "service_opens_at",
            "service_closes_at",
            "is_term_time_only",
            "auto_close_after_days",
            "satisfaction_survey",
            "satisfaction_sample_every",
            "spoc",
            "spoc_days",
            "spoc_from",
            "spoc_until",
            "deputy",
            "deputy_from",
            "deputy_until",
            "approver",
        ]
        widgets = {
            f: TimeInput()
            for f in ("service_opens_at", "service_closes_at", "spoc_from", "spoc_until", "deputy_from", "deputy_until")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["spoc"].queryset = spoc_choices(school=self.instance)
        self.fields["deputy"].queryset = school_people(school=self.instance)
        self.fields["approver"].queryset = self.fields["deputy"].queryset
        self.initial["spoc_days"] = sorted(str(d) for d in self.instance.spoc_weekdays)
        self.fields["spoc_days"].widget.attrs.pop("class", None)
        for name in ("satisfaction_survey", "satisfaction_sample_every"):  # left out: the setting stays as it is
            self.fields[name].required = False

    def clean_spoc_days(self):
        return ",".join(sorted(self.cleaned_data["spoc_days"]))

    def clean_satisfaction_survey(self):
        return self.cleaned_data["satisfaction_survey"] or self.instance.satisfaction_survey

    def clean_satisfaction_sample_every(self):
        every = self.cleaned_data["satisfaction_sample_every"]
        if every is None:
            return self.instance.satisfaction_sample_every
        if not 2 <= every <= 100:
            raise forms.ValidationError(_("Ask one call in 2 to 100 (choose 'every call' to ask about all of them)."))
        return every


class PriorityMatrixForm(VersionedFormMixin, StyledFormMixin, forms.Form):
    """The impact × urgency grid and the response and resolution targets, in service hours (the school's own
    settings, so it carries the school's version like the settings form)."""

    def __init__(self, *args, school, **kwargs):
        self.instance = school
        super().__init__(*args, **kwargs)
        for impact in Impact:
            for urgency in Urgency:
                self.fields[f"m_{impact.value}_{urgency.value}"] = forms.ChoiceField(
                    choices=Priority.choices,
                    label=f"{impact.label} × {urgency.label}",
                    initial=school.priority_matrix.get(impact.value, {}).get(urgency.value),
                    widget=forms.Select(attrs={"class": "form-select"}),
                )
        for priority in Priority:
            target = school.sla_targets.get(priority.value, {})
            for part, label in (("respond", _("respond within (hours)")), ("resolve", _("resolve within (hours)"))):
                self.fields[f"t_{priority.value}_{part}"] = forms.DecimalField(
                    min_value=0.25,
                    max_value=2000,
                    decimal_places=2,
                    label=f"{priority.value} {label}",
                    initial=round(target.get(part, 60) / 60, 2),
                    widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.25"}),
                )

    def matrix(self) -> dict:
        return {i.value: {u.value: self.cleaned_data[f"m_{i.value}_{u.value}"] for u in Urgency} for i in Impact}

    def targets(self) -> dict:
        targets = {
            p.value: {part: int(self.cleaned_data[f"t_{p.value}_{part}"] * 60) for part in ("respond", "resolve")}
            for p in Priority
        }
        for priority, target in targets.items():
            if target["resolve"] < target["respond"]:
                self.add_error(f"t_{priority}_resolve", _("Resolving cannot be due before responding."))
        return targets


class TermForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Term
        fields = ["name", "starts_on", "ends_on", "half_term_starts_on", "half_term_ends_on"]
        widgets = {f: DateInput() for f in ("starts_on", "ends_on", "half_term_starts_on", "half_term_ends_on")}


class ClosureForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Closure
        fields = ["name", "kind", "starts_on", "ends_on"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}


class CategoryForm(StyledFormMixin, forms.Form):
    name = forms.CharField(max_length=80, label=_("New category"))

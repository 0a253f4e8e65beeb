import re

from django import forms
from django.utils.translation import gettext_lazy as _

from schooldesk.accounts.models import User
from schooldesk.assets.choices import GONE_STATUSES
from schooldesk.assets.models import Asset
from schooldesk.core.forms import DateInput, SchoolChoiceMixin, StyledFormMixin, VersionedFormMixin
from schooldesk.incidents.models import Category, Incident
from schooldesk.locations.models import Location
from schooldesk.problems.choices import MANUAL_STATUSES, PROBLEM_ROLES, CandidateBasis, WorkaroundAudience
from schooldesk.problems.models import Problem, ProblemSettings
from schooldesk.schools.models import School

TEXT = forms.Textarea(attrs={"rows": 3})


def staff_of(school_ids):
    return (
        User.objects.filter(memberships__school_id__in=school_ids, memberships__role__in=PROBLEM_ROLES)
        .distinct()
        .order_by("first_name", "last_name")
    )


class ProblemForm(VersionedFormMixin, SchoolChoiceMixin, StyledFormMixin, forms.ModelForm):
    """Raise or edit a problem. A new one chooses its school when the person works in several."""

    school = forms.ModelChoiceField(queryset=School.objects.none(), label=_("School"))

    class Meta:
        model = Problem
        fields = [
            "school",
            "title",
            "symptoms",
            "priority",
            "category",
            "location",
            "asset",
            "device",
            "root_cause",
            "workaround",
            "workaround_audience",
            "assigned_to",
            "due_on",
        ]
        widgets = {"symptoms": TEXT, "root_cause": TEXT, "workaround": TEXT, "due_on": DateInput()}

    def __init__(self, *args, school_ids, school=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.decide_school(school_ids, chosen=school)
        school_ids = self.owner_ids(school_ids)
        if not self.instance.pk:
            for name in ("root_cause", "workaround", "workaround_audience"):
                del self.fields[name]  # found out later: the known-error form records them
        self.fields["category"].queryset = Category.objects.filter(school_id__in=school_ids, is_archived=False)
        self.fields["location"].queryset = Location.objects.filter(school_id__in=school_ids, is_archived=False)
        self.fields["asset"].queryset = (
            Asset.objects.filter(school_id__in=school_ids)
            .exclude(status__in=GONE_STATUSES)
            .select_related("asset_type")
        )
        self.fields["asset"].label_from_instance = lambda a: f"{a.tag} – {a.description}"
        self.fields["assigned_to"].queryset = staff_of(school_ids)
        for name in ("category", "location", "asset", "assigned_to", "priority"):
            self.fields[name].widget.attrs["class"] = "form-select"

    def clean(self):
        data = super().clean()
        school = self.owner
        if school is not None:
            for name in ("category", "location", "asset"):
                value = data.get(name)
                if value is not None and value.school_id != school.pk:
                    self.add_error(name, _("Choose one of the school's own."))
        return data


class NoteForm(StyledFormMixin, forms.Form):
    body = forms.CharField(
        label=_("Progress note"), widget=TEXT, help_text=_("What was tried or found, the theory, what happens next.")
    )


class LinkForm(StyledFormMixin, forms.Form):
    references = forms.CharField(label=_("Calls to link"), help_text=_("References, e.g. INC-000123, INC-000124."))

    def __init__(self, *args, problem, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.problem, self.user = problem, user

    def clean_references(self):
        numbers = [int(n) for n in re.findall(r"\d+", self.cleaned_data["references"])][:50]
        if not numbers:
            raise forms.ValidationError(_("Give at least one call reference."))
        calls = list(Incident.objects.visible_to(self.user).filter(school_id=self.problem.school_id, pk__in=numbers))
        missing = sorted(set(numbers) - {c.pk for c in calls})
        if missing:
            raise forms.ValidationError(
                _("No call of this school with the reference %(refs)s.")
                % {"refs": ", ".join(f"INC-{n:06d}" for n in missing)}
            )
        return calls


class StatusForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Status"), choices=[(s.value, s.label) for s in MANUAL_STATUSES])
    note = forms.CharField(label=_("Why (needed when reopening)"), required=False, widget=TEXT)


class KnownErrorForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    workaround = forms.CharField(
        label=_("Workaround"), widget=TEXT, help_text=_("The steps that get people working again until it is fixed.")
    )
    audience = forms.ChoiceField(
        label=_("Who may apply it"),
        choices=WorkaroundAudience.choices,
        help_text=_("Workarounds a reporter may apply are also shown on the report form."),
    )
    root_cause = forms.CharField(label=_("Root cause (if known)"), required=False, widget=TEXT)


class ResolveForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    resolution = forms.CharField(label=_("What fixed it"), widget=TEXT)
    root_cause = forms.CharField(label=_("Root cause"), required=False, widget=TEXT)
    resolve_calls = forms.BooleanField(
        label=_("Also resolve its open calls with this, and tell their reporters"), required=False, initial=True
    )


class CloseForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note (needed if it was not resolved)"), required=False, widget=TEXT)


class GiveWorkaroundForm(forms.Form):
    incident = forms.IntegerField(widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class UnlinkForm(forms.Form):
    incident = forms.IntegerField(widget=forms.HiddenInput)


class RaiseCandidateForm(StyledFormMixin, forms.Form):
    school = forms.IntegerField(widget=forms.HiddenInput)
    basis = forms.ChoiceField(choices=CandidateBasis.choices, widget=forms.HiddenInput)
    key = forms.CharField(max_length=120, widget=forms.HiddenInput)
    title = forms.CharField(label=_("Problem title (optional)"), required=False, max_length=200)


class SettingsForm(StyledFormMixin, forms.ModelForm):
    school = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = ProblemSettings
        fields = ["candidate_calls", "candidate_days"]

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schooldesk.accounts.models import User
from schooldesk.assets.choices import GONE_STATUSES, AssetStatus
from schooldesk.assets.models import Asset, AssetType
from schooldesk.changes.choices import CHANGE_ROLES, Outcome
from schooldesk.changes.models import ChangeRequest, NewAsset, NewLicence, StandardChange
from schooldesk.core.forms import DateInput, SchoolChoiceMixin, StyledFormMixin, VersionedFormMixin
from schooldesk.locations.models import Location
from schooldesk.problems.models import Problem
from schooldesk.schools.models import School
from schooldesk.suppliers.models import Supplier

TEXT = forms.Textarea(attrs={"rows": 3})


def staff_of(school_ids):
    return (
        User.objects.filter(memberships__school_id__in=school_ids, memberships__role__in=CHANGE_ROLES)
        .distinct()
        .order_by("first_name", "last_name")
    )


def _selects(form):
    for field in form.fields.values():
        if isinstance(field.widget, forms.Select) and not isinstance(field.widget, forms.RadioSelect):
            field.widget.attrs["class"] = "form-select"


class ChangeForm(VersionedFormMixin, SchoolChoiceMixin, StyledFormMixin, forms.ModelForm):
    school = forms.ModelChoiceField(queryset=School.objects.none(), label=_("School"))

    class Meta:
        model = ChangeRequest
        fields = [
            "school",
            "title",
            "reason",
            "description",
            "change_type",
            "standard_change",
            "risk",
            "impact",
            "priority",
            "estimated_cost",
            "problem",
            "affected_locations",
            "assigned_to",
            "planned_on",
            "backout_plan",
        ]
        widgets = {
            "reason": TEXT,
            "description": TEXT,
            "impact": TEXT,
            "backout_plan": TEXT,
            "planned_on": DateInput(),
            "affected_locations": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, school_ids, school=None, plan_only=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.decide_school(school_ids, chosen=school)
        school_ids = self.owner_ids(school_ids)
        self.fields["affected_locations"].help_text = _(
            "To choose several, hold Ctrl (Cmd on a Mac) as you click; on a phone, tick each one."
        )
        if plan_only:  # authorised as it stood: only the plan can move
            for name in list(self.fields):
                if name not in ("assigned_to", "planned_on", "backout_plan", "version"):
                    del self.fields[name]
        queries = {
            "standard_change": StandardChange.objects.filter(school_id__in=school_ids, is_active=True),
            "problem": Problem.objects.filter(school_id__in=school_ids),
            "affected_locations": Location.objects.filter(school_id__in=school_ids, is_archived=False),
            "assigned_to": staff_of(school_ids),
        }
        for name, queryset in queries.items():
            if name in self.fields:
                self.fields[name].queryset = queryset
        if "problem" in self.fields:
            self.fields["problem"].label_from_instance = lambda p: f"{p.reference} {p.title}"
        _selects(self)

    def clean(self):
        data = super().clean()
        school = self.owner
        if school is not None:
            for name in ("standard_change", "problem"):
                if data.get(name) is not None and data[name].school_id != school.pk:
                    self.add_error(name, _("Choose one of the school's own."))
            if any(loc.school_id != school.pk for loc in data.get("affected_locations") or ()):
                self.add_error("affected_locations", _("Choose locations of this school."))
        return data


class DecisionForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label=_("Decision"), widget=forms.RadioSelect, choices=[("authorise", _("Authorise")), ("reject", _("Reject"))]
    )
    reason = forms.CharField(label=_("Reason"), widget=TEXT, help_text=_("Recorded and shown on the request."))


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ItemForm(forms.Form):
    done = forms.CharField(required=False, max_length=1)


class WithdrawForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Why it is withdrawn"), widget=TEXT)


class MilestoneForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    due_on = forms.DateField(label=_("Due on"), widget=DateInput())
    assigned_to = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label=_("Who"))

    def __init__(self, *args, change, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = staff_of([change.school_id])
        _selects(self)


class NewAssetForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = NewAsset
        fields = ["tag", "asset_type", "make", "model", "serial", "location", "cost", "supplier", "warranty_ends_on"]
        widgets = {"warranty_ends_on": DateInput()}

    def __init__(self, *args, change, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["asset_type"].queryset = AssetType.objects.filter(school_id=change.school_id, is_archived=False)
        self.fields["location"].queryset = Location.objects.filter(school_id=change.school_id, is_archived=False)
        self.fields["supplier"].queryset = Supplier.objects.filter(organisation_id=change.school.organisation_id)
        _selects(self)


class NewLicenceForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = NewLicence
        fields = ["product", "publisher", "licence_type", "quantity", "starts_on", "ends_on", "cost", "supplier"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}

    def __init__(self, *args, change, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = Supplier.objects.filter(organisation_id=change.school.organisation_id)
        _selects(self)


class AffectedAssetForm(StyledFormMixin, forms.Form):
    asset = forms.ModelChoiceField(queryset=Asset.objects.none(), label=_("Asset"))
    new_location = forms.ModelChoiceField(queryset=Location.objects.none(), required=False, label=_("Moves to"))
    new_status = forms.ChoiceField(
        required=False,
        label=_("New status"),
        choices=[("", _("No change"))]
        + [
            (s.value, s.label)
            for s in (AssetStatus.IN_USE, AssetStatus.SPARE, AssetStatus.IN_REPAIR, AssetStatus.RETIRED)
        ],
    )
    note = forms.CharField(required=False, max_length=200, label=_("What changes"))

    def __init__(self, *args, change, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["asset"].queryset = (
            Asset.objects.filter(school_id=change.school_id)
            .exclude(status__in=GONE_STATUSES)
            .select_related("asset_type")
        )
        self.fields["asset"].label_from_instance = lambda a: f"{a.tag} – {a.description}"
        self.fields["new_location"].queryset = Location.objects.filter(school_id=change.school_id, is_archived=False)
        _selects(self)


class CompleteForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label=_("How did it go?"), choices=Outcome.choices, widget=forms.RadioSelect)
    implemented_on = forms.DateField(label=_("Implemented on"), widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, widget=TEXT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["implemented_on"].initial = timezone.localdate()


class ReviewForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    review = forms.CharField(
        label=_("Post-implementation review"), widget=TEXT, help_text=_("Did it do what was intended? What was learnt?")
    )


class StandardChangeForm(VersionedFormMixin, SchoolChoiceMixin, StyledFormMixin, forms.ModelForm):
    school = forms.ModelChoiceField(queryset=School.objects.none(), label=_("School"))

    class Meta:
        model = StandardChange
        fields = ["school", "title", "description", "is_active"]
        widgets = {"description": TEXT}

    def __init__(self, *args, school_ids, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            del self.fields["is_active"]
        self.decide_school(school_ids)

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schooldesk.assets.models import Asset
from schooldesk.core.forms import StyledFormMixin
from schooldesk.incidents.models import Category, Incident
from schooldesk.locations.models import Location
from schooldesk.outages.choices import OutageScope
from schooldesk.outages.selectors import declarable_school_ids
from schooldesk.schools.models import School

DATETIME = "%Y-%m-%dT%H:%M"
FEW_SCHOOLS = 5


class OutageForm(StyledFormMixin, forms.Form):
    """Declare an outage: the schools it affects (a one-school desk has nothing to choose), what, since when and
    what people should do. Declared from a call, it starts from the call."""

    title = forms.CharField(
        label=_("What is down?"),
        max_length=200,
        help_text=_("As people will read it, e.g. 'Wi-Fi down in the Science block'."),
    )
    schools = forms.ModelMultipleChoiceField(
        queryset=School.objects.none(), label=_("Schools affected"), widget=forms.CheckboxSelectMultiple
    )
    scope = forms.ChoiceField(
        label=_("What is affected"),
        choices=OutageScope.choices,
        widget=forms.RadioSelect,
        initial=OutageScope.WHOLE_SCHOOL,
    )
    category = forms.ModelChoiceField(
        queryset=Category.objects.none(),
        required=False,
        label=_("Service"),
        help_text=_("For a service: the category of calls it is."),
    )
    location = forms.ModelChoiceField(queryset=Location.objects.none(), required=False, label=_("Place"))
    assets = forms.ModelMultipleChoiceField(
        queryset=Asset.objects.none(),
        required=False,
        label=_("Devices"),
        help_text=_("For some devices: choose them from the register."),
    )
    started_at = forms.DateTimeField(
        label=_("Down since"),
        input_formats=[DATETIME],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME),
    )
    advice = forms.CharField(
        label=_("What people should do"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("e.g. 'Use the wired computers in the library. No need to report it.'"),
    )

    def __init__(self, *args, user, incident=None, **kwargs):
        super().__init__(*args, **kwargs)
        school_ids = declarable_school_ids(user=user)
        schools = School.objects.filter(pk__in=school_ids).order_by("name")
        self.fields["schools"].queryset = schools
        self.one_school = schools.first() if len(school_ids) == 1 else None
        if self.one_school is not None:  # nothing to choose: the field stays off the page
            del self.fields["schools"]
        wanted = [incident.school_id] if incident else school_ids
        if len(wanted) > FEW_SCHOOLS:  # an LA's desk declares for whole schools: no list of every school's rooms
            wanted = []
        self.fields["category"].queryset = Category.objects.filter(school_id__in=wanted, is_archived=False)
        self.fields["location"].queryset = Location.objects.filter(
            school_id__in=wanted, is_archived=False
        ).select_related("school")
        self.fields["assets"].queryset = (
            Asset.objects.filter(school_id__in=wanted).select_related("asset_type").order_by("tag")
        )
        self.fields["started_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        if incident is not None:
            self.initial.update(
                {
                    "title": incident.summary,
                    "location": incident.location_id,
                    "category": incident.category_id,
                    "schools": [incident.school_id],
                    "scope": OutageScope.LOCATION if incident.location_id else OutageScope.WHOLE_SCHOOL,
                    "started_at": timezone.localtime(incident.logged_at).replace(second=0, microsecond=0),
                }
            )
            if incident.asset_id:
                self.initial["assets"] = [incident.asset_id]
        self.fields["scope"].widget.attrs.pop("class", None)
        self.fields["schools"].widget.attrs.pop("class", None) if "schools" in self.fields else None

    def chosen_schools(self):
        return [self.one_school] if self.one_school is not None else list(self.cleaned_data["schools"])


class LinkCallsForm(StyledFormMixin, forms.Form):
    incidents = forms.ModelMultipleChoiceField(
        queryset=Incident.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label=_("Open calls at the schools it affects"),
    )

    def __init__(self, *args, calls=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["incidents"].queryset = calls if calls is not None else Incident.objects.none()
        self.fields["incidents"].label_from_instance = lambda i: f"{i.reference} {i.summary} ({i.location.name})"
        self.fields["incidents"].widget.attrs.pop("class", None)


class ResolveOutageForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    resolution = forms.CharField(
        label=_("What was done"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Everyone affected is emailed this, and the linked calls are resolved with it."),
    )


class AffectedForm(forms.Form):
    """ "I'm affected": a button, nothing to fill in."""


class ApprovalDecisionForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Your decision"), widget=forms.RadioSelect, choices=[("approve", _("Approve")), ("refuse", _("Refuse"))]
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed to refuse; the person who asked reads it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].widget.attrs.pop("class", None)

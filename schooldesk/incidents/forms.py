from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from schooldesk.accounts.choices import STAFF_ROLES
from schooldesk.accounts.models import User
from schooldesk.assets.choices import GONE_STATUSES
from schooldesk.assets.models import Asset
from schooldesk.assets.selectors import asset_choices_for
from schooldesk.core.forms import StyledFormMixin
from schooldesk.incidents.choices import Channel, Satisfaction
from schooldesk.incidents.models import Category, Incident
from schooldesk.locations.models import Location
from schooldesk.schools.choices import Impact, Priority, Urgency
from schooldesk.suppliers.models import Supplier

SMALL_TEXT = forms.Textarea(attrs={"rows": 2})


class LocationChoiceField(forms.ModelChoiceField):
    """The school's locations as the drop-down; grouped by school for people in several schools."""

    def __init__(self, queryset, **kwargs):
        super().__init__(queryset=queryset, **kwargs)
        self.widget.attrs["autocomplete"] = "off"

    def label_from_instance(self, obj):
        return str(obj)


def _grouped_location_choices(locations) -> list:
    groups: dict[str, list] = {}
    for location in locations:
        groups.setdefault(location.school.name, []).append((location.pk, str(location)))
    if len(groups) == 1:
        return [("", "Choose where")] + next(iter(groups.values()))
    return [("", "Choose where")] + [(school, options) for school, options in groups.items()]


class IncidentReportForm(StyledFormMixin, forms.ModelForm):
    """What anyone in school fills in: short on top, the FITS questions below and optional."""

    attachment = forms.FileField(label=_("Photo or file (optional)"), required=False)

    class Meta:
        model = Incident
        fields = [
            "kind", "summary", "location", "asset", "device", "reporter_availability",
            "expected", "happened", "checked", "last_worked", "happened_before", "description",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "expected": SMALL_TEXT, "happened": SMALL_TEXT, "checked": SMALL_TEXT, "description": SMALL_TEXT,
        }

    def __init__(self, *args, user, initial_location=None, initial_asset=None, **kwargs):
        super().__init__(*args, **kwargs)
        locations = list(
            Location.objects.visible_to(user).filter(is_archived=False).select_related("school")
            .order_by("school__name", "name")
        )
        self.fields["location"] = LocationChoiceField(
            queryset=Location.objects.filter(pk__in=[loc.pk for loc in locations]), label=_("Where?")
        )
        self.fields["location"].choices = _grouped_location_choices(locations)
        self.fields["location"].widget.attrs["class"] = "form-select"
        self.fields["summary"].widget.attrs.update({"placeholder": _("e.g. The projector in Room 12 shows no picture"),
                                                    "autofocus": True})
        self.fields["kind"].initial = "incident"
        if initial_location:
            self.initial["location"] = initial_location
        self._asset_field(user, initial_asset)
        self.fields["happened_before"].choices = [("", _("Not sure")), ("yes", _("Yes")), ("no", _("No"))]


    def _asset_field(self, user, initial_asset) -> None:
        """The devices recorded in the chosen room (htmx refreshes them when the room changes); a device
        label's QR code brings its own asset. Any working device of the person's schools is accepted."""
        field = forms.ModelChoiceField(
            queryset=Asset.objects.visible_to(user).exclude(status__in=GONE_STATUSES), required=False,
            label=_("Which device? (optional)"),
            help_text=_("The equipment recorded in the place you chose. Not listed? Describe it below."),
        )
        location = str(self.data.get(self.add_prefix("location")) or self.initial.get("location") or "")
        assets = list(asset_choices_for(user, location_id=int(location))) if location.isdigit() else []
        wanted = str(self.data.get(self.add_prefix("asset")) or initial_asset or "")
        if wanted.isdigit() and all(a.pk != int(wanted) for a in assets):
            assets += list(asset_choices_for(user).filter(pk=int(wanted)))
        if initial_asset and wanted.isdigit():
            self.initial["asset"] = int(wanted)
        empty = _("Not sure, or not listed") if location else _("Choose where first")
        field.choices = [("", empty)] + [(a.pk, f"{a.tag} – {a.description}") for a in assets]
        field.widget.attrs.update({"class": "form-select"})
        self.fields["asset"] = field
        self.fields["device"].label = _("…or describe the device (optional)")
        self.fields["location"].widget.attrs.update({
            "hx-get": reverse_lazy("assets:asset_options"), "hx-target": "#id_asset", "hx-trigger": "change",
            "hx-swap": "innerHTML",
        })


class IncidentLogForm(IncidentReportForm):
    """The SPOC logging a call for a caller (phone, in person), with triage at once."""

    reported_by = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label=_("Caller"),
                                         help_text=_("Someone with a SchoolDesk login. Otherwise give a name below."))
    reporter_name = forms.CharField(required=False, label=_("…or the caller's name"))
    reporter_contact = forms.CharField(required=False, label=_("Caller's phone or email"))
    channel = forms.ChoiceField(choices=[c for c in Channel.choices if c[0] != "qr"], initial="phone",
                                label=_("How it came in"))
    category = forms.ModelChoiceField(queryset=Category.objects.none(), required=False)
    impact = forms.ChoiceField(choices=Impact.choices, initial="I3")
    urgency = forms.ChoiceField(choices=Urgency.choices, initial="U2")

    def __init__(self, *args, user, school_ids, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["reported_by"].queryset = (
            User.objects.filter(memberships__school_id__in=school_ids).distinct().order_by("first_name", "last_name")
        )
        self.fields["category"].queryset = Category.objects.filter(school_id__in=school_ids, is_archived=False)
        for name in ("channel", "impact", "urgency"):
            self.fields[name].widget.attrs["class"] = "form-select"
        self.fields["summary"].widget.attrs.pop("autofocus", None)  # the caller comes first here
        self.fields["reported_by"].widget.attrs["autofocus"] = True

    def clean(self):
        data = super().clean()
        if not data.get("reported_by") and not data.get("reporter_name", "").strip():
            self.add_error("reporter_name", _("Choose the caller or give their name."))
        return data


class VersionedForm(StyledFormMixin, forms.Form):
    """Carries the version of the call the person saw, so a concurrent change is detected."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class TriageForm(VersionedForm):
    location = forms.ModelChoiceField(queryset=Location.objects.none(), required=False, label=_("Where"))
    category = forms.ModelChoiceField(queryset=Category.objects.none(), required=False, label=_("Category"))
    impact = forms.ChoiceField(choices=Impact.choices, label=_("Impact"))
    urgency = forms.ChoiceField(choices=Urgency.choices, label=_("Urgency"))
    priority = forms.ChoiceField(choices=[("", _("As the matrix says"))] + list(Priority.choices), required=False,
                                 label=_("Override priority"))
    reason = forms.CharField(required=False, label=_("Reason for the override"), max_length=200)
    is_restricted = forms.BooleanField(required=False, label=_("Restricted: data breach or safeguarding concern"))

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(school_id=incident.school_id, is_archived=False)
        self.fields["location"].queryset = Location.objects.filter(school_id=incident.school_id, is_archived=False)


class AssignForm(VersionedForm):
    technician = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label=_("Technician"))
    next_visit = forms.BooleanField(required=False, label=_("Leave it for the next scheduled visit"))
    note = forms.CharField(required=False, widget=SMALL_TEXT, label=_("Note for the technician"))

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["technician"].queryset = User.objects.filter(
            memberships__school_id=incident.school_id, memberships__role__in=STAFF_ROLES
        ).distinct()


class EscalateForm(VersionedForm):
    supplier = forms.ModelChoiceField(queryset=Supplier.objects.none(), label=_("Second-level provider"))
    reference = forms.CharField(required=False, label=_("Their call reference"), max_length=60)
    note = forms.CharField(required=False, widget=SMALL_TEXT, label=_("What you told them"))

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = Supplier.objects.filter(organisation_id=incident.school.organisation_id)


class MinuteInput(forms.DateTimeInput):
    """A browser's date and time picker; it sends 2026-11-09T09:00, and a typed 09/11/2026 09:00 also works."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class SupplierTimesForm(VersionedForm):
    responded_at = forms.DateTimeField(required=False, widget=MinuteInput, label=_("The supplier responded at"),
                                       help_text=_("When they first answered: a call back, an email, their portal."))
    fixed_at = forms.DateTimeField(required=False, widget=MinuteInput, label=_("The supplier fixed it at"))


class ChaseForm(StyledFormMixin, forms.Form):
    note = forms.CharField(widget=SMALL_TEXT, label=_("Who you chased and what they said"))


class ReplyForm(StyledFormMixin, forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label=_("Message"))
    is_public = forms.BooleanField(required=False, initial=True, label=_("Visible to the reporter"))
    minutes_spent = forms.IntegerField(required=False, min_value=0, max_value=24 * 60, label=_("Time spent (minutes)"))
    attachment = forms.FileField(required=False, label=_("Attach a file"))


class WaitForm(VersionedForm):
    on = forms.ChoiceField(choices=[("reporter", _("Waiting on the reporter")),
                                    ("supplier", _("Waiting on the supplier"))],
                           label=_("Waiting on"))
    note = forms.CharField(required=False, widget=SMALL_TEXT, label=_("What we are waiting for"))


class ResumeForm(VersionedForm):
    note = forms.CharField(required=False, label=_("Note"))


class ResolveForm(VersionedForm):
    resolution = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("What was done"))
    is_workaround = forms.BooleanField(required=False, label=_("This is a workaround: follow-up needed"))
    minutes_spent = forms.IntegerField(required=False, min_value=0, max_value=24 * 60, label=_("Time spent (minutes)"))


RATING_LABEL = _("How was your call handled?")


class ConfirmForm(StyledFormMixin, forms.Form):
    """Confirm the fix; the rating is there only when the call was picked for one (`rate=True`)."""

    satisfaction = forms.ChoiceField(
        choices=[("", _("Rather not say")), *Satisfaction.choices], required=False, label=RATING_LABEL,
    )
    comment = forms.CharField(required=False, widget=SMALL_TEXT, label=_("Comment (optional)"))

    def __init__(self, *args, rate: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not rate:
            del self.fields["satisfaction"]

    def clean(self):
        data = super().clean()
        data.setdefault("satisfaction", "")
        return data


class RateForm(StyledFormMixin, forms.Form):
    """The one question after a resolved call: good, OK or poor, and an optional comment."""

    rating = forms.ChoiceField(choices=Satisfaction.choices, widget=forms.RadioSelect, label=RATING_LABEL)
    comment = forms.CharField(required=False, max_length=500, widget=SMALL_TEXT,
                              label=_("Anything you would like to add? (optional)"))


class ReopenForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(widget=SMALL_TEXT, label=_("What is still wrong?"))


class CancelForm(VersionedForm):
    reason = forms.CharField(widget=SMALL_TEXT, label=_("Why cancel it?"))


class DuplicateForm(VersionedForm):
    original = forms.CharField(label=_("Duplicate of (reference, e.g. INC-000123)"), max_length=20)

    def __init__(self, *args, incident, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.incident, self.user = incident, user

    def clean_original(self):
        original = Incident.objects.visible_to(self.user).with_reference(self.cleaned_data["original"]).first()
        if original is None:
            raise forms.ValidationError(_("No call with that reference."))
        return original

from django import forms
from django.utils.translation import gettext_lazy as _

from schooldesk.accounts.models import User
from schooldesk.assets.models import Asset
from schooldesk.core.forms import DateInput, SchoolChoiceMixin, StyledFormMixin, VersionedFormMixin
from schooldesk.licences.models import Licence
from schooldesk.locations.models import Location
from schooldesk.schools.models import School
from schooldesk.suppliers.models import Supplier


class LicenceForm(VersionedFormMixin, SchoolChoiceMixin, StyledFormMixin, forms.ModelForm):
    proof_upload = forms.FileField(
        required=False,
        label=_("Proof of purchase (invoice, order confirmation)"),
        help_text=_("PDF, photo or Office document, up to 10 MB."),
    )

    class Meta:
        model = Licence
        fields = [
            "school",
            "product",
            "publisher",
            "licence_type",
            "quantity",
            "starts_on",
            "ends_on",
            "renews_on",
            "cost",
            "supplier",
            "order_reference",
            "key",
            "notes",
        ]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "renews_on": DateInput(),
            "key": forms.TextInput(),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, school_ids, show_key: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.decide_school(school_ids)
        school_ids = self.owner_ids(school_ids)
        self.fields["supplier"].queryset = Supplier.objects.filter(organisation__schools__in=school_ids).distinct()
        self.fields["key"].widget.attrs["autocomplete"] = "off"
        if not show_key:
            del self.fields["key"]

    def validate_unique(self):
        """Keys are checked by the service (and the database) with a clearer message."""

    def _get_validation_exclusions(self):
        return super()._get_validation_exclusions() | {"key"}


class AllocationForm(StyledFormMixin, forms.Form):
    asset = forms.CharField(required=False, max_length=40, label=_("Device (asset tag)"))
    person = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label=_("…or a person"))
    location = forms.ModelChoiceField(queryset=Location.objects.none(), required=False, label=_("…or a location"))
    quantity = forms.IntegerField(min_value=1, max_value=100000, initial=1, label=_("Seats"))
    note = forms.CharField(required=False, max_length=120, label=_("Note (optional)"))
    over_allocate = forms.BooleanField(
        required=False,
        label=_("Allocate anyway (over-allocate)"),
        help_text=_(
            "Only if you mean to allocate more seats than are free: it is recorded and shows as "
            "under-licensed on the compliance page."
        ),
    )

    def __init__(self, *args, licence, **kwargs):
        super().__init__(*args, **kwargs)
        self.licence = licence
        self.fields["person"].queryset = (
            User.objects.filter(memberships__school_id=licence.school_id).distinct().order_by("first_name", "last_name")
        )
        self.fields["location"].queryset = Location.objects.filter(school_id=licence.school_id, is_archived=False)

    def clean_asset(self):
        tag = self.cleaned_data["asset"].strip()
        if not tag:
            return None
        asset = Asset.objects.filter(school_id=self.licence.school_id).with_reference(tag).first()
        if asset is None:
            raise forms.ValidationError(_("No device with that tag in this school."))
        return asset

    def clean(self):
        data = super().clean()
        chosen = [data.get(k) for k in ("asset", "person", "location") if data.get(k)]
        if len(chosen) != 1 and not self.errors:
            raise forms.ValidationError(_("Choose one device, one person or one location."))
        return data


class InstallationForm(StyledFormMixin, forms.Form):
    asset = forms.CharField(max_length=40, label=_("Device (asset tag)"))
    version = forms.CharField(required=False, max_length=40, label=_("Version (optional)"))
    installed_on = forms.DateField(required=False, widget=DateInput(), label=_("Installed on (optional)"))

    def __init__(self, *args, licence, **kwargs):
        super().__init__(*args, **kwargs)
        self.licence = licence

    def clean_asset(self):
        same_school = Asset.objects.filter(school_id=self.licence.school_id)
        asset = same_school.with_reference(self.cleaned_data["asset"]).first()
        if asset is None:
            raise forms.ValidationError(_("No device with that tag in this school."))
        return asset


class InstallationImportForm(SchoolChoiceMixin, StyledFormMixin, forms.Form):
    school = forms.ModelChoiceField(queryset=School.objects.none(), label=_("School"))
    file = forms.FileField(
        label=_("Spreadsheet (.xlsx or .csv)"),
        help_text=_(
            "Columns “Asset tag” and “Product” (the licence's product name); “Version” and “Installed on” optional."
        ),
    )

    def __init__(self, *args, school_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.decide_school(school_ids)

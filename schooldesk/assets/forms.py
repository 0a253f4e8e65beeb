from django import forms
from django.utils.translation import gettext_lazy as _

from schooldesk.accounts.models import User
from schooldesk.assets.choices import AssetStatus, DisposalMethod, RelationshipKind
from schooldesk.assets.importer import FIELDS
from schooldesk.assets.models import Asset, AssetType
from schooldesk.assets.selectors import MANY_SCHOOLS
from schooldesk.core.forms import (  # noqa: F401 - freeze_choices: the asset views' name for it
    DateInput,
    SchoolChoiceMixin,
    StyledFormMixin,
    VersionedFormMixin,
    freeze_choices,
)
from schooldesk.locations.models import Location
from schooldesk.schools.models import School
from schooldesk.suppliers.models import Supplier

SMALL_TEXT = forms.Textarea(attrs={"rows": 2})


def school_people(school_id):
    return User.objects.filter(memberships__school_id=school_id).distinct().order_by("first_name", "last_name")


class AssetForm(VersionedFormMixin, SchoolChoiceMixin, StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Asset
        fields = [
            "school",
            "tag",
            "asset_type",
            "make",
            "model",
            "serial",
            "location",
            "status",
            "purchased_on",
            "cost",
            "supplier",
            "order_reference",
            "warranty_ends_on",
            "support_ends_on",
            "funding_source",
            "notes",
        ]
        widgets = {
            "purchased_on": DateInput(),
            "warranty_ends_on": DateInput(),
            "support_ends_on": DateInput(),
            "notes": SMALL_TEXT,
        }

    def __init__(self, *args, school_ids, school=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.school_ids = school_ids
        school = self.decide_school(school_ids, chosen=school)
        if school is not None:
            ids = [school.pk]
            organisation_id = school.organisation_id
        else:  # several schools: their rooms and types, unless there are too many to list
            ids = school_ids if len(school_ids) <= MANY_SCHOOLS else []
            organisation_id = None
        self.fields["asset_type"].queryset = AssetType.objects.filter(school_id__in=ids, is_archived=False)
        self.fields["location"].queryset = Location.objects.filter(school_id__in=ids, is_archived=False)
        suppliers = Supplier.objects.filter(organisation__schools__in=ids).distinct()
        if organisation_id:
            suppliers = Supplier.objects.filter(organisation_id=organisation_id)
        self.fields["supplier"].queryset = suppliers
        # loans and disposals have their own forms (who, until when; the disposal record)
        statuses = [c for c in AssetStatus.choices if c[0] not in (AssetStatus.ON_LOAN, AssetStatus.DISPOSED)]
        if self.instance.status in (AssetStatus.ON_LOAN, AssetStatus.DISPOSED):
            statuses.append((self.instance.status, self.instance.get_status_display()))
        self.fields["status"].choices = statuses
        self.fields["tag"].widget.attrs["autocapitalize"] = "characters"

    def validate_unique(self):
        """Tags and serials are checked by the service (and the database), with clearer messages."""

    def _get_validation_exclusions(self):
        # leaves the unique constraints on tag and serial to the service, which names the clashing asset
        return super()._get_validation_exclusions() | {"tag", "serial"}


class AssetTypeForm(VersionedFormMixin, SchoolChoiceMixin, StyledFormMixin, forms.ModelForm):
    class Meta:
        model = AssetType
        fields = ["school", "name", "typical_price", "is_archived"]

    def __init__(self, *args, school_ids, school=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.decide_school(school_ids, chosen=school)


class MoveForm(StyledFormMixin, forms.Form):
    location = forms.ModelChoiceField(queryset=Location.objects.none(), label=_("Move to"))
    note = forms.CharField(required=False, label=_("Note (optional)"), max_length=200)

    def __init__(self, *args, asset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.filter(school_id=asset.school_id, is_archived=False)


class IssueForm(StyledFormMixin, forms.Form):
    person = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Issue or lend to"))
    loan_due_on = forms.DateField(
        required=False,
        widget=DateInput(),
        label=_("Lend until (leave empty to issue)"),
        help_text=_("With a date it is a loan, and shows as overdue after that day."),
    )
    note = forms.CharField(required=False, label=_("Note (optional)"), max_length=200)

    def __init__(self, *args, asset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = school_people(asset.school_id)


class ReturnForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(
        choices=[
            (AssetStatus.SPARE, _("Spare (back in stock)")),
            (AssetStatus.IN_USE, _("In use")),
            (AssetStatus.IN_REPAIR, _("In repair")),
        ],
        label=_("Now"),
    )
    location = forms.ModelChoiceField(queryset=Location.objects.none(), required=False, label=_("Put it in (optional)"))
    condition_in = forms.CharField(required=False, label=_("Condition (optional)"), max_length=500, widget=SMALL_TEXT)
    is_data_wiped = forms.BooleanField(
        required=False,
        label=_("Its data has been wiped"),
        help_text=_("Recorded on the asset for its disposal record."),
    )
    note = forms.CharField(required=False, label=_("Note (optional)"), max_length=200)

    def __init__(self, *args, asset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.filter(school_id=asset.school_id, is_archived=False)


class StatusForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(
        choices=[c for c in AssetStatus.choices if c[0] not in (AssetStatus.DISPOSED, AssetStatus.ON_LOAN)],
        label=_("New status"),
    )
    note = forms.CharField(required=False, label=_("Why (optional)"), max_length=200)

    def __init__(self, *args, asset, **kwargs):
        super().__init__(*args, **kwargs)


class DisposeForm(StyledFormMixin, forms.Form):
    disposed_on = forms.DateField(widget=DateInput(), label=_("Disposed on"))
    method = forms.ChoiceField(choices=DisposalMethod.choices, label=_("How"))
    reference = forms.CharField(required=False, max_length=80, label=_("Certificate or collection reference"))
    is_data_wiped = forms.BooleanField(required=False, label=_("Storage securely wiped or destroyed"))
    note = forms.CharField(required=False, label=_("Note (optional)"), max_length=200)

    def __init__(self, *args, asset, **kwargs):
        super().__init__(*args, **kwargs)


class RelationshipForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(choices=RelationshipKind.choices, label=_("This asset"))
    to_asset = forms.CharField(label=_("Other asset (tag or AST-000123)"), max_length=40)
    note = forms.CharField(required=False, max_length=120, label=_("Note (optional)"))

    def __init__(self, *args, asset, **kwargs):
        super().__init__(*args, **kwargs)
        self.asset = asset

    def clean_to_asset(self):
        same_school = Asset.objects.filter(school_id=self.asset.school_id)
        other = same_school.with_reference(self.cleaned_data["to_asset"]).first()
        if other is None:
            raise forms.ValidationError(_("No asset with that tag in this school."))
        return other


class BulkForm(StyledFormMixin, forms.Form):
    """Move and/or change the status of the ticked assets; or print their labels."""

    location = forms.ModelChoiceField(queryset=Location.objects.none(), required=False, label=_("Move to"))
    status = forms.ChoiceField(
        required=False,
        label=_("Set status"),
        choices=[("", _("Leave as it is"))]
        + [c for c in AssetStatus.choices if c[0] not in (AssetStatus.DISPOSED, AssetStatus.ON_LOAN)],
    )
    note = forms.CharField(required=False, max_length=200, label=_("Note (optional)"))

    def __init__(self, *args, school_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.filter(
            school_id__in=school_ids, is_archived=False
        ).select_related("school")


class AuditForm(StyledFormMixin, forms.Form):
    location = forms.ModelChoiceField(queryset=Location.objects.none(), label=_("Room you are auditing"))
    codes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8, "autocomplete": "off", "spellcheck": "false"}),
        required=False,
        label=_("Scanned codes"),
        help_text=_(
            "Scan each label (a scanner types the code and Enter), or type asset tags or serial numbers, one per line."
        ),
    )
    move_here = forms.BooleanField(
        required=False, label=_("Move the assets found here that are recorded elsewhere into this room")
    )

    def __init__(self, *args, school_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.filter(
            school_id__in=school_ids, is_archived=False
        ).select_related("school")


class ImportUploadForm(SchoolChoiceMixin, StyledFormMixin, forms.Form):
    school = forms.ModelChoiceField(queryset=School.objects.none(), label=_("School"))
    file = forms.FileField(
        label=_("Spreadsheet (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt"}),
        help_text=_("The first row must hold the column headings. Up to 20,000 rows."),
    )

    def __init__(self, *args, school_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.decide_school(school_ids)


class ImportMappingForm(StyledFormMixin, forms.Form):
    """For each of our fields, which column of the file holds it."""

    create_missing = forms.BooleanField(
        required=False, label=_("Add the new locations, types and suppliers listed above")
    )

    def __init__(self, *args, headers, **kwargs):
        super().__init__(*args, **kwargs)
        options = [("", _("— not in the file —"))] + [(h, h) for h in headers if h]
        for name, label, required, _synonyms in FIELDS:
            self.fields[f"map_{name}"] = forms.ChoiceField(choices=options, required=required, label=label)
            self.fields[f"map_{name}"].widget.attrs["class"] = "form-select"
        self.order_fields([f"map_{name}" for name, *_rest in FIELDS] + ["create_missing"])

    @property
    def mapping(self) -> dict[str, str]:
        return {
            key.removeprefix("map_"): value
            for key, value in self.cleaned_data.items()
            if key.startswith("map_") and value
        }

    def mapping_fields(self):
        return [self[name] for name in self.fields if name.startswith("map_")]

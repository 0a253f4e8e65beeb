from django import forms
from django.utils.translation import gettext_lazy as _

from schooldesk.accounts.models import Pupil
from schooldesk.assets.choices import AssetStatus
from schooldesk.core.forms import SchoolChoiceMixin, StyledFormMixin, VersionedFormMixin
from schooldesk.loans.choices import SignerRelationship
from schooldesk.loans.models import AgreementTemplate
from schooldesk.locations.models import Location

SMALL_TEXT = forms.Textarea(attrs={"rows": 2})


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    widget = MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"})

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(PhotosField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class PupilForm(VersionedFormMixin, SchoolChoiceMixin, StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Pupil
        fields = [
            "school",
            "first_name",
            "last_name",
            "year_group",
            "form",
            "mis_id",
            "parent_name",
            "parent_email",
            "is_active",
        ]

    def __init__(self, *args, school_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.decide_school(school_ids)

    def validate_unique(self):
        """The MIS id's clash is checked by the service, in words."""


class ReturnForm(StyledFormMixin, forms.Form):
    condition_in = forms.CharField(
        required=False, max_length=1000, widget=SMALL_TEXT, label=_("Condition when returned (optional)")
    )
    photos = PhotosField(required=False, label=_("Photos of its condition (optional)"))
    is_data_wiped = forms.BooleanField(
        required=False,
        label=_("Its data has been wiped"),
        help_text=_("Recorded on the device for its disposal record."),
    )
    status = forms.ChoiceField(
        choices=[
            (AssetStatus.SPARE, _("Spare (back in stock)")),
            (AssetStatus.IN_USE, _("In use")),
            (AssetStatus.IN_REPAIR, _("In repair")),
            (AssetStatus.RETIRED, _("Retired (for disposal)")),
        ],
        label=_("Now"),
    )
    location = forms.ModelChoiceField(queryset=Location.objects.none(), required=False, label=_("Put it in (optional)"))

    def __init__(self, *args, loan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.filter(school_id=loan.school_id, is_archived=False)


class PhotoForm(StyledFormMixin, forms.Form):
    photos = PhotosField(label=_("Photos of its condition when handed out"))


class AgreementTemplateForm(SchoolChoiceMixin, StyledFormMixin, forms.ModelForm):
    class Meta:
        model = AgreementTemplate
        fields = ["school", "title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 12})}

    def __init__(self, *args, school_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.decide_school(school_ids)


class SignForm(StyledFormMixin, forms.Form):
    """Signed on screen (drawn, or the name typed) or on paper and scanned."""

    signer_name = forms.CharField(max_length=160, label=_("Name of the person signing"))
    relationship = forms.ChoiceField(choices=SignerRelationship.choices, label=_("Signing as"))
    method = forms.ChoiceField(
        choices=[
            ("drawn", _("Sign on the screen")),
            ("typed", _("Type my name as my signature")),
            ("paper", _("Upload the signed paper copy")),
        ],
        widget=forms.RadioSelect,
        initial="drawn",
        label=_("How"),
    )
    signature = forms.CharField(required=False, widget=forms.HiddenInput)
    typed_signature = forms.CharField(
        required=False,
        max_length=160,
        label=_("Typed signature"),
        help_text=_("Type your full name: it stands for your signature."),
    )
    scan = forms.FileField(required=False, label=_("Signed paper copy (PDF or photo)"))
    confirm = forms.BooleanField(label=_("I have read the agreement and agree to it"))

    def clean(self):
        data = super().clean()
        method = data.get("method")
        if method == "drawn" and not (data.get("signature") or "").startswith("data:image/png;base64,"):
            self.add_error(None, _("Sign in the box, or choose to type your name instead."))
        if method == "typed" and not (data.get("typed_signature") or "").strip():
            self.add_error("typed_signature", _("Type your name as your signature."))
        if method == "paper" and not data.get("scan"):
            self.add_error("scan", _("Choose the scanned copy of the signed agreement."))
        return data

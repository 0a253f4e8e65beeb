"""Forms of the loaner pool and charges (docs/decisions/0029)."""

from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from schooldesk.assets.choices import GONE_STATUSES
from schooldesk.assets.models import Asset
from schooldesk.core.forms import StyledFormMixin, VersionedFormMixin
from schooldesk.incidents.models import Incident
from schooldesk.loans.models import Loan
from schooldesk.loans.models_pool import Charge, LoanerPool


class PoolSettingsForm(VersionedFormMixin, StyledFormMixin, forms.ModelForm):
    class Meta:
        model = LoanerPool
        fields = ["is_swap_back_automatic", "letter_address", "payment_instructions"]
        widgets = {
            "letter_address": forms.Textarea(attrs={"rows": 4}),
            "payment_instructions": forms.Textarea(attrs={"rows": 3}),
        }


class LoanerAddForm(StyledFormMixin, forms.Form):
    asset = forms.ModelChoiceField(
        queryset=Asset.objects.none(),
        label=_("Device to add to the pool"),
        help_text=_("Devices of the register that nobody holds."),
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["asset"].queryset = (
            Asset.objects.filter(school=school, loaner__isnull=True, issued_to__isnull=True)
            .exclude(status__in=GONE_STATUSES)
            .exclude(Exists(Loan.objects.open().filter(asset=OuterRef("pk"))))
            .select_related("asset_type")
            .order_by("tag")
        )
        self.fields["asset"].label_from_instance = lambda a: f"{a.tag} · {a.description}"


class SwapInForm(StyledFormMixin, forms.Form):
    loaner = forms.ModelChoiceField(queryset=Asset.objects.none(), label=_("Loaner from the pool"))
    incident = forms.ModelChoiceField(queryset=Incident.objects.none(), label=_("Repair call"), required=False)

    def __init__(self, *args, spares, calls, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["loaner"].queryset = spares
        self.fields["loaner"].label_from_instance = lambda a: f"{a.tag} · {a.description}"
        self.fields["incident"].queryset = calls
        self.fields["incident"].label_from_instance = lambda i: f"{i.reference} · {i.summary}"
        first = next(iter(calls), None)
        if first is not None:
            self.fields["incident"].initial = first.pk
            self.fields["incident"].required = True
            self.fields["incident"].empty_label = None


class SwapBackForm(forms.Form):
    """Nothing to type: the button says what happens."""


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ChargeForm(VersionedFormMixin, StyledFormMixin, forms.ModelForm):
    photos = MultiplePhotoField(
        label=_("Photos of the damage"),
        required=False,
        help_text=_("Optional. The photos' location and camera details are removed."),
    )

    class Meta:
        model = Charge
        fields = ["reason", "description", "amount"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "description": _("What happened, in words for the letter to parents."),
            "amount": _("In pounds, e.g. 45.00."),
        }


class ChargeStatusForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    note = forms.CharField(label=_("Why it is waived"), max_length=300, required=False)


class ChargeExportForm(StyledFormMixin, forms.Form):
    NEW, RANGE = "new", "range"
    which = forms.ChoiceField(
        label=_("Which charges"),
        widget=forms.RadioSelect,
        initial=NEW,
        choices=[
            (NEW, _("Those not exported before (they are then marked as exported)")),
            (RANGE, _("Those sent between two dates (again, for checking)")),
        ],
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("which") == self.RANGE and not (data.get("date_from") and data.get("date_to")):
            raise forms.ValidationError(_("Give both dates, or choose the charges not exported before."))
        return data

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schooldesk.core.forms import DateInput, SchoolChoiceMixin, StyledFormMixin
from schooldesk.privacy.choices import RecordKind
from schooldesk.privacy.models import RetentionPolicy, SubjectAccessRequest


class SubjectAccessRequestForm(SchoolChoiceMixin, StyledFormMixin, forms.ModelForm):
    class Meta:
        model = SubjectAccessRequest
        fields = ["school", "requested_by", "subject_name", "subject_email", "received_on", "notes"]
        widgets = {"received_on": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "received_on": _("The request is due one calendar month after this day."),
            "subject_email": _("If you know it: it finds their emails and calls logged by email."),
        }

    def __init__(self, *args, school_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.decide_school(school_ids)
        self.fields["received_on"].initial = timezone.localdate()


class SubjectChooseForm(StyledFormMixin, forms.Form):
    """The person found by the search: an account, a pupil of the device scheme, or a caller's name and address."""

    user = forms.IntegerField(required=False, widget=forms.HiddenInput)
    pupil = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    email = forms.CharField(required=False, max_length=254, widget=forms.HiddenInput)


class ExemptionForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(choices=RecordKind.choices, widget=forms.HiddenInput)
    object_id = forms.CharField(max_length=40, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason it is exempt"),
        max_length=300,
        required=False,
        help_text=_("For example: it is about another person; legal advice."),
    )
    include = forms.BooleanField(required=False, widget=forms.HiddenInput)


class EmptyForm(StyledFormMixin, forms.Form):
    """A button alone (answer, confirm)."""


class RetentionPolicyForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = RetentionPolicy
        fields = ["closed_call_days", "restricted_call_days", "mail_days", "leaver_days", "audit_days", "is_enabled"]
        help_texts = {
            "is_enabled": _(
                "Only after you have read what it would do, below. Every night it then removes what is past its time."
            )
        }

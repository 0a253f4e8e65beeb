from django import forms
from django.utils.translation import gettext_lazy as _

from schooldesk.core.forms import DateInput, MinuteInput, SchoolChoiceMixin, StyledFormMixin
from schooldesk.safeguarding import choices
from schooldesk.safeguarding.models import Breach
from schooldesk.schools.models import School

SMALL_TEXT = forms.Textarea(attrs={"rows": 2})


class BreachForm(StyledFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Breach
        fields = [
            "aware_at",
            "data_involved",
            "people_affected",
            "is_special_category",
            "involves_children",
            "consequences",
            "containment",
            "notifiable",
            "notifiable_reason",
            "ico_told_at",
            "ico_reference",
            "people_told",
        ]
        widgets = {
            "aware_at": MinuteInput,
            "ico_told_at": MinuteInput,
            "data_involved": SMALL_TEXT,
            "consequences": SMALL_TEXT,
            "containment": SMALL_TEXT,
            "notifiable_reason": SMALL_TEXT,
            "notifiable": forms.RadioSelect,
            "people_told": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        self.fields["aware_at"].help_text = _("The 72 hours to tell the ICO run from this moment.")
        self.fields["ico_told_at"].help_text = _("Left empty, saving an ICO reference records now.")
        self.fields["notifiable"].required = False
        self.fields["people_told"].required = False


class ConcernActionForm(StyledFormMixin, forms.Form):
    text = forms.CharField(widget=SMALL_TEXT, label=_("Action taken"))


class ConcernCloseForm(StyledFormMixin, forms.Form):
    outcome = forms.CharField(widget=SMALL_TEXT, label=_("Outcome"))


class FilterRequestForm(SchoolChoiceMixin, StyledFormMixin, forms.Form):
    school = forms.ModelChoiceField(queryset=School.objects.none(), label=_("School"))
    change = forms.ChoiceField(choices=choices.FilterChange.choices, widget=forms.RadioSelect, label=_("What change?"))
    site = forms.CharField(
        max_length=200,
        label=_("Which website or app?"),
        help_text=_("Its address, e.g. www.example.org, or the app's name."),
    )
    reason = forms.CharField(widget=SMALL_TEXT, label=_("Why?"))
    audience = forms.ChoiceField(choices=choices.Audience.choices, label=_("For whom?"))
    year_group = forms.CharField(
        max_length=40,
        required=False,
        label=_("Which year group? (if a year group)"),
        help_text=_("For example: Year 10."),
    )
    days = forms.IntegerField(
        min_value=1,
        max_value=366,
        required=False,
        label=_("For how many days?"),
        help_text=_("Leave empty for a lasting change; the yearly review looks at it again."),
    )

    def __init__(self, *args, school_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.decide_school(school_ids)


class DecisionForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        widget=forms.RadioSelect,
        label=_("Decision"),
        choices=[("approve", _("Approve: the technician makes the change")), ("refuse", _("Refuse"))],
    )
    reason = forms.CharField(widget=SMALL_TEXT, label=_("Reason for the decision"))


class ReviewForm(SchoolChoiceMixin, StyledFormMixin, forms.Form):
    school = forms.ModelChoiceField(queryset=School.objects.none(), label=_("School"))
    review_on = forms.DateField(widget=DateInput, label=_("Review date"))
    notes = forms.CharField(widget=SMALL_TEXT, required=False, label=_("Notes"))

    def __init__(self, *args, school_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.decide_school(school_ids)


class SignForm(forms.Form):
    pass

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from schooldesk.core.forms import DateInput, SchoolChoiceMixin, StyledFormMixin
from schooldesk.core.roles import STAFF_ROLES
from schooldesk.standards.choices import Month, StatementState
from schooldesk.standards.models import CheckRule
from schooldesk.standards.selectors import check_rule_school_ids

User = get_user_model()
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class CheckRuleForm(SchoolChoiceMixin, StyledFormMixin, forms.ModelForm):
    class Meta:
        model = CheckRule
        fields = [
            "school",
            "name",
            "kind",
            "recurrence",
            "weekday",
            "month",
            "steps",
            "assigned_to",
            "raises_call",
            "is_active",
        ]
        widgets = {"steps": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        school_ids = check_rule_school_ids(user=user)
        self.decide_school(school_ids)
        self.fields["assigned_to"].queryset = (
            User.objects.filter(
                memberships__school_id__in=self.owner_ids(school_ids), memberships__role__in=STAFF_ROLES
            )
            .distinct()
            .order_by("first_name", "last_name", "username")
        )


class CheckCompleteForm(StyledFormMixin, forms.Form):
    """A yes or no for each of the rule's steps, a note and a file: the evidence that the check was done."""

    note = forms.CharField(label=_("What was done and found"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(
        label=_("Evidence (a file, optional)"),
        required=False,
        help_text=_("A screenshot, a report or a photo: PDF, image, text or Office document."),
    )

    def __init__(self, *args, steps: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.steps = steps
        for n, step in enumerate(steps):
            self.fields[f"step_{n}"] = forms.ChoiceField(label=step, choices=YES_NO, widget=forms.RadioSelect)
        self.order_fields([f"step_{n}" for n in range(len(steps))] + ["note", "evidence"])

    def answers(self) -> list[tuple[str, bool]]:
        return [(step, self.cleaned_data[f"step_{n}"] == "yes") for n, step in enumerate(self.steps)]


class StatementForm(StyledFormMixin, forms.Form):
    part = forms.CharField(widget=forms.HiddenInput)
    state = forms.ChoiceField(label=_("Is it in place?"), choices=StatementState.choices, widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("Statement"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What is in place, and how you know."),
    )
    made_by_name = forms.CharField(label=_("Made by (name and role)"), max_length=120)
    made_on = forms.DateField(label=_("On"), widget=DateInput())
    file = forms.FileField(label=_("Attachment (optional)"), required=False)


class ReviewMonthForm(StyledFormMixin, forms.Form):
    review_month = forms.TypedChoiceField(label=_("Review the IT support every"), choices=Month.choices, coerce=int)


class ReviewForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    findings = forms.CharField(
        label=_("Findings"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What the year showed: performance, contracts, value for money."),
    )
    actions = forms.CharField(
        label=_("Actions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What will change, who does it and by when."),
    )


class ReviewActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)

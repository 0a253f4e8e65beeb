from django import forms
from django.utils.translation import gettext_lazy as _

from schooldesk.core.forms import SchoolChoiceMixin, StyledFormMixin, VersionedFormMixin
from schooldesk.schools.models import School


class ProposalForm(VersionedFormMixin, SchoolChoiceMixin, StyledFormMixin, forms.Form):
    school = forms.ModelChoiceField(queryset=School.objects.none(), label=_("School"))
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Procedure"),
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Plain text. Number the steps; a blank line starts a new paragraph."),
    )
    note = forms.CharField(
        label=_("What changes and why"),
        max_length=300,
        help_text=_("For the ICT owner, who authorises it, and for the history."),
    )

    def __init__(self, *args, school_ids=(), procedure=None, **kwargs):
        self.instance = procedure  # the version it is drawn from (VersionedFormMixin)
        super().__init__(*args, **kwargs)
        self.decide_school(school_ids, chosen=procedure.school if procedure is not None else None)
        if procedure is None:
            self.fields["note"].required = False


class DecisionForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[("authorise", _("Authorise: it becomes the current version")), ("reject", _("Do not authorise"))],
    )
    reason = forms.CharField(label=_("Reason (needed if not authorised)"), required=False, max_length=300)


class StarterForm(forms.Form):
    school = forms.IntegerField(widget=forms.HiddenInput)

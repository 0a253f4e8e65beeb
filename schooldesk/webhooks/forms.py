from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schooldesk.core.forms import SchoolChoiceMixin, StyledFormMixin
from schooldesk.schools.models import Organisation, School
from schooldesk.webhooks.choices import WebhookEvent
from schooldesk.webhooks.models import Subscription, manager_scope


class SubscriptionForm(SchoolChoiceMixin, StyledFormMixin, forms.ModelForm):
    """A school's ICT owner: their school (no field with one). An LA's desk: one of its schools, or the
    organisation as a whole (every school's events)."""

    url = forms.URLField(
        label=Subscription._meta.get_field("url").verbose_name.capitalize(),
        max_length=500,
        assume_scheme="https",
        help_text=Subscription._meta.get_field("url").help_text,
        widget=forms.URLInput(attrs={"autocomplete": "off"}),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Subscription
        fields = ["school", "organisation", "name", "url", "kind", "is_active"]

    field_order = ["school", "organisation", "name", "url", "kind", "events", "is_active"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        schools, organisations = manager_scope(user)
        self.initial["events"] = self.instance.event_list
        if self.instance.pk:  # a subscription stays with its school or organisation
            del self.fields["school"], self.fields["organisation"]
        elif not organisations:
            del self.fields["organisation"]
            self.decide_school(schools)
        else:
            self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=organisations).order_by("name")
            self.fields["school"].queryset = School.objects.filter(
                Q(pk__in=schools) | Q(organisation_id__in=organisations)
            ).order_by("name")
            self.fields["school"].required = False
            self.fields["school"].help_text = _("Or leave it empty and choose the organisation below.")

    def clean(self):
        data = super().clean()
        if "organisation" in self.fields and bool(data.get("school")) == bool(data.get("organisation")):
            self.add_error(
                "school", _("Choose a school, or the organisation for every school's events (one of the two).")
            )
        return data

    def _post_clean(self):
        super()._post_clean()
        if "events" in self.cleaned_data:
            self.instance.events = "," + ",".join(self.cleaned_data["events"]) + ","


class ResendForm(forms.Form):
    """Nothing to fill in: the button is the form."""

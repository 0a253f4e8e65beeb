from django import forms
from django.utils.translation import gettext_lazy as _

from schooldesk.core.forms import SchoolOrOrganisationMixin, StyledFormMixin
from schooldesk.webhooks.choices import WebhookEvent
from schooldesk.webhooks.models import Subscription
from schooldesk.webhooks.selectors import subscription_scope


class SubscriptionForm(SchoolOrOrganisationMixin, StyledFormMixin, forms.ModelForm):
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

    either_message = _("Choose a school, or the organisation for every school's events (one of the two).")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["events"] = self.instance.event_list
        self.decide_school_or_organisation(*subscription_scope(user=user))

    def _post_clean(self):
        super()._post_clean()
        if "events" in self.cleaned_data:
            self.instance.events = "," + ",".join(self.cleaned_data["events"]) + ","


class ResendForm(forms.Form):
    """Nothing to fill in: the button is the form."""

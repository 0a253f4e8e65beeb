from django import forms
from django.utils.translation import gettext_lazy as _

from schooldesk.core.forms import SchoolOrOrganisationMixin, StyledFormMixin, VersionedFormMixin
from schooldesk.devicesync.choices import LineKind
from schooldesk.devicesync.models import ConsoleConnection
from schooldesk.devicesync.selectors import console_choices


class ConnectionForm(SchoolOrOrganisationMixin, VersionedFormMixin, StyledFormMixin, forms.ModelForm):
    """A school's ICT owner, SPOC or technician: their school (no field with one). An LA's desk: one of its
    schools, or the organisation as a whole (its devices routed to its schools). The key is typed, never shown:
    an edit leaves it empty to keep the stored one."""

    secret = forms.CharField(
        label=_("Key or secret"),
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "spellcheck": "false"}),
        help_text=ConsoleConnection._meta.get_field("credentials").help_text,
    )

    class Meta:
        model = ConsoleConnection
        fields = [
            "school",
            "organisation",
            "name",
            "kind",
            "base_url",
            "admin_email",
            "customer_id",
            "tenant_id",
            "client_id",
            "network_id",
            "routing",
            "write_back",
            "is_active",
        ]
        widgets = {
            "routing": forms.Textarea(attrs={"rows": 4}),
            "base_url": forms.TextInput(attrs={"autocomplete": "off", "inputmode": "url"}),
        }

    field_order = [
        "school",
        "organisation",
        "name",
        "kind",
        "base_url",
        "secret",
        "admin_email",
        "customer_id",
        "tenant_id",
        "client_id",
        "network_id",
        "routing",
        "write_back",
        "is_active",
    ]

    either_message = _("Choose a school, or the organisation for a console of every school (one of the two).")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.decide_school_or_organisation(*console_choices(user=user))
        if self.instance.pk and self.instance.credentials:
            self.fields["secret"].help_text = _(
                "A key is stored (%(hint)s). Leave empty to keep it; paste a new one to replace it."
            ) % {"hint": self.instance.credentials_hint}


class ButtonForm(forms.Form):
    """Nothing to fill in: the button is the form."""


class LineFilterForm(StyledFormMixin, forms.Form):
    one_time_token = False
    kind = forms.ChoiceField(label=_("Show"), required=False, choices=[("", _("Every line")), *LineKind.choices])

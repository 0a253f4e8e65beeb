from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schooldesk.core.forms import SchoolChoiceMixin, StyledFormMixin, VersionedFormMixin
from schooldesk.devicesync.choices import LineKind
from schooldesk.devicesync.models import ConsoleConnection, console_scope
from schooldesk.schools.models import Organisation, School


class ConnectionForm(SchoolChoiceMixin, VersionedFormMixin, StyledFormMixin, forms.ModelForm):
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

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        schools, organisations = console_scope(user)
        if self.instance.pk:  # a connection stays with its school or organisation
            del self.fields["school"], self.fields["organisation"]
            if self.instance.credentials:
                self.fields["secret"].help_text = _(
                    "A key is stored (%(hint)s). Leave empty to keep it; paste a new one to replace it."
                ) % {"hint": self.instance.credentials_hint}
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
                "school", _("Choose a school, or the organisation for a console of every school (one of the two).")
            )
        return data


class ButtonForm(forms.Form):
    """Nothing to fill in: the button is the form."""


class LineFilterForm(StyledFormMixin, forms.Form):
    one_time_token = False
    kind = forms.ChoiceField(label=_("Show"), required=False, choices=[("", _("Every line")), *LineKind.choices])

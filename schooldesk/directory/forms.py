from django import forms
from django.utils.translation import gettext_lazy as _

from schooldesk.core.forms import SchoolOrOrganisationMixin, StyledFormMixin, VersionedFormMixin
from schooldesk.directory.models import Connection
from schooldesk.directory.selectors import connection_choices


class ConnectionForm(VersionedFormMixin, SchoolOrOrganisationMixin, StyledFormMixin, forms.ModelForm):
    """A school's ICT owner: their school (no field with one). An LA's or trust's desk: one of its schools, or the
    organisation as a whole. The secret is never drawn back into the page."""

    new_secret = forms.CharField(
        label=_("Secret"),
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "spellcheck": "false"}),
        help_text=Connection._meta.get_field("secret").help_text,
    )

    class Meta:
        model = Connection
        fields = [
            "school",
            "organisation",
            "name",
            "provider",
            "tenant",
            "client_id",
            "role_mapping",
            "sync_pupils",
            "is_active",
        ]
        widgets = {"role_mapping": forms.Textarea(attrs={"rows": 5, "spellcheck": "false"})}

    field_order = [
        "school",
        "organisation",
        "name",
        "provider",
        "tenant",
        "client_id",
        "new_secret",
        "role_mapping",
        "sync_pupils",
        "is_active",
    ]

    either_message = _("Choose a school, or the organisation for a directory shared by its schools (one of the two).")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.decide_school_or_organisation(*connection_choices(user=user))
        if self.instance.pk and self.instance.secret:
            self.fields["new_secret"].help_text = _(
                "A secret is stored (%(hint)s). Leave empty to keep it; enter a new one to replace it."
            ) % {"hint": self.instance.secret_hint}


class ActionForm(forms.Form):
    """Nothing to fill in: the button is the form."""

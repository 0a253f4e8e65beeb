from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schooldesk.core.forms import SchoolChoiceMixin, StyledFormMixin, VersionedFormMixin
from schooldesk.directory.models import Connection, manager_scope
from schooldesk.schools.models import Organisation, School


class ConnectionForm(VersionedFormMixin, SchoolChoiceMixin, StyledFormMixin, forms.ModelForm):
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

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        schools, organisations = manager_scope(user)
        if self.instance.pk:  # a connection stays with its school or organisation
            self.fields.pop("school", None)
            self.fields.pop("organisation", None)
            if self.instance.secret:
                self.fields["new_secret"].help_text = _(
                    "A secret is stored (%(hint)s). Leave empty to keep it; enter a new one to replace it."
                ) % {"hint": self.instance.secret_hint}
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
                "school",
                _("Choose a school, or the organisation for a directory shared by its schools (one of the two)."),
            )
        return data


class ActionForm(forms.Form):
    """Nothing to fill in: the button is the form."""

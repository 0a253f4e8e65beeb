from django import forms
from django.utils.translation import gettext_lazy as _

from schooldesk.core.forms import SchoolChoiceMixin, SchoolOrOrganisationMixin, StyledFormMixin, VersionedFormMixin
from schooldesk.locations.models import Location
from schooldesk.mail.choices import DEFAULT_OFF, NotificationEvent
from schooldesk.mail.models import Mailbox
from schooldesk.mail.selectors import desk_organisation_ids, desk_school_ids, location_choices
from schooldesk.schools.models import School

KEEP = _("Leave blank to keep the one saved. It is never shown again.")


class MailboxForm(VersionedFormMixin, SchoolOrOrganisationMixin, StyledFormMixin, forms.ModelForm):
    """Secrets are write-only: never put back into the page, a blank box keeps the saved one."""

    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    oauth_client_secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    smtp_password = forms.CharField(
        label=_("SMTP password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )

    field_order = [
        "school",
        "organisation",
        "name",
        "address",
        "is_active",
        "host",
        "port",
        "security",
        "username",
        "auth_method",
        "password",
        "oauth_tenant",
        "oauth_client_id",
        "oauth_client_secret",
        "folder",
        "unknown_senders",
        "default_location",
        "rate_limit_per_hour",
        "poll_every_minutes",
        "authserv_id",
        "send_with",
        "smtp_host",
        "smtp_port",
        "smtp_security",
        "smtp_username",
        "smtp_password",
    ]

    class Meta:
        model = Mailbox
        fields = [
            "school",
            "organisation",
            "name",
            "address",
            "is_active",
            "host",
            "port",
            "security",
            "username",
            "auth_method",
            "oauth_tenant",
            "oauth_client_id",
            "folder",
            "unknown_senders",
            "default_location",
            "rate_limit_per_hour",
            "poll_every_minutes",
            "authserv_id",
            "send_with",
            "smtp_host",
            "smtp_port",
            "smtp_security",
            "smtp_username",
        ]

    either_message = _("Choose a school, or the organisation for a mailbox shared by all its schools (one of the two).")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        schools = desk_school_ids(user=user)
        self.fields["default_location"].queryset = location_choices(school_ids=schools)
        self.fields["default_location"].label_from_instance = lambda loc: (
            f"{loc.name} ({loc.school.name})" if len(schools) > 1 else loc.name
        )
        self.decide_school_or_organisation(schools, desk_organisation_ids(user=user))
        for name in self.OPTIONAL_WITH_DEFAULT:
            self.fields[name].required = False
        for name in ("password", "oauth_client_secret", "smtp_password"):
            self.fields[name].help_text = KEEP if getattr(self.instance, name) else _("Not set yet.")
            self.initial.pop(name, None)

    #: sending settings added later: a form posted without them (an older page, a script) keeps the defaults
    OPTIONAL_WITH_DEFAULT = ("send_with", "smtp_port", "smtp_security")

    def _post_clean(self):
        for name in self.OPTIONAL_WITH_DEFAULT:
            if self.cleaned_data.get(name) in (None, ""):
                self.cleaned_data[name] = Mailbox._meta.get_field(name).get_default()
        super()._post_clean()

    def secrets(self) -> dict:
        return {name: self.cleaned_data.get(name, "") for name in ("password", "oauth_client_secret", "smtp_password")}


#: offered only to people who run a desk
DESK_EVENTS = frozenset({NotificationEvent.NEW_CALL})


class PreferencesForm(StyledFormMixin, forms.Form):
    def __init__(self, *args, saved: dict[str, bool], is_desk: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        for event in NotificationEvent:
            if event in DESK_EVENTS and not is_desk:
                continue
            self.fields[event.value] = forms.BooleanField(
                label=event.label, required=False, initial=saved.get(event.value, event not in DEFAULT_OFF)
            )


class AcceptForm(SchoolChoiceMixin, StyledFormMixin, forms.Form):
    school = forms.ModelChoiceField(queryset=School.objects.none(), label=_("School"), required=False)
    location = forms.ModelChoiceField(queryset=Location.objects.none(), label=_("Where"))
    summary = forms.CharField(label=_("What is wrong?"), max_length=200)

    def __init__(self, *args, user, message, **kwargs):
        super().__init__(*args, **kwargs)
        desk = desk_school_ids(user=user)
        self.decide_school(desk, chosen=message.school if message.school_id else None)
        schools = self.owner_ids(desk)
        self.fields["location"].queryset = location_choices(school_ids=schools)
        self.fields["location"].label_from_instance = lambda loc: (
            f"{loc.name} ({loc.school.name})" if len(schools) > 1 else loc.name
        )
        self.fields["summary"].initial = message.subject[:200]

    def clean(self):
        data = super().clean()
        school, location = self.owner, data.get("location")
        if school is not None and location is not None and location.school_id != school.pk:
            self.add_error("location", _("Choose a location of the school you chose."))
        return data

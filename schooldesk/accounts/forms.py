from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.utils.translation import gettext_lazy as _

from schooldesk.accounts.choices import ApiTokenScope, Role
from schooldesk.accounts.models import MfaPolicy
from schooldesk.core.forms import StyledFormMixin, VersionedFormMixin


class LoginForm(StyledFormMixin, AllauthLoginForm):
    """allauth's sign-in form (a username or an email address, and the password: docs/decisions/0031), its first
    field still called `username` as before allauth: the scripts, the benchmark, the deploy check and django-axes
    (AXES_USERNAME_FORM_FIELD) post and read that name."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        login = self.fields.pop("login")
        login.label = _("Username or email address")
        login.widget.attrs.pop("placeholder", None)
        login.widget.attrs.update(autocomplete="username", autocapitalize="none", spellcheck="false")
        password = self.fields.pop("password")
        password.help_text = ""  # allauth's own "forgot" link; the page has the desk's
        password.widget.attrs.pop("placeholder", None)
        password.widget.attrs["autocomplete"] = "current-password"
        self.fields = {"username": login, "password": password, **self.fields}

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip()

    def clean(self):
        if "username" in self.cleaned_data:
            self.cleaned_data["login"] = self.cleaned_data["username"]  # the name allauth's own clean reads
        return super().clean()


class QueuedPasswordResetForm(PasswordResetForm):
    """"Forgotten your password?": the request only queues the job (accounts.tasks); the worker looks the address
    up and sends the email. Known and unknown addresses then cost the page the same."""

    def save(self, domain_override=None, use_https=False, request=None, **kwargs):
        from schooldesk.accounts.tasks import password_reset_send_task

        password_reset_send_task(self.cleaned_data["email"], domain_override or request.get_host(), use_https)


class ApiTokenForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80,
                           help_text=_("What it is for, so you know which to revoke: “Governors’ dashboard”."))
    scope = forms.ChoiceField(label=_("Access"), choices=ApiTokenScope.choices, initial=ApiTokenScope.READ,
                              widget=forms.RadioSelect,
                              help_text=_("Read only is enough to fetch calls; read and write can also log them."))


class ApiTokenRevokeForm(StyledFormMixin, forms.Form):
    """Nothing to fill in: the button is the whole form."""


class MfaPolicyForm(VersionedFormMixin, StyledFormMixin, forms.ModelForm):
    """Which roles must use two-step sign-in in every school of one organisation (docs/decisions/0032)."""

    roles = forms.MultipleChoiceField(
        label=_("Roles that must use two-step sign-in"), choices=Role.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A person holding a ticked role is asked to set it up when they next open the desk, and can do "
                    "nothing else until they have. Leave a role unticked to let its people choose."))

    class Meta:
        model = MfaPolicy
        fields = ["roles"]

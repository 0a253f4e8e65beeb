"""allauth.mfa's adapter and forms for the desk (settings.MFA_ADAPTER and MFA_FORMS; docs/decisions/0032)."""

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.recovery_codes.forms import GenerateRecoveryCodesForm
from allauth.mfa.totp.forms import ActivateTOTPForm, DeactivateTOTPForm
from allauth.mfa.webauthn.forms import AddWebAuthnForm, EditWebAuthnForm
from django import forms
from django.utils.translation import gettext_lazy as _

from schooldesk.core.fields import decrypt_secret, encrypt_secret
from schooldesk.core.forms import StyledFormMixin


class DeskMFAAdapter(DefaultMFAAdapter):
    """The authenticator app's secret and the recovery codes' seed are encrypted with the desk's keys
    (SCHOOLDESK_SECRET_KEYS, docs/decisions/0012), as mailbox passwords are; one written in clear is still read."""

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": _(
            "That code is not right. Type the code your app shows now, or a recovery code you have not used before."
        ),
    }

    def encrypt(self, text: str) -> str:
        return encrypt_secret(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_secret(encrypted_text)

    def get_totp_label(self, user) -> str:
        return user.email or user.username

    def generate_authenticator_name(self, user, type) -> str:
        """A new passkey's name until its person gives one: "Passkey 2" (allauth's is "Master key")."""
        from allauth.mfa.models import Authenticator

        count = Authenticator.objects.filter(user_id=user.pk, type=type).count()
        return str(_("Passkey %(number)s") % {"number": count + 1})


def _code_field(form) -> None:
    field = form.fields["code"]
    field.label = _("Code")
    field.widget.attrs.update({"inputmode": "numeric", "autocomplete": "one-time-code", "spellcheck": "false"})
    field.widget.attrs.pop("placeholder", None)


class DeskAuthenticateForm(StyledFormMixin, AuthenticateForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _code_field(self)
        self.fields["code"].help_text = _("6 digits from your app, or a recovery code.")
        self.fields["code"].widget.attrs["inputmode"] = "text"  # recovery codes too


class DeskReauthenticateForm(StyledFormMixin, ReauthenticateForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _code_field(self)


class DeskActivateTOTPForm(StyledFormMixin, ActivateTOTPForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _code_field(self)
        self.fields["code"].label = _("Code from the app")


class DeskDeactivateTOTPForm(StyledFormMixin, DeactivateTOTPForm):
    pass


class DeskGenerateRecoveryCodesForm(StyledFormMixin, GenerateRecoveryCodesForm):
    pass


class DeskAddWebAuthnForm(StyledFormMixin, AddWebAuthnForm):
    """A passkey that signs in alone by default (it is a second factor in itself: the device and its unlocking)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Name")
        self.fields["name"].help_text = _("Which device it is on: “Office PC”, “My phone”.")
        if "passwordless" in self.fields:
            self.fields["passwordless"] = forms.BooleanField(
                label=_("Sign in with this passkey alone, without my password"),
                required=False,
                initial=True,
                help_text=_("The device then asks for your fingerprint, face or PIN each time."),
            )


class DeskEditWebAuthnForm(StyledFormMixin, EditWebAuthnForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Name")


class FirstWayWithoutPasswordMixin:
    """For the desk's account adapter: allauth asks for the password again before any change to two-step sign-in
    (reauthentication). A person who signs in only with Microsoft or Google has no password to give and, before
    their first way, no code either: allauth would refuse them outright, and a role that must use MFA would leave
    them locked out. Their first way is added without it; every later change asks for a code or a passkey."""

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        if app == "allauth.mfa":
            from allauth.core import context

            from schooldesk.accounts.mfa import has_any_way

            user = getattr(getattr(context, "request", None), "user", None)
            if getattr(user, "is_authenticated", False) and not user.has_usable_password() and not has_any_way(user):
                return False
        return super().is_reauthentication_required(app=app, **kwargs)

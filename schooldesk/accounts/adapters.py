"""How django-allauth signs people in to the desk (docs/decisions/0031): nobody signs themselves up; the client's
address is the one every other limit uses; a school that has turned passwords off refuses its people's passwords;
a sign-in with Microsoft or Google follows the desk's rules (accounts/sso.py)."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django import forms
from django.shortcuts import render
from django.utils.translation import gettext as _

from schooldesk.accounts import sso
from schooldesk.accounts.audit_hooks import sign_in_event
from schooldesk.accounts.mfa_allauth import FirstWayWithoutPasswordMixin
from schooldesk.core import audit
from schooldesk.core.throttling import client_address


class DeskAccountAdapter(FirstWayWithoutPasswordMixin, DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        """No self sign-up: a SPOC adds people, and a first sign-in with a school's Microsoft or Google makes
        the account (the social adapter's own rule)."""
        return False

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is not None and "password" in credentials:
            connection = sso.password_refused_by(user)
            if connection is not None:
                sign_in_event(
                    action=audit.SIGN_IN_FAILED,
                    user=user,
                    summary="Sign-in refused: passwords are off",
                    changes={"reason": "passwords_off"},
                )
                raise forms.ValidationError(
                    _("Your school signs in with %(provider)s only: use the “Sign in with %(short)s” button.")
                    % {
                        "provider": connection.get_provider_display(),
                        "short": _("Microsoft") if connection.provider == "microsoft" else _("Google"),
                    },
                    code="passwords_off",
                )
        return user

    def add_message(
        self, request, level, message_template=None, message_context=None, extra_tags="", message=None
    ) -> None:
        """Not allauth's "Successfully signed in as …" and "You have signed out": the desk never said them."""
        if message_template in ("account/messages/logged_in.txt", "account/messages/logged_out.txt"):
            return
        super().add_message(request, level, message_template, message_context, extra_tags, message)

    def get_client_ip(self, request) -> str:
        return client_address(request) or "0.0.0.0"  # noqa: S104 - a key for allauth's limits, never bound


def refuse(request, connection, message: str, *, email: str = ""):
    """The sign-in is refused: an entry in the connection's school's (or organisation's) trail, and a page that
    says why in the person's words."""
    sign_in_event(
        action=audit.SIGN_IN_FAILED,
        places=[
            (connection.school_id, connection.organisation_id or getattr(connection.school, "organisation_id", None))
        ],
        label=email,
        summary=f"Sign-in with {connection.provider} refused",
        changes={"reason": "sso", "email": email[:200], "detail": message[:300]},
    )
    raise ImmediateHttpResponse(render(request, "account/sso_refused.html", {"message": message}, status=403))


class DeskSocialAccountAdapter(DefaultSocialAccountAdapter):
    """Sign in with Microsoft or Google: each school's connection is an allauth app built in memory, and who may
    come in, and whose account it opens, is the desk's rule (accounts/sso.py)."""

    def list_apps(self, request, provider=None, client_id=None):
        from schooldesk.accounts.models import SignInConnection

        if provider and provider not in ("openid_connect",) and not provider.startswith(sso.PROVIDER_PREFIX):
            return []
        connections = SignInConnection.objects.filter(is_enabled=True)
        if provider and provider.startswith(sso.PROVIDER_PREFIX):
            connection = sso.connection_for_provider_id(provider)
            connections = [connection] if connection else []
        apps = [sso.social_app(connection) for connection in connections]
        return [app for app in apps if client_id is None or app.client_id == client_id]

    def pre_social_login(self, request, sociallogin) -> None:
        connection = sso.connection_for_provider_id(sociallogin.account.provider)
        if connection is None:
            raise ImmediateHttpResponse(
                render(
                    request,
                    "account/sso_refused.html",
                    {"message": _("This way of signing in is no longer offered. Ask your SPOC.")},
                    status=403,
                )
            )
        claims = (sociallogin.account.extra_data or {}).get("id_token") or {}
        try:
            email = sso.checked_email(connection, claims)
            if sociallogin.is_existing:
                if not sso.may_use(connection, sociallogin.user):
                    raise sso.SignInRefused(_("Your account is no longer one of this school's. Ask your SPOC."))
            else:
                person = sso.person_to_link(connection, email)
                if person is not None:
                    sociallogin.connect(request, person)
                    sign_in_event(
                        action=audit.SSO_LINK,
                        user=person,
                        summary=f"Linked to a {connection.provider} sign-in",
                        changes={"with": connection.get_provider_display(), "email": email},
                    )
                elif not (connection.creates_accounts and connection.school_id):
                    raise sso.SignInRefused(
                        _("You do not have an account on the desk yet. Ask your school's SPOC to add you.")
                    )
                else:
                    request._desk_sso_creates = connection  # noqa: SLF001 - read by is_open_for_signup below
        except sso.SignInRefused as refusal:
            refuse(request, connection, str(refusal), email=str(claims.get("email", "")))
        request._desk_sso_connection = connection  # noqa: SLF001
        request._desk_sso_amr = [str(a) for a in claims.get("amr") or []]  # noqa: SLF001

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return getattr(request, "_desk_sso_creates", None) is not None

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        user.email = (user.email or "").lower()
        return user

    def save_user(self, request, sociallogin, form=None):
        connection = request._desk_sso_creates  # noqa: SLF001
        user = super().save_user(request, sociallogin, form)
        sso.make_reporter(connection, user)
        sign_in_event(
            action=audit.SSO_LINK,
            user=user,
            summary=f"Account made by a {connection.provider} sign-in",
            changes={"with": connection.get_provider_display(), "email": user.email, "created": True},
        )
        return user


def sso_signed_in(sender, request, user, **kwargs) -> None:
    """allauth's user_logged_in: a sign-in with Microsoft or Google keeps the ID token's `amr` on the session (the
    MFA step reads it: "mfa" in it is the identity provider's own second factor); a password sign-in clears it."""
    sociallogin = kwargs.get("sociallogin")
    if sociallogin is not None and getattr(request, "_desk_sso_connection", None) is not None:
        request.session[sso.SESSION_AMR] = getattr(request, "_desk_sso_amr", [])
        request.session[sso.SESSION_CONNECTION] = request._desk_sso_connection.pk  # noqa: SLF001
    else:
        request.session.pop(sso.SESSION_AMR, None)
        request.session.pop(sso.SESSION_CONNECTION, None)

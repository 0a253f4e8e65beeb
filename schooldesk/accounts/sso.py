"""Sign in with Microsoft or Google (docs/decisions/0031): the desk's rules around allauth's OpenID Connect provider.

Each SignInConnection is one allauth app, `desk-<pk>`, built in memory from the connection (its client id and secret
stay encrypted in the database: no SocialApp rows). A sign-in is let in only when the ID token says so:
- Microsoft: its `tid` is the connection's tenant; Google: its `hd` is one of the connection's domains;
- the email address is verified (Google's `email_verified`; Microsoft's, when the token carries it) and its domain
  is one of the connection's;
- then it opens the account already linked to that Microsoft or Google identity; or links, once, the one active
  account with that address among the people of the connection's school (or organisation); or, when the connection
  allows it and belongs to a school, makes the account, a reporter of that school. Anyone else is refused.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from schooldesk.accounts.choices import SignInProvider
from schooldesk.accounts.models import Membership, SignInConnection, User
from schooldesk.core.audit import audit_record
from schooldesk.core.concurrency import version_claim
from schooldesk.core.permissions import require
from schooldesk.core.roles import Role

PROVIDER_PREFIX = "desk-"
#: the session keys the rest of the desk reads: the ID token's `amr` (["pwd", "mfa"]: the MFA step counts an
#: identity provider's own second factor), and the connection signed in through
SESSION_AMR = "sso_amr"
SESSION_CONNECTION = "sso_connection"
SECRET_FIELDS = ("client_id", "client_secret")


class SignInRefused(Exception):
    """A sign-in with Microsoft or Google the desk does not let in; the message is for the person."""


# --- settings (the desk's pages) ----------------------------------------------------------------------------------
def people_of(connection: SignInConnection):
    """The people of the connection's school (a role in it) or organisation (a role in it or one of its schools)."""
    if connection.school_id:
        where = Q(memberships__school_id=connection.school_id)
    else:
        where = Q(memberships__organisation_id=connection.organisation_id) | Q(
            memberships__school__organisation_id=connection.organisation_id
        )
    return User.objects.filter(where).distinct()


@transaction.atomic
def connection_save(
    *, connection: SignInConnection, by, secrets: dict | None = None, version: int | None = None
) -> SignInConnection:
    """Add or change a connection. The client id and secret are write-only: a blank one keeps what is stored."""
    if bool(connection.school_id) == bool(connection.organisation_id):
        raise ValidationError({"school": _("Choose a school, or the organisation for a tenant all its schools share.")})
    require(by, "accounts.sign_in_change", connection)
    created = connection.pk is None
    version_claim(connection, version)
    for name, value in (secrets or {}).items():
        if name in SECRET_FIELDS and value:
            setattr(connection, name, value.strip())
    connection.tenant_id = connection.tenant_id.strip().lower()
    connection.domains = ", ".join(connection.domain_list)
    errors = {}
    if connection.provider == SignInProvider.MICROSOFT and not connection.tenant_id:
        errors["tenant_id"] = _("Give the Directory (tenant) ID from Entra ID.")
    if not connection.domain_list:
        errors["domains"] = _("Give at least one email domain, e.g. oakfield.sch.uk.")
    elif any("." not in domain or " " in domain for domain in connection.domain_list):
        errors["domains"] = _("Give domains only, separated by commas: oakfield.sch.uk, oakfield.org.uk.")
    if not connection.client_id:
        errors["client_id"] = _("Give the app's client ID.")
    if not connection.client_secret:
        errors["client_secret"] = _("Give the app's client secret.")
    if connection.break_glass_id and not people_of(connection).filter(pk=connection.break_glass_id).exists():
        errors["break_glass"] = _("Choose one of the school's own people.")
    if connection.passwords_off and not connection.is_enabled:
        errors["passwords_off"] = _("Passwords can be off only while the button is shown.")
    # another school's (or organisation's) domain is never taken over; a school may have two of its own (a new app
    # beside the old one, while it changes over: the first one signs in)
    clash = SignInConnection.objects.filter(provider=connection.provider, is_enabled=True).exclude(pk=connection.pk)
    clash = clash.exclude(school_id=connection.school_id, organisation_id=connection.organisation_id)
    taken = {d for other in clash for d in other.domain_list} & set(connection.domain_list)
    if connection.is_enabled and taken:
        errors["domains"] = _("Another school already signs in with %(domains)s.") % {
            "domains": ", ".join(sorted(taken))
        }
    if errors:
        raise ValidationError(errors)
    connection.save()
    audit_record(
        actor=by,
        school=connection.school,
        organisation=connection.organisation,
        action="create" if created else "update",
        obj=connection,
        summary=f"{'Added' if created else 'Changed'} sign-in with {connection.provider}",
        changes={
            "provider": connection.provider,
            "domains": connection.domains,
            "passwords_off": connection.passwords_off,
        },
    )
    return connection


# --- allauth's apps -----------------------------------------------------------------------------------------------
def connection_for_provider_id(provider_id: str) -> SignInConnection | None:
    if not provider_id.startswith(PROVIDER_PREFIX) or not provider_id[len(PROVIDER_PREFIX) :].isdigit():
        return None
    return (
        SignInConnection.objects.filter(pk=int(provider_id[len(PROVIDER_PREFIX) :]), is_enabled=True)
        .select_related("school", "organisation")
        .first()
    )


def social_app(connection: SignInConnection):
    """allauth's app for one connection, in memory only (never saved: the secret stays encrypted at rest)."""
    from allauth.socialaccount.models import SocialApp

    return SocialApp(
        provider="openid_connect",
        provider_id=connection.provider_id,
        name=connection.get_provider_display(),
        client_id=connection.client_id,
        secret=connection.client_secret,
        settings={"server_url": connection.server_url, "fetch_userinfo": False, "oauth_pkce_enabled": True},
    )


def connection_for_email(provider: str, email: str) -> SignInConnection | None:
    domain = email.rpartition("@")[2].strip().lower()
    if not domain:
        return None
    for connection in SignInConnection.objects.filter(provider=provider, is_enabled=True):
        if domain in connection.domain_list:
            return connection
    return None


def enabled_providers() -> list[str]:
    return sorted(set(SignInConnection.objects.filter(is_enabled=True).values_list("provider", flat=True)))


def issuer_origins() -> list[str]:
    """Where starting a sign-in sends the browser (the sign-in page's CSP form-action must allow them)."""
    origins = set()
    for connection in SignInConnection.objects.filter(is_enabled=True):
        parts = urlsplit(connection.server_url)
        origins.add(f"{parts.scheme}://{parts.netloc}")
    return sorted(origins)


# --- who may come in ----------------------------------------------------------------------------------------------
def checked_email(connection: SignInConnection, claims: dict) -> str:
    """The verified email address of an ID token the connection lets in; SignInRefused otherwise."""
    email = str(claims.get("email") or "").strip().lower()
    domain = email.rpartition("@")[2]
    if connection.provider == SignInProvider.MICROSOFT:
        if str(claims.get("tid", "")).lower() != connection.tenant_id:
            raise SignInRefused(
                _(
                    "Your Microsoft account belongs to an organisation this desk does not know. "
                    "Sign in with your school's own Microsoft account, or ask your SPOC."
                )
            )
        verified = claims.get("email_verified", True) in (True, "true", "True")
    else:
        if str(claims.get("hd", "")).lower() not in connection.domain_list:
            raise SignInRefused(
                _(
                    "Your Google account is not one of a school this desk knows (only school "
                    "Workspace accounts can sign in). Ask your SPOC."
                )
            )
        verified = claims.get("email_verified") in (True, "true", "True")
    if not email or not verified:
        raise SignInRefused(
            _("Your account did not give a verified email address, so the desk cannot tell who you are. Ask your SPOC.")
        )
    if domain not in connection.domain_list:
        raise SignInRefused(
            _(
                "Your email address (%(email)s) is not at one of your school's domains, so the desk "
                "cannot let you in with it. Ask your SPOC."
            )
            % {"email": email}
        )
    return email


def person_to_link(connection: SignInConnection, email: str) -> User | None:
    """The one active account with this address among the connection's people; SignInRefused when the address
    is someone's outside them (never linked across schools) or several of them share it."""
    same = User.objects.filter(email__iexact=email)
    ours = list(people_of(connection).filter(email__iexact=email, is_active=True)[:2])
    if len(ours) > 1:
        raise SignInRefused(_("More than one account has your email address; ask your SPOC to sort it out."))
    if ours:
        return ours[0]
    if same.exists():
        raise SignInRefused(_("Your email address belongs to an account outside this school. Ask your SPOC."))
    return None


def may_use(connection: SignInConnection, user) -> bool:
    """An account already linked signs in only while it is active and still one of the connection's people."""
    return user.is_active and people_of(connection).filter(pk=user.pk).exists()


def make_reporter(connection: SignInConnection, user) -> None:
    Membership.objects.get_or_create(user=user, school=connection.school, role=Role.REPORTER)


# --- passwords off ----------------------------------------------------------------------------------------------
def password_refused_by(user) -> SignInConnection | None:
    """The connection that turns this person's password off, if any: passwords off at one of their schools (or
    organisations). Superusers and each connection's break-glass account keep their password."""
    if user.is_superuser:
        return None
    schools = Membership.objects.filter(user=user, school__isnull=False).values("school_id")
    school_orgs = Membership.objects.filter(user=user, school__isnull=False).values("school__organisation_id")
    organisations = Membership.objects.filter(user=user, organisation__isnull=False).values("organisation_id")
    return (
        SignInConnection.objects.filter(
            Q(school_id__in=schools) | Q(organisation_id__in=organisations) | Q(organisation_id__in=school_orgs),
            passwords_off=True,
            is_enabled=True,
        )
        .exclude(break_glass=user)
        .first()
    )

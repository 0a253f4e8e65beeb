"""Reads about people's own sign-in: their API tokens."""

from django.db.models import QuerySet

from schooldesk.accounts.models import ApiToken


def api_token_list(user) -> QuerySet[ApiToken]:
    """A person's own tokens, newest first: nobody else's, whatever their role."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def api_token_for(token: str) -> ApiToken | None:
    """The active token of an active person that `token` is, or None."""
    from schooldesk.accounts.services import api_token_digest

    return (ApiToken.objects.select_related("user")
            .filter(digest=api_token_digest(token), revoked_at__isnull=True, user__is_active=True).first())


def mfa_policy_organisations(user):
    """The organisations whose two-step sign-in policy `user` may set: an LA's or trust's ICT owner across it, a
    stand-alone school's ICT owner for its own organisation (Access.organisations_managed); nobody else's."""
    from schooldesk.accounts.access import access_for
    from schooldesk.accounts.choices import MFA_POLICY_ROLES
    from schooldesk.schools.models import Organisation

    return Organisation.objects.filter(pk__in=access_for(user).organisations_managed(MFA_POLICY_ROLES)).order_by(
        "name")


def mfa_policy_for(organisation):
    """The organisation's saved policy, or an unsaved one holding the installation's default."""
    from schooldesk.accounts.mfa import default_roles
    from schooldesk.accounts.models import MfaPolicy

    return (MfaPolicy.objects.filter(organisation=organisation).first()
            or MfaPolicy(organisation=organisation, roles=sorted(default_roles())))

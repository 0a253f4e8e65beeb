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

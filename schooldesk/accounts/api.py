"""The API's credential: a person's own token (Authorization: Bearer sdk_...), read-only or read-write. Passwords
are not accepted by the API (docs/decisions/0013)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import SAFE_METHODS, BasePermission

from schooldesk.accounts.models import ApiToken
from schooldesk.accounts.selectors import api_token_for
from schooldesk.accounts.services import api_token_used


class ApiTokenAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        words = get_authorization_header(request).split()
        if not words or words[0].lower() != self.keyword.lower().encode():
            return None  # no token (a password, HTTP Basic, is not a credential here): not signed in
        if len(words) != 2:
            raise AuthenticationFailed(_("Send the token as: Authorization: Bearer <token>."))
        try:
            token = words[1].decode()
        except UnicodeDecodeError as exc:
            raise AuthenticationFailed(_("This token is not valid, or has been revoked.")) from exc
        api_token = api_token_for(token=token)
        if api_token is None:
            raise AuthenticationFailed(_("This token is not valid, or has been revoked."))
        api_token_used(api_token=api_token)
        return api_token.user, api_token

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'


class TokenScopePermission(BasePermission):
    """A read-only token reads; only a read-and-write token (or the signed-in browser) changes anything."""

    message = _("This token is read-only: make a read-and-write token on your API tokens page to change things.")

    def has_permission(self, request, view) -> bool:
        if isinstance(request.auth, ApiToken) and not request.auth.can_write:
            return request.method in SAFE_METHODS
        return True


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The schema's security scheme for the token (drf-spectacular)."""

    target_class = "schooldesk.accounts.api.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (Your name → API tokens), sent as "
            "`Authorization: Bearer sdk_…`. Read-only tokens get 403 on any change.",
        }

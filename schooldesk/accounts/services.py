"""Writes about people's own sign-in: their API tokens."""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from schooldesk.accounts.models import ApiToken
from schooldesk.core.audit import audit_record

#: every token starts so, to be recognised in a script or a leaked file (and by secret scanners)
TOKEN_START = "sdk_"  # noqa: S105 - a prefix, not a secret
#: last use is written at most this often: not one write a request
LAST_USED_PRECISION = timedelta(minutes=1)


def api_token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user, name: str, scope: str) -> tuple[ApiToken, str]:
    """A new token for `user`: returns the record and the token itself, which is kept nowhere (only its digest)
    and so can be shown this once."""
    token = TOKEN_START + secrets.token_urlsafe(32)
    api_token = ApiToken.objects.create(user=user, name=name.strip(), scope=scope, prefix=token[:10],
                                        digest=api_token_digest(token))
    audit_record(actor=user, school=None, action="api_token_create", obj=api_token,
                 summary=f"API token “{api_token.name}” made ({api_token.get_scope_display()})")
    return api_token, token


@transaction.atomic
def api_token_revoke(*, api_token: ApiToken, by) -> ApiToken:
    api_token = ApiToken.objects.select_for_update().get(pk=api_token.pk)
    if api_token.revoked_at is not None:
        raise ValidationError(_("This token was already revoked."))
    api_token.revoked_at = timezone.now()
    api_token.save(update_fields=["revoked_at"])
    audit_record(actor=by, school=None, action="api_token_revoke", obj=api_token,
                 summary=f"API token “{api_token.name}” revoked")
    return api_token


def api_token_used(*, api_token: ApiToken, now=None) -> None:
    """Note that the token was used (shown on the person's tokens page), to the minute."""
    now = now or timezone.now()
    if api_token.last_used_at is None or api_token.last_used_at <= now - LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        api_token.last_used_at = now

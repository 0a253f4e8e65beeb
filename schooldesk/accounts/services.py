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


@transaction.atomic
def mfa_policy_save(*, organisation, roles: list[str], by, version: int | None = None):
    """Which roles must use two-step sign-in in every school of `organisation`. Only its ICT owners may say
    (an LA's or trust's across it, a stand-alone school's own). Every session asks again on its next request."""
    from django.core.exceptions import PermissionDenied

    from schooldesk.accounts.access import access_for
    from schooldesk.accounts.choices import MFA_POLICY_ROLES, Role
    from schooldesk.accounts.mfa import policy_changed
    from schooldesk.accounts.models import MfaPolicy
    from schooldesk.core.concurrency import version_claim

    if organisation.pk not in access_for(by).organisations_managed(MFA_POLICY_ROLES):
        raise PermissionDenied(_("Only the organisation's ICT owner sets who must use two-step sign-in."))
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValidationError({"roles": _("Not a role: %(roles)s.") % {"roles": ", ".join(sorted(unknown))}})
    policy = MfaPolicy.objects.filter(organisation=organisation).first() or MfaPolicy(organisation=organisation)
    before = sorted(policy.roles) if policy.pk else None
    version_claim(policy, version)
    policy.roles, policy.changed_by = sorted(set(roles)), by
    policy.save()
    labels = dict(Role.choices)
    audit_record(actor=by, school=None, organisation=organisation, action="update", obj=policy, label=str(policy),
                 summary="Changed who must use two-step sign-in: "
                         + (", ".join(str(labels[r]) for r in policy.roles) or "nobody"),
                 changes={"roles": [before, policy.roles]})
    policy_changed()  # now, and again once committed: a session that asked in between asks again
    transaction.on_commit(policy_changed)
    return policy

"""Two-step sign-in (MFA) around django-allauth's allauth.mfa (docs/decisions/0032).

allauth does the ceremonies: authenticator apps (TOTP), passkeys (WebAuthn) and recovery codes, and asks for the
second step when a person signs in. This module adds what the desk decides:
- who must use it: each organisation's policy (`MfaPolicy`, by role), else settings.SCHOOLDESK_MFA_DEFAULT_ROLES;
- enforcement: `MfaRequiredMiddleware` takes a person who must and has not set it up to the Security page, and
  lets them reach nothing else but the setup pages, signing out, static files and /health/. The API with a token
  is not affected: a token is its own credential, made and revoked by its person (docs/decisions/0013);
- a sign-in through the school's identity provider whose ID token says it used MFA (`amr` has "mfa") counts as
  MFA for that session (the SSO sign-in keeps the claim in `request.session["sso_amr"]`);
- the audit trail: set up, removed, recovery codes made again, used at sign-in;
- `mfa_state_by_user`, what each person has, for the People page.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from schooldesk.accounts.models import Membership, MfaPolicy
from schooldesk.core import logs
from schooldesk.core.access import access_for
from schooldesk.core.models import AuditEntry
from schooldesk.schools.models import Organisation, School

logger = logging.getLogger(__name__)

#: the kinds that are a second step; recovery codes only stand in for them when the phone or key is lost
SECOND_STEPS = ("totp", "webauthn")
#: the session's answer to "must this person use MFA, and have they?" (recomputed when a policy changes)
SESSION_KEY = "schooldesk_mfa"
#: bumped whenever a policy is saved: every session asks the question again on its next request
POLICY_VERSION_KEY = "schooldesk:mfa-policy-version"
#: the SSO sign-in's `amr` claim (authentication methods) from the identity provider's ID token
SSO_AMR_KEY = "sso_amr"
#: URL names a person who must set up MFA may still reach (besides the pages under the MFA prefix)
ALLOWED_NAMES = ("logout", "account_logout", "account_reauthenticate", "health", "help")


def default_roles() -> frozenset[str]:
    return frozenset(settings.SCHOOLDESK_MFA_DEFAULT_ROLES)


def mfa_state_by_user(user_ids: Iterable[int]) -> dict[int, list[str]]:
    """The kinds of second step each person has set up ("totp", "webauthn", "recovery_codes"), in one query;
    a person with none is absent. For the People page: `state.get(person.pk, [])`."""
    from allauth.mfa.models import Authenticator

    ids = sorted(set(user_ids))
    state: dict[int, list[str]] = {}
    if not ids:
        return state
    for user_id, kind in (
        Authenticator.objects.filter(user_id__in=ids)
        .values_list("user_id", "type")
        .distinct()
        .order_by("user_id", "type")
    ):
        state.setdefault(user_id, []).append(kind)
    return state


def mfa_state_label(kinds: Iterable[str]) -> str:
    """What a person has set up, said plainly for the People pages: "Authenticator app, passkey" or "Not set up".
    Recovery codes alone are not a second step (they stand in for a lost phone or key), so they are not named."""
    names = {"totp": _("Authenticator app"), "webauthn": _("Passkey")}
    shown = [names[kind] for kind in SECOND_STEPS if kind in set(kinds)]
    if not shown:
        return _("Not set up")
    return ", ".join([shown[0], *(name.lower() for name in shown[1:])])


def mfa_label_people(people) -> None:
    """Sets `mfa_label` on each person of a page, in one query for them all."""
    people = list(people)
    state = mfa_state_by_user(person.pk for person in people)
    for person in people:
        person.mfa_label = mfa_state_label(state.get(person.pk, []))


def has_second_step(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user_id=user.pk, type__in=SECOND_STEPS).exists()


def has_any_way(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user_id=user.pk).exists()


def sso_used_mfa(request) -> bool:
    """Whether this session's SSO sign-in told us the identity provider used MFA (`amr` contains "mfa"). Read
    defensively: the claim is a list of strings by the standard (RFC 8176), but a provider may send one string."""
    amr = request.session.get(SSO_AMR_KEY) if hasattr(request, "session") else None
    if isinstance(amr, str):
        amr = amr.replace(",", " ").split()
    if not isinstance(amr, list | tuple):
        return False
    return any(isinstance(method, str) and method.strip().lower() == "mfa" for method in amr)


def roles_requiring_mfa(user) -> dict[str, list[str]]:
    """The roles the person holds that their organisations' policies require MFA for: {place name: [roles]}.
    Empty when none does. Three queries at most; asked once a session (and again after a policy changes)."""
    access = access_for(user)
    schools = (
        list(School.objects.filter(pk__in=list(access.roles_by_school)).values_list("pk", "name", "organisation_id"))
        if access.roles_by_school
        else []
    )
    org_ids = {org for _pk, _name, org in schools} | set(access.roles_by_organisation)
    if not org_ids:
        return {}
    policies = dict(MfaPolicy.objects.filter(organisation_id__in=org_ids).values_list("organisation_id", "roles"))
    default = default_roles()

    def required(org_id) -> frozenset[str]:
        return frozenset(policies[org_id]) if org_id in policies else default

    found: dict[str, list[str]] = {}
    whole = set(access.roles_by_organisation)
    names = dict(Organisation.objects.filter(pk__in=whole).values_list("pk", "name")) if whole else {}
    for org_id, held in sorted(access.roles_by_organisation.items()):
        if roles := sorted(held & required(org_id)):
            found[names.get(org_id, str(org_id))] = roles
    for school_id, name, org_id in schools:
        if org_id in whole:
            continue  # said once for the organisation
        if roles := sorted(access.roles_by_school.get(school_id, frozenset()) & required(org_id)):
            found[name] = roles
    return found


def policy_version() -> int:
    return cache.get(POLICY_VERSION_KEY, 0)


def policy_changed() -> None:
    """Every session asks again on its next request (a person now required is taken to set MFA up)."""
    try:
        cache.incr(POLICY_VERSION_KEY)
    except ValueError:
        cache.set(POLICY_VERSION_KEY, 1, None)


def session_state(request, *, user=None, fresh: bool = False) -> dict:
    """{"v": policy version, "required": bool, "done": bool} for this session, computed when missing or stale
    (at sign-in, so that an ordinary page asks nothing)."""
    user = user or request.user
    state = request.session.get(SESSION_KEY)
    version = policy_version()
    if fresh or not isinstance(state, dict) or state.get("v") != version:
        required = bool(roles_requiring_mfa(user))
        state = {
            "v": version,
            "required": required,
            "done": (not required) or sso_used_mfa(request) or has_second_step(user),
        }
        request.session[SESSION_KEY] = state
    elif state["required"] and not state["done"]:  # they may have set it up since the last request
        if sso_used_mfa(request) or has_second_step(user):
            state = {**state, "done": True}
            request.session[SESSION_KEY] = state
    return state


def _allowed(request) -> bool:
    path = request.path_info
    if path.startswith((settings.STATIC_URL, "/favicon")):
        return True
    try:
        if path.startswith(reverse("mfa_index")):
            return True
    except NoReverseMatch:  # allauth.mfa's URLs are not installed: nothing to set up, nothing enforced
        return True
    match = getattr(request, "resolver_match", None)
    if match is None:
        from django.urls import Resolver404, resolve

        try:
            match = resolve(path)
        except Resolver404:
            return False
    return match.url_name in ALLOWED_NAMES


class MfaRequiredMiddleware:
    """After AuthenticationMiddleware and MessageMiddleware: a signed-in person whose role must use MFA and who has
    none is sent to the Security page (a page) or refused (the API through the browser's session) until they set
    it up. Requests carrying an API token (Authorization header) are the token's business, not this."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            getattr(user, "is_authenticated", False)
            and "HTTP_AUTHORIZATION" not in request.META
            and not _allowed(request)
        ):
            state = session_state(request)
            if state["required"] and not state["done"]:
                if request.headers.get("HX-Request"):  # a fragment (a menu's list): nothing to swap in
                    return HttpResponse(status=403)
                if request.path_info.startswith("/api/"):
                    return JsonResponse(
                        {
                            "error": {
                                "code": "mfa_required",
                                "fields": {},
                                "message": _("Set up two-step sign-in on the Security page first."),
                            }
                        },
                        status=403,
                    )
                return redirect("mfa_index")
        return self.get_response(request)


# --- the audit trail -------------------------------------------------------------------------------------------
KIND_NAMES = {"totp": "an authenticator app", "webauthn": "a passkey", "recovery_codes": "recovery codes"}


def _record(user, action: str, summary: str, details: dict) -> None:
    """One entry in each school (or organisation) where the person holds a role, as a sign-in is recorded."""
    actor_id = logs.current()["user_id"] or user.pk
    places = set(
        Membership.objects.filter(user=user).values_list("school_id", "organisation_id", "school__organisation_id")
    )
    label = (user.get_full_name() or user.username)[:200]
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor_id=actor_id,
                school_id=school_id,
                organisation_id=organisation_id or school_org,
                action=action,
                object_type="user",
                object_id=str(user.pk),
                object_label=label,
                summary=summary[:300],
                changes=details,
            )
            for school_id, organisation_id, school_org in sorted(places, key=str)
        ]
        or [
            AuditEntry(
                actor_id=actor_id,
                action=action,
                object_type="user",
                object_id=str(user.pk),
                object_label=label,
                summary=summary[:300],
                changes=details,
            )
        ]
    )


def _kind(authenticator) -> str:
    return KIND_NAMES.get(authenticator.type, authenticator.type)


def _added(sender, request, user, authenticator, **kwargs):
    _record(user, "mfa_add", f"Set up two-step sign-in: {_kind(authenticator)}", {"kind": authenticator.type})
    if hasattr(request, "session"):
        request.session.pop(SESSION_KEY, None)  # asked again on the next request


def _removed(sender, request, user, authenticator, **kwargs):
    _record(user, "mfa_remove", f"Removed two-step sign-in: {_kind(authenticator)}", {"kind": authenticator.type})
    if hasattr(request, "session"):
        request.session.pop(SESSION_KEY, None)


def _reset(sender, request, user, authenticator, **kwargs):
    _record(user, "mfa_reset", "Made new recovery codes (the old ones no longer work)", {"kind": authenticator.type})


def _used(sender, request, user, authenticator, reauthenticated=False, passwordless=False, **kwargs):
    if reauthenticated:
        return  # a confirmation inside a session, not a sign-in
    how = "a passkey alone" if passwordless else _kind(authenticator)
    _record(
        user,
        "mfa_use",
        f"Used two-step sign-in ({how}) to sign in",
        {"kind": authenticator.type, "passwordless": bool(passwordless)},
    )


def _signed_in(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    try:
        session_state(request, user=user, fresh=True)
    except Exception:  # the middleware asks again on the next request
        logger.exception("Whether two-step sign-in is required could not be worked out at sign-in")


def connect() -> None:
    from allauth.mfa import signals
    from django.contrib.auth.signals import user_logged_in

    user_logged_in.connect(_signed_in, dispatch_uid="desk_mfa_signed_in")

    signals.authenticator_added.connect(_added, dispatch_uid="desk_mfa_added")
    signals.authenticator_removed.connect(_removed, dispatch_uid="desk_mfa_removed")
    signals.authenticator_reset.connect(_reset, dispatch_uid="desk_mfa_reset")
    signals.authenticator_used.connect(_used, dispatch_uid="desk_mfa_used")

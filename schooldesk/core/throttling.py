"""Limits on what one client may try (docs/decisions/0013): sign-in failures (django-axes, through the handler
below), and creating records, on the web (FormPageView and the report form) and in the API (DRF throttles).

Every limit counts a client by the address `client_address` gives: behind a trusted proxy (SCHOOLDESK_TRUSTED_PROXY,
deploy/nginx.conf.example) the one nginx puts in X-Real-IP, otherwise the connection's own."""

from __future__ import annotations

import math

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils.translation import ngettext
from rest_framework.throttling import UserRateThrottle


def client_address(request) -> str | None:
    """The client's address (AXES_CLIENT_IP_CALLABLE, and every limit here). X-Real-IP is believed only when a
    trusted proxy is configured: nginx sets it, never passing on the client's own; without the proxy anyone could
    send it and be whoever they like."""
    if settings.TRUSTED_PROXY:
        return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR")
    return request.META.get("REMOTE_ADDR")


# --- sign-in ----------------------------------------------------------------------------------------------------------


def login_limit(parameters, request, credentials) -> int:
    """The failures one of AXES_LOCKOUT_PARAMETERS' sets may reach within AXES_COOLOFF_TIME: an account from one
    address (AXES_FAILURE_LIMIT); one address, whichever accounts (SCHOOLDESK_LOGIN_ADDRESS_LIMIT); one account,
    from wherever (SCHOOLDESK_LOGIN_ACCOUNT_LIMIT, the slower one a stranger would need many addresses to reach)."""
    names = frozenset([parameters] if isinstance(parameters, str) else parameters)
    if names == {"ip_address"}:
        return settings.SCHOOLDESK_LOGIN_ADDRESS_LIMIT
    if names == {"username"}:
        return settings.SCHOOLDESK_LOGIN_ACCOUNT_LIMIT
    return get_failure_limit(request, credentials)


class DeskAxesHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit of its own for each set of AXES_LOCKOUT_PARAMETERS (axes has one limit
    for them all), and a success that forgets only that account's failures from that address: signing in to one's
    own account must not wipe the failures an address has run up against other people's."""

    def get_failures(self, request, credentials=None) -> int:
        """Axes locks when this reaches AXES_FAILURE_LIMIT: so the limit itself when any set has reached its own
        limit, otherwise the failures of this account from this address."""
        limit = get_failure_limit(request, credentials)
        parameter_sets = get_lockout_parameters(request, credentials)
        failures = 0
        for parameters, attempts in zip(parameter_sets, self.get_user_attempts(request, credentials), strict=True):
            count = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            if count >= login_limit(parameters, request, credentials):
                return limit
            if not isinstance(parameters, str) and "ip_address" in parameters:
                failures = max(failures, count)
        return min(failures, limit - 1)

    def reset_user_attempts(self, request, credentials=None) -> int:
        count, _deleted = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials), ip_address=request.axes_ip_address
        ).delete()
        return count


# --- creating records -------------------------------------------------------------------------------------------------


class DeskRateThrottle(UserRateThrottle):
    """A DRF throttle counted per person (per address for nobody signed in: the client's, as above), its rate read
    from settings each time (SCHOOLDESK_*_RATE, "10/min": per second, min, hour or day) so an installation, or a
    test, sets it. Counts are kept in the cache shared by the web processes (config/settings.py CACHES)."""

    setting = ""

    def get_rate(self) -> str:
        return getattr(settings, self.setting)

    def get_ident(self, request) -> str:
        return client_address(request) or ""


class CreateRateThrottle(DeskRateThrottle):
    """Creating records: the web's create pages (FormPageView, the report form) and the API's POSTs count alike."""

    scope = "create"
    setting = "SCHOOLDESK_CREATE_RATE"

    def allow_request(self, request, view) -> bool:
        # an API viewset's action on a record (escalate, reply, paid) changes it, it does not create one
        if request.method != "POST" or getattr(view, "action", "create") not in ("create", None):
            return True
        return super().allow_request(request, view)


class ApiRateThrottle(DeskRateThrottle):
    """Every API request, per person."""

    scope = "api"
    setting = "SCHOOLDESK_API_RATE"


def create_allowed(request, form) -> bool:
    """One more record created by this person on the web: False, with the message on the form (what was typed is
    kept), when they have created too many too quickly."""
    throttle = CreateRateThrottle()
    if throttle.allow_request(request, None):
        return True
    seconds = max(1, math.ceil(throttle.wait() or 1))
    form.add_error(
        None,
        ngettext(
            "You have added a lot in a short time, so this was not saved yet. Wait %(seconds)d second and press the "
            "button again: what you typed is still here.",
            "You have added a lot in a short time, so this was not saved yet. Wait %(seconds)d seconds and press the "
            "button again: what you typed is still here.",
            seconds,
        )
        % {"seconds": seconds},
    )
    return False

"""A form is done once (docs/decisions/0014): every POST form a page renders carries a one-time token (the
hidden `form_token` input from `{% form_token %}`, which components/form.html puts in every `{{ form }}`), and
the shared views (`FormPageView`, `ObjectActionView`) record a token when its submission succeeds. The same
rendered form sent again (a double click, the browser's "resend", a retry after a timeout) is not done again:
the person is taken to what the first submission made, with a message saying so.

A post without a token (an old page, a test posting by hand, a form drawn field by field) is handled as before:
only a token that has already been used is refused."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from schooldesk.core.models import FormSubmission

TOKEN_FIELD = "form_token"  # noqa: S105 - the name of a hidden input, not a secret
FORM_TOKEN_DAYS = 7  # a used token is remembered this long: a page kept open longer is rare, and then re-sent


def new_form_token() -> str:
    return secrets.token_urlsafe(24)


def posted_token(request) -> str:
    """The token the posted form carries, or "" (none, or not one of ours)."""
    token = request.POST.get(TOKEN_FIELD, "")
    return token if 16 <= len(token) <= 64 else ""


def used(token: str) -> FormSubmission | None:
    return FormSubmission.objects.filter(token=token).first() if token else None


def answer_repeat(request, earlier: FormSubmission | None):
    """The second submission of a form: nothing is done again; the person goes where the first one went."""
    messages.info(
        request, _("That form had already been sent, so it was not sent again: here is what the first one did.")
    )
    return redirect(earlier.redirect_to if earlier is not None and earlier.redirect_to else request.path)


def claim(request, token: str) -> bool:
    """Record `token` as used, inside the caller's transaction (rolled back with it if the work fails). False when
    another submission of the same form got there first (the database's unique constraint decides, so two at
    the same moment cannot both pass)."""
    user = request.user if getattr(request.user, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            FormSubmission.objects.create(token=token, user=user)
    except IntegrityError:
        return False
    return True


def remember_result(token: str, url: str) -> None:
    FormSubmission.objects.filter(token=token).update(redirect_to=url[:500])


def submissions_purge(*, now=None) -> int:
    """Forget used tokens older than FORM_TOKEN_DAYS and expired idempotency keys."""
    from schooldesk.core.models import IdempotencyKey

    now = now or timezone.now()
    forms, _ = FormSubmission.objects.filter(at__lt=now - timedelta(days=FORM_TOKEN_DAYS)).delete()
    keys, _ = IdempotencyKey.objects.filter(expires_at__lt=now).delete()
    return forms + keys

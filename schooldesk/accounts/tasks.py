"""The worker's sign-in jobs (Huey). Tests run tasks immediately; each job is also a plain function."""

from django.contrib.auth.forms import PasswordResetForm
from huey.contrib.djhuey import db_task


def password_reset_send(*, email: str, domain: str, use_https: bool) -> None:
    """Look the address up and email each active person with it a link to choose a new password (Django's own
    form does both). Run by the worker, so that the page answers in the same time whether or not the address is
    known, and an unreachable mail server neither slows nor breaks the page."""
    form = PasswordResetForm({"email": email})
    if form.is_valid():
        form.save(domain_override=domain, use_https=use_https)


@db_task(retries=2, retry_delay=60)
def password_reset_send_task(email: str, domain: str, use_https: bool) -> None:
    password_reset_send(email=email, domain=domain, use_https=use_https)

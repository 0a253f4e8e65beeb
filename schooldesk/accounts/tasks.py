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


def invitation_send(*, person_id: int) -> bool:
    """Email a person invited to the desk a one-time link to choose their password: Django's password-reset token
    (it stops working once they have chosen one, or after PASSWORD_RESET_TIMEOUT), on the same page as "Forgotten
    your password?". Returns whether an email went (not to a leaver, nor to one who has a password by now)."""
    from urllib.parse import urlsplit

    from django.conf import settings
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from schooldesk.accounts.models import Membership, User

    person = User.objects.filter(pk=person_id, is_active=True).first()
    if person is None or person.has_usable_password() or not person.email:
        return False
    site = urlsplit(settings.SCHOOLDESK_SITE_URL)
    schools = sorted(
        {
            str(m.school or m.organisation)
            for m in Membership.objects.filter(user=person).select_related("school", "organisation")
        }
    )
    context = {
        "email": person.email,
        "domain": site.netloc,
        "protocol": site.scheme or "https",
        "user": person,
        "uid": urlsafe_base64_encode(force_bytes(person.pk)),
        "token": default_token_generator.make_token(person),
        "schools": schools,
        "site_name": "SchoolDesk",
    }
    PasswordResetForm().send_mail(
        "registration/invitation_subject.txt", "registration/invitation_email.html", context, None, person.email
    )
    return True


@db_task(retries=2, retry_delay=60)
def invitation_send_task(person_id: int) -> None:
    invitation_send(person_id=person_id)

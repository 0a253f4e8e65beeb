"""The audit trail's entries for what no service writes in the accounts app: a role granted or removed (Membership's
post_save/post_delete: the admin, desk_init and tests change memberships too, not only the People pages' services)
and a sign-in (Django's user_logged_in, user_login_failed). The entries and their sentences are the ground floor's
(schooldesk/core/audit.py); these hooks are here because the ground floor knows no Membership (docs/decisions/0037).
"""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_delete, post_init, post_save

from schooldesk.accounts.models import Membership, User
from schooldesk.core import logs
from schooldesk.core.audit import GRANT, REVOKE, SIGN_IN, SIGN_IN_FAILED, SSO_LINK
from schooldesk.core.models import AuditEntry


def membership_changed(instance, *, removed: bool) -> None:
    """A role granted (a new Membership, or one whose role changed) or removed, by whoever did it: the admin, the
    setup command, a test, the People pages' services. The actor is the one the service names
    (`_audit_actor_id`, set by accounts/services.py), else the signed-in person of the request being served, if any.
    One entry a change: the services write none of their own for a role."""
    action, person = (REVOKE if removed else GRANT), instance.user
    name = person.get_full_name() or person.username
    AuditEntry.objects.create(
        actor_id=getattr(instance, "_audit_actor_id", None) or logs.current()["user_id"],
        school_id=instance.school_id,
        organisation_id=instance.organisation_id or (instance.school.organisation_id if instance.school_id else None),
        action=action,
        object_type="user",
        object_id=str(instance.user_id),
        object_label=name[:200],
        summary=f"{'Removed' if removed else 'Granted'} {instance.role} for {person.username}"[:300],
        changes={"person": name, "role": instance.role, "where": str(instance.school or instance.organisation)},
    )


def _membership_saved(sender, instance, created, **kwargs):
    if not created and getattr(instance, "_audit_role_before", instance.role) == instance.role:
        return
    membership_changed(instance, removed=False)
    instance._audit_role_before = instance.role


def _membership_loaded(sender, instance, **kwargs):
    instance._audit_role_before = instance.role


def _membership_deleted(sender, instance, **kwargs):
    membership_changed(instance, removed=True)


def _signed_in(sender, request, user, **kwargs):
    """One entry a sign-in, in each school (or organisation) where the person holds a role."""
    places = set(
        Membership.objects.filter(user=user).values_list("school_id", "organisation_id", "school__organisation_id")
    )
    entries = [
        AuditEntry(
            actor=user,
            school_id=school_id,
            organisation_id=organisation_id or school_org,
            action=SIGN_IN,
            object_type="user",
            object_id=str(user.pk),
            object_label=(user.get_full_name() or user.username)[:200],
            summary="Signed in",
        )
        for school_id, organisation_id, school_org in sorted(places, key=str)
    ]
    AuditEntry.objects.bulk_create(entries)


def _places_of(user) -> list[tuple]:
    places = set(
        Membership.objects.filter(user=user).values_list("school_id", "organisation_id", "school__organisation_id")
    )
    return [(school, organisation or school_org) for school, organisation, school_org in sorted(places, key=str)]


def sign_in_event(*, action: str, user=None, places=None, label: str = "", summary: str, changes=None) -> None:
    """A sign-in event that is not a plain sign-in: one entry in each place (school, organisation) concerned, the
    person's own places by default. Nothing is written for an unknown username (no place to tell)."""
    places = _places_of(user) if places is None and user is not None else (places or [])
    label = label or ((user.get_full_name() or user.username) if user is not None else "")
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor=user if action == SSO_LINK else None,
                school_id=school_id,
                organisation_id=organisation_id,
                action=action,
                object_type="user",
                object_id=str(user.pk) if user is not None else "",
                object_label=label[:200],
                summary=summary[:300],
                changes=changes or {},
            )
            for school_id, organisation_id in places
        ]
    )


def _sign_in_failed(sender, credentials, request=None, **kwargs):
    """A wrong password for a known person: an entry in each of their places (an unknown name writes nothing)."""
    name = (credentials or {}).get("username") or (credentials or {}).get("email") or ""
    user = User.objects.filter(username=name).first() if name else None
    if user is None and "@" in name:
        user = User.objects.filter(email__iexact=name).first()
    if user is not None:
        sign_in_event(
            action=SIGN_IN_FAILED, user=user, summary="Sign-in refused: wrong password", changes={"reason": "password"}
        )


def connect() -> None:
    """Called once by AccountsConfig.ready."""

    post_init.connect(_membership_loaded, sender=Membership, dispatch_uid="audit_membership_loaded")
    post_save.connect(_membership_saved, sender=Membership, dispatch_uid="audit_membership_saved")
    post_delete.connect(_membership_deleted, sender=Membership, dispatch_uid="audit_membership_deleted")
    user_logged_in.connect(_signed_in, dispatch_uid="audit_signed_in")
    user_login_failed.connect(_sign_in_failed, dispatch_uid="audit_sign_in_failed")

"""Writes about people: their own API tokens; and, for a school's desk and an LA's or trust's officers, inviting
people, giving and taking away their roles, marking leavers (docs/decisions/0033)."""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from schooldesk.accounts.mfa import policy_changed
from schooldesk.accounts.models import ApiToken, Membership, MfaPolicy, User
from schooldesk.core.access import access_for, access_forget
from schooldesk.core.audit import audit_record
from schooldesk.core.concurrency import version_claim
from schooldesk.core.permissions import require
from schooldesk.core.roles import DESK_ROLES, LA_OFFICER_RANK, ROLE_RANK, Role
from schooldesk.schools.models import School

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
    api_token = ApiToken.objects.create(
        user=user, name=name.strip(), scope=scope, prefix=token[:10], digest=api_token_digest(token)
    )
    audit_record(
        actor=user,
        school=None,
        action="api_token_create",
        obj=api_token,
        summary=f"API token “{api_token.name}” made ({api_token.get_scope_display()})",
    )
    return api_token, token


@transaction.atomic
def api_token_revoke(*, api_token: ApiToken, by) -> ApiToken:
    api_token = ApiToken.objects.select_for_update().get(pk=api_token.pk)
    if api_token.revoked_at is not None:
        raise ValidationError(_("This token was already revoked."))
    api_token.revoked_at = timezone.now()
    api_token.save(update_fields=["revoked_at"])
    audit_record(
        actor=by, school=None, action="api_token_revoke", obj=api_token, summary=f"API token “{api_token.name}” revoked"
    )
    return api_token


def api_token_used(*, api_token: ApiToken, now=None) -> None:
    """Note that the token was used (shown on the person's tokens page), to the minute."""
    now = now or timezone.now()
    if api_token.last_used_at is None or api_token.last_used_at <= now - LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        api_token.last_used_at = now


# --- people and roles (docs/decisions/0033) ----------------------------------------------------------------------
def _manager_rank(by, school) -> int:
    """How high `by` stands in `school`; refused unless they run its desk (or are its LA's or trust's officer)."""
    require(by, "accounts.people_manage", school, _("You do not run the desk of %(school)s.") % {"school": school.name})
    return access_for(by).rank_in(school.pk)


def person_rank_in(person, school) -> int:
    """How high `person` stands in `school`, read from their roles now (not from any cache)."""
    if person.is_superuser:
        return LA_OFFICER_RANK + 1
    rank = 0
    for school_id, org_id, role in Membership.objects.filter(user=person).values_list(
        "school_id", "organisation_id", "role"
    ):
        if school_id == school.pk:
            rank = max(rank, ROLE_RANK[role] if role not in (Role.DPO, Role.DSL) else 0)
        elif org_id is not None and org_id == school.organisation_id:
            rank = max(rank, LA_OFFICER_RANK if role in DESK_ROLES else ROLE_RANK[role])
    return rank


def _may_give(by, school, role) -> None:
    """Nobody gives (or takes away) a role above their own; a DPO or DSL only by the ICT owner or above."""
    if role not in ROLE_RANK:
        raise ValidationError({"role": _("Choose a role.")})
    rank = _manager_rank(by, school)
    if ROLE_RANK[role] > rank:
        if role in (Role.DPO, Role.DSL):
            raise PermissionDenied(
                _("Only the ICT owner (or the LA's or trust's officer) gives the role %(role)s.")
                % {"role": Role(role).label}
            )
        raise PermissionDenied(
            _("You cannot give or take away a role above your own (%(role)s).") % {"role": Role(role).label}
        )


def _may_act_on(by, person, school) -> None:
    """Nobody changes the roles of someone who stands above them in the school."""
    if person_rank_in(person, school) > _manager_rank(by, school):
        raise PermissionDenied(
            _("%(person)s stands above you in %(school)s: ask the ICT owner or the LA's officer.")
            % {"person": person, "school": school.name}
        )


def _check_supplier(school, role, supplier):
    if role != Role.PROVIDER:
        return None
    if supplier is None:
        raise ValidationError({"supplier": _("A provider belongs to a supplier: choose which.")})
    if supplier.organisation_id != school.organisation_id:
        raise ValidationError(
            {
                "supplier": _("%(supplier)s is not a supplier of %(school)s.")
                % {"supplier": supplier.name, "school": school.name}
            }
        )
    return supplier


def _give(*, person, school, role, supplier, by) -> tuple[Membership, bool]:
    """The role given (or already held): the Membership signal writes the audit entry, naming `by`."""
    supplier = _check_supplier(school, role, supplier)
    existing = Membership.objects.filter(user=person, school=school, role=role).first()
    if existing is not None:
        return existing, False
    membership = Membership(user=person, school=school, role=role, supplier=supplier)
    membership._audit_actor_id = by.pk
    membership.save()
    access_forget(person)
    return membership, True


def _visible(by, person) -> None:
    from schooldesk.accounts.selectors import people_visible

    if not people_visible(user=by).filter(pk=person.pk).exists():
        raise PermissionDenied(_("This person holds no role in a school whose desk you run."))


@transaction.atomic
def role_give(*, person, school, role: str, by, supplier=None) -> tuple[Membership, bool]:
    """Give `person` a role in `school`; returns (the role, whether it is new). Giving a role already held changes
    nothing. A provider's role is tied to a supplier of the school."""
    _visible(by, person)
    _may_give(by, school, role)
    _may_act_on(by, person, school)
    return _give(person=person, school=school, role=role, supplier=supplier, by=by)


@transaction.atomic
def role_remove(*, membership: Membership, by) -> Membership:
    """Take a role in a school away. Nobody takes away their own last ICT owner role (the school would be left
    without the person who could give it back)."""
    membership = (
        Membership.objects.select_for_update(of=("self",)).select_related("school", "user").get(pk=membership.pk)
    )
    if membership.school_id is None:
        raise PermissionDenied(_("A role across a whole organisation is changed by its administrator."))
    person, school = membership.user, membership.school
    _may_give(by, school, membership.role)
    _may_act_on(by, person, school)
    if (
        person.pk == by.pk
        and membership.role == Role.OWNER
        and not Membership.objects.filter(user=person, role=Role.OWNER).exclude(pk=membership.pk).exists()
    ):
        raise ValidationError(
            _("You cannot take away your own last ICT owner role: ask another ICT owner or the LA's officer to do it.")
        )
    membership._audit_actor_id = by.pk
    membership.delete()
    access_forget(person)
    if person.pk == by.pk:
        access_forget(by)
    return membership


def _may_act_everywhere(by, person) -> list:
    """The schools of `person`: `by` must stand at least as high in every one of them (a person who also works
    for another school is not signed out by one school's desk alone)."""
    if person.pk == by.pk:
        raise ValidationError(_("You cannot mark yourself as having left: ask another ICT owner."))
    if person.is_superuser and not by.is_superuser:
        raise PermissionDenied(_("An administrator of the whole system is changed by another administrator."))
    memberships = list(Membership.objects.filter(user=person).values_list("school_id", "organisation_id"))
    for org_id in {org for _school, org in memberships if org is not None}:
        require(
            by,
            "accounts.people_manage_organisation",
            org_id,
            _("%(person)s holds a role across an organisation: ask its officer.") % {"person": person},
        )
    schools = list(School.objects.filter(pk__in={school for school, _org in memberships if school}))
    for school in schools:
        try:
            _may_act_on(by, person, school)
        except PermissionDenied as exc:
            raise PermissionDenied(
                _(
                    "%(person)s also works in %(school)s, whose desk you do not run (or where "
                    "they stand above you): ask its ICT owner."
                )
                % {"person": person, "school": school.name}
            ) from exc
    return schools


def _person_audit(*, person, by, schools, action: str, summary: str) -> None:
    for school in schools:
        audit_record(
            actor=by,
            school=school,
            action=action,
            obj=person,
            summary=summary,
            label=person.get_full_name() or person.username,
        )


@transaction.atomic
def person_deactivate(*, person, by) -> User:
    """A leaver: their sign-in stops (is_active False: password, links and API tokens no longer open anything);
    their calls, updates and records stay as they were, with their name."""
    person = User.objects.select_for_update().get(pk=person.pk)
    _visible(by, person)
    if not person.is_active:
        raise ValidationError(_("%(person)s is already marked as having left.") % {"person": person})
    schools = _may_act_everywhere(by, person)
    person.is_active = False
    person.save(update_fields=["is_active"])
    _person_audit(
        person=person,
        by=by,
        schools=schools,
        action="deactivate",
        summary=f"Marked {person.username} as having left: sign-in stopped",
    )
    return person


@transaction.atomic
def person_reactivate(*, person, by) -> User:
    person = User.objects.select_for_update().get(pk=person.pk)
    _visible(by, person)
    if person.is_active:
        raise ValidationError(_("%(person)s can already sign in.") % {"person": person})
    schools = _may_act_everywhere(by, person)
    person.is_active = True
    person.save(update_fields=["is_active"])
    _person_audit(
        person=person, by=by, schools=schools, action="reactivate", summary=f"Let {person.username} sign in again"
    )
    return person


def _username_for(email: str) -> str:
    base = email.lower()[:140]
    username, n = base, 1
    while User.objects.filter(username__iexact=username).exists():
        n += 1
        username = f"{base}-{n}"
    return username


def person_by_email(email: str) -> User | None:
    """The one person with this address (case ignored), or None; two people sharing it is an error to sort out."""
    found = list(User.objects.filter(email__iexact=email.strip())[:2])
    if len(found) > 1:
        raise ValidationError(
            {
                "email": _("Two people already have the address %(email)s: the administrator must sort that out first.")
                % {"email": email}
            }
        )
    return found[0] if found else None


def _create_person(*, email, first_name, last_name, job_title, by, school) -> User:
    person = User(
        username=_username_for(email),
        email=email.strip().lower(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        job_title=job_title.strip(),
    )
    person.set_unusable_password()  # they choose one through the invitation's one-time link
    person.save()
    audit_record(
        actor=by, school=school, action="invite", obj=person, label=str(person), summary=f"Invited {person.email}"
    )
    return person


def _queue_invitation(person) -> None:
    from schooldesk.accounts.tasks import invitation_send_task

    person_id = person.pk
    transaction.on_commit(lambda: invitation_send_task(person_id))


@transaction.atomic
def person_invite(
    *,
    email: str,
    first_name: str,
    last_name: str,
    school,
    role: str,
    by,
    job_title: str = "",
    supplier=None,
    send: bool = True,
) -> tuple[User, bool]:
    """A new person with a first role in a school, emailed (by the worker) a one-time link to choose their password;
    returns (the person, whether the account is new). Someone who already has an account with this address is
    given the role instead: one person, one sign-in, never a duplicate."""
    _may_give(by, school, role)
    _check_supplier(school, role, supplier)
    person = person_by_email(email)
    created = person is None
    if created:
        person = _create_person(
            email=email, first_name=first_name, last_name=last_name, job_title=job_title, by=by, school=school
        )
    else:
        _may_act_on(by, person, school)
    _give(person=person, school=school, role=role, supplier=supplier, by=by)
    if created and send:
        _queue_invitation(person)
    return person, created


def person_invitation_resend(*, person, by) -> User:
    """Email the one-time link again to someone who has not chosen a password yet (the link in the first email
    stops working once they have, or after PASSWORD_RESET_TIMEOUT)."""
    _visible(by, person)
    if not person.is_active:
        raise ValidationError(
            _("%(person)s is marked as having left: let them sign in again first.") % {"person": person}
        )
    if person.has_usable_password():
        raise ValidationError(
            _("%(person)s has already chosen a password: they can use “Forgotten your password?” on the sign-in page.")
            % {"person": person}
        )
    if not person.email:
        raise ValidationError(_("%(person)s has no email address.") % {"person": person})
    _queue_invitation(person)
    return person


@transaction.atomic
def people_import(*, table, by, default_school=None, send: bool = True) -> dict:
    """Write a checked staff list: all its rows or none. Checked again here (the file was checked before the
    person confirmed, and roles may have changed since): any bad row and nothing is written."""
    from schooldesk.accounts.people_import import people_import_check

    check = people_import_check(table=table, by=by, default_school=default_school)
    if not check.is_valid:
        raise ValidationError(
            _("The file has %(n)s rows with problems: nothing was imported.") % {"n": check.bad_lines}
        )
    counts = {"people": 0, "new": 0, "roles": 0}
    for row in check.rows:
        person = person_by_email(row.email)
        if person is None:
            person = _create_person(
                email=row.email,
                first_name=row.first_name,
                last_name=row.last_name,
                job_title=row.job_title,
                by=by,
                school=row.school,
            )
            counts["new"] += 1
            if send:
                _queue_invitation(person)
        counts["people"] += 1
        for role in row.roles:
            _membership, made = _give(person=person, school=row.school, role=role, supplier=None, by=by)
            counts["roles"] += made
    return counts


@transaction.atomic
def mfa_policy_save(*, organisation, roles: list[str], by, version: int | None = None):
    """Which roles must use two-step sign-in in every school of `organisation`. Only its ICT owners may say
    (an LA's or trust's across it, a stand-alone school's own). Every session asks again on its next request."""
    require(by, "accounts.mfa_policy", organisation)
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValidationError({"roles": _("Not a role: %(roles)s.") % {"roles": ", ".join(sorted(unknown))}})
    policy = MfaPolicy.objects.filter(organisation=organisation).first() or MfaPolicy(organisation=organisation)
    before = sorted(policy.roles) if policy.pk else None
    version_claim(policy, version)
    policy.roles, policy.changed_by = sorted(set(roles)), by
    policy.save()
    labels = dict(Role.choices)
    audit_record(
        actor=by,
        school=None,
        organisation=organisation,
        action="update",
        obj=policy,
        label=str(policy),
        summary="Changed who must use two-step sign-in: "
        + (", ".join(str(labels[r]) for r in policy.roles) or "nobody"),
        changes={"roles": [before, policy.roles]},
    )
    policy_changed()  # now, and again once committed: a session that asked in between asks again
    transaction.on_commit(policy_changed)
    return policy

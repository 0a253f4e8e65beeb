"""Reads about people: their own API tokens; the people of the schools whose desk one runs (docs/decisions/0033)."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from schooldesk.accounts.choices import MFA_POLICY_ROLES, PEOPLE_ROLES
from schooldesk.accounts.mfa import default_roles
from schooldesk.accounts.models import ApiToken, Membership, MfaPolicy, User
from schooldesk.core.access import access_for
from schooldesk.core.roles import DESK_ROLES
from schooldesk.schools.models import Organisation, School


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    """A person's own tokens, newest first: nobody else's, whatever their role."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def api_token_for(*, token: str) -> ApiToken | None:
    """The active token of an active person that `token` is, or None."""
    from schooldesk.accounts.services import api_token_digest  # a real circle: the services read these selectors

    return (
        ApiToken.objects.select_related("user")
        .filter(digest=api_token_digest(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )


# --- the People pages --------------------------------------------------------------------------------------------
def people_school_ids(*, user: User) -> list[int]:
    """The schools whose people `user` manages: where they run the desk (SPOC, ICT owner), directly or across their
    LA or trust."""
    return access_for(user).school_ids(PEOPLE_ROLES)


def rank_in(*, user: User, school_id: int) -> int:
    """How high `user` stands in the school, for giving and taking roles (Access.rank_in)."""
    return access_for(user).rank_in(school_id)


def _officer_organisations(*, user: User) -> list[int]:
    access = access_for(user)
    return sorted(org for org, held in access.roles_by_organisation.items() if held & PEOPLE_ROLES)


def memberships_visible(*, user: User) -> QuerySet[Membership]:
    """The roles held in the schools whose people `user` manages (and, for an organisation's officer, the roles
    held across that organisation)."""
    access = access_for(user)
    schools = people_school_ids(user=user)
    if not schools:
        return Membership.objects.none()
    condition = access.school_q(schools, "school_id")
    organisations = _officer_organisations(user=user)
    if organisations:
        condition |= Q(organisation_id__in=organisations)
    return Membership.objects.filter(condition)


def people_visible(*, user: User) -> QuerySet[User]:
    """The people holding a role there: nobody of another school, whatever their role."""
    return User.objects.filter(pk__in=memberships_visible(user=user).values("user_id"))


def people_list(
    *, user: User, q: str = "", role: str = "", school: School | None = None, state: str = ""
) -> QuerySet[User]:
    """The People page: filtered in SQL, each person with the roles the reader may see (one query for all)."""
    people = people_visible(user=user)
    if q:
        for word in q.split()[:5]:
            people = people.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
                | Q(username__icontains=word)
            )
    if role or school:
        held = memberships_visible(user=user)
        if role:
            held = held.filter(role=role)
        if school:
            held = held.filter(Q(school=school) | Q(organisation_id=school.organisation_id, school__isnull=True))
        people = people.filter(pk__in=held.values("user_id"))
    if state == "active":
        people = people.filter(is_active=True)
    elif state == "left":
        people = people.filter(is_active=False)
    roles = (
        memberships_visible(user=user)
        .select_related("school", "organisation", "supplier")
        .order_by("school__name", "organisation__name", "role")
    )
    return people.order_by("last_name", "first_name", "pk").prefetch_related(
        Prefetch("memberships", queryset=roles, to_attr="visible_roles")
    )


def person_get(*, user: User, pk: int) -> User:
    """One person of the reader's schools, or 404."""
    return get_object_or_404(people_list(user=user), pk=pk)


def person_elsewhere(*, user: User, person: User) -> bool:
    """Whether the person also holds roles the reader cannot see (in another school)."""
    return Membership.objects.filter(user=person).exclude(pk__in=memberships_visible(user=user).values("pk")).exists()


def mfa_policy_organisations(*, user: User) -> QuerySet[Organisation]:
    """The organisations whose two-step sign-in policy `user` may set: an LA's or trust's ICT owner across it, a
    stand-alone school's ICT owner for its own organisation (Access.organisations_managed); nobody else's."""
    return Organisation.objects.filter(pk__in=access_for(user).organisations_managed(MFA_POLICY_ROLES)).order_by("name")


def mfa_policy_for(*, organisation: Organisation) -> MfaPolicy:
    """The organisation's saved policy, or an unsaved one holding the installation's default."""
    return MfaPolicy.objects.filter(organisation=organisation).first() or MfaPolicy(
        organisation=organisation, roles=sorted(default_roles())
    )


def desk_school_ids(*, user: User) -> list[int]:
    """The schools whose desk (SPOC, ICT owner) `user` is."""
    return access_for(user).school_ids(DESK_ROLES)


def desk_organisation_ids(*, user: User) -> list[int]:
    """The organisations across which `user` runs the desk (an LA's or trust's officer)."""
    return access_for(user).organisation_ids(DESK_ROLES)

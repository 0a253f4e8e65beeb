"""What a signed-in user may reach: their roles per school, read once per request. The tenancy layer, on the ground
floor: it reads the memberships and schools through the app registry, so core imports no
domain app (docs/decisions/0037)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Q

from schooldesk.core.roles import DESK_ROLES, LA_OFFICER_RANK, NOT_A_SAY_OVER_PEOPLE, ROLE_RANK, Role

#: schools.choices.OrganisationKind.SCHOOL: a stand-alone school's own organisation (a string: core imports no app)
STAND_ALONE_SCHOOL = "school"


@dataclass
class Access:
    roles_by_school: dict[int, frozenset[str]] = field(default_factory=dict)
    suppliers_by_school: dict[int, frozenset[int]] = field(default_factory=dict)
    is_superuser: bool = False
    #: every school of each organisation in which the user holds an organisation-wide role (an LA, a trust)
    schools_by_organisation: dict[int, frozenset[int]] = field(default_factory=dict)
    #: the roles the user holds across a whole organisation (a Membership with an organisation, not a school)
    roles_by_organisation: dict[int, frozenset[str]] = field(default_factory=dict)
    _managed: dict = field(default_factory=dict, repr=False)

    def school_ids(self, roles: frozenset[str] | None = None) -> list[int]:
        if roles is None:
            return sorted(self.roles_by_school)
        return sorted(s for s, held in self.roles_by_school.items() if held & roles)

    def organisation_ids(self, roles: frozenset[str]) -> list[int]:
        """The organisations in which the user holds one of `roles` across the whole organisation (an LA's or a
        trust's officer): those a connection or a shared record can be given to as a whole."""
        return sorted(org for org, held in self.roles_by_organisation.items() if held & roles)

    def school_q(self, school_ids: Iterable[int], field: str = "school_id") -> Q:
        """A condition on `field` for these schools, short whatever their number.

        Where they include every school of an organisation the user reaches as a whole, that part is a
        condition on the school's organisation, not a list: an LA's 200 school ids, repeated in each
        condition of each query, cost more to build, send and parse than the queries took to run. (A
        subquery was as short, but PostgreSQL took up to 45 ms to plan a list page with two of them; the
        join to the school is one most pages make anyway.) `field` ends in `_id`: `school_id`,
        `memberships__school_id`…"""
        wanted = set(school_ids)
        whole = [org for org, schools in sorted(self.schools_by_organisation.items()) if schools and schools <= wanted]
        for org in whole:
            wanted -= self.schools_by_organisation[org]
        listed = Q(**{f"{field}__in": sorted(wanted)})
        if not whole:
            return listed
        by_organisation = Q(**{f"{field.removesuffix('_id')}__organisation_id__in": whole})
        return listed | by_organisation if wanted else by_organisation

    def schools_q(self, roles: frozenset[str] | None = None, field: str = "school_id") -> Q:
        """A condition on `field` for the schools where the user holds one of `roles` (any role if None)."""
        return self.school_q(self.school_ids(roles), field)

    def has_role(self, school_id: int, roles) -> bool:
        return bool(self.roles_by_school.get(school_id, frozenset()) & frozenset(roles))

    def any_role(self, roles) -> bool:
        return any(held & frozenset(roles) for held in self.roles_by_school.values())

    def rank_in(self, school_id: int) -> int:
        """How high the user stands in the school, for giving and taking roles (accounts/choices.ROLE_RANK): an
        organisation's officer (a desk role across the school's LA or trust) above its own ICT owner; a DPO's or
        DSL's role gives no say over people. 0 for a school the user holds nothing in."""
        if self.is_superuser:
            return LA_OFFICER_RANK + 1
        for org, schools in self.schools_by_organisation.items():
            if school_id in schools and self.roles_by_organisation.get(org, frozenset()) & DESK_ROLES:
                return LA_OFFICER_RANK
        held = self.roles_by_school.get(school_id, frozenset()) - NOT_A_SAY_OVER_PEOPLE
        return max((ROLE_RANK[role] for role in held), default=0)

    def organisations_managed(self, roles) -> frozenset[int]:
        """The organisations whose own records (suppliers and their contacts) the user may change: those in which
        they hold one of `roles` across the whole organisation (an LA's or trust's officer), and the stand-alone
        schools' own organisations (kind "school") in which they hold one of `roles`. A school's desk inside an LA
        or trust proposes changes instead (docs/decisions/0016). One query, once per request."""
        key = frozenset(roles)
        if key not in self._managed:
            Organisation = apps.get_model("schools", "Organisation")

            whole = {org for org, held in self.roles_by_organisation.items() if held & key}
            alone = (
                set(
                    Organisation.objects.filter(kind=STAND_ALONE_SCHOOL, schools__in=self.school_ids(key)).values_list(
                        "pk", flat=True
                    )
                )
                if self.school_ids(key)
                else set()
            )
            self._managed[key] = frozenset(whole | alone)
        return self._managed[key]


def access_forget(user) -> None:
    """Drop the roles read for this user object: the next `access_for` reads them again. Only the user object of
    the request holds them (nothing else caches a person's roles), so a role given or taken away shows on the
    person's next page load whatever is done here; the services call this for the objects they were given."""
    user.__dict__.pop("_schooldesk_access", None)


def access_for(user) -> Access:
    """Build (once per user object, so once per request) the user's roles in each school."""
    cached = getattr(user, "_schooldesk_access", None)
    if cached is not None:
        return cached
    Membership, School = apps.get_model("accounts", "Membership"), apps.get_model("schools", "School")
    roles: dict[int, set[str]] = defaultdict(set)
    suppliers: dict[int, set[int]] = defaultdict(set)
    org_roles: dict[int, list[tuple[str, int | None]]] = defaultdict(list)
    for school_id, org_id, role, supplier_id in Membership.objects.filter(user=user).values_list(
        "school_id", "organisation_id", "role", "supplier_id"
    ):
        if school_id:
            roles[school_id].add(role)
            if role == Role.PROVIDER and supplier_id:
                suppliers[school_id].add(supplier_id)
        else:
            org_roles[org_id].append((role, supplier_id))
    schools_by_organisation: dict[int, set[int]] = defaultdict(set)
    if org_roles:
        for school_id, org_id in School.objects.filter(organisation_id__in=org_roles).values_list(
            "id", "organisation_id"
        ):
            schools_by_organisation[org_id].add(school_id)
            for role, supplier_id in org_roles[org_id]:
                roles[school_id].add(role)
                if role == Role.PROVIDER and supplier_id:
                    suppliers[school_id].add(supplier_id)
    access = Access(
        roles_by_school={k: frozenset(v) for k, v in roles.items()},
        suppliers_by_school={k: frozenset(v) for k, v in suppliers.items()},
        is_superuser=user.is_superuser,
        schools_by_organisation={k: frozenset(v) for k, v in schools_by_organisation.items()},
        roles_by_organisation={org: frozenset(role for role, _s in held) for org, held in org_roles.items()},
    )
    user._schooldesk_access = access
    return access

"""What a signed-in user may reach: their roles per school, read once per request."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from schooldesk.accounts.choices import Role


@dataclass
class Access:
    roles_by_school: dict[int, frozenset[str]] = field(default_factory=dict)
    suppliers_by_school: dict[int, frozenset[int]] = field(default_factory=dict)
    is_superuser: bool = False

    def school_ids(self, roles: frozenset[str] | None = None) -> list[int]:
        if roles is None:
            return sorted(self.roles_by_school)
        return sorted(s for s, held in self.roles_by_school.items() if held & roles)

    def has_role(self, school_id: int, roles) -> bool:
        return bool(self.roles_by_school.get(school_id, frozenset()) & frozenset(roles))

    def any_role(self, roles) -> bool:
        return any(held & frozenset(roles) for held in self.roles_by_school.values())


def access_for(user) -> Access:
    """Build (once per user object, so once per request) the user's roles in each school."""
    cached = getattr(user, "_schooldesk_access", None)
    if cached is not None:
        return cached
    from schooldesk.accounts.models import Membership
    from schooldesk.schools.models import School

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
    if org_roles:
        for school_id, org_id in School.objects.filter(organisation_id__in=org_roles).values_list(
            "id", "organisation_id"
        ):
            for role, supplier_id in org_roles[org_id]:
                roles[school_id].add(role)
                if role == Role.PROVIDER and supplier_id:
                    suppliers[school_id].add(supplier_id)
    access = Access(
        roles_by_school={k: frozenset(v) for k, v in roles.items()},
        suppliers_by_school={k: frozenset(v) for k, v in suppliers.items()},
        is_superuser=user.is_superuser,
    )
    user._schooldesk_access = access
    return access

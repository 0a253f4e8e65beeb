"""Tenancy in one place.

Every school-owned query goes through `visible_to(user)`. What a user may reach comes from the
schools in which they hold a role (see `schooldesk.core.access`). A model whose rows are not
all visible to everyone in the school (incidents) narrows this in its own queryset by overriding
`role_filter`, still built on the same access object.
"""

from django.db import models
from django.db.models import Q

from schooldesk.core.access import access_for


class SchoolOwnedQuerySet(models.QuerySet):
    #: which roles in a school see this model's rows; None means any role in the school.
    visible_roles: frozenset[str] | None = None

    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        access = access_for(user)
        condition = self.role_filter(user, access)
        if condition is None:
            return self.none()
        return self.filter(condition)

    def role_filter(self, user, access) -> Q | None:
        school_ids = access.school_ids(self.visible_roles)
        if not school_ids:
            return None
        return access.school_q(school_ids)

    def for_school(self, school):
        return self.filter(school=school)

from schooldesk.accounts.access import access_for
from schooldesk.accounts.choices import AUDIT_ROLES, DESK_ROLES, REPORT_ROLES, SAFEGUARDING_ROLES, STAFF_ROLES, Role


def desk(request):
    """The signed-in person's roles, for the navigation. One query per request at most (cached)."""
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return {}
    access = access_for(user)
    return {
        "nav": {
            "is_desk": access.any_role(DESK_ROLES),
            "is_staff": access.any_role(STAFF_ROLES),
            "is_provider": access.any_role({Role.PROVIDER}),
            "can_report": access.any_role(REPORT_ROLES),
            "can_audit": access.any_role(AUDIT_ROLES),
            "can_safeguard": access.any_role(SAFEGUARDING_ROLES),
            # webhooks: a school's ICT owner, or an organisation's desk (webhooks.models.manager_scope)
            "can_webhooks": access.any_role({Role.OWNER})
            or any(held & DESK_ROLES for held in access.roles_by_organisation.values()),
            # device consoles: the school's ICT owner, SPOC and technicians, or an organisation's desk
            "can_consoles": access.any_role(STAFF_ROLES)
            or any(held & DESK_ROLES for held in access.roles_by_organisation.values()),
            "school_count": len(access.roles_by_school),
        },
    }

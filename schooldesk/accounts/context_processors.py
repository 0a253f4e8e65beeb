from schooldesk.core.access import access_for
from schooldesk.core.permissions import can


def desk(request):
    """What the navigation offers the signed-in person, asked of the rules (schooldesk/permissions/rules.py), so a
    menu item shows exactly when its page lets them in. One query per request at most (the roles are cached)."""
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return {}
    return {
        "nav": {
            "is_desk": can(user, "incidents.triage_queue"),
            "is_staff": can(user, "incidents.work"),
            "is_provider": can(user, "incidents.escalated"),
            "can_report": can(user, "reports.view"),
            "can_audit": can(user, "reports.audit"),
            "can_safeguard": can(user, "safeguarding.concern_view"),
            "can_webhooks": can(user, "webhooks.manage"),
            "can_consoles": can(user, "devicesync.manage"),
            "school_count": len(access_for(user).roles_by_school),
        },
    }

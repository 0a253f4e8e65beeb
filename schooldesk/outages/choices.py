from django.db import models
from django.utils.translation import gettext_lazy as _

from schooldesk.core.roles import DESK_ROLES, STAFF_ROLES, Role

#: who declares and resolves an outage, and links calls to it: the desk and the technicians
OUTAGE_ROLES = STAFF_ROLES
#: who marks a school's category "needs approval" (on the school's settings page)
CATEGORY_APPROVAL_ROLES = DESK_ROLES
#: who decides a request awaiting approval when the school names no approver
APPROVER_ROLES = frozenset({Role.OWNER})


class OutageScope(models.TextChoices):
    WHOLE_SCHOOL = "school", _("The whole school")
    SERVICE = "service", _("A service (a category of calls)")
    LOCATION = "location", _("A place")
    ASSETS = "assets", _("Some devices")


class ApprovalDecision(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    CANCELLED = "cancelled", _("Cancelled")

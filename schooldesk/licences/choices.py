from django.db import models
from django.utils.translation import gettext_lazy as _

from schooldesk.core.roles import DESK_ROLES, STAFF_ROLES, Role

#: read the licence list and the compliance page (heads and governors too)
LICENCE_VIEW_ROLES = STAFF_ROLES | {Role.VIEWER}
#: see licence keys and proofs of purchase; record allocations and installations
LICENCE_KEY_ROLES = STAFF_ROLES
#: add and change licences
LICENCE_DESK_ROLES = DESK_ROLES


class LicenceType(models.TextChoices):
    PER_DEVICE = "per_device", _("Per device")
    PER_USER = "per_user", _("Per user")
    CONCURRENT = "concurrent", _("Concurrent users")
    SITE = "site", _("Site licence")
    PER_PUPIL = "per_pupil", _("Per pupil")
    SUBSCRIPTION = "subscription", _("Subscription (seats)")


class ComplianceState(models.TextChoices):
    UNDER = "under", _("Under-licensed: more in use than owned")
    OVER = "over", _("Over-licensed: unused capacity")
    OK = "ok", _("Compliant")
    SITE = "site", _("Covered by a site licence")
    EXPIRED = "expired", _("Expired")

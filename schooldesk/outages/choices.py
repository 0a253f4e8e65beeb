from django.db import models
from django.utils.translation import gettext_lazy as _


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

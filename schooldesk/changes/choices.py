from django.db import models
from django.utils.translation import gettext_lazy as _

from schooldesk.core.roles import DESK_ROLES, REPORT_ROLES, STAFF_ROLES, Role

#: see, raise and plan requests for change; work their milestones (FITS: technicians raise RFCs)
CHANGE_ROLES = STAFF_ROLES
#: complete a change (which updates the asset register and licence list) and review it
CHANGE_DESK_ROLES = DESK_ROLES
#: authorise or reject a change, and pre-authorise standard changes: the ICT owner only
AUTHORISE_ROLES = frozenset({Role.OWNER})
#: the progress page: the owner monitors implementations and problem solutions (and the SPOC with them)
PROGRESS_ROLES = DESK_ROLES
#: read the change report
CHANGE_REPORT_ROLES = REPORT_ROLES

REFERENCE_PREFIX = "CHG-"


class ChangeType(models.TextChoices):
    STANDARD = "standard", _("Standard (pre-authorised, routine)")
    NORMAL = "normal", _("Normal")
    EMERGENCY = "emergency", _("Emergency")


class ChangeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting authorisation")
    AUTHORISED = "authorised", _("Authorised: in progress")
    REJECTED = "rejected", _("Rejected")
    IMPLEMENTED = "implemented", _("Implemented: awaiting review")
    FAILED = "failed", _("Failed or backed out: awaiting review")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


#: open: still to be decided, planned or implemented (what the progress page follows)
OPEN_STATUSES = frozenset({ChangeStatus.DRAFT, ChangeStatus.SUBMITTED, ChangeStatus.AUTHORISED})
#: the plan (milestones, new kit) can still change
PLANNING_STATUSES = OPEN_STATUSES
#: the request itself (reason, cost, risk) can still be edited: after that it was authorised as it stood
EDITABLE_STATUSES = frozenset({ChangeStatus.DRAFT, ChangeStatus.SUBMITTED})


class Risk(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class ChangePriority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Decision(models.TextChoices):
    AUTHORISED = "authorised", _("Authorised")
    REJECTED = "rejected", _("Rejected")
    PREAUTHORISED = "preauthorised", _("Pre-authorised standard change")


class Outcome(models.TextChoices):
    SUCCESSFUL = "successful", _("Successful")
    FAILED = "failed", _("Failed")
    BACKED_OUT = "backed_out", _("Backed out")


class EventKind(models.TextChoices):
    RAISED = "raised", _("Raised")
    STATUS = "status", _("Status change")
    DETAILS = "details", _("Details changed")
    DECISION = "decision", _("Decision")
    PLAN = "plan", _("Plan changed")
    MILESTONE = "milestone", _("Milestone")
    REGISTERS = "registers", _("Registers updated")
    REVIEW = "review", _("Review")
    NOTE = "note", _("Note")

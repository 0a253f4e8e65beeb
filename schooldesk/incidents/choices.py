from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from schooldesk.core.roles import STAFF_ROLES, Role

#: who works on calls: school staff, and providers (on the calls escalated to their supplier)
WORKING_ROLES = STAFF_ROLES | {Role.PROVIDER}


class IncidentKind(models.TextChoices):
    INCIDENT = "incident", _("Something is not working")
    REQUEST = "request", _("A request (new equipment, software, access…)")


class IncidentStatus(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open (triaged)")
    WITH_FIRST_LEVEL = "first_level", _("With first-level support")
    WITH_SECOND_LEVEL = "second_level", _("With second-level provider")
    WAITING_REPORTER = "waiting_reporter", _("Waiting on reporter")
    WAITING_SUPPLIER = "waiting_supplier", _("Waiting on supplier")
    WAITING_APPROVAL = "waiting_approval", _("Awaiting approval")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")
    DUPLICATE = "duplicate", _("Duplicate")


ACTIVE_STATUSES = frozenset(
    {
        IncidentStatus.NEW,
        IncidentStatus.OPEN,
        IncidentStatus.WITH_FIRST_LEVEL,
        IncidentStatus.WITH_SECOND_LEVEL,
        IncidentStatus.WAITING_REPORTER,
        IncidentStatus.WAITING_SUPPLIER,
        IncidentStatus.WAITING_APPROVAL,
    }
)
PAUSED_STATUSES = frozenset(
    {IncidentStatus.WAITING_REPORTER, IncidentStatus.WAITING_SUPPLIER, IncidentStatus.WAITING_APPROVAL}
)
ENDED_STATUSES = frozenset(
    {IncidentStatus.RESOLVED, IncidentStatus.CLOSED, IncidentStatus.CANCELLED, IncidentStatus.DUPLICATE}
)


class SupportLevel(models.TextChoices):
    DESK = "desk", _("Service desk")
    FIRST = "first", _("First level")
    SECOND = "second", _("Second level")


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    PHONE = "phone", _("Phone")
    IN_PERSON = "in_person", _("In person")
    EMAIL = "email", _("Email")
    QR = "qr", _("QR label")
    TECHNICIAN = "technician", _("Found by a technician")


class HappenedBefore(models.TextChoices):
    UNKNOWN = "", _("Not sure")
    YES = "yes", _("Yes, it has happened before")
    NO = "no", _("No, this is the first time")


class UpdateKind(models.TextChoices):
    LOGGED = "logged", _("Logged")
    REPLY = "reply", _("Reply")
    NOTE = "note", _("Internal note")
    STATUS = "status", _("Status change")
    ASSIGNMENT = "assignment", _("Assignment")
    TRIAGE = "triage", _("Triage")
    PRIORITY = "priority", _("Priority override")
    ESCALATION = "escalation", _("Escalation")
    CHASE = "chase", _("Chase")
    RESOLUTION = "resolution", _("Resolution")
    CONFIRMATION = "confirmation", _("Confirmed by reporter")
    REOPENED = "reopened", _("Reopened")
    DUPLICATE = "duplicate", _("Marked duplicate")


class Satisfaction(models.TextChoices):
    """The one question a reporter is asked about a resolved call: how was it handled?"""

    GOOD = "good", _("Good")
    OK = "ok", _("OK")
    POOR = "poor", _("Poor")


#: a rating can be changed (a second click) for this long after it was first given; then it stands
SATISFACTION_CHANGE_WINDOW = timedelta(hours=24)


class SlaState(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    DUE_SOON = "due_soon", _("Due within 2 hours")
    BREACHED = "breached", _("Breached")
    PAUSED = "paused", _("Paused")


DEFAULT_CATEGORIES = [
    "Hardware fault",
    "Software",
    "Network and internet",
    "Wi-Fi",
    "Printing and copying",
    "Accounts and passwords",
    "Email",
    "MIS (management information system)",
    "Interactive panel, projector and AV",
    "Phones",
    "Online safety and filtering",
    "Request: new equipment",
    "Request: software installation",
    "Request: access or permissions",
    "Other",
]

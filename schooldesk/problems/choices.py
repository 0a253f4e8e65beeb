from django.db import models
from django.utils.translation import gettext_lazy as _

from schooldesk.core.roles import DESK_ROLES, REPORT_ROLES, STAFF_ROLES

#: see, raise and work problems (FITS: the SPOC or the technician decides a call is really a problem)
PROBLEM_ROLES = STAFF_ROLES
#: set when repeat calls become a problem candidate in a school
CANDIDATE_SETTINGS_ROLES = DESK_ROLES
#: read the problem report
PROBLEM_REPORT_ROLES = REPORT_ROLES

REFERENCE_PREFIX = "PRB-"

#: a problem candidate: this many calls on one device, location or category ...
DEFAULT_CANDIDATE_CALLS = 3
#: ... within this many school days (both set per school)
DEFAULT_CANDIDATE_DAYS = 5


class ProblemStatus(models.TextChoices):
    OPEN = "open", _("Open")
    INVESTIGATING = "investigating", _("Investigating")
    KNOWN_ERROR = "known_error", _("Known error")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


ACTIVE_PROBLEM_STATUSES = frozenset({ProblemStatus.OPEN, ProblemStatus.INVESTIGATING, ProblemStatus.KNOWN_ERROR})
#: the statuses a person may move a problem to by hand (known error, resolved and closed have their own forms)
MANUAL_STATUSES = (ProblemStatus.OPEN, ProblemStatus.INVESTIGATING)


class WorkaroundAudience(models.TextChoices):
    """FITS: a workaround says who may apply it. Reporters are shown only the ones they can apply."""

    REPORTER = "reporter", _("Anyone reporting the fault can apply it")
    DESK = "desk", _("The SPOC applies it")
    TECHNICIAN = "technician", _("A technician applies it")


class NoteKind(models.TextChoices):
    RAISED = "raised", _("Raised")
    NOTE = "note", _("Progress note")
    STATUS = "status", _("Status change")
    DETAILS = "details", _("Details changed")
    LINK = "link", _("Call linked")
    UNLINK = "unlink", _("Call unlinked")
    WORKAROUND = "workaround", _("Workaround given to a call")
    RESOLUTION = "resolution", _("Resolution")


class CandidateBasis(models.TextChoices):
    ASSET = "asset", _("Same device")
    DEVICE = "device", _("Same device (as described)")
    LOCATION = "location", _("Same place")
    ASSET_TYPE = "asset_type", _("Same kind of device")

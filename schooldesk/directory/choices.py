from django.db import models
from django.utils.translation import gettext_lazy as _

from schooldesk.core.roles import DESK_ROLES, Role

#: who manages a school's connection: its ICT owner; an organisation's desk (SPOC or ICT owner across it) manages
#: the organisation's own and those of each of its schools
DIRECTORY_ROLES = frozenset({Role.OWNER})
DIRECTORY_ORGANISATION_ROLES = DESK_ROLES
#: who reads the reports of their school's connections (docs/decisions/0034)
DIRECTORY_READER_ROLES = DESK_ROLES


class Provider(models.TextChoices):
    MICROSOFT = "microsoft", _("Microsoft 365 (Entra ID, through Graph)")
    GOOGLE = "google", _("Google Workspace (Directory API)")
    WONDE = "wonde", _("Wonde (the school's MIS)")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Trigger(models.TextChoices):
    NIGHTLY = "nightly", _("Nightly")
    ON_DEMAND = "on_demand", _("On demand")


class ChangeKind(models.TextChoices):
    ADDED = "added", _("Added")
    CHANGED = "changed", _("Changed")
    LEFT_ALONE = "left_alone", _("Left alone")
    DEACTIVATED = "deactivated", _("Deactivated")
    ROLE_GRANTED = "role_granted", _("Role given")
    ROLE_REMOVED = "role_removed", _("Role taken away")


class Subject(models.TextChoices):
    STAFF = "staff", _("Staff")
    PUPIL = "pupil", _("Pupil")

from django.db import models
from django.utils.translation import gettext_lazy as _

from schooldesk.core.roles import DESK_ROLES, STAFF_ROLES

#: a school's connection: its ICT owner, SPOC and technicians
CONSOLE_ROLES = STAFF_ROLES
#: an organisation's connection: its officers (the desk's roles held across the organisation)
CONSOLE_ORGANISATION_ROLES = DESK_ROLES


class ConsoleKind(models.TextChoices):
    GOOGLE = "google", _("Google Workspace (ChromeOS devices)")
    INTUNE = "intune", _("Microsoft Intune")
    JAMF = "jamf", _("Jamf School")


#: the real endpoints (a connection's base URL may point elsewhere: a test's stand-in, Jamf School's own host)
DEFAULT_BASE_URLS = {
    ConsoleKind.GOOGLE: "https://admin.googleapis.com",
    ConsoleKind.INTUNE: "https://graph.microsoft.com/v1.0",
    ConsoleKind.JAMF: "",  # each school's own: https://<school>.jamfcloud.com/api
}
GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"  # noqa: S105 (an address, not a secret)
MICROSOFT_TOKEN_URL = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"  # noqa: S105
GOOGLE_SCOPE_READ = "https://www.googleapis.com/auth/admin.directory.device.chromeos.readonly"
GOOGLE_SCOPE_WRITE = "https://www.googleapis.com/auth/admin.directory.device.chromeos"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"

#: the asset type each console's devices are added as, by what the console says they are
SOURCE_LABELS = {ConsoleKind.GOOGLE: "Google sync", ConsoleKind.INTUNE: "Intune sync", ConsoleKind.JAMF: "Jamf sync"}


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class LineKind(models.TextChoices):
    ADDED = "added", _("Added")
    CHANGED = "changed", _("Changed")
    LEFT = "left", _("Left alone")
    GONE = "gone", _("Gone from the console")
    BACK = "back", _("Back in the console")


class LeftReason(models.TextChoices):
    EDITED = "edited", _("edited in the desk")
    NO_SERIAL = "no_serial", _("no serial number")
    NOT_ROUTED = "not_routed", _("not routed to a school")
    CLASH = "clash", _("its tag or serial is used by another asset")

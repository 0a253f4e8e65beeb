"""The accounts app's own choices. The roles and the role sets every app asks about are the tenancy layer's:
`schooldesk/core/roles.py` (docs/decisions/0037)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from schooldesk.core.roles import DESK_ROLES, Role


class ApiTokenScope(models.TextChoices):
    READ = "read", _("Read only")
    WRITE = "write", _("Read and write")


#: who manages the school's people (the People page): its desk, or an organisation's officer
PEOPLE_ROLES = DESK_ROLES


class SignInProvider(models.TextChoices):
    """Sign in with Microsoft or Google (docs/decisions/0031): both through OpenID Connect."""

    MICROSOFT = "microsoft", _("Microsoft (Entra ID)")
    GOOGLE = "google", _("Google (Workspace)")


#: who sets an organisation's MFA policy: its ICT owners (an LA's or trust's officer, a stand-alone school's owner)
MFA_POLICY_ROLES = frozenset({Role.OWNER})

"""The roles a person holds in a school, and the sets of them the desk asks about: the tenancy layer's words.

They live on the ground floor because tenancy (`core/access.py`, `core/scoping.py`), the audit trail's reading and
every app's rules ask them; `accounts.choices` re-exports them for the many callers that name them there
(docs/decisions/0037)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    REPORTER = "reporter", _("Reporter")
    SPOC = "spoc", _("SPOC (service desk administrator)")
    TECHNICIAN = "technician", _("Technician (first level)")
    PROVIDER = "provider", _("Provider (second level)")
    OWNER = "owner", _("ICT owner")
    VIEWER = "viewer", _("Viewer (head, governors)")
    DPO = "dpo", _("DPO (data protection officer)")
    DSL = "dsl", _("DSL (designated safeguarding lead)")


#: run the desk: triage, records, settings, reports
DESK_ROLES = frozenset({Role.SPOC, Role.OWNER})
#: see and work every call in the school
STAFF_ROLES = frozenset({Role.SPOC, Role.OWNER, Role.TECHNICIAN})
#: read reports
REPORT_ROLES = frozenset({Role.SPOC, Role.OWNER, Role.VIEWER})
#: see restricted calls (data breach, safeguarding)
RESTRICTED_ROLES = frozenset({Role.DPO, Role.DSL, Role.OWNER})
#: hold the data-breach records and the breach log (docs/decisions/0023)
BREACH_ROLES = frozenset({Role.DPO, Role.OWNER})
#: hold safeguarding concerns and decide filtering changes (docs/decisions/0023)
SAFEGUARDING_ROLES = frozenset({Role.DSL, Role.OWNER})
#: read the audit trail of their schools
AUDIT_ROLES = frozenset({Role.OWNER, Role.DPO})


# --- who may give which role (docs/decisions/0033): the one place the order is defined ------------------------------
#: roles in order of what they may do; technician and provider rank together; DPO and DSL are given only by the
#: ICT owner or above (they rank with the owner for giving, but holding one gives no say over people)
ROLE_RANK = {
    Role.REPORTER: 1,
    Role.VIEWER: 2,
    Role.TECHNICIAN: 3,
    Role.PROVIDER: 3,
    Role.SPOC: 4,
    Role.OWNER: 5,
    Role.DPO: 5,
    Role.DSL: 5,
}
#: an LA's or trust's officer: a desk role (SPOC, ICT owner) held across a whole organisation
LA_OFFICER_RANK = 6
#: roles that rank for giving but not for holding: a DPO runs nobody's desk
NOT_A_SAY_OVER_PEOPLE = frozenset({Role.DPO, Role.DSL})
#: the order the roles are offered in a drop-down: the commonest first
ROLE_ORDER = [Role.REPORTER, Role.TECHNICIAN, Role.SPOC, Role.VIEWER, Role.PROVIDER, Role.OWNER, Role.DPO, Role.DSL]

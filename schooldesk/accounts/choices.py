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


class ApiTokenScope(models.TextChoices):
    READ = "read", _("Read only")
    WRITE = "write", _("Read and write")


#: who sets an organisation's MFA policy: its ICT owners (an LA's or trust's officer, a stand-alone school's owner)
MFA_POLICY_ROLES = frozenset({Role.OWNER})

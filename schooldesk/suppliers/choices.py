from django.db import models
from django.utils.translation import gettext_lazy as _

from schooldesk.core.roles import DESK_ROLES, STAFF_ROLES, Role

#: who sees suppliers and contracts: the desk, technicians (support hours, targets, visits) and viewers (costs)
CONTRACT_ROLES = STAFF_ROLES | {Role.VIEWER}
#: who changes an organisation's shared suppliers (held across it), suggests changes, and manages contracts
SUPPLIER_DESK_ROLES = DESK_ROLES


class SupplierKind(models.TextChoices):
    SUPPORT = "support", _("Support provider")
    LA_ICT = "la_ict", _("Local authority ICT team")
    BROADBAND = "broadband", _("Broadband / connectivity")
    MIS = "mis", _("MIS provider")
    RESELLER = "reseller", _("Reseller")
    MANUFACTURER = "manufacturer", _("Manufacturer")
    OTHER = "other", _("Other")


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Draft (not yet in force)")
    ACTIVE = "active", _("Active")
    NOTICE_GIVEN = "notice_given", _("Notice given")
    RENEWED = "renewed", _("Renewed")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")


#: in force and still to be decided on: these are monitored and roll forward
LIVE_STATUSES = frozenset({ContractStatus.ACTIVE, ContractStatus.RENEWED})
IN_FORCE_STATUSES = LIVE_STATUSES | {ContractStatus.NOTICE_GIVEN}
#: what a person may set by hand; the others follow from decisions and dates
EDITABLE_STATUSES = (ContractStatus.DRAFT, ContractStatus.ACTIVE, ContractStatus.CANCELLED)


class Renewal(models.TextChoices):
    AUTOMATIC = "automatic", _("Renews automatically unless notice is given")
    BY_AGREEMENT = "agreement", _("Renews only if both sides agree")


class NoticeUnit(models.TextChoices):
    DAYS = "days", _("days")
    MONTHS = "months", _("months")


class BillingFrequency(models.TextChoices):
    ONE_OFF = "one_off", _("Once, at the start of the term")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    TERMLY = "termly", _("Termly (three times a year)")
    ANNUALLY = "annually", _("Annually")


#: months between two bills; one-off bills once per term
BILLING_MONTHS = {"monthly": 1, "quarterly": 3, "termly": 4, "annually": 12, "one_off": 0}


class Decision(models.TextChoices):
    RENEW = "renew", _("Renew")
    RENEGOTIATE = "renegotiate", _("Renegotiate")
    CANCEL = "cancel", _("Cancel (give notice)")


class CoveredService(models.TextChoices):
    HARDWARE = "hardware", _("Hardware repair and support")
    NETWORK = "network", _("Network and servers")
    WIFI = "wifi", _("Wi-Fi")
    BROADBAND = "broadband", _("Broadband and connectivity")
    FILTERING = "filtering", _("Web filtering and monitoring")
    EMAIL = "email", _("Email and accounts")
    MIS = "mis", _("MIS")
    CURRICULUM = "curriculum", _("Curriculum software")
    BACKUP = "backup", _("Backup and recovery")
    PRINTING = "printing", _("Printing and copying")
    AV = "av", _("Interactive panels, projectors and AV")
    TELEPHONY = "telephony", _("Telephones")
    WEBSITE = "website", _("Website")
    CCTV = "cctv", _("CCTV and door entry")
    TRAINING = "training", _("Training")


class SpendCategory(models.TextChoices):
    """Budget lines for the finance export (FITS financial management: more than hardware and software)."""

    SUPPORT = "support", _("Technical support")
    CONNECTIVITY = "connectivity", _("Broadband and connectivity")
    MIS = "mis", _("MIS")
    SOFTWARE = "software", _("Software and licences")
    HARDWARE = "hardware", _("Hardware")
    MAINTENANCE = "maintenance", _("Maintenance and repairs")
    CONSUMABLES = "consumables", _("Consumables")
    TRAINING = "training", _("Training")
    LA_SERVICES = "la_services", _("LA and trust services")
    OTHER = "other", _("Other")


#: the usual budget line for a supplier's contracts
CATEGORY_FOR_SUPPLIER = {
    SupplierKind.SUPPORT: SpendCategory.SUPPORT,
    SupplierKind.LA_ICT: SpendCategory.LA_SERVICES,
    SupplierKind.BROADBAND: SpendCategory.CONNECTIVITY,
    SupplierKind.MIS: SpendCategory.MIS,
    SupplierKind.RESELLER: SpendCategory.HARDWARE,
    SupplierKind.MANUFACTURER: SpendCategory.MAINTENANCE,
}


class AlertKind(models.TextChoices):
    NOTICE = "notice", _("Notice deadline")
    END = "end", _("End of term")


#: a reminder goes out once as each of these many days before a deadline is reached
ALERT_THRESHOLDS = (90, 60, 30)

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the organisation")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


#: what a school's desk may suggest changing on a shared supplier, and on one of its contacts
SUPPLIER_SUGGESTABLE = {
    "name": _("name"),
    "contact_name": _("service desk contact"),
    "email": _("escalation email"),
    "phone": _("escalation phone"),
    "portal_url": _("support portal"),
    "escalation_notes": _("how to escalate"),
}
CONTACT_SUGGESTABLE = {
    "name": _("name"),
    "job_title": _("job title"),
    "email": _("email"),
    "phone": _("phone"),
    "escalation_level": _("escalation step"),
    "notes": _("when to use this contact"),
    "remove": _("remove this contact"),
}

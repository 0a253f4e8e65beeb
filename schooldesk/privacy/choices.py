from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from schooldesk.core.roles import Role

#: who answers subject access requests, erases and sets retention: the DPO, and the ICT owner who may help
#: (docs/decisions/0024)
PRIVACY_ROLES = frozenset({Role.DPO, Role.OWNER})


class RecordKind(models.TextChoices):
    """What a subject access search finds, grouped on the page and in the pack, in this order."""

    ACCOUNT = "account", _("Account and roles")
    PUPIL = "pupil", _("Pupil record")
    CALL = "call", _("Calls")
    UPDATE = "update", _("Call timelines")
    ATTACHMENT = "attachment", _("Attachments")
    EMAIL_IN = "email_in", _("Emails received")
    EMAIL_OUT = "email_out", _("Emails sent")
    ASSET = "asset", _("Assets issued")
    LOAN = "loan", _("Device loans and agreements")
    CHARGE = "charge", _("Charges for devices")
    ASSET_EVENT = "asset_event", _("Asset history")
    LICENCE = "licence", _("Licence allocations")
    AUDIT = "audit", _("Audit entries")


class RetentionKind(models.TextChoices):
    """What the retention job looks after, and what it does with each (docs/decisions/0024)."""

    CLOSED_CALLS = "closed_calls", _("Closed calls (anonymised)")
    MAIL = "mail", _("Emails and attachments (deleted)")
    LEAVERS = "leavers", _("Leavers' accounts (pseudonymised)")
    AUDIT = "audit", _("Audit entries (deleted)")
    RESTRICTED_CALLS = "restricted_calls", _("Restricted calls (anonymised)")


#: a subject access request is answered within one calendar month (UK GDPR Art. 12(3))
ONE_MONTH = 1
#: the defaults, from the IRMS Information Management Toolkit for Schools where it has a line (decision 0024)
YEAR = 365
DEFAULT_DAYS = {
    RetentionKind.CLOSED_CALLS: 6 * YEAR + 1,  # "current year + 6", as the toolkit's operational records
    RetentionKind.MAIL: 2 * YEAR,  # transitory: what matters is on the call's timeline
    RetentionKind.LEAVERS: 1 * YEAR,
    RetentionKind.RESTRICTED_CALLS: 6 * YEAR + 1,  # the data-breach log: "current year + 6"
}
MIN_DAYS = 30
MAX_DAYS = 40 * YEAR
SAMPLE = 3  # the oldest items the preview shows per kind
LOGGED = 50  # the items a run's log names per kind


def days(n: int) -> timedelta:
    return timedelta(days=n)

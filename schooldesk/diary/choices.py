from django.db import models
from django.utils.translation import gettext_lazy as _

from schooldesk.core.roles import DESK_ROLES, STAFF_ROLES, Role


class DiaryKind(models.TextChoices):
    VISIT = "visit", _("Technician visit")
    INSTALLATION = "installation", _("Installation")
    MILESTONE = "milestone", _("Implementation milestone")
    RENEWAL = "renewal", _("Renewal or notice date")
    PAYMENT_DUE = "payment_due", _("Payment due")
    TRAINING = "training", _("Training")
    MEETING = "meeting", _("Meeting")


class PaymentKind(models.TextChoices):
    ONE_OFF = "one_off", _("One-off")
    INSTALMENT = "instalment", _("Instalment")
    RECURRING = "recurring", _("Recurring")


class PaymentStatus(models.TextChoices):
    DUE = "due", _("Due")
    OVERDUE = "overdue", _("Overdue")
    PAID = "paid", _("Paid")


class VisitOutcome(models.TextChoices):
    RESOLVED = "resolved", _("Fixed: resolve the call")
    PROGRESS = "progress", _("Worked on it: still open")


#: who sees a school's whole diary (others see the entries they are named on)
DIARY_ROLES = STAFF_ROLES | {Role.VIEWER}
#: who sees and exports payments: the desk and the head and governors (finance)
PAYMENT_ROLES = DESK_ROLES | {Role.VIEWER}
#: change the diary, schedule and record payments: the school's desk
DIARY_DESK_ROLES = DESK_ROLES
#: work a visit's sheet: the school's technicians and desk
VISIT_ROLES = STAFF_ROLES
#: how far back and ahead the calendar feed reaches
FEED_DAYS_BACK = 90
FEED_DAYS_AHEAD = 800

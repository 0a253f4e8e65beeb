"""Choices and roles of the loaner pool and charges (docs/decisions/0029)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from schooldesk.core.roles import DESK_ROLES, STAFF_ROLES

#: see the pool, add loaners, swap a loaner in and back: the desk and technicians
POOL_ROLES = STAFF_ROLES
#: raise and see charges, their amounts and letters: the SPOC and the ICT owner
CHARGE_ROLES = DESK_ROLES
#: change the pool's settings: the SPOC and the ICT owner
POOL_SETTINGS_ROLES = DESK_ROLES

CHARGE_PREFIX = "LCH-"


class ChargeReason(models.TextChoices):
    DAMAGE = "damage", _("Damage")
    LOSS = "loss", _("Loss")
    CHARGER = "charger", _("Lost or damaged charger or case")
    OTHER = "other", _("Other")


class ChargeStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    SENT = "sent", _("Sent to parents")
    PAID = "paid", _("Paid")
    WAIVED = "waived", _("Waived")


#: where each status may go next
NEXT_STATUSES = {
    ChargeStatus.PROPOSED: (ChargeStatus.SENT, ChargeStatus.WAIVED),
    ChargeStatus.SENT: (ChargeStatus.PAID, ChargeStatus.WAIVED),
    ChargeStatus.PAID: (),
    ChargeStatus.WAIVED: (),
}

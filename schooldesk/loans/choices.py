from django.db import models
from django.utils.translation import gettext_lazy as _

from schooldesk.core.roles import STAFF_ROLES

#: hand out and take back devices, keep pupils and agreements: the SPOC, a technician, the ICT owner
LOAN_ROLES = STAFF_ROLES

#: the placeholders an agreement's body may use, and what each becomes
PLACEHOLDERS = {
    "pupil_name": _("the borrower's name"),
    "year_group": _("the pupil's year group"),
    "form": _("the pupil's class or form"),
    "device": _("the device: tag, type, make and model"),
    "serial": _("the device's serial number"),
    "issued_on": _("the day it was handed out"),
    "due_on": _("the day it is due back"),
    "school": _("the school's name"),
}


class SignerRelationship(models.TextChoices):
    PARENT = "parent", _("Parent or carer")
    PUPIL = "pupil", _("Pupil")
    STAFF = "staff", _("Member of staff")


class SignatureMethod(models.TextChoices):
    DRAWN = "drawn", _("Signed on screen")
    TYPED = "typed", _("Name typed on screen")
    PAPER = "paper", _("Signed on paper and scanned")


class PhotoStage(models.TextChoices):
    OUT = "out", _("When handed out")
    IN = "in", _("When returned")

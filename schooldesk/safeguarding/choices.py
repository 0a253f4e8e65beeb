from django.db import models
from django.utils.translation import gettext_lazy as _


class Lane(models.TextChoices):
    """The two kinds of restricted call, in the words a reporter reads on the report form."""

    BREACH = "breach", _("I think personal data has been lost or seen by the wrong person")
    CONCERN = "safeguarding", _("I am worried about something a pupil could reach or did online")


#: the report form's question (IncidentReportForm), in plain words
LANE_CHOICES = [("", _("No, neither of these")), *Lane.choices]


class Notifiable(models.TextChoices):
    UNDECIDED = "", _("Not decided yet")
    YES = "yes", _("Yes: report it to the ICO")
    NO = "no", _("No: record it in the breach log only")


class PeopleTold(models.TextChoices):
    NOT_YET = "", _("Not yet")
    YES = "yes", _("Yes, they have been told")
    NOT_NEEDED = "not_needed", _("Not needed (no high risk to them)")


class FilterChange(models.TextChoices):
    UNBLOCK = "unblock", _("Unblock (allow) a website or app")
    BLOCK = "block", _("Block a website or app")


class Audience(models.TextChoices):
    STAFF = "staff", _("Staff")
    YEAR_GROUP = "year_group", _("A year group")
    PUPILS = "pupils", _("All pupils")
    EVERYONE = "everyone", _("Everyone")


class FilterStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for the DSL")
    APPROVED = "approved", _("Approved: in place")
    REFUSED = "refused", _("Refused")
    REMOVED = "removed", _("Removed (time up)")


#: the 72 hours the UK GDPR (Article 33) gives a controller to tell the ICO, from becoming aware
ICO_HOURS = 72
#: when the DPO is reminded, in hours after awareness
REMINDER_HOURS = (24, 48)

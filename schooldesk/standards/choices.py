from django.db import models
from django.utils.translation import gettext_lazy as _

from schooldesk.core.roles import DESK_ROLES, REPORT_ROLES, STAFF_ROLES, Role

#: see the scheduled checks and complete them (technicians do most of them)
CHECK_ROLES = STAFF_ROLES
#: set up and change the schedule: the desk
CHECK_EDIT_ROLES = DESK_ROLES
#: read the standards page, the LA or trust's matrix and the annual review (head and governors included)
STANDARDS_VIEW_ROLES = REPORT_ROLES
#: make a statement about a part the desk cannot work out (MFA, training): the ICT owner or the SPOC
STATEMENT_ROLES = DESK_ROLES
#: write, sign off and reopen the annual IT support review
REVIEW_ROLES = frozenset({Role.OWNER})
#: open a check and its evidence: those who record checks and those who read the standards
CHECK_READ_ROLES = CHECK_ROLES | STANDARDS_VIEW_ROLES


class CheckKind(models.TextChoices):
    """What a scheduled check is for: the standards page reads the evidence of some of them."""

    RESTORE_TEST = "restore_test", _("Backup restore test")
    BACKUP_CHECK = "backup_check", _("Backup check")
    PATCH_CHECK = "patch_check", _("Patch check")
    FILTERING_REVIEW = "filtering_review", _("Filtering and monitoring review")
    CYBER_RISK = "cyber_risk", _("Cyber risk assessment")
    PAT = "pat", _("Safety testing of portable equipment")
    OTHER = "other", _("Other")


class Recurrence(models.TextChoices):
    TERM_FIRST_WEEKDAY = "term_first_weekday", _("The first given weekday of every term")
    WEEKLY_IN_TERM = "weekly_in_term", _("Every given weekday in term time")
    MONTHLY_FIRST_DAY = "monthly_first_day", _("The first school day of every month")
    YEARLY_IN_MONTH = "yearly_in_month", _("Every year, on the first school day of the given month")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")


class Month(models.IntegerChoices):
    JANUARY = 1, _("January")
    FEBRUARY = 2, _("February")
    MARCH = 3, _("March")
    APRIL = 4, _("April")
    MAY = 5, _("May")
    JUNE = 6, _("June")
    JULY = 7, _("July")
    AUGUST = 8, _("August")
    SEPTEMBER = 9, _("September")
    OCTOBER = 10, _("October")
    NOVEMBER = 11, _("November")
    DECEMBER = 12, _("December")


class CheckStatus(models.TextChoices):
    DUE = "due", _("To do")
    DONE = "done", _("Done")


class PartState(models.TextChoices):
    MET = "met", _("Met")
    NOT_MET = "not_met", _("Not met")
    UNKNOWN = "unknown", _("Not known")


class StatementState(models.TextChoices):
    MET = "met", _("Met")
    NOT_MET = "not_met", _("Not met")


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Being written")
    SIGNED = "signed", _("Signed off")


#: the starter schedule every school gets (editable): name, kind, recurrence, weekday, month, steps
STARTER_CHECKS = [
    (
        "Backup restore test",
        CheckKind.RESTORE_TEST,
        Recurrence.TERM_FIRST_WEEKDAY,
        0,
        None,
        "Restore a file from last night's backup to a test folder\nOpen the restored file\n"
        "Restore a whole folder from the off-site copy",
    ),
    (
        "Weekly backup check",
        CheckKind.BACKUP_CHECK,
        Recurrence.WEEKLY_IN_TERM,
        4,
        None,
        "Every backup job this week finished\nThe off-site or cloud copy is up to date",
    ),
    (
        "Monthly patch check",
        CheckKind.PATCH_CHECK,
        Recurrence.MONTHLY_FIRST_DAY,
        None,
        None,
        "Every server and device has this month's security updates\nHigh-risk patches went on within 14 days\n"
        "Firewall and switch firmware are current",
    ),
    (
        "Filtering and monitoring review",
        CheckKind.FILTERING_REVIEW,
        Recurrence.YEARLY_IN_MONTH,
        None,
        9,
        "The DSL has reviewed the filtering and monitoring provision\nBlocked and allowed lists checked\n"
        "Test sites are blocked",
    ),
    (
        "Cyber risk assessment",
        CheckKind.CYBER_RISK,
        Recurrence.YEARLY_IN_MONTH,
        None,
        10,
        "The cyber risk assessment is reviewed\nStaff cyber awareness training is booked",
    ),
    (
        "Portable equipment safety testing",
        CheckKind.PAT,
        Recurrence.YEARLY_IN_MONTH,
        None,
        7,
        "Every portable appliance tested\nFailed items taken out of use",
    ),
]

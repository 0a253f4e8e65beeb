from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    LOCAL_AUTHORITY = "la", _("Local authority")
    TRUST = "trust", _("Multi-academy trust")
    SUPPORT_COMPANY = "company", _("Support company")
    SCHOOL = "school", _("Single school")


class Phase(models.TextChoices):
    NURSERY = "nursery", _("Nursery")
    PRIMARY = "primary", _("Primary")
    SECONDARY = "secondary", _("Secondary")
    ALL_THROUGH = "all_through", _("All-through")
    SPECIAL = "special", _("Special")
    SIXTH_FORM = "sixth_form", _("Sixth form")


class Governance(models.TextChoices):
    MAINTAINED = "maintained", _("Maintained (LA term dates)")
    ACADEMY = "academy", _("Academy or free school (own term dates)")
    INDEPENDENT = "independent", _("Independent")


class Nation(models.TextChoices):
    ENGLAND = "england", _("England")
    WALES = "wales", _("Wales")
    SCOTLAND = "scotland", _("Scotland")
    NORTHERN_IRELAND = "northern_ireland", _("Northern Ireland")


class SatisfactionSurvey(models.TextChoices):
    """Whether the reporter of a resolved call is asked how it was handled (good / OK / poor)."""

    OFF = "off", _("Do not ask")
    EVERY = "every", _("Ask after every call")
    SAMPLE = "sample", _("Ask after one call in N")


class ClosureKind(models.TextChoices):
    INSET = "inset", _("INSET day")
    CLOSURE = "closure", _("Other closure")


class Impact(models.TextChoices):
    WHOLE_SCHOOL = "I1", _("Whole school or a school-wide service")
    GROUP = "I2", _("A class, teaching space, department or group")
    ONE_USER = "I3", _("One person or one device")


class Urgency(models.TextChoices):
    STOPPED = "U1", _("Teaching, statutory or safeguarding work stopped now")
    IMPAIRED = "U2", _("Work impaired or workaround in place; needed today")
    NOT_CRITICAL = "U3", _("Not time-critical (request, advice, cosmetic)")


class Priority(models.TextChoices):
    P1 = "P1", _("P1 – critical")
    P2 = "P2", _("P2 – high")
    P3 = "P3", _("P3 – medium")
    P4 = "P4", _("P4 – low")
    P5 = "P5", _("P5 – planned")


DEFAULT_PRIORITY_MATRIX = {
    "I1": {"U1": "P1", "U2": "P2", "U3": "P3"},
    "I2": {"U1": "P2", "U2": "P3", "U3": "P4"},
    "I3": {"U1": "P3", "U2": "P4", "U3": "P4"},
}

#: minutes of service time to respond and to resolve (FITS digest §4.8, a school day = 8.5 h)
DEFAULT_SLA_TARGETS = {
    "P1": {"respond": 30, "resolve": 5 * 60},
    "P2": {"respond": 60, "resolve": 510},
    "P3": {"respond": 4 * 60, "resolve": 2 * 510},
    "P4": {"respond": 510, "resolve": 5 * 510},
    "P5": {"respond": 2 * 510, "resolve": 20 * 510},
}


def default_priority_matrix():
    return {k: dict(v) for k, v in DEFAULT_PRIORITY_MATRIX.items()}


def default_sla_targets():
    return {k: dict(v) for k, v in DEFAULT_SLA_TARGETS.items()}

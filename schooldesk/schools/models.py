from datetime import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from schooldesk.core.access import access_for
from schooldesk.core.concurrency import VersionedModel
from schooldesk.core.models import SchoolOwnedModel, TimeStampedModel
from schooldesk.schools import choices


class Organisation(TimeStampedModel):
    name = models.CharField(_("name"), max_length=150, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=choices.OrganisationKind.choices)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SchoolQuerySet(models.QuerySet):
    def visible_to(self, user, roles=None):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(pk__in=access_for(user).school_ids(roles))


class School(VersionedModel, TimeStampedModel):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="schools")
    name = models.CharField(_("name"), max_length=150)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    urn = models.CharField(_("DfE URN"), max_length=10, blank=True)
    phase = models.CharField(_("phase"), max_length=20, choices=choices.Phase.choices)
    governance = models.CharField(_("governance"), max_length=20, choices=choices.Governance.choices)
    nation = models.CharField(
        _("nation (for bank holidays)"), max_length=20, choices=choices.Nation.choices, default="england"
    )
    financial_year_start_month = models.PositiveSmallIntegerField(
        _("financial year starts in month"),
        default=4,
        help_text=_("4 for April (maintained), 9 for September (academies)."),
    )
    roll_number = models.PositiveIntegerField(_("number on roll"), default=0)
    desk_email = models.EmailField(_("service desk email"), blank=True)
    desk_phone = models.CharField(_("service desk phone"), max_length=40, blank=True)
    # Service hours: the SLA clock runs only inside them.
    service_opens_at = models.TimeField(_("service opens at"), default=time(8, 0))
    service_closes_at = models.TimeField(_("service closes at"), default=time(16, 30))
    is_term_time_only = models.BooleanField(
        _("service in term time only"),
        default=True,
        help_text=_("When ticked, half-terms and holidays between terms stop the SLA clock."),
    )
    auto_close_after_days = models.PositiveSmallIntegerField(
        _("close resolved calls after (school days)"),
        default=5,
        help_text=_("A resolved call the reporter has not confirmed closes itself after this many school days."),
    )
    satisfaction_survey = models.CharField(
        _("ask reporters how a resolved call was handled"),
        max_length=10,
        choices=choices.SatisfactionSurvey.choices,
        default=choices.SatisfactionSurvey.EVERY,
    )
    satisfaction_sample_every = models.PositiveSmallIntegerField(
        _("when sampling, ask one call in"),
        default=5,
        help_text=_("Used only when asking one call in N: 5 asks about one resolved call in five."),
    )
    priority_matrix = models.JSONField(_("priority matrix"), default=choices.default_priority_matrix)
    sla_targets = models.JSONField(_("SLA targets (service minutes)"), default=choices.default_sla_targets)
    # The single point of contact and their deputy, with agreed hours.
    spoc = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("SPOC"),
    )
    spoc_days = models.CharField(
        _("SPOC's days"), max_length=13, default="0,1,2,3,4", help_text=_("Weekdays the SPOC covers (0 = Monday).")
    )
    spoc_from = models.TimeField(_("SPOC available from"), default=time(8, 0))
    spoc_until = models.TimeField(_("SPOC available until"), default=time(16, 0))
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deputy SPOC"),
    )
    deputy_from = models.TimeField(_("deputy available from"), default=time(8, 30))
    deputy_until = models.TimeField(_("deputy available until"), default=time(15, 30))
    # Who says yes to requests that cost money or change access (docs/decisions/0019-outages-and-approvals.md).
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approver of requests"),
        help_text=_(
            "The business manager, the head or the ICT owner: requests in a category that needs approval "
            "wait for their yes. Without one, the ICT owners decide."
        ),
    )

    objects = SchoolQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.service_closes_at and self.service_opens_at and self.service_closes_at <= self.service_opens_at:
            raise ValidationError({"service_closes_at": _("Service must close after it opens.")})
        if self.spoc_until and self.spoc_from and self.spoc_until <= self.spoc_from:
            raise ValidationError({"spoc_until": _("The SPOC's hours must end after they start.")})
        if self.deputy_until and self.deputy_from and self.deputy_until <= self.deputy_from:
            raise ValidationError({"deputy_until": _("The deputy's hours must end after they start.")})
        if self.financial_year_start_month and not 1 <= self.financial_year_start_month <= 12:
            raise ValidationError({"financial_year_start_month": _("Give a month from 1 to 12.")})

    @property
    def spoc_weekdays(self) -> set[int]:
        return {int(d) for d in self.spoc_days.split(",") if d.strip().isdigit()}


class Term(SchoolOwnedModel):
    name = models.CharField(_("name"), max_length=60, help_text=_("For example: Autumn 2026"))
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    half_term_starts_on = models.DateField(_("half-term starts"), null=True, blank=True)
    half_term_ends_on = models.DateField(_("half-term ends"), null=True, blank=True)

    class Meta:
        ordering = ["starts_on"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The last day is before the first day.")
        if bool(self.half_term_starts_on) != bool(self.half_term_ends_on):
            errors["half_term_ends_on"] = _("Give both the start and the end of half-term, or neither.")
        elif self.half_term_starts_on and self.half_term_ends_on:
            if self.half_term_ends_on < self.half_term_starts_on:
                errors["half_term_ends_on"] = _("Half-term ends before it starts.")
            elif (
                self.starts_on
                and self.ends_on
                and not (self.starts_on <= self.half_term_starts_on and self.half_term_ends_on <= self.ends_on)
            ):
                errors["half_term_starts_on"] = _("Half-term must fall inside the term.")
        if errors:
            raise ValidationError(errors)


class Closure(SchoolOwnedModel):
    """INSET days and other days the school is shut (bank holidays come from the calendar)."""

    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=20, choices=choices.ClosureKind.choices, default="inset")
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))

    class Meta:
        ordering = ["starts_on"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The last day is before the first day.")})

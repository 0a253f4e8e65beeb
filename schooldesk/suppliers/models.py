"""Suppliers, their contacts and their contracts.

Contract dates follow one rule, written once here (`term_end`, `notice_by`) and tested on real
calendars: a term of N months beginning on a day ends on the day before the same day of the month N
months later, or on the last day of that month when it has no such day (a month from 31 January ends
on 28 or 29 February). Renewal terms are counted from the first renewal day, never from the previous
renewal's end, so month ends do not drift. Notice of N months must be given by the day before the
same day N months before the day after the end, so that N whole months remain.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from schooldesk.core.access import access_for
from schooldesk.core.concurrency import VersionedModel
from schooldesk.core.models import TimeStampedModel
from schooldesk.schools.models import School
from schooldesk.suppliers.choices import (
    CONTACT_SUGGESTABLE,
    CONTRACT_ROLES,
    SUPPLIER_SUGGESTABLE,
    WEEKDAYS,
    AlertKind,
    BillingFrequency,
    ContractStatus,
    CoveredService,
    Decision,
    NoticeUnit,
    Renewal,
    SpendCategory,
    SuggestionStatus,
    SupplierKind,
)

CONTRACT_PREFIX = "CON-"
MAX_TERM_MONTHS = 120


def term_end(starts_on: date, months: int) -> date:
    """The last day of a term of `months` months that begins on `starts_on`."""
    after = starts_on + relativedelta(months=months)
    return after if after.day != starts_on.day else after - timedelta(days=1)


def notice_by(ends_on: date, number: int, unit: str) -> date:
    """The last day on which notice can be given so that `number` days or months of notice remain."""
    if not number:
        return ends_on
    if unit == NoticeUnit.MONTHS:
        return ends_on + timedelta(days=1) - relativedelta(months=number) - timedelta(days=1)
    return ends_on - timedelta(days=number)


class SupplierQuerySet(models.QuerySet):
    def visible_to(self, user):
        """An LA or trust keeps one supplier catalogue for all its schools."""
        if not getattr(user, "is_authenticated", False):
            return self.none()

        school_ids = access_for(user).school_ids()
        if not school_ids:
            return self.none()
        return self.filter(organisation_id__in=School.objects.filter(pk__in=school_ids).values("organisation_id"))


class Supplier(VersionedModel, TimeStampedModel):
    organisation = models.ForeignKey("schools.Organisation", on_delete=models.PROTECT, related_name="suppliers")
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=20, choices=SupplierKind.choices, default=SupplierKind.SUPPORT)
    contact_name = models.CharField(_("contact"), max_length=120, blank=True)
    email = models.EmailField(_("escalation email"), blank=True)
    phone = models.CharField(_("escalation phone"), max_length=40, blank=True)
    portal_url = models.URLField(_("support portal"), blank=True)
    escalation_notes = models.TextField(_("how to escalate"), blank=True)

    objects = SupplierQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="supplier_unique_name")]

    def __str__(self) -> str:
        return self.name


class Contact(VersionedModel, TimeStampedModel):
    """A person at a supplier, and where they sit in the escalation ladder."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=120)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    escalation_level = models.PositiveSmallIntegerField(
        _("escalation step"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 for the first point of contact; 2, 3… for whom to go to when that does not work."),
    )
    notes = models.CharField(_("when to use this contact"), max_length=200, blank=True)

    class Meta:
        ordering = ["escalation_level", "name"]

    def __str__(self) -> str:
        return self.name


class ContractQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Contracts shared with a school in which the user works the desk, supports or reads reports."""
        if not getattr(user, "is_authenticated", False):
            return self.none()

        school_ids = access_for(user).school_ids(CONTRACT_ROLES)
        if not school_ids:
            return self.none()
        return self.filter(pk__in=ContractShare.objects.filter(school_id__in=school_ids).values("contract_id"))


def default_targets() -> dict:
    return {}


class Contract(VersionedModel, TimeStampedModel):
    organisation = models.ForeignKey(
        "schools.Organisation", on_delete=models.PROTECT, related_name="contracts", editable=False
    )
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("supplier")
    )
    name = models.CharField(_("what it is for"), max_length=150, help_text=_("For example: Technical support SLA."))
    supplier_reference = models.CharField(_("supplier's contract number"), max_length=60, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ContractStatus.choices, default=ContractStatus.ACTIVE)
    category = models.CharField(
        _("budget category"), max_length=20, choices=SpendCategory.choices, default=SpendCategory.SUPPORT
    )
    # --- what it covers ---------------------------------------------------------------------------
    services = models.JSONField(_("services covered"), default=list, blank=True)
    locations = models.ManyToManyField(
        "locations.Location", blank=True, related_name="contracts", verbose_name=_("locations covered")
    )
    scope = models.TextField(_("anything else covered or excluded"), blank=True)
    # --- a broadband line (when "broadband" is among the services): read by the standards page ---------
    line_speed_mbps = models.PositiveIntegerField(_("line speed (Mbps download)"), null=True, blank=True)
    line_is_full_fibre = models.BooleanField(_("full fibre line"), default=False)
    line_is_backup = models.BooleanField(
        _("backup line"), default=False, help_text=_("A second connection that takes over when the main one fails.")
    )
    # ASSET AND LICENCE LINKS: when the assets and licences apps exist, add here
    #   assets = models.ManyToManyField("assets.Asset", blank=True, related_name="contracts")
    #   licences = models.ManyToManyField("licences.Licence", blank=True, related_name="contracts")
    # and the two fields to ContractForm.Meta.fields (the form and page show them under "What it covers").
    # --- term, renewal and notice ----------------------------------------------------------------
    starts_on = models.DateField(_("starts on"))
    initial_term_months = models.PositiveSmallIntegerField(
        _("initial term (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_TERM_MONTHS)],
        help_text=_("For example 36 for a three-year contract. Leave empty if you give the end date instead."),
    )
    ends_on = models.DateField(
        _("initial term ends on"),
        null=True,
        blank=True,
        help_text=_("Worked out from the initial term when left empty."),
    )
    renewal = models.CharField(_("renewal"), max_length=20, choices=Renewal.choices, default=Renewal.BY_AGREEMENT)
    renewal_term_months = models.PositiveSmallIntegerField(
        _("renewal term (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_TERM_MONTHS)],
        help_text=_("How long each renewal lasts. Needed when the contract renews automatically."),
    )
    notice_number = models.PositiveSmallIntegerField(_("notice period"), default=0)
    notice_unit = models.CharField(
        _("notice period in"), max_length=10, choices=NoticeUnit.choices, default=NoticeUnit.MONTHS
    )
    # kept by the services: the current term, and the date notice is due for it (indexed for monitoring)
    renewals = models.PositiveSmallIntegerField(default=0, editable=False)
    term_ends_on = models.DateField(null=True, editable=False, db_index=True)
    notice_by_on = models.DateField(null=True, editable=False, db_index=True)
    bills_recurring = models.BooleanField(default=False, editable=False)
    # --- money ----------------------------------------------------------------------------------
    value = models.DecimalField(
        _("value of the initial term (£, before VAT)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text=_("Renewals are charged at the same monthly rate."),
    )
    billing_frequency = models.CharField(
        _("billed"), max_length=20, choices=BillingFrequency.choices, default=BillingFrequency.ANNUALLY
    )
    vat_percent = models.DecimalField(
        _("VAT rate (%)"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("20.0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    # --- support hours and targets ----------------------------------------------------------------
    support_opens_at = models.TimeField(_("support from"), default=time(8, 0))
    support_closes_at = models.TimeField(_("support until"), default=time(17, 0))
    support_days = models.CharField(_("support days"), max_length=13, default="0,1,2,3,4")
    support_term_time_only = models.BooleanField(_("support in term time only"), default=False)
    targets = models.JSONField(
        _("response and fix targets"),
        default=default_targets,
        blank=True,
        help_text=_("Minutes of support time per priority, e.g. {'P1': {'respond': 60, 'fix': 480}}."),
    )
    # --- scheduled visits -------------------------------------------------------------------------
    visit_weekday = models.PositiveSmallIntegerField(
        _("visits on"), null=True, blank=True, validators=[MaxValueValidator(6)]
    )
    visit_starts_at = models.TimeField(_("visit from"), null=True, blank=True)
    visit_ends_at = models.TimeField(_("visit until"), null=True, blank=True)
    visit_every_weeks = models.PositiveSmallIntegerField(
        _("every (weeks)"), default=1, validators=[MinValueValidator(1), MaxValueValidator(8)]
    )
    visit_term_time_only = models.BooleanField(_("visits in term time only"), default=True)
    visit_technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("visiting technician"),
    )

    objects = ContractQuerySet.as_manager()

    class Meta:
        ordering = ["term_ends_on", "name"]

    def __str__(self) -> str:
        return f"{self.supplier} – {self.name}" if self.supplier_id else self.name

    @property
    def reference(self) -> str:
        return f"{CONTRACT_PREFIX}{self.pk:06d}" if self.pk else f"{CONTRACT_PREFIX}(new)"

    # --- dates ----------------------------------------------------------------------------------
    @property
    def initial_ends_on(self) -> date | None:
        if self.ends_on:
            return self.ends_on
        if self.starts_on and self.initial_term_months:
            return term_end(self.starts_on, self.initial_term_months)
        return None

    def term_bounds(self, k: int) -> tuple[date, date]:
        """First and last day of term `k` (0 is the initial term, 1 the first renewal…)."""
        first_end = self.initial_ends_on
        if k == 0:
            return self.starts_on, first_end
        anchor = first_end + timedelta(days=1)
        months = self.renewal_term_months or self.initial_term_months or 12
        starts = anchor if k == 1 else term_end(anchor, (k - 1) * months) + timedelta(days=1)
        return starts, term_end(anchor, k * months)

    @property
    def term_starts_on(self) -> date:
        return self.term_bounds(self.renewals)[0]

    def notice_by_for(self, ends_on: date) -> date:
        return notice_by(ends_on, self.notice_number, self.notice_unit)

    @property
    def notice_text(self) -> str:
        if not self.notice_number:
            return str(_("none"))
        if self.notice_unit == NoticeUnit.MONTHS:
            return ngettext("%(n)s month", "%(n)s months", self.notice_number) % {"n": self.notice_number}
        return ngettext("%(n)s day", "%(n)s days", self.notice_number) % {"n": self.notice_number}

    @property
    def is_shared(self) -> bool:
        return len(self.shares.all()) > 1

    def term_value(self, k: int) -> Decimal:
        """What term `k` costs: the initial value, or the same monthly rate for a renewal term."""
        if k == 0 or not self.initial_term_months or not self.renewal_term_months:
            return self.value
        return (self.value * self.renewal_term_months / self.initial_term_months).quantize(Decimal("0.01"))

    @property
    def support_weekdays(self) -> frozenset[int]:
        return frozenset(int(d) for d in self.support_days.split(",") if d.strip().isdigit())

    @property
    def support_days_text(self) -> str:
        names = dict(WEEKDAYS)
        return ", ".join(str(names[d]) for d in sorted(self.support_weekdays) if d in names)

    @property
    def visit_text(self) -> str:
        if self.visit_weekday is None or not self.visit_starts_at:
            return ""
        every = _("Every") if self.visit_every_weeks == 1 else _("Every %(n)s weeks on") % {"n": self.visit_every_weeks}
        when = f"{every} {dict(WEEKDAYS)[self.visit_weekday]} {self.visit_starts_at:%H:%M}–{self.visit_ends_at:%H:%M}"
        return f"{when}{_(', in term time') if self.visit_term_time_only else ''}"

    @property
    def service_labels(self) -> list[str]:
        names = dict(CoveredService.choices)
        return [str(names.get(s, s)) for s in self.services or []]

    def target_minutes(self, priority: str, what: str) -> int | None:
        value = (self.targets or {}).get(priority, {}).get(what)
        return int(value) if value else None

    def clean(self):
        errors = {}
        if self.support_closes_at and self.support_opens_at and self.support_closes_at <= self.support_opens_at:
            errors["support_closes_at"] = _("Support must end after it starts.")
        if self.visit_weekday is not None and not (self.visit_starts_at and self.visit_ends_at):
            errors["visit_starts_at"] = _("Give the time visits start and end.")
        elif self.visit_starts_at and self.visit_ends_at and self.visit_ends_at <= self.visit_starts_at:
            errors["visit_ends_at"] = _("A visit must end after it starts.")
        if self.renewal == Renewal.AUTOMATIC and not self.renewal_term_months:
            errors["renewal_term_months"] = _("Say how long each automatic renewal lasts.")
        if not self.starts_on:
            raise ValidationError(errors or {"starts_on": _("Give the date the contract starts.")})
        if not self.ends_on and not self.initial_term_months:
            errors["initial_term_months"] = _("Give the initial term in months, or the date the initial term ends.")
        elif self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The end (%(end)s) is before the start (%(start)s).") % {
                "end": f"{self.ends_on:%d/%m/%Y}",
                "start": f"{self.starts_on:%d/%m/%Y}",
            }
        elif (
            self.ends_on
            and self.initial_term_months
            and term_end(self.starts_on, self.initial_term_months) != self.ends_on
        ):
            expected = term_end(self.starts_on, self.initial_term_months)
            errors["ends_on"] = _(
                "A %(n)s-month term from %(start)s ends on %(end)s: correct the end or the term, "
                "or leave one of them empty."
            ) % {"n": self.initial_term_months, "start": f"{self.starts_on:%d/%m/%Y}", "end": f"{expected:%d/%m/%Y}"}
        elif self.notice_number:
            first_end = self.initial_ends_on
            if self.notice_by_for(first_end) < self.starts_on:
                errors["notice_number"] = _(
                    "A notice period of %(notice)s is longer than the initial term (%(start)s to %(end)s)."
                ) % {"notice": self.notice_text, "start": f"{self.starts_on:%d/%m/%Y}", "end": f"{first_end:%d/%m/%Y}"}
            elif self.renewal == Renewal.AUTOMATIC and self.renewal_term_months:
                renewal_start, renewal_end = self.term_bounds(1)
                if self.notice_by_for(renewal_end) < renewal_start:
                    errors["notice_number"] = _(
                        "A notice period of %(notice)s is longer than the %(n)s-month renewal term."
                    ) % {"notice": self.notice_text, "n": self.renewal_term_months}
        if errors:
            raise ValidationError(errors)


class ContractShare(models.Model):
    """A school the contract serves, and its share of the cost (a trust-wide contract has several)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="shares")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="contract_shares")
    percent = models.DecimalField(
        _("share of the cost (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        ordering = ["school__name"]
        constraints = [models.UniqueConstraint(fields=["contract", "school"], name="contract_share_unique_school")]

    def __str__(self) -> str:
        return f"{self.school} {self.percent}%"


class ContractDecision(TimeStampedModel):
    """What the school decided about renewing, who decided and why; kept for every term."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="decisions")
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices)
    reason = models.TextField(_("why"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    term_ends_on = models.DateField(help_text="The end of the term this decision was about.")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} {self.contract_id}"


def document_path(instance, filename: str) -> str:
    return f"contracts/{instance.contract_id}/{instance.stored_name}"


class ContractDocument(TimeStampedModel):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=120, blank=True)
    file = models.FileField(upload_to=document_path, max_length=300)
    stored_name = models.CharField(max_length=80)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title or self.original_name


class ContractAlert(models.Model):
    """A reminder already sent: one row per contract, deadline and threshold, so none goes twice."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=10, choices=AlertKind.choices)
    concerns_on = models.DateField()
    threshold = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField()
    recipients = models.TextField(blank=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "kind", "concerns_on", "threshold"], name="contract_alert_once")
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.kind} {self.concerns_on} {self.threshold}"


class SupplierSuggestion(models.Model):
    """A school's desk proposing a change to its organisation's shared supplier or contact: the organisation's
    officers accept it (applied through the same service as their own edit) or decline it with a reason."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="suggestions")
    contact = models.ForeignKey(Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="suggestions")
    is_about_contact = models.BooleanField(default=False)
    #: what it is about, as named when suggested (a removed contact keeps its name here)
    subject = models.CharField(max_length=150)
    school = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, related_name="+", help_text=_("The school whose desk suggested it.")
    )
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    field_name = models.CharField(_("what to change"), max_length=30)
    value = models.TextField(_("new value"), blank=True)
    reason = models.TextField(_("why"))
    status = models.CharField(max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.subject}: {self.field_label}"

    @property
    def field_label(self) -> str:
        labels = CONTACT_SUGGESTABLE if self.is_about_contact else SUPPLIER_SUGGESTABLE
        return str(labels.get(self.field_name, self.field_name))

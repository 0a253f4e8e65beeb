"""The desk's diary (visits, installations, milestones, renewals, payments due, training, meetings) and
the payments it schedules. Both belong to one school; a trust-wide contract has one row per school."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils.translation import gettext_lazy as _

from schooldesk.core.calendar import LONDON
from schooldesk.core.concurrency import VersionedModel
from schooldesk.core.models import SchoolOwnedModel
from schooldesk.core.scoping import SchoolOwnedQuerySet
from schooldesk.diary.choices import DIARY_ROLES, PAYMENT_ROLES, DiaryKind, PaymentKind, PaymentStatus
from schooldesk.suppliers.choices import SpendCategory


class DiaryEntryQuerySet(SchoolOwnedQuerySet):
    visible_roles = DIARY_ROLES

    def role_filter(self, user, access) -> Q | None:
        """The whole diary of the schools where the user supports, runs the desk or reads reports;
        elsewhere in their schools only the entries that name them (a training session, a meeting)."""
        conditions = []
        if school_ids := access.school_ids(self.visible_roles):
            conditions.append(Q(school_id__in=school_ids))
        if any_school := access.school_ids():
            conditions.append(Q(school_id__in=any_school, person=user))
        if not conditions:
            return None
        return conditions[0] | conditions[1] if len(conditions) == 2 else conditions[0]


class DiaryEntry(VersionedModel, SchoolOwnedModel):
    kind = models.CharField(_("kind"), max_length=20, choices=DiaryKind.choices, default=DiaryKind.MEETING)
    title = models.CharField(_("title"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    is_all_day = models.BooleanField(_("all day"), default=False)
    location = models.ForeignKey(
        "locations.Location", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("where")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="diary_entries",
        verbose_name=_("who"),
        help_text=_("For a visit, the technician. The entry appears in their calendar feed."),
    )
    # --- what it concerns -------------------------------------------------------------------------
    contract = models.ForeignKey(
        "suppliers.Contract",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="diary_entries",
        verbose_name=_("contract"),
    )
    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="diary_entries",
        verbose_name=_("call"),
    )
    payment = models.ForeignKey(
        "diary.Payment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="diary_entries",
        verbose_name=_("payment"),
    )
    change = models.ForeignKey(
        "changes.ChangeRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="diary_entries",
        verbose_name=_("request for change"),
    )
    # LICENCE AND ASSET LINKS: add here
    #   licence = models.ForeignKey("licences.Licence", on_delete=models.SET_NULL, null=True, blank=True, ...)
    #   asset = models.ForeignKey("assets.Asset", on_delete=models.SET_NULL, null=True, blank=True, ...)
    # and check in services.entry_save that each belongs to the entry's school.
    # --- reminders -------------------------------------------------------------------------------
    remind_days_before = models.PositiveSmallIntegerField(
        _("remind me (days before)"), null=True, blank=True, help_text=_("Leave empty for no reminder.")
    )
    remind_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    # --- visits ------------------------------------------------------------------------------------
    calls_worked = models.ManyToManyField("incidents.Incident", blank=True, related_name="visits_worked")
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    #: set on entries the system keeps in step with a contract or payment ("contract:12:t0:notice")
    generated_key = models.CharField(max_length=80, blank=True, editable=False)

    objects = DiaryEntryQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name_plural = "diary entries"
        constraints = [
            models.UniqueConstraint(
                fields=["school", "generated_key"],
                condition=~Q(generated_key=""),
                name="diary_entry_unique_generated_key",
            ),
        ]
        indexes = [models.Index(fields=["school", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def local_date(self) -> date:
        return self.starts_at.astimezone(LONDON).date()

    @property
    def local_end_date(self) -> date:
        return self.ends_at.astimezone(LONDON).date()

    @property
    def is_visit(self) -> bool:
        return self.kind == DiaryKind.VISIT

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            raise ValidationError({"ends_at": _("The end is before the start.")})


class PaymentQuerySet(SchoolOwnedQuerySet):
    visible_roles = PAYMENT_ROLES

    def with_status(self, today: date):
        return self.annotate(
            status=Case(
                When(paid_on__isnull=False, then=Value(PaymentStatus.PAID.value)),
                When(due_on__lt=today, then=Value(PaymentStatus.OVERDUE.value)),
                default=Value(PaymentStatus.DUE.value),
                output_field=models.CharField(),
            )
        )

    def in_status(self, status: str, today: date):
        return self.filter(
            {
                PaymentStatus.PAID: Q(paid_on__isnull=False),
                PaymentStatus.OVERDUE: Q(paid_on__isnull=True, due_on__lt=today),
                PaymentStatus.DUE: Q(paid_on__isnull=True, due_on__gte=today),
            }[status]
        )


class Payment(VersionedModel, SchoolOwnedModel):
    supplier = models.ForeignKey(
        "suppliers.Supplier", on_delete=models.PROTECT, related_name="payments", verbose_name=_("supplier")
    )
    contract = models.ForeignKey(
        "suppliers.Contract",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("contract"),
    )
    for_entry = models.ForeignKey(
        DiaryEntry,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("for the installation or milestone"),
        help_text=_("A new implementation or addition scheduled in the diary."),
    )
    # LICENCE AND ASSET LINKS: when those apps exist, add `licence` and `asset` foreign keys here
    # (what the payment is for) and recurring payments from a licence's renewal in services.
    category = models.CharField(_("budget category"), max_length=20, choices=SpendCategory.choices)
    description = models.CharField(_("description"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=PaymentKind.choices, default=PaymentKind.ONE_OFF)
    amount = models.DecimalField(
        _("amount (£, before VAT)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    vat = models.DecimalField(
        _("VAT (£)"), max_digits=10, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    due_on = models.DateField(_("due on"), db_index=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    paid_reference = models.CharField(
        _("payment reference"),
        max_length=60,
        blank=True,
        help_text=_("Invoice or order number, or the finance system's reference."),
    )
    generated_key = models.CharField(max_length=80, blank=True, editable=False)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "generated_key"], condition=~Q(generated_key=""), name="payment_unique_generated_key"
            ),
        ]
        indexes = [models.Index(fields=["school", "due_on"])]

    def __str__(self) -> str:
        return f"{self.description} £{self.amount}"

    @property
    def gross(self):
        return self.amount + self.vat

    @property
    def status_label(self) -> str:
        """The label of the `status` that `with_status()` annotates."""
        return PaymentStatus(self.status).label

    def status_on(self, today: date) -> str:
        if self.paid_on:
            return PaymentStatus.PAID
        return PaymentStatus.OVERDUE if self.due_on < today else PaymentStatus.DUE

    def clean(self):
        if self.paid_reference and not self.paid_on:
            raise ValidationError({"paid_on": _("Give the date it was paid, or leave the reference empty.")})

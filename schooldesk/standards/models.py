"""Scheduled checks (the work FITS and the DfE standards expect at set times), statements about the parts of
the standards the desk cannot work out, and the annual IT support review."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from schooldesk.core.models import SchoolOwnedModel, TimeStampedModel
from schooldesk.core.scoping import SchoolOwnedQuerySet
from schooldesk.standards.choices import (
    CHECK_ROLES,
    STANDARDS_VIEW_ROLES,
    CheckKind,
    CheckStatus,
    Month,
    Recurrence,
    ReviewStatus,
    StatementState,
    Weekday,
)


class CheckQuerySet(SchoolOwnedQuerySet):
    visible_roles = CHECK_ROLES | STANDARDS_VIEW_ROLES  # governors read the evidence the standards page links to


class StandardsQuerySet(SchoolOwnedQuerySet):
    visible_roles = STANDARDS_VIEW_ROLES


class CheckRule(SchoolOwnedModel):
    """A check that comes round at a time said in school terms ("first Monday of every term")."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("what it is for"), max_length=20, choices=CheckKind.choices, default=CheckKind.OTHER)
    recurrence = models.CharField(_("when"), max_length=20, choices=Recurrence.choices)
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices, null=True, blank=True)
    month = models.PositiveSmallIntegerField(_("month"), choices=Month.choices, null=True, blank=True)
    steps = models.TextField(_("steps"), blank=True, help_text=_("One step a line: each is answered yes or no."))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
        help_text=_("A technician or the SPOC of the school."),
    )
    raises_call = models.BooleanField(_("log a call for it when it is due"), default=False)
    is_active = models.BooleanField(_("in use"), default=True)

    objects = CheckQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def step_list(self) -> list[str]:
        return [line.strip() for line in self.steps.splitlines() if line.strip()]


class CheckItem(SchoolOwnedModel):
    """One time a check is due: made once by the periodic task, done with evidence."""

    rule = models.ForeignKey(CheckRule, on_delete=models.CASCADE, related_name="items")
    due_on = models.DateField(_("due on"), db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=CheckStatus.choices, default=CheckStatus.DUE)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("what was done and found"), blank=True)
    answers = models.JSONField(default=list, blank=True)  # [[step, true/false], …] in the rule's order then
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = CheckQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "rule__name"]
        constraints = [models.UniqueConstraint(fields=["rule", "due_on"], name="check_item_once")]
        indexes = [models.Index(fields=["school", "status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.rule} {self.due_on:%d/%m/%Y}"


def evidence_path(instance, filename: str) -> str:
    return f"checks/{instance.item.school_id}/{instance.item_id}/{instance.stored_name}"


class CheckEvidence(TimeStampedModel):
    item = models.ForeignKey(CheckItem, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=300)
    stored_name = models.CharField(max_length=80)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.original_name


def statement_path(instance, filename: str) -> str:
    return f"statements/{instance.school_id}/{instance.stored_name}"


class Statement(SchoolOwnedModel):
    """A named person's word on a part of a standard the desk cannot work out. Every one is kept; the latest
    of a part is its state."""

    part = models.CharField(_("part"), max_length=40, db_index=True)
    state = models.CharField(_("state"), max_length=10, choices=StatementState.choices)
    text = models.TextField(_("statement"))
    made_by_name = models.CharField(_("made by"), max_length=120)
    made_on = models.DateField(_("on"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    file = models.FileField(upload_to=statement_path, max_length=300, blank=True)
    stored_name = models.CharField(max_length=80, blank=True)
    original_name = models.CharField(max_length=200, blank=True)

    objects = StandardsQuerySet.as_manager()

    class Meta:
        ordering = ["-made_on", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.part}: {self.get_state_display()}"


class ReviewSetting(models.Model):
    school = models.OneToOneField("schools.School", on_delete=models.CASCADE, related_name="review_setting")
    review_month = models.PositiveSmallIntegerField(
        _("review month"), choices=Month.choices, default=7, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )

    def __str__(self) -> str:
        return f"{self.school}: {self.get_review_month_display()}"


class AnnualReview(SchoolOwnedModel):
    """The school's yearly review of its IT support: the year ending the month before `review_month` of
    `year`. The owner's words are versioned (AnnualReviewVersion); a signed review is read-only."""

    year = models.PositiveSmallIntegerField(_("year"))
    review_month = models.PositiveSmallIntegerField(_("review month"), choices=Month.choices)
    status = models.CharField(_("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT)
    version = models.PositiveIntegerField(default=0)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)

    objects = StandardsQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["school", "year"], name="annual_review_once_a_year")]

    def __str__(self) -> str:
        return f"{self.school} {self.year}"


class AnnualReviewVersion(models.Model):
    review = models.ForeignKey(AnnualReview, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    findings = models.TextField(_("findings"), blank=True)
    actions = models.TextField(_("actions"), blank=True)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    saved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["review", "number"], name="annual_review_version_once")]

    def __str__(self) -> str:
        return f"{self.review} v{self.number}"

"""Subject access requests (with their exemptions and erasure), and each school's retention schedule and its
runs. docs/decisions/0024 says why."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from schooldesk.core.models import SchoolOwnedModel, TimeStampedModel
from schooldesk.core.scoping import SchoolOwnedQuerySet
from schooldesk.privacy.choices import DEFAULT_DAYS, MAX_DAYS, MIN_DAYS, PRIVACY_ROLES, RetentionKind


class PrivacyQuerySet(SchoolOwnedQuerySet):
    visible_roles = PRIVACY_ROLES


class SubjectAccessRequest(SchoolOwnedModel):
    """A person asked for their data (or someone asked on their behalf): due one calendar month after receipt."""

    requested_by = models.CharField(
        _("who asked"), max_length=200, help_text=_("The person who made the request, e.g. the teacher or a parent.")
    )
    subject_name = models.CharField(_("whose data"), max_length=200)
    subject_email = models.EmailField(_("their email address"), blank=True)
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("their account"),
    )
    #: a pupil of the device scheme (accounts.Pupil): their record, loans, agreements and charges are theirs too
    subject_pupil = models.ForeignKey(
        "accounts.Pupil",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("their pupil record"),
    )
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("due on"))
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    erased_at = models.DateTimeField(_("pseudonymised"), null=True, blank=True)
    pseudonym = models.CharField(max_length=40, blank=True)
    #: what the erasure changed: kind -> count
    erasure_counts = models.JSONField(default=dict, blank=True)

    objects = PrivacyQuerySet.as_manager()

    class Meta:
        ordering = ["answered_at", "due_on", "pk"]
        verbose_name = _("subject access request")

    def __str__(self) -> str:
        return f"SAR-{self.pk:06d}" if self.pk else "SAR"

    @property
    def reference(self) -> str:
        return str(self)


class SubjectAccessExemption(TimeStampedModel):
    """One item left out of the pack, with the reason (e.g. it is about another person, legal privilege)."""

    request = models.ForeignKey(SubjectAccessRequest, on_delete=models.CASCADE, related_name="exemptions")
    kind = models.CharField(max_length=20)
    object_id = models.CharField(max_length=40)
    reason = models.CharField(_("reason"), max_length=300)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "kind", "object_id"], name="exemption_once")]


def _days_field(kind, label):
    from django.core.validators import MaxValueValidator, MinValueValidator

    return models.PositiveIntegerField(
        label, default=DEFAULT_DAYS.get(kind, 0), validators=[MinValueValidator(MIN_DAYS), MaxValueValidator(MAX_DAYS)]
    )


def default_audit_days() -> int:
    return settings.SCHOOLDESK_AUDIT_RETENTION_DAYS


class RetentionPolicy(SchoolOwnedModel):
    """A school's retention schedule, in days per kind of record. The nightly job does nothing for the school until
    the DPO has looked at what it would do and switched it on."""

    closed_call_days = _days_field(RetentionKind.CLOSED_CALLS, _("closed calls, days after closing"))
    mail_days = _days_field(RetentionKind.MAIL, _("emails and attachments, days after receipt"))
    leaver_days = _days_field(RetentionKind.LEAVERS, _("leavers' accounts, days after their last sign-in"))
    audit_days = models.PositiveIntegerField(_("audit entries, days"), default=default_audit_days)
    restricted_call_days = _days_field(RetentionKind.RESTRICTED_CALLS, _("restricted calls, days after closing"))
    is_enabled = models.BooleanField(_("run the nightly retention job for this school"), default=False)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = PrivacyQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school"], name="retention_policy_per_school")]
        verbose_name = _("retention schedule")
        verbose_name_plural = _("retention schedules")

    def __str__(self) -> str:
        return str(_("Retention schedule"))

    def days_for(self) -> dict[str, int]:
        return {
            RetentionKind.CLOSED_CALLS: self.closed_call_days,
            RetentionKind.MAIL: self.mail_days,
            RetentionKind.LEAVERS: self.leaver_days,
            RetentionKind.AUDIT: self.audit_days,
            RetentionKind.RESTRICTED_CALLS: self.restricted_call_days,
        }


class RetentionRun(SchoolOwnedModel):
    """What one run removed: counts per kind and the first items of each."""

    ran_at = models.DateTimeField(db_index=True)
    counts = models.JSONField(default=dict)
    items = models.JSONField(default=dict)

    objects = PrivacyQuerySet.as_manager()

    class Meta:
        ordering = ["-ran_at", "-pk"]
        verbose_name = _("retention run")

    def __str__(self) -> str:
        return f"{self.ran_at:%d/%m/%Y %H:%M}"

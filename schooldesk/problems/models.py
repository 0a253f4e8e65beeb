from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from schooldesk.core.access import access_for
from schooldesk.core.concurrency import VersionedModel
from schooldesk.core.models import SchoolOwnedModel, TimeStampedModel
from schooldesk.core.roles import REPORT_ROLES
from schooldesk.core.scoping import SchoolOwnedQuerySet
from schooldesk.problems import choices
from schooldesk.problems.choices import PROBLEM_ROLES, REFERENCE_PREFIX
from schooldesk.schools.choices import Priority


class ProblemQuerySet(SchoolOwnedQuerySet):
    visible_roles = PROBLEM_ROLES

    def with_reference(self, text: str):
        """`PRB-000123`, `prb-123` or `123` finds the problem with that number."""
        digits = text.strip().upper().removeprefix(REFERENCE_PREFIX).lstrip("0")
        return self.filter(pk=int(digits)) if digits.isascii() and digits.isdecimal() else self.none()

    def reportable_by(self, user):
        """For report figures: every problem of the schools where the user may read reports."""

        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(access_for(user).schools_q(REPORT_ROLES))

    def active(self):
        return self.filter(status__in=choices.ACTIVE_PROBLEM_STATUSES)


class Problem(VersionedModel, SchoolOwnedModel):
    """The unknown cause of one or more calls (FITS problem management), and, once a workaround is
    known, a known error that the desk is offered while logging and triaging calls."""

    title = models.CharField(_("title"), max_length=200)
    symptoms = models.TextField(_("symptoms"), blank=True, help_text=_("What people see when it happens."))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=choices.ProblemStatus.choices,
        default=choices.ProblemStatus.OPEN,
        db_index=True,
    )
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices, default=Priority.P3)
    category = models.ForeignKey(
        "incidents.Category", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("category")
    )
    location = models.ForeignKey(
        "locations.Location", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("where")
    )
    asset = models.ForeignKey(
        "assets.Asset",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="problems",
        verbose_name=_("device from the register"),
    )
    device = models.CharField(_("device (as described)"), max_length=120, blank=True)
    root_cause = models.TextField(_("root cause"), blank=True, help_text=_("Your theory, or the cause once proven."))
    workaround = models.TextField(
        _("workaround"), blank=True, help_text=_("Steps that get people working again until it is fixed.")
    )
    workaround_audience = models.CharField(
        _("who may apply the workaround"),
        max_length=20,
        choices=choices.WorkaroundAudience.choices,
        default=choices.WorkaroundAudience.DESK,
    )
    resolution = models.TextField(_("resolution"), blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_problems",
        verbose_name=_("problem owner"),
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="raised_problems",
        verbose_name=_("raised by"),
    )
    due_on = models.DateField(_("aim to solve by"), null=True, blank=True)
    known_error_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    incidents = models.ManyToManyField(
        "incidents.Incident", through="ProblemIncident", related_name="problems", blank=True
    )

    objects = ProblemQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["school", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"{REFERENCE_PREFIX}{self.pk:06d}" if self.pk else f"{REFERENCE_PREFIX}(new)"

    @property
    def is_active(self) -> bool:
        return self.status in choices.ACTIVE_PROBLEM_STATUSES

    @property
    def is_known_error(self) -> bool:
        return self.status == choices.ProblemStatus.KNOWN_ERROR


class ProblemIncident(TimeStampedModel):
    """A call linked to a problem (the link lives here: the call record itself is not changed)."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="links")
    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, related_name="problem_links")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    workaround_sent_at = models.DateTimeField(null=True, blank=True)
    workaround_sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["problem", "incident"], name="problemincident_unique")]

    def __str__(self) -> str:
        return f"{self.problem_id} ↔ {self.incident_id}"


class ProblemNote(TimeStampedModel):
    """One line of a problem's progress: notes with dates, status changes, calls linked and unlinked."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(max_length=20, choices=choices.NoteKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(blank=True)
    field = models.CharField(max_length=40, blank=True)
    old_value = models.CharField(max_length=200, blank=True)
    new_value = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.problem_id}"


class ProblemSettings(SchoolOwnedModel):
    """When repeat calls become a problem candidate, per school."""

    candidate_calls = models.PositiveSmallIntegerField(
        _("calls"),
        default=choices.DEFAULT_CANDIDATE_CALLS,
        validators=[MinValueValidator(2), MaxValueValidator(99)],
        help_text=_("This many calls on one device, place or category ..."),
    )
    candidate_days = models.PositiveSmallIntegerField(
        _("within school days"),
        default=choices.DEFAULT_CANDIDATE_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(195)],
        help_text=_("... within this many school days (holidays and weekends do not count)."),
    )

    class Meta:
        verbose_name_plural = "problem settings"
        constraints = [models.UniqueConstraint(fields=["school"], name="problemsettings_one_per_school")]

    def __str__(self) -> str:
        return f"{self.candidate_calls} calls in {self.candidate_days} school days"

"""Outages (one fault that many people meet: a school's Wi-Fi, an LA's broadband) and approvals of requests."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from schooldesk.core.access import access_for
from schooldesk.core.models import SchoolOwnedModel, TimeStampedModel
from schooldesk.core.roles import STAFF_ROLES
from schooldesk.core.scoping import SchoolOwnedQuerySet
from schooldesk.outages import choices

REFERENCE_PREFIX = "OUT-"


class OutageQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The outages of the schools in which the person holds any role (an LA's across its schools)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()

        access = access_for(user)
        school_ids = access.school_ids()
        if not school_ids:
            return self.none()
        reached = OutageSchool.objects.filter(access.school_q(school_ids), outage_id=OuterRef("pk"))
        return self.filter(Exists(reached))

    def active(self):
        return self.filter(resolved_at__isnull=True)


class Outage(TimeStampedModel):
    """Something down for many people at once, declared by the desk (or an LA/trust across its schools)."""

    title = models.CharField(
        _("what is down?"),
        max_length=200,
        help_text=_("As people will read it, e.g. 'Wi-Fi down in the Science block'."),
    )
    scope = models.CharField(
        _("what is affected"),
        max_length=10,
        choices=choices.OutageScope.choices,
        default=choices.OutageScope.WHOLE_SCHOOL,
    )
    category = models.ForeignKey(
        "incidents.Category",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service"),
    )
    location = models.ForeignKey(
        "locations.Location", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("place")
    )
    assets = models.ManyToManyField("assets.Asset", blank=True, related_name="+", verbose_name=_("devices"))
    started_at = models.DateTimeField(_("down since"))
    advice = models.TextField(
        _("what people should do"),
        blank=True,
        help_text=_("e.g. 'Use the wired computers in the library; no need to report it.'"),
    )
    organisation = models.ForeignKey("schools.Organisation", on_delete=models.PROTECT, related_name="+")
    source_incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("declared from"),
    )
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution = models.TextField(_("resolution"), blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = OutageQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["resolved_at", "started_at"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"{REFERENCE_PREFIX}{self.pk:06d}" if self.pk else f"{REFERENCE_PREFIX}(new)"

    @property
    def is_active(self) -> bool:
        return self.resolved_at is None


class OutageSchool(SchoolOwnedModel):
    """One school an outage affects: its banner shows there."""

    outage = models.ForeignKey(Outage, on_delete=models.CASCADE, related_name="affected_schools")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["outage", "school"], name="outage_school_once")]
        indexes = [models.Index(fields=["school", "outage"])]

    def __str__(self) -> str:
        return f"{self.outage_id} at {self.school_id}"


class AffectedPerson(SchoolOwnedModel):
    """Someone who said "I'm affected" instead of logging a call."""

    outage = models.ForeignKey(Outage, on_delete=models.CASCADE, related_name="affected_people")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["outage", "person"], name="outage_person_once")]

    def __str__(self) -> str:
        return f"{self.person_id} affected by {self.outage_id}"


class OutageCall(TimeStampedModel):
    """A call logged about the outage anyway, linked to it; resolved with it."""

    outage = models.ForeignKey(Outage, on_delete=models.CASCADE, related_name="calls")
    incident = models.OneToOneField("incidents.Incident", on_delete=models.CASCADE, related_name="outage_link")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.incident_id} in {self.outage_id}"


class CallApprovalQuerySet(SchoolOwnedQuerySet):
    def role_filter(self, user, access) -> Q | None:
        """The approver sees the approvals asked of them; the school's staff see every approval of the school."""

        staff = access.school_ids(STAFF_ROLES)
        condition = Q(approver=user) & access.school_q(access.school_ids())
        if staff:
            condition |= access.school_q(staff)
        return condition if access.school_ids() else None


class CallApproval(SchoolOwnedModel):
    """A request that costs money or changes access waits for the approver the school names."""

    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approver"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision = models.CharField(
        _("decision"),
        max_length=10,
        choices=choices.ApprovalDecision.choices,
        default=choices.ApprovalDecision.PENDING,
        db_index=True,
    )
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = CallApprovalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident"], condition=Q(decision="pending"), name="one_pending_approval_per_call"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} for {self.incident_id}"

    @property
    def is_pending(self) -> bool:
        return self.decision == choices.ApprovalDecision.PENDING


class CallChange(TimeStampedModel):
    """A request for change raised from a call (a request that was approved, say): the change shows the call and
    its approval."""

    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, related_name="+")
    change = models.OneToOneField("changes.ChangeRequest", on_delete=models.CASCADE, related_name="from_call")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.change_id} from {self.incident_id}"

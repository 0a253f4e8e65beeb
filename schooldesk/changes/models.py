from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from schooldesk.assets.choices import AssetStatus
from schooldesk.changes import choices
from schooldesk.changes.choices import CHANGE_ROLES, REFERENCE_PREFIX
from schooldesk.core.access import access_for
from schooldesk.core.concurrency import VersionedModel
from schooldesk.core.models import SchoolOwnedModel, TimeStampedModel
from schooldesk.core.roles import REPORT_ROLES
from schooldesk.core.scoping import SchoolOwnedQuerySet
from schooldesk.licences.choices import LicenceType

MONEY = {"max_digits": 10, "decimal_places": 2, "null": True, "blank": True, "validators": [MinValueValidator(0)]}


class ChangeQuerySet(SchoolOwnedQuerySet):
    visible_roles = CHANGE_ROLES

    def with_reference(self, text: str):
        digits = text.strip().upper().removeprefix(REFERENCE_PREFIX).lstrip("0")
        return self.filter(pk=int(digits)) if digits.isascii() and digits.isdecimal() else self.none()

    def reportable_by(self, user):

        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(access_for(user).schools_q(REPORT_ROLES))


class StandardChangeQuerySet(SchoolOwnedQuerySet):
    visible_roles = CHANGE_ROLES


class StandardChange(VersionedModel, SchoolOwnedModel):
    """A routine change the ICT owner has authorised in advance (e.g. adding a printer to the print server)."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what it covers and how it is done"))
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("authorised by")
    )
    is_active = models.BooleanField(_("in use"), default=True)

    objects = StandardChangeQuerySet.as_manager()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class ChangeRequest(VersionedModel, SchoolOwnedModel):
    """A request for change (RFC) to shared ICT, raised before anything is bought (FITS change management)."""

    title = models.CharField(_("title"), max_length=200)
    reason = models.TextField(_("reason"), help_text=_("Why the change is needed, and what happens if it is not made."))
    description = models.TextField(_("what will change"), blank=True)
    change_type = models.CharField(
        _("type"), max_length=20, choices=choices.ChangeType.choices, default=choices.ChangeType.NORMAL
    )
    standard_change = models.ForeignKey(
        StandardChange,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="changes",
        verbose_name=_("standard change"),
    )
    risk = models.CharField(_("risk"), max_length=10, choices=choices.Risk.choices, default=choices.Risk.LOW)
    impact = models.TextField(
        _("impact"), blank=True, help_text=_("Who and what is affected while it is done (downtime, rooms out of use).")
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=choices.ChangePriority.choices, default=choices.ChangePriority.NORMAL
    )
    estimated_cost = models.DecimalField(_("estimated cost (£)"), **MONEY)
    problem = models.ForeignKey(
        "problems.Problem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="changes",
        verbose_name=_("problem it solves"),
    )
    affected_locations = models.ManyToManyField(
        "locations.Location", blank=True, related_name="+", verbose_name=_("locations affected")
    )
    backout_plan = models.TextField(_("back-out plan"), blank=True, help_text=_("How to undo it if it goes wrong."))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="raised_changes"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_changes",
        verbose_name=_("implementer"),
    )
    planned_on = models.DateField(_("implementation date"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=choices.ChangeStatus.choices,
        default=choices.ChangeStatus.DRAFT,
        db_index=True,
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=choices.Outcome.choices, blank=True)
    implemented_on = models.DateField(_("implemented on"), null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    review = models.TextField(_("post-implementation review"), blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["school", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"{REFERENCE_PREFIX}{self.pk:06d}" if self.pk else f"{REFERENCE_PREFIX}(new)"

    @property
    def is_open(self) -> bool:
        return self.status in choices.OPEN_STATUSES


class Approval(TimeStampedModel):
    """The owner's decision on a change, with the reason: recorded and shown on the RFC."""

    change = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="approvals")
    decision = models.CharField(max_length=20, choices=choices.Decision.choices)
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    standard_change = models.ForeignKey(
        StandardChange, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} {self.change_id}"


class Milestone(TimeStampedModel):
    """One step of a change's plan: when, who, and whether it is done. Together they give its progress."""

    change = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("due on"))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="change_milestones",
        verbose_name=_("who"),
    )
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["change", "done_at", "due_on"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class NewAsset(TimeStampedModel):
    """Equipment the change brings, added to the asset register when the change is completed."""

    change = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="new_assets")
    tag = models.CharField(_("asset tag"), max_length=40)
    asset_type = models.ForeignKey("assets.AssetType", on_delete=models.PROTECT, verbose_name=_("type"))
    make = models.CharField(_("make"), max_length=60, blank=True)
    model = models.CharField(_("model"), max_length=80, blank=True)
    serial = models.CharField(_("serial number"), max_length=80, blank=True)
    location = models.ForeignKey(
        "locations.Location", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("where it goes")
    )
    cost = models.DecimalField(_("cost (£)"), **MONEY)
    supplier = models.ForeignKey(
        "suppliers.Supplier", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("supplier")
    )
    warranty_ends_on = models.DateField(_("warranty ends"), null=True, blank=True)
    asset = models.ForeignKey("assets.Asset", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["tag", "id"]

    def __str__(self) -> str:
        return self.tag


class NewLicence(TimeStampedModel):
    """Software the change brings, added to the licence list when the change is completed."""

    change = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="new_licences")
    product = models.CharField(_("product"), max_length=120)
    publisher = models.CharField(_("publisher"), max_length=120, blank=True)
    licence_type = models.CharField(_("type"), max_length=20, choices=LicenceType.choices)
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    cost = models.DecimalField(_("cost (£)"), **MONEY)
    supplier = models.ForeignKey(
        "suppliers.Supplier", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("bought from")
    )
    licence = models.ForeignKey("licences.Licence", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["product", "id"]

    def __str__(self) -> str:
        return self.product


class AffectedAsset(TimeStampedModel):
    """Equipment the change touches; a new place or status is applied to the register on completion."""

    change = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="affected_assets")
    asset = models.ForeignKey(
        "assets.Asset", on_delete=models.CASCADE, related_name="changes_affecting", verbose_name=_("asset")
    )
    new_location = models.ForeignKey(
        "locations.Location",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moves to"),
    )
    new_status = models.CharField(_("new status"), max_length=20, blank=True)
    note = models.CharField(_("what changes"), max_length=200, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asset__tag", "id"]
        constraints = [models.UniqueConstraint(fields=["change", "asset"], name="affectedasset_unique")]

    def __str__(self) -> str:
        return f"{self.change_id}: {self.asset_id}"

    @property
    def new_status_label(self) -> str:

        return str(AssetStatus(self.new_status).label) if self.new_status in AssetStatus.values else self.new_status


class ChangeEvent(TimeStampedModel):
    """One line of a change's history."""

    change = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=choices.EventKind.choices)
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
        return f"{self.get_kind_display()} on {self.change_id}"

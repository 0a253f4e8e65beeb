from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from schooldesk.assets import choices
from schooldesk.assets.choices import REFERENCE_PREFIX
from schooldesk.core.concurrency import VersionedModel
from schooldesk.core.models import SchoolOwnedModel, TimeStampedModel
from schooldesk.core.scoping import SchoolOwnedQuerySet


class AssetType(VersionedModel, SchoolOwnedModel):
    """The school's list of kinds of equipment (desktop, laptop, …): the presets plus its own."""

    name = models.CharField(_("name"), max_length=60)
    typical_price = models.DecimalField(
        _("typical price (£)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("What replacing one usually costs; used to forecast replacements."),
    )
    is_archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), "school", name="assettype_unique_name_per_school")]

    def __str__(self) -> str:
        return self.name


class AssetQuerySet(SchoolOwnedQuerySet):
    def with_reference(self, text: str):
        """`AST-000123`, `ast-123` find the asset with that number; anything else matches the school's own tag."""
        text = text.strip()
        digits = text.upper().removeprefix(REFERENCE_PREFIX).lstrip("0")
        if text.upper().startswith(REFERENCE_PREFIX) and digits.isascii() and digits.isdecimal():
            return self.filter(pk=int(digits))
        return self.alias(tag_lower=Lower("tag")).filter(tag_lower=text.lower())


class Asset(VersionedModel, SchoolOwnedModel):
    """One piece of equipment in the configuration management database."""

    tag = models.CharField(_("asset tag"), max_length=40, help_text=_("The label on the device, e.g. RIV-0123."))
    asset_type = models.ForeignKey(AssetType, on_delete=models.PROTECT, verbose_name=_("type"))
    make = models.CharField(_("make"), max_length=60, blank=True)
    model = models.CharField(_("model"), max_length=80, blank=True)
    serial = models.CharField(_("serial number"), max_length=80, blank=True)
    location = models.ForeignKey(
        "locations.Location", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("location")
    )
    issued_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="issued_assets",
        verbose_name=_("issued to"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=choices.AssetStatus.choices, default=choices.AssetStatus.IN_USE
    )
    loan_due_on = models.DateField(_("expected back on"), null=True, blank=True)
    purchased_on = models.DateField(_("purchase date"), null=True, blank=True)
    cost = models.DecimalField(_("cost (£)"), max_digits=10, decimal_places=2, null=True, blank=True)
    supplier = models.ForeignKey(
        "suppliers.Supplier", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("supplier")
    )
    order_reference = models.CharField(_("order reference"), max_length=60, blank=True)
    warranty_ends_on = models.DateField(_("warranty ends"), null=True, blank=True)
    support_ends_on = models.DateField(
        _("support ends"),
        null=True,
        blank=True,
        help_text=_(
            "When the maker stops updating it: end of support, a Chromebook's auto-update expiry, "
            "a switch's end of life."
        ),
    )
    funding_source = models.CharField(
        _("funding source"), max_length=80, blank=True, help_text=_("e.g. Devolved capital, PTA, Pupil premium.")
    )
    notes = models.TextField(_("notes"), blank=True)
    # The disposal record (status "disposed").
    disposed_on = models.DateField(_("disposed on"), null=True, blank=True)
    disposal_method = models.CharField(_("how"), max_length=20, choices=choices.DisposalMethod.choices, blank=True)
    disposal_reference = models.CharField(_("certificate or reference"), max_length=80, blank=True)
    is_data_wiped = models.BooleanField(_("data securely wiped"), default=False)
    last_audited_on = models.DateField(_("last seen in an audit"), null=True, blank=True)

    objects = AssetQuerySet.as_manager()

    class Meta:
        ordering = ["tag"]
        constraints = [
            models.UniqueConstraint(Lower("tag"), "school", name="asset_unique_tag_per_school"),
            models.UniqueConstraint(
                Lower("serial"), "school", condition=~Q(serial=""), name="asset_unique_serial_per_school"
            ),
        ]
        indexes = [
            models.Index(fields=["school", "tag"]),
            models.Index(fields=["school", "status", "tag"]),
            # across an LA's schools: the list in tag order, all of it or by status, without sorting 300,000 rows
            models.Index(fields=["tag", "id"]),
            models.Index(fields=["status", "tag", "id"]),
            models.Index(fields=["warranty_ends_on"]),
            models.Index(fields=["support_ends_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.tag} {self.description}".strip()

    @property
    def reference(self) -> str:
        return f"{REFERENCE_PREFIX}{self.pk:06d}" if self.pk else f"{REFERENCE_PREFIX}(new)"

    @property
    def description(self) -> str:
        """`Laptop, Dell Latitude 3440`: what the asset is, for drop-downs and labels."""
        name = " ".join(part for part in (self.make, self.model) if part)
        kind = self.asset_type.name if self.asset_type_id else ""
        return f"{kind}, {name}" if kind and name else kind or name

    @property
    def is_gone(self) -> bool:
        return self.status in choices.GONE_STATUSES

    def clean(self):
        errors = {}
        school_id = self.school_id
        if self.asset_type_id and school_id and self.asset_type.school_id != school_id:
            errors["asset_type"] = _("Choose a type from this school's list.")
        if self.location_id and school_id and self.location.school_id != school_id:
            errors["location"] = _("Choose a location from this school's list.")
        if self.supplier_id and school_id and self.supplier.organisation_id != self.school.organisation_id:
            errors["supplier"] = _("Choose one of your organisation's suppliers.")
        if self.status == choices.AssetStatus.DISPOSED and not self.disposed_on:
            errors["disposed_on"] = _("Give the date it was disposed of.")
        if self.cost is not None and self.cost < 0:
            errors["cost"] = _("The cost cannot be negative.")
        if errors:
            raise ValidationError(errors)


class AssetRelationship(SchoolOwnedModel):
    """`from_asset` is connected to / depends on / is part of `to_asset`."""

    from_asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="relations_out")
    kind = models.CharField(_("relationship"), max_length=20, choices=choices.RelationshipKind.choices)
    to_asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="relations_in")
    note = models.CharField(_("note"), max_length=120, blank=True)

    class Meta:
        ordering = ["kind", "to_asset__tag"]
        constraints = [
            models.UniqueConstraint(fields=["from_asset", "kind", "to_asset"], name="assetrelationship_unique"),
            models.CheckConstraint(condition=~Q(from_asset=models.F("to_asset")), name="assetrelationship_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.from_asset.tag} {self.get_kind_display()} {self.to_asset.tag}"


class AssetEvent(TimeStampedModel):
    """One line of an asset's history: moves, issue and return, loans, status and field changes."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=choices.EventKind.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    field = models.CharField(max_length=40, blank=True)
    old_value = models.CharField(max_length=200, blank=True)
    new_value = models.CharField(max_length=200, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["asset", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.asset_id}"


def import_path(instance, filename: str) -> str:
    return f"imports/{instance.school_id}/{instance.stored_name}"


class AssetImport(SchoolOwnedModel):
    """A spreadsheet uploaded for import: kept while it is mapped, checked and confirmed."""

    file = models.FileField(upload_to=import_path, max_length=300)
    stored_name = models.CharField(max_length=80)
    original_name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    rows_imported = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name

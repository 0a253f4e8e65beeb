from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schooldesk.core.concurrency import VersionedModel
from schooldesk.core.fields import EncryptedTextField
from schooldesk.core.models import SchoolOwnedModel
from schooldesk.licences.choices import LicenceType


def proof_path(instance, filename: str) -> str:
    return f"licences/{instance.school_id}/{instance.proof_stored_name}"


class Licence(VersionedModel, SchoolOwnedModel):
    """Software the school has bought or subscribes to, with what it covers and for how long."""

    product = models.CharField(_("product"), max_length=120)
    publisher = models.CharField(_("publisher"), max_length=120, blank=True)
    supplier = models.ForeignKey(
        "suppliers.Supplier", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("bought from")
    )
    licence_type = models.CharField(_("type"), max_length=20, choices=LicenceType.choices)
    quantity = models.PositiveIntegerField(
        _("quantity owned"),
        null=True,
        blank=True,
        help_text=_("Devices, users or seats; pupils covered for a per-pupil licence. Leave empty for a site licence."),
    )
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    renews_on = models.DateField(_("renewal date"), null=True, blank=True)
    cost = models.DecimalField(_("cost (£)"), max_digits=10, decimal_places=2, null=True, blank=True)
    order_reference = models.CharField(_("order reference"), max_length=60, blank=True)
    # Encrypted at rest (docs/decisions/0012): a copy of the database alone reveals no key. Fernet gives a new
    # ciphertext each time, so the service keeps key_digest (a keyed HMAC of the normalised key) for the
    # one-key-per-school check and constraint.
    key = EncryptedTextField(
        _("licence key"),
        max_length=200,
        blank=True,
        help_text=_("Seen only by the SPOC, the ICT owner and technicians."),
    )
    key_digest = models.CharField(max_length=80, blank=True, editable=False)
    proof = models.FileField(_("proof of purchase"), upload_to=proof_path, max_length=300, blank=True)
    proof_stored_name = models.CharField(max_length=80, blank=True)
    proof_name = models.CharField(max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Kept by the services (licence_counts_refresh) so that compliance is plain column arithmetic, never a
    # count sub-select per row: the LA's compliance page reads 20,000 licences at once.
    installed_count = models.PositiveIntegerField(default=0, editable=False)
    allocated_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["product", "starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "key_digest"], condition=~Q(key_digest=""), name="licence_unique_key_per_school"
            ),
        ]
        indexes = [models.Index(fields=["school", "product"]), models.Index(fields=["renews_on"])]

    def __str__(self) -> str:
        return self.product

    @property
    def is_site(self) -> bool:
        return self.licence_type == LicenceType.SITE

    def clean(self):
        errors = {}
        if self.licence_type == LicenceType.SITE:
            self.quantity = None
        elif self.licence_type and not self.quantity:
            errors["quantity"] = _("Say how many this licence covers.")
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The licence ends before it starts.")
        if self.supplier_id and self.school_id and self.supplier.organisation_id != self.school.organisation_id:
            errors["supplier"] = _("Choose one of your organisation's suppliers.")
        if self.cost is not None and self.cost < 0:
            errors["cost"] = _("The cost cannot be negative.")
        if errors:
            raise ValidationError(errors)


class Allocation(SchoolOwnedModel):
    """Seats of a licence given to a device, a person or a place (a suite of 30 PCs)."""

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="allocations")
    asset = models.ForeignKey(
        "assets.Asset",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="licence_allocations",
        verbose_name=_("device"),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="licence_allocations",
        verbose_name=_("person"),
    )
    location = models.ForeignKey(
        "locations.Location",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="licence_allocations",
        verbose_name=_("location"),
    )
    quantity = models.PositiveIntegerField(_("seats"), default=1)
    note = models.CharField(_("note"), max_length=120, blank=True)
    #: seats beyond those the licence had free, allocated anyway by a person who said so (0: none)
    over_allocated = models.PositiveIntegerField(_("seats over-allocated"), default=0, editable=False)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(asset__isnull=False, person__isnull=True, location__isnull=True)
                    | Q(asset__isnull=True, person__isnull=False, location__isnull=True)
                    | Q(asset__isnull=True, person__isnull=True, location__isnull=False)
                ),
                name="allocation_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.licence} → {self.target}"

    @property
    def target(self):
        return self.asset or self.person or self.location


class Installation(SchoolOwnedModel):
    """Which software is installed on which device."""

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="installations")
    asset = models.ForeignKey(
        "assets.Asset", on_delete=models.CASCADE, related_name="installations", verbose_name=_("device")
    )
    version = models.CharField(_("version"), max_length=40, blank=True)
    installed_on = models.DateField(_("installed on"), null=True, blank=True)

    class Meta:
        ordering = ["asset__tag"]
        constraints = [models.UniqueConstraint(fields=["licence", "asset"], name="installation_unique")]

    def __str__(self) -> str:
        return f"{self.licence} on {self.asset}"

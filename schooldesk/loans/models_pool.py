"""The loaner pool and charges against a loan (docs/decisions/0029).

A school's spare devices lent while a borrower's own is repaired (`Loaner`, `LoanSwap`, the school's `LoanerPool`
settings), and what a family is asked to pay for a device damaged or lost (`Charge`, `ChargePhoto`)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from schooldesk.core.concurrency import VersionedModel
from schooldesk.core.models import SchoolOwnedModel, TimeStampedModel
from schooldesk.core.roles import DESK_ROLES, STAFF_ROLES
from schooldesk.core.scoping import SchoolOwnedQuerySet
from schooldesk.loans.choices_pool import CHARGE_PREFIX, ChargeReason, ChargeStatus


class PoolQuerySet(SchoolOwnedQuerySet):
    visible_roles = STAFF_ROLES


class ChargeQuerySet(SchoolOwnedQuerySet):
    #: amounts and letters: the SPOC and the ICT owner only
    visible_roles = DESK_ROLES


class LoanerPool(VersionedModel, SchoolOwnedModel):
    """A school's settings for the device scheme's pool and charges: whether a repaired device goes back to its
    borrower by itself when the repair call is resolved, and what a letter to parents says about the school."""

    is_swap_back_automatic = models.BooleanField(
        _("swap back automatically"),
        default=False,
        help_text=_(
            "When the repair call is resolved, give the borrower their own device back and return the "
            "loaner to the pool without asking."
        ),
    )
    letter_address = models.TextField(_("school address for letters"), blank=True)
    payment_instructions = models.TextField(
        _("how to pay"),
        blank=True,
        help_text=_(
            "Printed on letters to parents, e.g. “Pay through ParentPay under ‘Device scheme’ within 30 "
            "days, or speak to the school office.”"
        ),
    )

    objects = PoolQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school"], name="loanerpool_one_per_school")]

    def __str__(self) -> str:
        return str(_("Loaner pool of %(school)s") % {"school": self.school})


class Loaner(SchoolOwnedModel):
    """A device of the school's register kept in the pool, lent while a borrower's own device is repaired."""

    asset = models.OneToOneField(
        "assets.Asset", on_delete=models.PROTECT, related_name="loaner", verbose_name=_("device")
    )
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = PoolQuerySet.as_manager()

    class Meta:
        ordering = ["asset__tag"]

    def __str__(self) -> str:
        return str(self.asset)


class LoanSwap(SchoolOwnedModel):
    """A loaner lent in place of the borrower's own device while it is repaired, and its swap back."""

    loan = models.ForeignKey("loans.Loan", on_delete=models.PROTECT, related_name="swaps")
    original = models.ForeignKey(
        "assets.Asset", on_delete=models.PROTECT, related_name="+", verbose_name=_("borrower's device")
    )
    loaner = models.ForeignKey("assets.Asset", on_delete=models.PROTECT, related_name="+", verbose_name=_("loaner"))
    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("repair call"),
    )
    original_status = models.CharField(max_length=20)  # given back to the device when it comes back
    swapped_at = models.DateTimeField(_("swapped"))
    swapped_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    swapped_back_at = models.DateTimeField(_("swapped back"), null=True, blank=True)
    swapped_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = PoolQuerySet.as_manager()

    class Meta:
        ordering = ["-swapped_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["loan"], condition=models.Q(swapped_back_at__isnull=True), name="loanswap_one_open_per_loan"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original} → {self.loaner}"

    @property
    def is_open(self) -> bool:
        return self.swapped_back_at is None


class Charge(VersionedModel, SchoolOwnedModel):
    """What a borrower's family is asked to pay for a device damaged or lost. Raised by a person, never by SchoolDesk;
    proposed, then sent (the letter), then paid or waived, each with who and when."""

    loan = models.ForeignKey("loans.Loan", on_delete=models.PROTECT, related_name="charges", verbose_name=_("loan"))
    reason = models.CharField(_("reason"), max_length=20, choices=ChargeReason.choices)
    description = models.TextField(_("what happened"))
    amount = models.DecimalField(_("amount (£)"), max_digits=10, decimal_places=2)
    status = models.CharField(_("status"), max_length=20, choices=ChargeStatus.choices, default=ChargeStatus.PROPOSED)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("raised by")
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    waived_at = models.DateTimeField(_("waived"), null=True, blank=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    waived_reason = models.CharField(_("why it was waived"), max_length=300, blank=True)
    exported_at = models.DateTimeField(_("exported"), null=True, blank=True)

    objects = ChargeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["school", "status", "created_at"], name="charge_school_status")]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"{CHARGE_PREFIX}{self.pk:06d}" if self.pk else ""


def charge_photo_path(instance, filename: str) -> str:
    return f"charges/{instance.school_id}/{instance.charge_id}/{instance.stored_name}"


class ChargePhoto(TimeStampedModel):
    """A photo of the damage, kept without its EXIF (as a call's attachments are) and served only as a download."""

    charge = models.ForeignKey(Charge, on_delete=models.CASCADE, related_name="photos")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=charge_photo_path, max_length=300)
    stored_name = models.CharField(max_length=80)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.original_name

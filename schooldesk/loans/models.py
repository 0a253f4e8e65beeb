"""Loans of devices to people: the pupil device scheme and staff laptops (docs/decisions/0027)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from schooldesk.core.concurrency import VersionedModel
from schooldesk.core.models import SchoolOwnedModel, TimeStampedModel
from schooldesk.core.scoping import SchoolOwnedQuerySet
from schooldesk.loans import choices


class LoanQuerySet(SchoolOwnedQuerySet):
    """`visible_to(user)` (every school-owned row's scope) and `open()`."""

    def open(self):
        return self.filter(returned_on__isnull=True)


class Loan(VersionedModel, SchoolOwnedModel):
    """One device lent to one borrower (a pupil, or a member of staff who signs in) from a day until it comes back.
    An asset has at most one open loan; `Asset.issued_to` and `loan_due_on` mirror a staff loan for the register."""

    asset = models.ForeignKey("assets.Asset", on_delete=models.PROTECT, related_name="loans", verbose_name=_("device"))
    pupil = models.ForeignKey(
        "accounts.Pupil", on_delete=models.PROTECT, null=True, blank=True, related_name="loans", verbose_name=_("pupil")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="loans",
        verbose_name=_("member of staff"),
    )
    issued_on = models.DateField(_("handed out on"))
    due_on = models.DateField(_("due back on"), null=True, blank=True)
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("handed out by"),
    )
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("returned to"),
    )
    condition_out = models.TextField(_("condition when handed out"), blank=True)
    condition_in = models.TextField(_("condition when returned"), blank=True)
    is_data_wiped = models.BooleanField(_("data wiped on return"), default=False)

    objects = LoanQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(pupil__isnull=False, person__isnull=True)
                    | models.Q(pupil__isnull=True, person__isnull=False)
                ),
                name="loan_one_borrower",
            ),
            models.UniqueConstraint(
                fields=["asset"], condition=models.Q(returned_on__isnull=True), name="loan_one_open_loan_per_asset"
            ),
            # a pupil has one device of the scheme at a time (a loaner swapped in replaces it on the same loan): two
            # people scanning for one class at once cannot both hand the next pupil a device
            models.UniqueConstraint(
                fields=["pupil"],
                condition=models.Q(returned_on__isnull=True, pupil__isnull=False),
                name="loan_one_open_loan_per_pupil",
            ),
        ]
        indexes = [models.Index(fields=["school", "returned_on", "due_on"], name="loan_school_open_due")]

    def __str__(self) -> str:
        return f"{self.asset} → {self.borrower}"

    @property
    def borrower(self):
        return self.pupil or self.person


class AgreementTemplate(VersionedModel, SchoolOwnedModel):
    """The words a borrower (or their parent or carer) agrees to. Never changed once used: saving a template makes
    its next version (`number`), and each signed agreement keeps the words as they were when signed."""

    title = models.CharField(_("title"), max_length=160)
    body = models.TextField(
        _("text"),
        help_text=_(
            "Placeholders in braces are filled in for each loan: {pupil_name}, {year_group}, {form}, {device}, "
            "{serial}, {issued_on}, {due_on}, {school}."
        ),
    )
    number = models.PositiveIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-number", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["school", "number"], name="agreementtemplate_unique_number"),
            models.UniqueConstraint(
                fields=["school"], condition=models.Q(is_current=True), name="agreementtemplate_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.number})"


def agreement_path(instance, filename: str) -> str:
    return f"agreements/{instance.school_id}/{instance.loan_id}/{filename}"


class Agreement(SchoolOwnedModel):
    """A loan's agreement, signed: on screen (a drawn signature, or the name typed by someone who does not use a
    mouse or a touch screen) or on paper and scanned. Who signed, as whom, when, from where, and who recorded it."""

    loan = models.OneToOneField(Loan, on_delete=models.CASCADE, related_name="agreement")
    template = models.ForeignKey(AgreementTemplate, on_delete=models.PROTECT, related_name="agreements")
    title = models.CharField(_("title"), max_length=160)
    text = models.TextField(_("text as signed"))
    signer_name = models.CharField(_("signed by"), max_length=160)
    relationship = models.CharField(_("as"), max_length=10, choices=choices.SignerRelationship.choices)
    method = models.CharField(_("how"), max_length=10, choices=choices.SignatureMethod.choices)
    signature = models.FileField(_("signature"), upload_to=agreement_path, max_length=300, blank=True)
    typed_signature = models.CharField(_("typed signature"), max_length=160, blank=True)
    scan = models.FileField(_("signed paper copy"), upload_to=agreement_path, max_length=300, blank=True)
    scan_name = models.CharField(max_length=200, blank=True)
    signed_at = models.DateTimeField(_("signed at"))
    ip_address = models.GenericIPAddressField(_("from the address"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["-signed_at"]

    def __str__(self) -> str:
        return f"{self.title}: {self.signer_name}"


def photo_path(instance, filename: str) -> str:
    return f"loans/{instance.loan.school_id}/{instance.loan_id}/{instance.stored_name}"


class LoanPhoto(TimeStampedModel):
    """A photo of the device's condition when it was handed out or returned (kept without its EXIF)."""

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="photos")
    stage = models.CharField(max_length=4, choices=choices.PhotoStage.choices)
    file = models.FileField(upload_to=photo_path, max_length=300)
    stored_name = models.CharField(max_length=80)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


from schooldesk.loans.models_pool import Charge, ChargePhoto, Loaner, LoanerPool, LoanSwap  # noqa: E402, F401

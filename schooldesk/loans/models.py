"""Loans of devices to people: the pupil device scheme and staff laptops (docs/decisions/0027)."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from schooldesk.core.concurrency import VersionedModel
from schooldesk.core.models import SchoolOwnedModel


class LoanQuerySet(models.QuerySet):
    def open(self):
        return self.filter(returned_on__isnull=True)


class Loan(VersionedModel, SchoolOwnedModel):
    """One device lent to one borrower (a pupil, or a member of staff who signs in) from a day until it comes back.
    An asset has at most one open loan; `Asset.issued_to` and `loan_due_on` mirror a staff loan for the register."""

    asset = models.ForeignKey("assets.Asset", on_delete=models.PROTECT, related_name="loans", verbose_name=_("device"))
    pupil = models.ForeignKey("accounts.Pupil", on_delete=models.PROTECT, null=True, blank=True, related_name="loans",
                              verbose_name=_("pupil"))
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="loans", verbose_name=_("member of staff"))
    issued_on = models.DateField(_("handed out on"))
    due_on = models.DateField(_("due back on"), null=True, blank=True)
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                  related_name="+", verbose_name=_("handed out by"))
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("returned to"))
    condition_out = models.TextField(_("condition when handed out"), blank=True)
    condition_in = models.TextField(_("condition when returned"), blank=True)
    is_data_wiped = models.BooleanField(_("data wiped on return"), default=False)

    objects = LoanQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(pupil__isnull=False, person__isnull=True)
                           | models.Q(pupil__isnull=True, person__isnull=False)),
                name="loan_one_borrower"),
            models.UniqueConstraint(fields=["asset"], condition=models.Q(returned_on__isnull=True),
                                    name="loan_one_open_loan_per_asset"),
        ]
        indexes = [models.Index(fields=["school", "returned_on", "due_on"], name="loan_school_open_due")]

    def __str__(self) -> str:
        return f"{self.asset} → {self.borrower}"

    @property
    def borrower(self):
        return self.pupil or self.person


from schooldesk.loans.models_pool import Charge, ChargePhoto, Loaner, LoanerPool, LoanSwap  # noqa: E402, F401

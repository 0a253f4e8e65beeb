"""The school's ICT budget for a financial year, one line per budget category (FITS financial management:
budget against actual). Actual spend is the diary's payments, in the same categories."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from schooldesk.budgets.choices import BUDGET_VIEW_ROLES
from schooldesk.core.models import SchoolOwnedModel
from schooldesk.core.scoping import SchoolOwnedQuerySet
from schooldesk.suppliers.choices import SpendCategory


class BudgetQuerySet(SchoolOwnedQuerySet):
    visible_roles = BUDGET_VIEW_ROLES


class Budget(SchoolOwnedModel):
    year = models.PositiveSmallIntegerField(
        _("financial year starting in"),
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text=_("2026 for the year from April 2026 (maintained) or September 2026 (academies)."),
    )
    category = models.CharField(_("budget category"), max_length=20, choices=SpendCategory.choices)
    amount = models.DecimalField(
        _("budget (£, before VAT)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = BudgetQuerySet.as_manager()

    class Meta:
        ordering = ["year", "category"]
        constraints = [models.UniqueConstraint(fields=["school", "year", "category"], name="budget_unique_line")]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.year}: £{self.amount}"

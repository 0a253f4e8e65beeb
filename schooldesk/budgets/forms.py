from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from schooldesk.budgets.choices import MAX_LINE
from schooldesk.core.forms import StyledFormMixin
from schooldesk.suppliers.choices import SpendCategory


class BudgetForm(StyledFormMixin, forms.Form):
    """One amount per budget category; an empty box means no budget for that line."""

    def __init__(self, *args, editable: bool = True, version: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if editable:  # the year's lines as the page drew them (budget_version): a save over newer ones is refused
            self.fields["version"] = forms.CharField(
                widget=forms.HiddenInput, required=False, initial=version, label=_("Version")
            )
        for value, label in SpendCategory.choices:
            self.fields[value] = forms.DecimalField(
                label=label,
                required=False,
                min_value=Decimal("0"),
                max_value=Decimal(MAX_LINE),
                max_digits=10,
                decimal_places=2,
                disabled=not editable,
                widget=forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
                error_messages={"invalid": _("Give an amount in pounds, e.g. 1500 or 1500.50.")},
            )
        for name in self.fields:
            self.fields[name].widget.attrs.setdefault("inputmode", "decimal")

    def rows(self, data: dict):
        """(bound field, spend line) per category, for the table."""
        empty = {"budget": Decimal("0.00"), "committed": Decimal("0.00"), "paid": Decimal("0.00")}
        lines = {row["category"]: row for row in data["rows"]}
        for name in self.fields:
            if name != "version":
                yield self[name], lines.get(name, empty)

    def amounts(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}

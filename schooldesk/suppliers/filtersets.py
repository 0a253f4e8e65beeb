"""One filterset serves the HTML list (and the API when there is one)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from schooldesk.core.filtersets import DeskFilterSet, SearchFilter, words_q
from schooldesk.schools.models import School
from schooldesk.suppliers.choices import ContractStatus, Renewal
from schooldesk.suppliers.models import CONTRACT_PREFIX, Contract, Supplier


def _user(request):
    return request.user if request else None


class SupplierFilterSet(DeskFilterSet):
    q = SearchFilter(method="search", label=_("Search (name, contact, email or phone)"))

    class Meta:
        model = Supplier
        fields = ["q"]

    def search(self, queryset, name, value):
        condition = words_q(value, ["name", "contact_name", "email", "escalation_notes"], exact=["phone"])
        return queryset.filter(condition) if value.strip() else queryset


class ContractFilterSet(DeskFilterSet):
    q = SearchFilter(method="search", label=_("Search (words or CON-000012)"))
    supplier = django_filters.ModelChoiceFilter(queryset=lambda r: Supplier.objects.visible_to(_user(r)))
    school = django_filters.ModelChoiceFilter(
        queryset=lambda r: School.objects.visible_to(_user(r)), field_name="shares__school", label="School"
    )
    status = django_filters.MultipleChoiceFilter(choices=ContractStatus.choices)
    renewal = django_filters.ChoiceFilter(choices=Renewal.choices)

    class Meta:
        model = Contract
        fields = ["q", "supplier", "school", "status", "renewal"]

    def search(self, queryset, name, value):
        value = value.strip()
        digits = value.upper().removeprefix(CONTRACT_PREFIX)
        if digits.isascii() and digits.isdecimal():
            return queryset.filter(pk=int(digits))
        return queryset.filter(words_q(value, ["name", "supplier__name", "scope"], exact=["supplier_reference"]))

"""One filterset per list: the same ones would serve an API."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schooldesk.core.filtersets import DeskFilterSet, SearchFilter, words_q
from schooldesk.diary.choices import DiaryKind, PaymentStatus
from schooldesk.diary.models import DiaryEntry, Payment
from schooldesk.schools.models import School
from schooldesk.suppliers.choices import SpendCategory
from schooldesk.suppliers.models import Supplier


def _user(request):
    return request.user if request else None


class DiaryFilterSet(DeskFilterSet):
    q = SearchFilter(method="search", label=_("Search (title or notes)"))
    school = django_filters.ModelChoiceFilter(queryset=lambda r: School.objects.visible_to(_user(r)))
    kind = django_filters.ChoiceFilter(choices=DiaryKind.choices, label="Kind")
    mine = django_filters.BooleanFilter(
        method="filter_mine", label="Only mine", widget=django_filters.widgets.BooleanWidget()
    )

    class Meta:
        model = DiaryEntry
        fields = ["q", "school", "kind", "mine"]

    def search(self, queryset, name, value):
        return queryset.filter(words_q(value, ["title", "notes"])) if value.strip() else queryset

    def filter_mine(self, queryset, name, value):
        return queryset.filter(person=self.request.user) if value else queryset


class PaymentFilterSet(DeskFilterSet):
    q = SearchFilter(method="search", label=_("Search (supplier, description or payment reference)"))
    school = django_filters.ModelChoiceFilter(queryset=lambda r: School.objects.visible_to(_user(r)))
    status = django_filters.ChoiceFilter(choices=PaymentStatus.choices, method="filter_status", label="Status")
    supplier = django_filters.ModelChoiceFilter(queryset=lambda r: Supplier.objects.visible_to(_user(r)))
    category = django_filters.ChoiceFilter(choices=SpendCategory.choices, label="Budget category")

    class Meta:
        model = Payment
        fields = ["q", "school", "status", "supplier", "category"]

    def search(self, queryset, name, value):
        condition = words_q(value, ["description", "supplier__name"], exact=["paid_reference"])
        return queryset.filter(condition) if value.strip() else queryset

    def filter_status(self, queryset, name, value):
        return queryset.in_status(value, timezone.localdate())

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schooldesk.core.filtersets import DeskFilterSet, SearchFilter
from schooldesk.loans.choices_pool import CHARGE_PREFIX, ChargeReason, ChargeStatus
from schooldesk.loans.models_pool import Charge
from schooldesk.schools.models import School


def _schools(request):
    return School.objects.visible_to(request.user).order_by("name") if request else School.objects.none()


class ChargeFilterSet(DeskFilterSet):
    q = SearchFilter(method="search", label=_("Search (borrower, device or LCH-000123)"))
    school = django_filters.ModelChoiceFilter(queryset=_schools, label=_("School"))
    status = django_filters.ChoiceFilter(choices=ChargeStatus.choices, label=_("Status"))
    reason = django_filters.ChoiceFilter(choices=ChargeReason.choices, label=_("Reason"))
    raised_from = django_filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__gte",
        label=_("Raised from"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    raised_to = django_filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__lte",
        label=_("Raised to"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    ordering = django_filters.OrderingFilter(
        fields=(("created_at", "raised"), ("amount", "amount")), label=_("Sort by")
    )

    class Meta:
        model = Charge
        fields = ["q", "school", "status", "reason", "raised_from", "raised_to"]

    def search(self, queryset, name, value):
        value = value.strip()
        digits = value.upper().removeprefix(CHARGE_PREFIX)
        if digits.isascii() and digits.isdecimal():
            return queryset.filter(pk=int(digits))
        condition = Q()
        for word in value.split()[:6]:
            condition &= (
                Q(loan__pupil__first_name__icontains=word)
                | Q(loan__pupil__last_name__icontains=word)
                | Q(loan__person__first_name__icontains=word)
                | Q(loan__person__last_name__icontains=word)
                | Q(loan__asset__tag__icontains=word)
                | Q(description__icontains=word)
            )
        return queryset.filter(condition)

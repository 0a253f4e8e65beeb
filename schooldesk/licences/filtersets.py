"""One filterset serves the licence list, its exports and the API."""

from datetime import timedelta

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schooldesk.core.filtersets import DeskFilterSet, SearchFilter, words_q
from schooldesk.licences.choices import ComplianceState, LicenceType
from schooldesk.licences.models import Licence
from schooldesk.licences.selectors import licence_school_ids
from schooldesk.schools.models import School
from schooldesk.suppliers.models import Supplier


def _user(request):
    return request.user if request else None


def _schools(request):
    return School.objects.filter(pk__in=licence_school_ids(user=_user(request)) if request else []).only("id", "name")


class LicenceFilterSet(DeskFilterSet):
    q = SearchFilter(method="search", label=_("Search (product, publisher or order reference)"))
    school = django_filters.ModelChoiceFilter(queryset=_schools)
    licence_type = django_filters.ChoiceFilter(choices=LicenceType.choices, label="Type")
    state = django_filters.ChoiceFilter(choices=ComplianceState.choices, label="Compliance")
    renewal = django_filters.ChoiceFilter(
        choices=[("90", "Renews or ends within 90 days")], method="filter_renewal", label="Renewal"
    )
    supplier = django_filters.ModelChoiceFilter(queryset=lambda r: Supplier.objects.visible_to(_user(r)))
    ordering = django_filters.OrderingFilter(
        fields=(("product", "product"), ("renews_on", "renewal"), ("ends_on", "ends"), ("state_order", "compliance")),
        label="Sort by",
    )

    class Meta:
        model = Licence
        fields = ["q", "school", "licence_type", "state", "renewal", "supplier"]

    @property
    def qs(self):
        """As sorted (by product unless asked otherwise), then by id: the same order on every page."""
        rows = super().qs
        return rows.order_by(*(rows.query.order_by or ["product"]), "pk")

    def search(self, queryset, name, value):
        return queryset.filter(words_q(value, ["product", "publisher", "notes"], exact=["order_reference"]))

    def filter_renewal(self, queryset, name, value):
        today = timezone.localdate()
        until = today + timedelta(days=int(value))
        return queryset.filter(
            Q(renews_on__gte=today, renews_on__lte=until) | Q(ends_on__gte=today, ends_on__lte=until)
        )

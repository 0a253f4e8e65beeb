import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schooldesk.core.filtersets import DeskFilterSet, SearchFilter, words_q
from schooldesk.outages.models import REFERENCE_PREFIX, Outage


class OutageFilterSet(DeskFilterSet):
    q = SearchFilter(method="search", label=_("Search (words or OUT-000123)"))
    state = django_filters.ChoiceFilter(
        method="filter_state", label=_("Going on or over"), choices=[("active", _("Going on")), ("resolved", _("Over"))]
    )
    ordering = django_filters.OrderingFilter(fields=(("started_at", "since"),), label=_("Sort by"))

    class Meta:
        model = Outage
        fields = ["q", "state"]

    def search(self, queryset, name, value):
        value = value.strip()
        digits = value.upper().removeprefix(REFERENCE_PREFIX).removeprefix("-")
        if digits.isascii() and digits.isdecimal():
            return queryset.filter(pk=int(digits))
        return queryset.filter(words_q(value, ["title", "advice", "resolution"]))

    def filter_state(self, queryset, name, value):
        return queryset.filter(Q(resolved_at__isnull=value == "active"))

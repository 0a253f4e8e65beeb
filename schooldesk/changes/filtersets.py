import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schooldesk.changes.choices import OPEN_STATUSES, REFERENCE_PREFIX, ChangeStatus, ChangeType
from schooldesk.changes.models import ChangeRequest
from schooldesk.core.filtersets import DeskFilterSet, SearchFilter, words_q
from schooldesk.schools.models import School


def _user(request):
    return request.user if request else None


class NewestBreaksTies(django_filters.OrderingFilter):
    """The chosen order, then the newest first among equals (the list's selector orders newest first)."""

    def filter(self, qs, value):
        ordered = super().filter(qs, value)
        return ordered.order_by(*ordered.query.order_by, "-pk") if value else ordered


class ChangeFilterSet(DeskFilterSet):
    q = SearchFilter(method="search", label=_("Search (words or CHG-000123)"))
    school = django_filters.ModelChoiceFilter(queryset=lambda r: School.objects.visible_to(_user(r)))
    status = django_filters.MultipleChoiceFilter(choices=ChangeStatus.choices)
    state = django_filters.ChoiceFilter(
        method="filter_state", label=_("Open or ended"), choices=[("open", _("Still open")), ("ended", _("Ended"))]
    )
    change_type = django_filters.ChoiceFilter(choices=ChangeType.choices, label=_("Type"))
    ordering = NewestBreaksTies(
        fields=(("created_at", "raised"), ("planned_on", "date"), ("status", "status")), label=_("Sort by")
    )

    class Meta:
        model = ChangeRequest
        fields = ["q", "school", "status", "state", "change_type"]

    def search(self, queryset, name, value):
        value = value.strip()
        digits = value.upper().removeprefix(REFERENCE_PREFIX).removeprefix("-")
        if digits.isascii() and digits.isdecimal():
            return queryset.filter(pk=int(digits))
        return queryset.filter(words_q(value, ["title", "reason", "description"]))

    def filter_state(self, queryset, name, value):
        open_ones = Q(status__in=OPEN_STATUSES)
        return queryset.filter(open_ones) if value == "open" else queryset.exclude(open_ones)

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schooldesk.core.filtersets import DeskFilterSet, SearchFilter, words_q
from schooldesk.incidents.models import Category
from schooldesk.locations.models import Location
from schooldesk.problems.choices import ACTIVE_PROBLEM_STATUSES, REFERENCE_PREFIX, ProblemStatus
from schooldesk.problems.models import Problem
from schooldesk.schools.choices import Priority
from schooldesk.schools.models import School


def _user(request):
    return request.user if request else None


class NewestBreaksTies(django_filters.OrderingFilter):
    """The chosen order, then the newest first among equals (the list's selector orders newest first)."""

    def filter(self, qs, value):
        ordered = super().filter(qs, value)
        return ordered.order_by(*ordered.query.order_by, "-pk") if value else ordered


class ProblemFilterSet(DeskFilterSet):
    q = SearchFilter(method="search", label=_("Search (words or PRB-000123)"))
    school = django_filters.ModelChoiceFilter(queryset=lambda r: School.objects.visible_to(_user(r)))
    status = django_filters.MultipleChoiceFilter(choices=ProblemStatus.choices)
    state = django_filters.ChoiceFilter(
        method="filter_state",
        label=_("Open or ended"),
        choices=[("open", _("Still open")), ("ended", _("Resolved or closed"))],
    )
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices)
    category = django_filters.ModelChoiceFilter(queryset=lambda r: Category.objects.visible_to(_user(r)))
    location = django_filters.ModelChoiceFilter(queryset=lambda r: Location.objects.visible_to(_user(r)))
    ordering = NewestBreaksTies(
        fields=(("created_at", "raised"), ("priority", "priority"), ("due_on", "due"), ("status", "status")),
        label=_("Sort by"),
    )

    class Meta:
        model = Problem
        fields = ["q", "school", "status", "state", "priority", "category", "location"]

    def search(self, queryset, name, value):
        value = value.strip()
        digits = value.upper().removeprefix(REFERENCE_PREFIX).removeprefix("-")
        if digits.isascii() and digits.isdecimal():
            return queryset.filter(pk=int(digits))
        return queryset.filter(words_q(value, ["title", "symptoms", "workaround", "root_cause"], exact=["asset__tag"]))

    def filter_state(self, queryset, name, value):
        active = Q(status__in=ACTIVE_PROBLEM_STATUSES)
        return queryset.filter(active) if value == "open" else queryset.exclude(active)

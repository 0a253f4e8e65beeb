import django_filters
from django.utils.translation import gettext_lazy as _

from schooldesk.core.filtersets import DeskFilterSet, SearchFilter, words_q
from schooldesk.locations.models import Location
from schooldesk.schools.models import School

SHOW = [("current", _("Current")), ("archived", _("Archived")), ("all", _("All"))]


class LocationFilterSet(DeskFilterSet):
    """Current locations unless asked otherwise: a three-way choice, never a yes/no/unknown."""

    q = SearchFilter(method="search", label=_("Search (room name)"))
    school = django_filters.ModelChoiceFilter(queryset=lambda r: School.objects.visible_to(r.user if r else None))
    show = django_filters.ChoiceFilter(choices=SHOW, method="filter_show", label=_("Show"), empty_label=None)

    class Meta:
        model = Location
        fields = ["q", "school", "show"]

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else {}
        data.setdefault("show", "current")
        super().__init__(data, *args, **kwargs)

    def search(self, queryset, name, value):
        return queryset.filter(words_q(value, ["name"])) if value.strip() else queryset

    def filter_show(self, queryset, name, value):
        if value == "current":
            return queryset.filter(is_archived=False)
        if value == "archived":
            return queryset.filter(is_archived=True)
        return queryset

import django_filters

from schooldesk.core.forms import StyledFilterForm
from schooldesk.locations.models import Location
from schooldesk.schools.models import School


class LocationFilterSet(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label="Name")
    school = django_filters.ModelChoiceFilter(queryset=lambda r: School.objects.visible_to(r.user if r else None))
    is_archived = django_filters.BooleanFilter(label="Archived")

    class Meta:
        form = StyledFilterForm
        model = Location
        fields = ["name", "school", "is_archived"]

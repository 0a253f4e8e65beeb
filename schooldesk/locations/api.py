"""Locations in the API: everyone at a school reads its places (the drop-down wherever a place is asked for); the
desk adds and renames them through `location_save`, as on the locations page."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status

from schooldesk.core.api import IF_MATCH, DeskSerializer, DeskViewSet
from schooldesk.core.permissions import require
from schooldesk.locations.filtersets import LocationFilterSet
from schooldesk.locations.models import Location
from schooldesk.locations.selectors import location_api_list, location_school_ids
from schooldesk.locations.services import location_save
from schooldesk.schools.models import School


class LocationSerializer(DeskSerializer):
    school_name = serializers.CharField(source="school.name", read_only=True)

    class Meta:
        model = Location
        fields = [
            "id",
            "school",
            "school_name",
            "name",
            "building",
            "is_preset",
            "is_archived",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["is_preset", "is_archived", "created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.reader is not None and "school" in self.fields:
            self.fields["school"].queryset = School.objects.filter(pk__in=location_school_ids(user=self.reader))
        if self.instance is not None and not isinstance(self.instance, list | tuple) and "school" in self.fields:
            self.fields["school"].read_only = True


class LocationViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, DeskViewSet):
    """A school's places. Create and rename: the school's desk (SPOC, ICT owner)."""

    serializer_class = LocationSerializer
    filterset_class = LocationFilterSet
    selector = location_api_list
    http_method_names = ["get", "post", "patch", "head", "options"]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        require(request.user, "locations.change", data["school"])
        location = location_save(location=Location(**data), by=request.user)
        return self.detail_answer(location, status.HTTP_201_CREATED)

    @extend_schema(parameters=[IF_MATCH])
    def partial_update(self, request, *args, **kwargs):
        location = self.get_object()
        require(request.user, "locations.change", location)
        self.checked_version(location)
        serializer = self.get_serializer(location, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        for name, value in serializer.validated_data.items():
            setattr(location, name, value)
        return self.detail_answer(location_save(location=location, by=request.user))

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError

from schooldesk.core.idempotency import IdempotentCreateMixin
from schooldesk.incidents.filtersets import IncidentFilterSet
from schooldesk.incidents.models import Incident
from schooldesk.incidents.selectors import incident_list
from schooldesk.incidents.services import incident_create
from schooldesk.locations.models import Location


class IncidentSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    location = serializers.PrimaryKeyRelatedField(queryset=Location.objects.none())
    location_name = serializers.CharField(source="location.name", read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id", "reference", "school", "school_name", "kind", "summary", "description", "expected", "happened",
            "checked", "last_worked", "happened_before", "reporter_availability", "location", "location_name",
            "device", "category", "impact", "urgency", "priority", "status", "support_level", "assigned_to",
            "for_next_visit", "supplier", "supplier_reference", "escalated_at", "supplier_responded_at",
            "supplier_fixed_at", "logged_at", "response_due_at", "resolve_due_at",
            "responded_at", "resolved_at", "closed_at", "resolution", "is_workaround", "version",
        ]
        read_only_fields = [f for f in fields if f not in (
            "kind", "summary", "description", "expected", "happened", "checked", "last_worked", "happened_before",
            "reporter_availability", "location", "device",
        )]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["location"].queryset = Location.objects.visible_to(request.user).filter(is_archived=False)


class IncidentViewSet(IdempotentCreateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Calls, scoped by `visible_to` and filtered with the same filterset as the web list.
    Creating a call goes through the same service as the web form; a retry with the same `Idempotency-Key`
    header gets the first answer, not a second call (core/idempotency.py)."""

    serializer_class = IncidentSerializer
    filterset_class = IncidentFilterSet

    def get_queryset(self):
        return incident_list(self.request.user).defer(None).order_by("-logged_at")  # the API shows every field

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        location = data.pop("location")
        try:
            serializer.instance = incident_create(school=location.school, location=location, by=self.request.user,
                                                  **data)
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from exc
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc

"""Calls in the API: scoped by `visible_to` (incident_list), filtered with the web list's IncidentFilterSet; every
change through the same services as the call's page (incident_create, incident_triage, incident_escalate,
incident_reply), with `If-Match` against the call's `version`."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action

from schooldesk.assets.models import Asset
from schooldesk.core.api import IF_MATCH, DeskSerializer, DeskViewSet
from schooldesk.core.audit import VIEW, audit_record
from schooldesk.core.permissions import can
from schooldesk.incidents.filtersets import IncidentFilterSet
from schooldesk.incidents.models import Attachment, Category, Incident, IncidentUpdate
from schooldesk.incidents.selectors import incident_list, incident_timeline
from schooldesk.incidents.services import incident_create, incident_escalate, incident_reply, incident_triage
from schooldesk.locations.models import Location
from schooldesk.suppliers.models import Supplier


class IncidentSerializer(DeskSerializer):
    reference = serializers.CharField(read_only=True)
    location = serializers.PrimaryKeyRelatedField(queryset=Location.objects.none())
    asset = serializers.PrimaryKeyRelatedField(queryset=Asset.objects.none(), required=False, allow_null=True)
    location_name = serializers.CharField(source="location.name", read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id",
            "reference",
            "school",
            "school_name",
            "kind",
            "summary",
            "description",
            "expected",
            "happened",
            "checked",
            "last_worked",
            "happened_before",
            "reporter_availability",
            "location",
            "location_name",
            "device",
            "asset",
            "category",
            "impact",
            "urgency",
            "priority",
            "status",
            "support_level",
            "assigned_to",
            "for_next_visit",
            "supplier",
            "supplier_reference",
            "escalated_at",
            "supplier_responded_at",
            "supplier_fixed_at",
            "logged_at",
            "response_due_at",
            "resolve_due_at",
            "responded_at",
            "resolved_at",
            "closed_at",
            "resolution",
            "is_workaround",
            "version",
        ]
        read_only_fields = [
            f
            for f in fields
            if f
            not in (
                "kind",
                "summary",
                "description",
                "expected",
                "happened",
                "checked",
                "last_worked",
                "happened_before",
                "reporter_availability",
                "location",
                "device",
                "asset",
            )
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.reader is not None:
            if "location" in self.fields:
                self.fields["location"].queryset = Location.objects.visible_to(self.reader).filter(is_archived=False)
            if "asset" in self.fields:
                self.fields["asset"].queryset = Asset.objects.visible_to(self.reader)


class AttachmentSerializer(DeskSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "original_name", "content_type", "size", "uploaded_by", "created_at", "download_url"]

    def get_download_url(self, attachment) -> str:
        return reverse("incidents:attachment_download", args=[attachment.incident_id, attachment.pk])


class UpdateSerializer(DeskSerializer):
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = IncidentUpdate
        fields = [
            "id",
            "created_at",
            "kind",
            "author",
            "body",
            "is_public",
            "field",
            "old_value",
            "new_value",
            "minutes_spent",
            "attachments",
        ]


class TriageSerializer(serializers.Serializer):
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.none(), required=False, allow_null=True, default=None
    )
    impact = serializers.ChoiceField(choices=Incident._meta.get_field("impact").choices)
    urgency = serializers.ChoiceField(choices=Incident._meta.get_field("urgency").choices)
    priority = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class EscalateSerializer(serializers.Serializer):
    supplier = serializers.PrimaryKeyRelatedField(queryset=Supplier.objects.none())
    reference = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="The supplier's own call reference."
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReplySerializer(serializers.Serializer):
    body = serializers.CharField()
    is_public = serializers.BooleanField(required=False, default=True)


class IncidentViewSet(mixins.CreateModelMixin, DeskViewSet):
    """Calls, scoped by `visible_to` and filtered with the same filterset as the web list.
    Creating a call goes through the same service as the web form; a retry with the same `Idempotency-Key`
    header gets the first answer, not a second call (core/idempotency.py)."""

    serializer_class = IncidentSerializer
    filterset_class = IncidentFilterSet

    @staticmethod
    def selector(user):
        return incident_list(user=user).defer(None)  # the API shows every field

    def get_object(self):
        """The call; reading a restricted one (its record, timeline or files) is on the school's audit trail, as
        opening its page is."""
        incident = super().get_object()
        if incident.is_restricted and self.request.method == "GET":
            audit_record(
                actor=self.request.user,
                school=incident.school,
                action=VIEW,
                obj=incident,
                summary=f"Opened the restricted call {incident.reference} through the API",
            )
        return incident

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        location = data.pop("location")
        serializer.instance = incident_create(school=location.school, location=location, by=self.request.user, **data)

    def _act(self, serializer_class, **querysets):
        incident = self.get_object()
        version = self.checked_version(incident)
        serializer = serializer_class(data=self.request.data, context={"request": self.request})
        for name, queryset in querysets.items():
            serializer.fields[name].queryset = queryset
        serializer.is_valid(raise_exception=True)
        return incident, version, serializer.validated_data

    @extend_schema(request=TriageSerializer, responses=IncidentSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def triage(self, request, pk=None):
        """Set category, impact and urgency (the desk)."""
        incident, version, data = self._act(TriageSerializer, category=Category.objects.visible_to(request.user))
        return self.detail_answer(incident_triage(incident=incident, by=request.user, version=version, **data))

    @extend_schema(request=EscalateSerializer, responses=IncidentSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        """Escalate to a second-level provider (a supplier of the school's organisation), with their reference."""
        incident, version, data = self._act(EscalateSerializer, supplier=Supplier.objects.visible_to(request.user))
        return self.detail_answer(incident_escalate(incident=incident, by=request.user, version=version, **data))

    @extend_schema(request=ReplySerializer, responses=UpdateSerializer)
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        """A public reply, or (staff) an internal note."""
        incident, _version, data = self._act(ReplySerializer)
        update = incident_reply(incident=incident, by=request.user, **data)
        return self._response(UpdateSerializer(update, context={"request": request}).data, status.HTTP_201_CREATED)

    def _updates(self, incident):
        """The timeline as the call's page shows it to this person (internal notes for those who work on it)."""
        worker = can(self.request.user, "incidents.see_internal", incident)
        return incident_timeline(incident=incident, include_internal=worker)

    @extend_schema(responses=UpdateSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def timeline(self, request, pk=None):
        """The call's timeline, oldest first, as its page shows it to this person."""
        updates = self._updates(self.get_object()).order_by("created_at", "pk")
        return self._response(UpdateSerializer(updates, many=True, context={"request": request}).data)

    @extend_schema(responses=AttachmentSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def attachments(self, request, pk=None):
        """The call's files on the updates this person may see (each downloaded from its `download_url`)."""
        incident = self.get_object()
        files = Attachment.objects.filter(incident=incident, update__in=self._updates(incident).values("pk"))
        return self._response(AttachmentSerializer(files.order_by("pk"), many=True, context={"request": request}).data)

"""The asset register in the API: the same scoping (`asset_list`), filters (AssetFilterSet) and services
(`asset_save`, `asset_move`, `asset_issue`, `asset_return`, `relationship_add`) as the register's pages."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action

from schooldesk.accounts.models import User
from schooldesk.assets.filtersets import AssetFilterSet
from schooldesk.assets.models import Asset, AssetEvent, AssetRelationship, AssetType
from schooldesk.assets.selectors import asset_history, asset_list, asset_school_ids, asset_types
from schooldesk.assets.services import asset_issue, asset_move, asset_return, asset_save, relationship_add
from schooldesk.core.api import IF_MATCH, DeskSerializer, DeskViewSet
from schooldesk.locations.models import Location
from schooldesk.schools.models import School

ASSET_FIELDS = [
    "id",
    "reference",
    "school",
    "tag",
    "asset_type",
    "asset_type_name",
    "make",
    "model",
    "serial",
    "location",
    "location_name",
    "issued_to",
    "status",
    "loan_due_on",
    "purchased_on",
    "cost",
    "supplier",
    "order_reference",
    "warranty_ends_on",
    "support_ends_on",
    "funding_source",
    "notes",
    "disposed_on",
    "disposal_method",
    "disposal_reference",
    "is_data_wiped",
    "last_audited_on",
    "version",
    "created_at",
    "updated_at",
]
#: what a create or change may set (the rest changes through the actions: move, issue, return, dispose)
WRITABLE = [
    "school",
    "tag",
    "asset_type",
    "make",
    "model",
    "serial",
    "location",
    "status",
    "purchased_on",
    "cost",
    "supplier",
    "order_reference",
    "warranty_ends_on",
    "support_ends_on",
    "funding_source",
    "notes",
]


class AssetSerializer(DeskSerializer):
    reference = serializers.CharField(read_only=True)
    asset_type_name = serializers.CharField(source="asset_type.name", read_only=True)
    location_name = serializers.CharField(source="location.name", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Asset
        fields = ASSET_FIELDS
        read_only_fields = [f for f in ASSET_FIELDS if f not in WRITABLE]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.reader
        if user is None:
            return
        for name, queryset in (
            ("school", School.objects.filter(pk__in=asset_school_ids(user=user))),
            ("asset_type", asset_types(user=user)),
            ("location", Location.objects.visible_to(user)),
        ):
            if name in self.fields and not self.fields[name].read_only:
                self.fields[name].queryset = queryset
        if self.instance is not None and "school" in self.fields:
            self.fields["school"].read_only = True


class AssetTypeSerializer(DeskSerializer):
    class Meta:
        model = AssetType
        fields = ["id", "school", "name", "typical_price", "is_archived"]


class AssetEventSerializer(DeskSerializer):
    class Meta:
        model = AssetEvent
        fields = ["id", "created_at", "kind", "by", "field", "old_value", "new_value", "note"]


class RelationshipSerializer(DeskSerializer):
    class Meta:
        model = AssetRelationship
        fields = ["id", "school", "from_asset", "kind", "to_asset", "note", "created_at"]
        read_only_fields = ["school", "from_asset", "created_at"]


class MoveSerializer(serializers.Serializer):
    location = serializers.PrimaryKeyRelatedField(queryset=Location.objects.none())
    note = serializers.CharField(required=False, allow_blank=True, default="")


class IssueSerializer(serializers.Serializer):
    person = serializers.PrimaryKeyRelatedField(queryset=User.objects.none())
    loan_due_on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReturnSerializer(serializers.Serializer):
    location = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.none(), required=False, allow_null=True, default=None
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


def _scoped(serializer_class, request, **querysets):
    serializer = serializer_class(data=request.data, context={"request": request})
    for name, queryset in querysets.items():
        serializer.fields[name].queryset = queryset
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class AssetViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, DeskViewSet):
    """The register: read by those with a register role; added, changed, moved, issued and returned through the
    register's services (which check the role, record the asset's history and the audit trail)."""

    serializer_class = AssetSerializer
    filterset_class = AssetFilterSet
    selector = asset_list
    http_method_names = ["get", "post", "patch", "head", "options"]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        asset = asset_save(asset=Asset(**serializer.validated_data), by=request.user)
        return self.detail_answer(asset, status.HTTP_201_CREATED)

    @extend_schema(parameters=[IF_MATCH])
    def partial_update(self, request, *args, **kwargs):
        asset = self.get_object()
        version = self.checked_version(asset)
        serializer = self.get_serializer(asset, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        for name, value in serializer.validated_data.items():
            setattr(asset, name, value)
        return self.detail_answer(asset_save(asset=asset, by=request.user, version=version))

    @extend_schema(request=MoveSerializer, responses=AssetSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        asset = self.get_object()
        self.checked_version(asset)
        data = _scoped(MoveSerializer, request, location=Location.objects.visible_to(request.user))
        return self.detail_answer(asset_move(asset=asset, by=request.user, **data))

    @extend_schema(request=IssueSerializer, responses=AssetSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        """Issue (lend) the asset to a person of its school."""
        asset = self.get_object()
        self.checked_version(asset)
        people = User.objects.filter(memberships__school_id=asset.school_id).distinct()
        data = _scoped(IssueSerializer, request, person=people)
        return self.detail_answer(asset_issue(asset=asset, by=request.user, **data))

    @extend_schema(request=ReturnSerializer, responses=AssetSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        asset = self.get_object()
        self.checked_version(asset)
        data = _scoped(ReturnSerializer, request, location=Location.objects.visible_to(request.user))
        return self.detail_answer(asset_return(asset=asset, by=request.user, **data))

    @extend_schema(responses=AssetEventSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, pk=None):
        """The asset's moves and changes, newest first (the last 100)."""
        return self._response(
            AssetEventSerializer(asset_history(asset=self.get_object()), many=True, context={"request": request}).data
        )

    @extend_schema(request=RelationshipSerializer, responses=RelationshipSerializer(many=True))
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def relationships(self, request, pk=None):
        """GET: the asset's relationships; POST {kind, to_asset, note}: add one (through `relationship_add`)."""
        asset = self.get_object()
        if request.method == "POST":
            data = _scoped(RelationshipSerializer, request, to_asset=asset_list(user=request.user))
            relationship_add(
                from_asset=asset,
                by=request.user,
                kind=data["kind"],
                to_asset=data["to_asset"],
                note=data.get("note", ""),
            )
        rows = AssetRelationship.objects.filter(from_asset=asset) | AssetRelationship.objects.filter(to_asset=asset)
        return self._response(
            RelationshipSerializer(rows.order_by("pk"), many=True, context={"request": request}).data,
            status.HTTP_201_CREATED if request.method == "POST" else status.HTTP_200_OK,
        )


class AssetTypeViewSet(DeskViewSet):
    """The school's kinds of equipment (an asset's `asset_type`)."""

    serializer_class = AssetTypeSerializer
    selector = asset_types

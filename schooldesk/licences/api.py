"""Licences in the API, with their allocations, installations and compliance, as the licence pages show them
(scoped by `licence_list`, LicenceFilterSet). The licence key is never in the API (restricted: the licence's page
shows it to those who may see it, on the audit trail)."""

from rest_framework import mixins, serializers, status

from schooldesk.accounts.models import User
from schooldesk.assets.models import Asset
from schooldesk.core.api import DeskSerializer, DeskViewSet
from schooldesk.licences.filtersets import LicenceFilterSet
from schooldesk.licences.models import Allocation, Installation, Licence
from schooldesk.licences.selectors import allocation_list, installation_list, licence_list
from schooldesk.licences.services import allocation_add, allocation_remove, installation_add, installation_remove
from schooldesk.locations.models import Location


class LicenceSerializer(DeskSerializer):
    owned = serializers.IntegerField(read_only=True, help_text="Seats owned (the quantity; 0 if none given).")
    in_use = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="Seats in use (per pupil: the roll; site: installations; otherwise "
        "the larger of allocations and installations).",
    )
    difference = serializers.IntegerField(read_only=True, allow_null=True, help_text="owned − in use")
    compliance = serializers.CharField(
        source="state", read_only=True, help_text="site, expired, under (too few), over (spare) or ok"
    )

    class Meta:
        model = Licence
        fields = [
            "id",
            "school",
            "product",
            "publisher",
            "supplier",
            "licence_type",
            "quantity",
            "starts_on",
            "ends_on",
            "renews_on",
            "cost",
            "order_reference",
            "proof_name",
            "notes",
            "installed_count",
            "allocated_count",
            "owned",
            "in_use",
            "difference",
            "compliance",
            "created_at",
            "updated_at",
        ]


class _ScopedChoices:
    """The licence, device, person and place offered: the reader's own (the service checks the school matches)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.reader
        if user is None:
            return
        choices = {
            "licence": licence_list(user=user),
            "asset": Asset.objects.visible_to(user),
            "location": Location.objects.visible_to(user),
            "person": User.objects.filter(memberships__school__in=licence_list(user=user).values("school")).distinct(),
        }
        for name, queryset in choices.items():
            if name in self.fields and not self.fields[name].read_only:
                self.fields[name].queryset = queryset


class AllocationSerializer(_ScopedChoices, DeskSerializer):
    class Meta:
        model = Allocation
        fields = ["id", "school", "licence", "asset", "person", "location", "quantity", "note", "created_at"]
        read_only_fields = ["school", "created_at"]


class InstallationSerializer(_ScopedChoices, DeskSerializer):
    class Meta:
        model = Installation
        fields = ["id", "school", "licence", "asset", "version", "installed_on", "created_at"]
        read_only_fields = ["school", "created_at"]
        validators = []  # the service says "already recorded on PC-1" in its own words


class LicenceViewSet(DeskViewSet):
    """The licence list with each licence's compliance (seats against allocations and installations)."""

    serializer_class = LicenceSerializer
    filterset_class = LicenceFilterSet
    selector = licence_list


class AllocationViewSet(mixins.CreateModelMixin, mixins.DestroyModelMixin, DeskViewSet):
    """Allocations of licences (to a device, a person or a room); `?licence=<id>` for one licence's. Added and
    removed through `allocation_add` and `allocation_remove`, which keep the licence's counts."""

    serializer_class = AllocationSerializer
    selector = allocation_list
    filterset_fields = ["licence", "asset"]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        allocation = allocation_add(by=request.user, **serializer.validated_data)
        return self.detail_answer(allocation, status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        allocation_remove(allocation=instance, by=self.request.user)


class InstallationViewSet(mixins.CreateModelMixin, mixins.DestroyModelMixin, DeskViewSet):
    """Installations of licensed software on devices (an inventory tool's report); `?licence=<id>` for one
    licence's. Added and removed through `installation_add` and `installation_remove`."""

    serializer_class = InstallationSerializer
    selector = installation_list
    filterset_fields = ["licence", "asset"]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        installation = installation_add(by=request.user, **serializer.validated_data)
        return self.detail_answer(installation, status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        installation_remove(installation=instance, by=self.request.user)

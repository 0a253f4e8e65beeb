"""Licences in the API, with their allocations, installations and compliance, as the licence pages show them
(scoped by `licence_list`, LicenceFilterSet). The licence key is never in the API (restricted: the licence's page
shows it to those who may see it, on the audit trail)."""

from rest_framework import serializers

from schooldesk.core.api import DeskSerializer, DeskViewSet
from schooldesk.licences.filtersets import LicenceFilterSet
from schooldesk.licences.models import Allocation, Installation, Licence
from schooldesk.licences.selectors import licence_list


class LicenceSerializer(DeskSerializer):
    owned = serializers.IntegerField(read_only=True, help_text="Seats owned (the quantity; 0 if none given).")
    in_use = serializers.IntegerField(read_only=True, allow_null=True,
                                      help_text="Seats in use (per pupil: the roll; site: installations; otherwise "
                                                "the larger of allocations and installations).")
    difference = serializers.IntegerField(read_only=True, allow_null=True, help_text="owned − in use")
    compliance = serializers.CharField(source="state", read_only=True,
                                       help_text="site, expired, under (too few), over (spare) or ok")

    class Meta:
        model = Licence
        fields = ["id", "school", "product", "publisher", "supplier", "licence_type", "quantity", "starts_on",
                  "ends_on", "renews_on", "cost", "order_reference", "proof_name", "notes", "installed_count",
                  "allocated_count", "owned", "in_use", "difference", "compliance", "created_at", "updated_at"]


class AllocationSerializer(DeskSerializer):
    class Meta:
        model = Allocation
        fields = ["id", "school", "licence", "asset", "person", "location", "quantity", "note", "created_at"]


class InstallationSerializer(DeskSerializer):
    class Meta:
        model = Installation
        fields = ["id", "school", "licence", "asset", "version", "installed_on", "created_at"]


def allocation_list(user):
    return Allocation.objects.filter(licence__in=licence_list(user).values("pk"))


def installation_list(user):
    return Installation.objects.filter(licence__in=licence_list(user).values("pk"))


class LicenceViewSet(DeskViewSet):
    """The licence list with each licence's compliance (seats against allocations and installations)."""

    serializer_class = LicenceSerializer
    filterset_class = LicenceFilterSet
    selector = staticmethod(licence_list)


class AllocationViewSet(DeskViewSet):
    """Allocations of licences (to a device, a person or a room); `?licence=<id>` for one licence's."""

    serializer_class = AllocationSerializer
    selector = staticmethod(allocation_list)
    filterset_fields = ["licence", "asset"]


class InstallationViewSet(DeskViewSet):
    """Installations of licensed software on devices; `?licence=<id>` for one licence's."""

    serializer_class = InstallationSerializer
    selector = staticmethod(installation_list)
    filterset_fields = ["licence", "asset"]

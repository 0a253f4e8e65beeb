"""Changes (RFCs) and their milestones in the API, scoped and filtered as the change pages are (change_list with
CHANGE_ROLES, ChangeFilterSet)."""

from rest_framework import serializers

from schooldesk.changes.choices import CHANGE_ROLES
from schooldesk.changes.filtersets import ChangeFilterSet
from schooldesk.changes.models import ChangeRequest, Milestone
from schooldesk.changes.selectors import change_list
from schooldesk.core.api import DeskSerializer, DeskViewSet, with_roles


def changes_for(user):
    return with_roles(change_list(user), user, CHANGE_ROLES)


class ChangeSerializer(DeskSerializer):
    reference = serializers.CharField(read_only=True)

    class Meta:
        model = ChangeRequest
        fields = ["id", "reference", "school", "title", "reason", "description", "change_type", "standard_change",
                  "risk", "impact", "priority", "estimated_cost", "problem", "backout_plan", "raised_by",
                  "assigned_to", "planned_on", "status", "submitted_at", "decided_at", "outcome", "implemented_on",
                  "completed_at", "completed_by", "review", "reviewed_at", "reviewed_by", "version", "created_at",
                  "updated_at"]


class MilestoneSerializer(DeskSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "change", "title", "due_on", "assigned_to", "done_at", "done_by", "created_at"]


class ChangeViewSet(DeskViewSet):
    """Requests for change (CHG-)."""

    serializer_class = ChangeSerializer
    filterset_class = ChangeFilterSet
    selector = staticmethod(changes_for)


class MilestoneViewSet(DeskViewSet):
    """Changes' plan milestones; `?change=<id>` for one change's."""

    serializer_class = MilestoneSerializer
    filterset_fields = ["change"]

    @staticmethod
    def selector(user):
        return Milestone.objects.filter(change__in=changes_for(user).values("pk"))

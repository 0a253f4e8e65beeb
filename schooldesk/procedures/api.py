"""The service desk's procedures in the API: the version in force of each (and, for the desk, whether a change is
proposed), scoped by `procedure_list` and filtered by ProcedureFilterSet as on the procedures page; each
procedure's history through `procedure_history`, which shows proposals to the desk only."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from schooldesk.core.api import DeskSerializer, DeskViewSet
from schooldesk.procedures.filtersets import ProcedureFilterSet
from schooldesk.procedures.models import Procedure, ProcedureVersion
from schooldesk.procedures.selectors import procedure_history, procedure_list


class ProcedureVersionSerializer(DeskSerializer):
    class Meta:
        model = ProcedureVersion
        fields = ["id", "number", "title", "body", "change_note", "status", "proposed_by", "decided_by",
                  "decided_at", "decision_reason", "created_at"]


class ProcedureSerializer(DeskSerializer):
    current_version = ProcedureVersionSerializer(read_only=True, allow_null=True)
    has_proposal = serializers.BooleanField(read_only=True)

    class Meta:
        model = Procedure
        fields = ["id", "school", "title", "position", "current_version", "has_proposal", "created_at", "updated_at"]


class ProcedureViewSet(DeskViewSet):
    """Procedures, each with the version in force."""

    serializer_class = ProcedureSerializer
    filterset_class = ProcedureFilterSet
    selector = staticmethod(procedure_list)

    @extend_schema(responses=ProcedureVersionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def versions(self, request, pk=None):
        """Every version, with who proposed and who authorised it (proposals for the desk only)."""
        versions = procedure_history(request.user, self.get_object())
        return self._response(ProcedureVersionSerializer(versions, many=True, context={"request": request}).data)

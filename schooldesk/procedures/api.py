"""The service desk's procedures in the API: the version in force of each (and, for the desk, whether a change is
proposed), scoped by `procedure_list` and filtered by ProcedureFilterSet as on the procedures page; each
procedure's history through `procedure_history`, which shows proposals to the desk only."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied

from schooldesk.core.api import IF_MATCH, DeskSerializer, DeskViewSet, through_form
from schooldesk.core.permissions import can
from schooldesk.procedures import forms, services
from schooldesk.procedures.choices import VersionStatus
from schooldesk.procedures.filtersets import ProcedureFilterSet
from schooldesk.procedures.models import Procedure, ProcedureVersion
from schooldesk.procedures.selectors import procedure_history, procedure_list, proposing_school_ids


class ProcedureVersionSerializer(DeskSerializer):
    class Meta:
        model = ProcedureVersion
        fields = [
            "id",
            "number",
            "title",
            "body",
            "change_note",
            "status",
            "proposed_by",
            "decided_by",
            "decided_at",
            "decision_reason",
            "created_at",
        ]


class ProcedureSerializer(DeskSerializer):
    current_version = ProcedureVersionSerializer(read_only=True, allow_null=True)
    has_proposal = serializers.BooleanField(read_only=True)

    class Meta:
        model = Procedure
        fields = ["id", "school", "title", "position", "current_version", "has_proposal", "created_at", "updated_at"]


class ProposalSerializer(serializers.Serializer):
    school = serializers.IntegerField(required=False, help_text="On a new procedure, where you have several.")
    title = serializers.CharField(required=False, help_text="Left out: the procedure's title as it is.")
    body = serializers.CharField(required=False, help_text="Left out: the text in force.")
    note = serializers.CharField(required=False, help_text="What changes and why (needed for a change).")


class ProcedureDecisionSerializer(serializers.Serializer):
    decision = serializers.CharField(help_text="authorise or reject")
    reason = serializers.CharField(required=False, allow_blank=True, help_text="Needed if not authorised.")


class ProcedureViewSet(mixins.CreateModelMixin, DeskViewSet):
    """Procedures, each with the version in force. The desk proposes a new procedure (`procedure_create`) or a
    change to one (`propose`: `procedure_propose`, with If-Match), through the proposal page's form; the ICT owner
    authorises or turns down the proposal waiting (`decide`: `procedure_decide`); the desk may withdraw it."""

    serializer_class = ProcedureSerializer
    filterset_class = ProcedureFilterSet
    selector = procedure_list
    http_method_names = ["get", "post", "head", "options"]

    def _deskside(self):
        """The procedure, for those the procedure pages let act on it (the desk of its school)."""
        procedure = self.get_object()
        if not can(self.request.user, "procedures.propose", procedure):
            raise PermissionDenied(_("Only the school's ICT desk proposes or decides changes to its procedures."))
        return procedure

    def _waiting(self, procedure):
        proposal = procedure.versions.filter(status=VersionStatus.PROPOSED).first()
        if proposal is None:
            raise NotFound(_("There is no proposal waiting for a decision."))
        return proposal

    @extend_schema(request=ProposalSerializer)
    def create(self, request, *args, **kwargs):
        school_ids = proposing_school_ids(user=request.user)
        if not can(request.user, "procedures.propose"):  # the proposal page's own role check
            raise PermissionDenied(_("Only the school's ICT desk proposes procedures."))
        form = through_form(forms.ProposalForm, request, school_ids=school_ids)
        data = form.cleaned_data
        proposed = services.procedure_create(
            school=form.owner, by=request.user, title=data["title"], body=data["body"], note=data["note"]
        )
        return self.detail_answer(proposed.procedure, status.HTTP_201_CREATED)

    @extend_schema(request=ProposalSerializer, responses=ProcedureVersionSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def propose(self, request, pk=None):
        """Propose a change (one proposal at a time), from the text in force; answers the proposal."""
        procedure = self._deskside()
        version = self.checked_version(procedure)
        current = procedure.current_version
        data = {"title": procedure.title, "body": current.body if current else "", **dict(request.data.items())}
        form = through_form(forms.ProposalForm, request, procedure=procedure, version=version, data=data)
        data = form.cleaned_data
        proposal = services.procedure_propose(
            procedure=procedure,
            by=request.user,
            title=data["title"],
            body=data["body"],
            note=data["note"],
            version=form.rendered_version,
        )
        return self._response(
            ProcedureVersionSerializer(proposal, context={"request": request}).data, status.HTTP_201_CREATED
        )

    @extend_schema(request=ProcedureDecisionSerializer, responses=ProcedureSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """The ICT owner authorises the proposal waiting (it is in force at once) or turns it down, saying why."""
        procedure = self._deskside()
        self.checked_version(procedure)
        form = through_form(forms.DecisionForm, request)
        services.procedure_decide(
            version=self._waiting(procedure),
            by=request.user,
            authorise=form.cleaned_data["decision"] == "authorise",
            reason=form.cleaned_data["reason"],
        )
        return self.detail_answer(procedure)

    @extend_schema(request=None, responses=ProcedureSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw the proposal waiting."""
        procedure = self._deskside()
        self.checked_version(procedure)
        services.procedure_withdraw(version=self._waiting(procedure), by=request.user)
        return self.detail_answer(procedure)

    @extend_schema(responses=ProcedureVersionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def versions(self, request, pk=None):
        """Every version, with who proposed and who authorised it (proposals for the desk only)."""
        versions = procedure_history(user=request.user, procedure=self.get_object())
        return self._response(ProcedureVersionSerializer(versions, many=True, context={"request": request}).data)

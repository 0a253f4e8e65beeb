"""Changes (RFCs) and their milestones in the API, scoped and filtered as the change pages are (change_list with
CHANGE_ROLES, ChangeFilterSet)."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied

from schooldesk.changes import forms, services
from schooldesk.changes.choices import CHANGE_ROLES, EDITABLE_STATUSES, PLANNING_STATUSES
from schooldesk.changes.filtersets import ChangeFilterSet
from schooldesk.changes.models import ChangeRequest, Milestone
from schooldesk.changes.selectors import change_list, change_school_ids
from schooldesk.changes.views import ACTIONS, NEEDS_CHANGE
from schooldesk.core.api import IF_MATCH, Conflict, DeskSerializer, DeskViewSet, through_form, with_roles
from schooldesk.core.permissions import can


def changes_for(user):
    return with_roles(change_list(user=user), user, CHANGE_ROLES)


class ChangeSerializer(DeskSerializer):
    reference = serializers.CharField(read_only=True)

    class Meta:
        model = ChangeRequest
        fields = [
            "id",
            "reference",
            "school",
            "title",
            "reason",
            "description",
            "change_type",
            "standard_change",
            "risk",
            "impact",
            "priority",
            "estimated_cost",
            "problem",
            "backout_plan",
            "raised_by",
            "assigned_to",
            "planned_on",
            "status",
            "submitted_at",
            "decided_at",
            "outcome",
            "implemented_on",
            "completed_at",
            "completed_by",
            "review",
            "reviewed_at",
            "reviewed_by",
            "version",
            "created_at",
            "updated_at",
        ]


class MilestoneSerializer(DeskSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "change", "title", "due_on", "assigned_to", "done_at", "done_by", "created_at"]


CHANGE_WRITE = (
    "The change page's fields: school (where you have several), title, reason, description, "
    "change_type, standard_change, risk, impact, priority, estimated_cost, problem, affected_locations, "
    "assigned_to, planned_on, backout_plan (once decided, only the plan's). A PATCH sends only what "
    "changes."
)


class ChangeDecisionSerializer(serializers.Serializer):
    decision = serializers.CharField(help_text="authorise or reject")
    reason = serializers.CharField()


class ChangeWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField()


class ChangeCompleteSerializer(serializers.Serializer):
    outcome = serializers.CharField(help_text="How it went: one of the change page's outcomes.")
    implemented_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True)


class ChangeReviewSerializer(serializers.Serializer):
    review = serializers.CharField()


class MilestoneDoneSerializer(serializers.Serializer):
    done = serializers.BooleanField(default=True)


def _act(viewset, change, name: str):
    """One of the change page's actions (changes/views.py ACTIONS): its form, then its service."""
    form_class, perform, _success = ACTIONS[name]
    version = viewset.checked_version(change)
    form = through_form(
        form_class,
        viewset.request,
        version=version if "version" in form_class.base_fields else None,
        **({"change": change} if form_class in NEEDS_CHANGE else {}),
    )
    return perform(change, viewset.request.user, dict(form.cleaned_data))


class ChangeViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, DeskViewSet):
    """Requests for change (CHG-). Raised as a draft and changed through `change_create` / `change_update`,
    validated by the change page's form; submitted, decided (the ICT owner), withdrawn, completed and reviewed
    through the page's own forms and services, each with If-Match."""

    serializer_class = ChangeSerializer
    filterset_class = ChangeFilterSet
    selector = changes_for
    http_method_names = ["get", "post", "patch", "head", "options"]

    @extend_schema(request=OpenApiTypes.OBJECT, description=CHANGE_WRITE)
    def create(self, request, *args, **kwargs):
        school_ids = change_school_ids(user=request.user)
        if not can(request.user, "changes.create"):  # the change pages' own role check
            raise PermissionDenied(_("Only a school's ICT staff raise requests for change."))
        form = through_form(forms.ChangeForm, request, instance=ChangeRequest(), school_ids=school_ids)
        data = dict(form.cleaned_data)
        data.pop("version", None)
        data.pop("school", None)  # the decided school is form.owner
        change = services.change_create(by=request.user, school=form.owner, **data)
        return self.detail_answer(change, status.HTTP_201_CREATED)

    @extend_schema(request=OpenApiTypes.OBJECT, parameters=[IF_MATCH], description=CHANGE_WRITE)
    def partial_update(self, request, *args, **kwargs):
        change = self.get_object()
        version = self.checked_version(change)
        if change.status not in PLANNING_STATUSES:
            raise Conflict(_("This change is finished: its details can no longer be changed."))
        form = through_form(
            forms.ChangeForm,
            request,
            instance=change,
            version=version,
            school_ids=change_school_ids(user=request.user),
            plan_only=change.status not in EDITABLE_STATUSES,
        )
        data = dict(form.cleaned_data)
        data.pop("school", None)
        return self.detail_answer(
            services.change_update(change=change, by=request.user, version=data.pop("version", version), **data)
        )

    @extend_schema(request=None, responses=ChangeSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit the draft to the ICT owner for authorisation (`change_submit`)."""
        change = self.get_object()
        _act(self, change, "submit")
        return self.detail_answer(change)

    @extend_schema(request=ChangeDecisionSerializer, responses=ChangeSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """The ICT owner authorises or rejects the change, with a reason (`change_decide`)."""
        change = self.get_object()
        _act(self, change, "decide")
        return self.detail_answer(change)

    @extend_schema(request=ChangeWithdrawSerializer, responses=ChangeSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        change = self.get_object()
        _act(self, change, "withdraw")
        return self.detail_answer(change)

    @extend_schema(request=ChangeCompleteSerializer, responses=ChangeSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Record how it went; the registers are brought up to date (`change_complete`)."""
        change = self.get_object()
        _act(self, change, "complete")
        return self.detail_answer(change)

    @extend_schema(request=ChangeReviewSerializer, responses=ChangeSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        change = self.get_object()
        _act(self, change, "review")
        return self.detail_answer(change)


class MilestoneViewSet(mixins.CreateModelMixin, mixins.DestroyModelMixin, DeskViewSet):
    """Changes' plan milestones; `?change=<id>` for one change's. Added (`milestone_add`, the change page's form),
    ticked off or on (`done`: `milestone_done`) and removed (`milestone_remove`), as on the change page."""

    serializer_class = MilestoneSerializer
    filterset_fields = ["change"]
    http_method_names = ["get", "post", "delete", "head", "options"]

    @staticmethod
    def selector(user):
        return Milestone.objects.filter(change__in=changes_for(user).values("pk"))

    @extend_schema(request=MilestoneSerializer)
    def create(self, request, *args, **kwargs):
        change_id = str(request.data.get("change", ""))
        change = changes_for(request.user).filter(pk=change_id).first() if change_id.isdigit() else None
        if change is None:
            raise serializers.ValidationError({"change": [_("Choose a request for change you can see.")]})
        form = through_form(forms.MilestoneForm, request, change=change)
        milestone = services.milestone_add(change=change, by=request.user, **form.cleaned_data)
        return self.detail_answer(milestone, status.HTTP_201_CREATED)

    @extend_schema(request=MilestoneDoneSerializer, responses=MilestoneSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        """Tick the milestone off (`{"done": true}`) or on again (`false`)."""
        milestone = self.get_object()
        self.checked_version(milestone)
        serializer = MilestoneDoneSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.milestone_done(milestone=milestone, by=request.user, done=serializer.validated_data["done"])
        return self.detail_answer(milestone)

    @extend_schema(parameters=[IF_MATCH])
    def destroy(self, request, *args, **kwargs):
        milestone = self.get_object()
        self.checked_version(milestone)
        services.milestone_remove(milestone=milestone, by=request.user)
        return self._response(None, status.HTTP_204_NO_CONTENT)

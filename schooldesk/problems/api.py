"""Problems and known errors in the API, scoped and filtered as the problem pages are (problem_list with the
problem pages' roles, ProblemFilterSet)."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied

from schooldesk.core.api import IF_MATCH, DeskSerializer, DeskViewSet, through_form, with_roles
from schooldesk.core.permissions import can
from schooldesk.problems import forms, services
from schooldesk.problems.choices import PROBLEM_ROLES
from schooldesk.problems.filtersets import ProblemFilterSet
from schooldesk.problems.models import Problem
from schooldesk.problems.selectors import problem_list, problem_school_ids
from schooldesk.problems.views import ACTIONS


def problems_for(user):
    return with_roles(problem_list(user=user), user, PROBLEM_ROLES)


class ProblemSerializer(DeskSerializer):
    reference = serializers.CharField(read_only=True)
    call_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Problem
        fields = [
            "id",
            "reference",
            "school",
            "title",
            "symptoms",
            "status",
            "priority",
            "category",
            "location",
            "asset",
            "device",
            "root_cause",
            "workaround",
            "workaround_audience",
            "resolution",
            "assigned_to",
            "raised_by",
            "due_on",
            "known_error_at",
            "resolved_at",
            "closed_at",
            "call_count",
            "version",
            "created_at",
            "updated_at",
        ]


PROBLEM_WRITE = (
    "The problem page's fields: school (where you have several), title, symptoms, priority, category, "
    "location, asset, device, assigned_to, due_on; on a change also root_cause, workaround, "
    "workaround_audience. A PATCH sends only what changes."
)


class ProblemLinkSerializer(serializers.Serializer):
    references = serializers.CharField(help_text="Call references, e.g. INC-000123, INC-000124.")


class ProblemStatusSerializer(serializers.Serializer):
    status = serializers.CharField()
    note = serializers.CharField(required=False, allow_blank=True)


class ProblemKnownErrorSerializer(serializers.Serializer):
    workaround = serializers.CharField()
    audience = serializers.CharField(help_text="Who may apply it: desk or reporter.")
    root_cause = serializers.CharField(required=False, allow_blank=True)


class ProblemResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField()
    root_cause = serializers.CharField(required=False, allow_blank=True)
    resolve_calls = serializers.BooleanField(required=False)


class ProblemCloseSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True)


class ProblemViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, DeskViewSet):
    """Problems (PRB-), with the number of calls linked to each. Raised and changed through `problem_create` /
    `problem_update`, validated by the problem page's form; the page's actions (link calls, known error, resolve,
    status, close) through the same forms and services, each with If-Match."""

    serializer_class = ProblemSerializer
    filterset_class = ProblemFilterSet
    selector = problems_for
    http_method_names = ["get", "post", "patch", "head", "options"]

    @extend_schema(request=OpenApiTypes.OBJECT, description=PROBLEM_WRITE)
    def create(self, request, *args, **kwargs):
        if not can(request.user, "problems.create"):  # the problem pages' own role check
            raise PermissionDenied(_("Only a school's ICT staff raise problems."))
        school_ids = problem_school_ids(user=request.user)
        form = through_form(forms.ProblemForm, request, instance=Problem(), school_ids=school_ids)
        data = dict(form.cleaned_data)
        data.pop("version", None)
        data.pop("school", None)  # the decided school is form.owner
        problem = services.problem_create(by=request.user, school=form.owner, **data)
        return self.detail_answer(problem, status.HTTP_201_CREATED)

    @extend_schema(request=OpenApiTypes.OBJECT, parameters=[IF_MATCH], description=PROBLEM_WRITE)
    def partial_update(self, request, *args, **kwargs):
        problem = self.get_object()
        version = self.checked_version(problem)
        school_ids = problem_school_ids(user=request.user)
        form = through_form(forms.ProblemForm, request, instance=problem, version=version, school_ids=school_ids)
        data = dict(form.cleaned_data)
        data.pop("school", None)
        return self.detail_answer(
            services.problem_update(problem=problem, by=request.user, version=data.pop("version", version), **data)
        )

    def _act(self, name: str):
        """One of the problem page's actions (problems/views.py ACTIONS): its form, then its service."""
        problem = self.get_object()
        version = self.checked_version(problem)
        form_class, perform, _success = ACTIONS[name]
        extra = {"problem": problem, "user": self.request.user} if form_class is forms.LinkForm else {}
        form = through_form(
            form_class, self.request, version=version if "version" in form_class.base_fields else None, **extra
        )
        perform(problem, self.request.user, form.cleaned_data)
        return self.detail_answer(problem)

    @extend_schema(request=ProblemLinkSerializer, responses=ProblemSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def link(self, request, pk=None):
        """Link calls of the problem's school to it (`problem_incidents_link`)."""
        return self._act("link")

    @extend_schema(request=ProblemKnownErrorSerializer, responses=ProblemSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], url_path="known-error")
    def known_error(self, request, pk=None):
        """Record (or change) the problem as a known error: its workaround and who may apply it."""
        return self._act("known_error")

    @extend_schema(request=ProblemResolveSerializer, responses=ProblemSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        return self._act("resolve")

    @extend_schema(request=ProblemStatusSerializer, responses=ProblemSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], url_path="status")
    def status_(self, request, pk=None):
        return self._act("status")

    @extend_schema(request=ProblemCloseSerializer, responses=ProblemSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._act("close")


class KnownErrorViewSet(DeskViewSet):
    """Known errors: the problems whose root cause and workaround are known (offered while a call is logged).
    Recorded and changed through a problem's `known-error` action, as on the problem page."""

    serializer_class = ProblemSerializer
    filterset_class = ProblemFilterSet

    @staticmethod
    def selector(user):
        return problems_for(user).filter(known_error_at__isnull=False)

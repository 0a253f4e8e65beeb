"""Problems and known errors in the API, scoped and filtered as the problem pages are (problem_list with the
problem pages' roles, ProblemFilterSet)."""

from rest_framework import serializers

from schooldesk.core.api import DeskSerializer, DeskViewSet, with_roles
from schooldesk.problems.choices import PROBLEM_ROLES
from schooldesk.problems.filtersets import ProblemFilterSet
from schooldesk.problems.models import Problem
from schooldesk.problems.selectors import problem_list


def problems_for(user):
    return with_roles(problem_list(user), user, PROBLEM_ROLES)


class ProblemSerializer(DeskSerializer):
    reference = serializers.CharField(read_only=True)
    call_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Problem
        fields = ["id", "reference", "school", "title", "symptoms", "status", "priority", "category", "location",
                  "asset", "device", "root_cause", "workaround", "workaround_audience", "resolution", "assigned_to",
                  "raised_by", "due_on", "known_error_at", "resolved_at", "closed_at", "call_count", "version",
                  "created_at", "updated_at"]


class ProblemViewSet(DeskViewSet):
    """Problems (PRB-), with the number of calls linked to each."""

    serializer_class = ProblemSerializer
    filterset_class = ProblemFilterSet
    selector = staticmethod(problems_for)


class KnownErrorViewSet(DeskViewSet):
    """Known errors: the problems whose root cause and workaround are known (offered while a call is logged)."""

    serializer_class = ProblemSerializer
    filterset_class = ProblemFilterSet

    @staticmethod
    def selector(user):
        return problems_for(user).filter(known_error_at__isnull=False)

"""Budgets in the API: each school's budget per financial year and spending category, for those the budgets page
lets in (BUDGET_VIEW_ROLES). A school's year is set as the budget page sets it: `budget_set` (the ICT owner), the
page's form for the amounts, and the year's digest (`budget_version`) as its ETag for If-Match."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied

from schooldesk.budgets.forms import BudgetForm
from schooldesk.budgets.models import Budget
from schooldesk.budgets.selectors import budget_api_list, budget_lines, budget_schools
from schooldesk.budgets.services import budget_set, budget_version
from schooldesk.core.api import IF_MATCH, DeskSerializer, DeskViewSet, PreconditionFailed, through_form
from schooldesk.core.permissions import require
from schooldesk.diary.selectors import financial_year


class BudgetSerializer(DeskSerializer):
    class Meta:
        model = Budget
        fields = ["id", "school", "year", "category", "amount", "set_by", "created_at", "updated_at"]


class BudgetYearSerializer(serializers.Serializer):
    school = serializers.IntegerField()
    year = serializers.IntegerField(help_text="The financial year starting in this year.")
    lines = serializers.DictField(
        child=serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True),
        help_text="{category: amount}; on a write, a line sent empty (null) is removed "
        "and a line not sent is left as it is.",
    )
    version = serializers.CharField(read_only=True, help_text="The year's digest: its ETag.")


YEAR_PARAMETERS = [
    OpenApiParameter(
        "school",
        OpenApiTypes.INT,
        OpenApiParameter.QUERY,
        required=False,
        description="Left out: the first of your schools.",
    ),
    OpenApiParameter(
        "year",
        OpenApiTypes.INT,
        OpenApiParameter.QUERY,
        required=False,
        description="Left out: the school's current financial year.",
    ),
]


class BudgetViewSet(DeskViewSet):
    """Budgets; `?school=<id>&year=<yyyy>` for one school's year. `year/` reads and sets one school's year."""

    serializer_class = BudgetSerializer
    filterset_fields = ["school", "year", "category"]

    @staticmethod
    def selector(user):
        return budget_api_list(user=user)

    def _school_and_year(self, source):
        schools = budget_schools(user=self.request.user)
        wanted = str(source.get("school") or "")
        school = get_object_or_404(schools, pk=int(wanted)) if wanted.isdecimal() else schools.first()
        if school is None:
            raise PermissionDenied(_("Only the ICT owner, the desk and governors read the budget."))
        year = str(source.get("year") or "")
        if not (year.isdecimal() and 2000 <= int(year) <= 2100):
            if year:
                raise serializers.ValidationError({"year": [_("Choose a financial year between 2000 and 2100.")]})
            year = financial_year(school.financial_year_start_month, timezone.localdate()).starts_on.year
        return school, int(year)

    def _year_answer(self, school, year, code=status.HTTP_200_OK):
        version = budget_version(school, year)
        answer = BudgetYearSerializer(
            {
                "school": school.pk,
                "year": year,
                "version": version,
                "lines": budget_lines(user=self.request.user, school=school, year=year),
            }
        )
        response = self._response(answer.data, code)
        response["ETag"] = f'"b{version}"'
        return response

    @extend_schema(methods=["GET"], parameters=YEAR_PARAMETERS, responses=BudgetYearSerializer)
    @extend_schema(
        methods=["POST"], request=BudgetYearSerializer, responses=BudgetYearSerializer, parameters=[IF_MATCH]
    )
    @action(detail=False, methods=["get", "post"], url_path="year", pagination_class=None, filter_backends=[])
    def year(self, request):
        """GET: one school's budget lines for a financial year, with the year's ETag. POST {school, year, lines}:
        set them (the ICT owner), as the budget page does; a stale If-Match answers 412."""
        if request.method == "GET":
            return self._year_answer(*self._school_and_year(request.query_params))
        school, year = self._school_and_year(request.data)
        require(request.user, "budgets.set", school)
        current = budget_version(school, year)
        sent = request.headers.get("If-Match", "").strip()
        if sent and sent != "*" and f'"b{current}"' not in [t.strip().removeprefix("W/") for t in sent.split(",")]:
            raise PreconditionFailed()
        lines = request.data.get("lines")
        if not isinstance(lines, dict) or not lines:
            raise serializers.ValidationError({"lines": [_("Give the lines to set: {category: amount}.")]})
        form = through_form(
            BudgetForm, request, data={**{k: ("" if v is None else v) for k, v in lines.items()}, "version": current}
        )
        amounts = {name: value for name, value in form.amounts().items() if name in lines}
        unknown = sorted(set(lines) - set(form.fields))
        if unknown:
            raise serializers.ValidationError({name: [_("Not a budget category.")] for name in unknown})
        budget_set(school=school, year=year, amounts=amounts, by=request.user, version=current)
        return self._year_answer(school, year)

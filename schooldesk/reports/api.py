"""The service report's figures as JSON (for an LA's or trust's own reporting, e.g. Power BI): the same
`service_report` and the same form as the service report page, so the same numbers and the same permission
answers (REPORT_ROLES; another school is not a choice)."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from schooldesk.core.permissions import can, refusal
from schooldesk.reports.forms import service_report_request
from schooldesk.reports.service_report import report_school_ids, service_report

#: what the page shows but a figure is not: the form's own objects (their keys and labels are given instead)
LEFT_OUT = {"period", "comparisons", "periods", "school", "schools", "columns"}


def plain(value):
    """The report's values as JSON: numbers stay numbers (money as a string, as elsewhere in the API), dates ISO,
    a record as {"id", "name"}."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return {"id": value.pk, "name": str(value)}
    if is_dataclass(value) and not isinstance(value, type):
        return plain(asdict(value))
    if isinstance(value, Promise):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def period_json(tag: str, period) -> dict:
    return {
        "tag": tag,
        "key": period.key,
        "kind": period.kind,
        "label": str(period.label),
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
    }


class PeriodSerializer(serializers.Serializer):
    tag = serializers.CharField(help_text="now, previous or last_year")
    key = serializers.CharField()
    kind = serializers.CharField()
    label = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()


class SchoolRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ServiceReportSerializer(serializers.Serializer):
    generated_at = serializers.DateTimeField()
    periods = PeriodSerializer(many=True, help_text="The period asked for, then what it is compared with.")
    schools = SchoolRefSerializer(many=True)
    figures = serializers.DictField(
        help_text="The report's figures by section (reactive, problems, licences, "
        "assets, contracts, changes, suppliers, spend), as on the page."
    )
    headlines = serializers.ListField(child=serializers.DictField())
    summary = serializers.ListField(child=serializers.CharField())
    questions = serializers.ListField(child=serializers.CharField())


class ServiceReportApiView(APIView):
    """The FITS service report's figures for a period (a term, half-term, month or school year: `?period=` takes a
    key from the answer's `periods`; the current term if left out) and `?school=` (all your schools if left out)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("period", OpenApiTypes.STR, description="e.g. month:2026-09-01:2026-09-30"),
            OpenApiParameter("school", OpenApiTypes.INT),
        ],
        responses=ServiceReportSerializer,
    )
    def get(self, request):
        today = timezone.localdate()
        if not can(request.user, "reports.view"):
            raise exceptions.PermissionDenied(refusal("reports.view"))
        school_ids = report_school_ids(user=request.user)
        form, asked = service_report_request(request.query_params, school_ids=school_ids, today=today)
        if asked is None:
            raise exceptions.ValidationError(
                {name: [e["message"] for e in errors] for name, errors in form.errors.get_json_data().items()}
            )
        report = service_report(request.user, **asked)
        return Response(
            {
                "generated_at": report["generated_at"],
                "periods": [period_json(tag, p) for tag, p in report["periods"]],
                "schools": [{"id": s.pk, "name": s.name} for s in report["schools"]],
                "figures": {
                    key: plain(value)
                    for key, value in report.items()
                    if key not in LEFT_OUT | {"generated_at", "today", "multi", "headlines", "summary", "questions"}
                },
                "headlines": plain(report["headlines"]),
                "summary": plain(report["summary"]),
                "questions": plain(report["questions"]),
            }
        )

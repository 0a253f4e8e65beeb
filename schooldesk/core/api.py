"""What every app's `api.py` shares (docs/decisions/0025): the base viewset (scoped by the app's selector, which
goes through `visible_to`), cursor pagination, `?fields=`, ETags and `If-Match`, and the one error shape.

An app's viewset names its selector and its filterset and calls its services for writes; it never saves a
serializer straight to the model. A service's ValidationError answers 400, its PermissionDenied 403, its
ConflictError 409, and a stale `If-Match` 412, each as {"error": {"code", "message", "fields"}}."""

from __future__ import annotations

import hashlib
import json

from django.apps import apps
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.utils.encoders import JSONEncoder

from schooldesk.core.access import access_for
from schooldesk.core.exceptions import ConflictError
from schooldesk.core.idempotency import IdempotentCreateMixin
from schooldesk.core.pagination import DeskCursorPagination


# --- errors ------------------------------------------------------------------------------------------------------
class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("Someone else changed this record after you read it. Read it again and retry.")
    default_code = "conflict"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("This record has changed since the ETag you sent in If-Match. Read it again and retry.")
    default_code = "precondition_failed"


def service_exception(exc):
    """A service's Django exception as REST framework's own (anything else unchanged)."""
    if isinstance(exc, ConflictError):
        return Conflict(" ".join(exc.messages))
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    return exc


def _first_message(detail) -> str:
    if isinstance(detail, dict):
        for value in detail.values():
            return _first_message(value)
        return ""
    if isinstance(detail, list):
        return _first_message(detail[0]) if detail else ""
    return str(detail)


def _codes(codes):
    if isinstance(codes, dict):
        return next((_codes(v) for v in codes.values()), "invalid")
    if isinstance(codes, list):
        return _codes(codes[0]) if codes else "invalid"
    return str(codes)


def api_exception_handler(exc, context):
    """Every API error in one shape: {"error": {"code": "...", "message": "...", "fields": {name: [messages]}}}.
    The audit trail's handler still runs first (refusals recorded: schooldesk/core/audit.py)."""
    from schooldesk.core.audit import api_exception_handler as audited

    exc = service_exception(exc)
    response = audited(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    detail = exc.detail
    fields = {}
    if isinstance(detail, dict):
        fields = {
            name: [str(m) for m in (msgs if isinstance(msgs, list) else [msgs])]
            for name, msgs in detail.items()
            if name not in ("non_field_errors", "detail")
        }
        message = _first_message(detail.get("non_field_errors") or detail.get("detail") or detail)
    elif isinstance(detail, list):
        message = _first_message(detail)
    else:
        message = str(detail)
    code = _codes(exc.get_codes())
    if isinstance(exc, exceptions.ValidationError):
        code = "invalid"
    response.data = {"error": {"code": code, "message": message, "fields": fields}}
    return response


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="invalid, not_authenticated, permission_denied, not_found, conflict, "
        "precondition_failed, throttled, …"
    )
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()


# --- lists and columns -------------------------------------------------------------------------------------------
class FieldsMixin:
    """`?fields=id,reference,status` answers only those columns of a GET (unknown names are ignored)."""

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        wanted = request.query_params.get("fields", "") if request is not None and request.method == "GET" else ""
        parent = self.parent
        top = parent is None or (isinstance(parent, serializers.ListSerializer) and parent.parent is None)
        if wanted and top:
            keep = {name.strip() for name in wanted.split(",")}
            fields = {name: field for name, field in fields.items() if name in keep}
        return fields


class DeskSerializer(FieldsMixin, serializers.ModelSerializer):
    def include_extra_kwargs(self, kwargs, extra_kwargs):
        """A read-only field that may be blank still says so, so the schema allows the "" it answers."""
        blank = kwargs.get("allow_blank")
        kwargs = super().include_extra_kwargs(kwargs, extra_kwargs)
        if blank and kwargs.get("read_only"):
            kwargs["allow_blank"] = True
        return kwargs

    @property
    def reader(self):
        """The signed-in person the answer is for (None while the schema is generated)."""
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return user if getattr(user, "is_authenticated", False) else None


# --- ETags -------------------------------------------------------------------------------------------------------
def _version_field(model) -> bool:
    try:
        field = model._meta.get_field("version")
    except Exception:
        return False
    return isinstance(field, models.IntegerField)


def etag_for(instance, data) -> str:
    """The record's `version` where it keeps one (changed by every service write), else a hash of its answer."""
    if _version_field(type(instance)):
        return f'"v{instance.version}"'
    body = json.dumps(data, cls=JSONEncoder, sort_keys=True).encode()
    return '"h' + hashlib.sha256(body).hexdigest()[:20] + '"'


def version_from(etag: str) -> int | None:
    etag = etag.strip().removeprefix("W/").strip('"')
    return int(etag[1:]) if etag.startswith("v") and etag[1:].isdigit() else None


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="The ETag of the record as you last read it: a stale one answers 412.",
)
FIELDS = OpenApiParameter(
    "fields",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    required=False,
    description="Comma-separated column names to answer (all if left out).",
)


# --- the base viewset --------------------------------------------------------------------------------------------
@extend_schema_view(list=extend_schema(parameters=[FIELDS]), retrieve=extend_schema(parameters=[FIELDS]))
class DeskViewSet(IdempotentCreateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Read: list (cursor pages, the app's filterset) and detail (with an ETag). `selector(user=...)` is the app's
    scoped queryset (`visible_to`), so another school's record is 404, never a refusal that names it."""

    pagination_class = DeskCursorPagination
    selector = None  # the app's selector: selector(user=...) -> queryset
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the viewset for the schema
            return self.get_serializer_class().Meta.model.objects.none()
        return type(self).selector(user=self.request.user)

    def filter_queryset(self, queryset):
        """The list's filters choose rows of a list; a detail address names its record whatever they say."""
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        data = self.get_serializer(instance).data
        etag = self.etag(instance)
        if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
            response = self._response(None, status.HTTP_304_NOT_MODIFIED)
        else:
            response = self._response(data)
        response["ETag"] = etag
        return response

    def _response(self, data, code=status.HTTP_200_OK):
        from rest_framework.response import Response

        return Response(data, status=code)

    def checked_version(self, instance) -> int | None:
        """Compare `If-Match` with the record; a stale one answers 412. Returns the version the client read (from
        If-Match, else the body's `version`, else the record's own), for the service's own conflict check."""
        sent = self.request.headers.get("If-Match", "")
        if sent and sent.strip() != "*":
            current = self.etag(instance)
            tags = [tag.strip().removeprefix("W/") for tag in sent.split(",")]
            if current not in tags:
                raise PreconditionFailed()
            return version_from(current) if _version_field(type(instance)) else None
        if not _version_field(type(instance)):
            return None
        body = self.request.data.get("version") if hasattr(self.request.data, "get") else None
        return int(body) if str(body or "").isdigit() else instance.version

    def detail_answer(self, instance, code=status.HTTP_200_OK):
        """The record as a detail answer, after a write: fresh from the selector, with its new ETag."""
        instance = self.get_queryset().get(pk=instance.pk)
        data = self.get_serializer(instance).data
        response = self._response(data, code)
        response["ETag"] = self.etag(instance)
        return response

    def etag(self, instance) -> str:
        """The record's ETag: the same for a detail answer, after a write and for `If-Match`, whatever `?fields=`."""
        if _version_field(type(instance)):
            return etag_for(instance, None)
        full = self.get_serializer_class()(instance, context={**self.get_serializer_context(), "request": None})
        return etag_for(instance, full.data)


def schools_with(user, roles):
    """The schools in which the user holds one of `roles`: a `school` field's choices on a create."""
    return apps.get_model("schools", "School").objects.filter(pk__in=access_for(user).school_ids(roles))


def with_roles(queryset, user, roles, field: str = "school_id"):
    """Narrow a `visible_to` queryset to the schools where the web page's role check would let the user in."""
    access = access_for(user)
    return queryset.filter(access.schools_q(roles, field)) if access.school_ids(roles) else queryset.none()


# --- writes through the web page's own form ----------------------------------------------------------------------
class _FormData(dict):
    """A request body for a Django form: a multiple-choice field reads a single value as a list of one (a
    form-encoded body's `support_days=1`), as it would from the page's own post."""

    def getlist(self, key, default=None):
        value = self.get(key, default)
        return value if isinstance(value, list) else ([] if value is None else [value])


def _plain(data) -> dict:
    """The request body as a plain dict (a form-encoded body's single values unwrapped)."""
    if hasattr(data, "lists"):
        return {name: values[0] if len(values) == 1 else values for name, values in data.lists()}
    return dict(data)


def through_form(form_class, request, *, instance=None, version: int | None = None, data: dict | None = None, **kwargs):
    """Validate an API write with the web page's own form (its choices, scoping and rules), so that the API and
    the page take the same answers (`data`: the body as the page's fields, where the API names them otherwise).
    A write starts from the record as the page would show it (a new one's defaults), so a PATCH sends only
    what changes. Returns the valid
    form (its `instance` filled in) for the service; an invalid one answers 400 with the form's messages."""
    data = _plain(request.data) if data is None else data
    if instance is not None:
        kwargs["instance"] = instance
    if instance is not None:
        shown = form_class(**kwargs)
        data = {**{name: shown[name].value() for name in shown.fields if shown[name].value() is not None}, **data}
    if version is not None:
        data["version"] = version
    form = form_class(_FormData(data), **kwargs)
    if not form.is_valid():
        errors = {
            ("non_field_errors" if name == "__all__" else name): [str(m) for m in messages]
            for name, messages in form.errors.items()
        }
        raise exceptions.ValidationError(errors)
    return form

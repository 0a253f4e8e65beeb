"""API creates that can be retried safely (docs/decisions/0014): a client sends an `Idempotency-Key` header with a
create; the first request with that key does the work and its answer (status and body) is kept, per person, for
KEY_HOURS; a retry with the same key and the same body gets that answer again, without a second record; the same
key with a different body is refused with 422. A request without the header is handled as before.

The API's base viewset (core/api.py DeskViewSet) carries IdempotentCreateMixin, whose `__init_subclass__` wraps the
`create` of every viewset that has one, inherited from CreateModelMixin or written by the viewset itself: no API
create can leave it out."""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from schooldesk.core.models import IdempotencyKey

HEADER = "Idempotency-Key"
KEY_HOURS = 24
MAX_KEY_LENGTH = 255


def request_fingerprint(request) -> str:
    """What makes two requests "the same": the method, the path and the body's data (as parsed, keys sorted)."""
    data = request.data
    if hasattr(data, "lists"):  # a form-encoded or multipart body
        data = {key: values for key, values in data.lists()}
    body = json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder, default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("This Idempotency-Key was used with a different request. Use a new key for a new request.")
    default_code = "idempotency_key_reused"


class KeyInUse(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The first request with this Idempotency-Key is still being handled.")
    default_code = "idempotency_key_in_use"


IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="Any unique text (a UUID) per create: a retry with the same key and body gets the first answer, "
    "not a second record; the same key with a different body is refused with 422. Kept 24 hours.",
)


def idempotent(create):
    """`create` made to honour an `Idempotency-Key` header."""

    @functools.wraps(create)
    def wrapped(self, request, *args, **kwargs):
        key = request.headers.get(HEADER, "").strip()
        if not key:
            return create(self, request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            raise exceptions.ValidationError(
                _("An Idempotency-Key has at most %(n)s characters.") % {"n": MAX_KEY_LENGTH}
            )
        fingerprint, now = request_fingerprint(request), timezone.now()
        with transaction.atomic():
            IdempotencyKey.objects.filter(user=request.user, key=key, expires_at__lt=now).delete()
            try:
                with transaction.atomic():  # a retry arriving meanwhile waits here for the first to finish
                    record = IdempotencyKey.objects.create(
                        user=request.user, key=key, fingerprint=fingerprint, expires_at=now + timedelta(hours=KEY_HOURS)
                    )
            except IntegrityError:
                return self._replay(IdempotencyKey.objects.get(user=request.user, key=key), fingerprint)
            response = create(self, request, *args, **kwargs)  # an error rolls the key back: a retry runs
            record.status_code = response.status_code
            record.body = json.dumps(response.data, cls=DjangoJSONEncoder)
            record.save(update_fields=["status_code", "body"])
        return response

    wrapped.is_idempotent = True
    return extend_schema(parameters=[IDEMPOTENCY_PARAMETER])(wrapped)


class IdempotentCreateMixin:
    """Every `create` of a subclass honours an `Idempotency-Key` header (see the module's docstring)."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        create = getattr(cls, "create", None)
        if create is not None and not getattr(create, "is_idempotent", False):
            cls.create = idempotent(create)

    def _replay(self, record: IdempotencyKey, fingerprint: str) -> Response:
        if record.fingerprint != fingerprint:
            raise KeyReused()
        if record.status_code is None:  # cannot happen once the first has committed; said plainly if it does
            raise KeyInUse()
        response = Response(json.loads(record.body), status=record.status_code)
        response["Idempotent-Replayed"] = "true"
        return response

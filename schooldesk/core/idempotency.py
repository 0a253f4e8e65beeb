"""API creates that can be retried safely (docs/decisions/0014): a client sends an `Idempotency-Key` header with a
create; the first request with that key does the work and its answer (status and body) is kept, per person, for
KEY_HOURS; a retry with the same key and the same body gets that answer again, without a second record; the same
key with a different body is refused with 422. A request without the header is handled as before.

Used as a mixin on a DRF viewset (`class IncidentViewSet(IdempotentCreateMixin, ..., CreateModelMixin, ...)`), so
every future API create gets it by adding one base class."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
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


class IdempotentCreateMixin:
    """`create` honours an `Idempotency-Key` header (see the module's docstring)."""

    @extend_schema(parameters=[OpenApiParameter(
        HEADER, str, OpenApiParameter.HEADER, required=False,
        description="Any unique text (a UUID) per create: a retry with the same key and body gets the first answer, "
                    "not a second record; the same key with a different body is refused with 422. Kept 24 hours.")])
    def create(self, request, *args, **kwargs):
        key = request.headers.get(HEADER, "").strip()
        if not key:
            return super().create(request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            return Response({"detail": _("An Idempotency-Key has at most %(n)s characters.") % {"n": MAX_KEY_LENGTH}},
                            status=status.HTTP_400_BAD_REQUEST)
        fingerprint, now = request_fingerprint(request), timezone.now()
        with transaction.atomic():
            IdempotencyKey.objects.filter(user=request.user, key=key, expires_at__lt=now).delete()
            try:
                with transaction.atomic():  # a retry arriving meanwhile waits here for the first to finish
                    record = IdempotencyKey.objects.create(user=request.user, key=key, fingerprint=fingerprint,
                                                           expires_at=now + timedelta(hours=KEY_HOURS))
            except IntegrityError:
                return self._replay(IdempotencyKey.objects.get(user=request.user, key=key), fingerprint)
            response = super().create(request, *args, **kwargs)  # an error rolls the key back: a retry runs
            record.status_code = response.status_code
            record.body = json.dumps(response.data, cls=DjangoJSONEncoder)
            record.save(update_fields=["status_code", "body"])
        return response

    def _replay(self, record: IdempotencyKey, fingerprint: str) -> Response:
        if record.fingerprint != fingerprint:
            return Response({"detail": _("This Idempotency-Key was used with a different request. Use a new key "
                                         "for a new request.")}, status=status.HTTP_422_UNPROCESSABLE_ENTITY)
        if record.status_code is None:  # cannot happen once the first has committed; said plainly if it does
            return Response({"detail": _("The first request with this Idempotency-Key is still being handled.")},
                            status=status.HTTP_409_CONFLICT)
        response = Response(json.loads(record.body), status=record.status_code)
        response["Idempotent-Replayed"] = "true"
        return response

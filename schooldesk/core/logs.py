"""Log lines that say which request, person and school they concern, as text or as one JSON object a line.

RequestIdMiddleware (schooldesk/core/middleware.py) opens a request's context; the filter copies it onto every
record; JsonFormatter writes a fixed set of fields only. Objects passed to a logger in `extra` (Django passes the
whole request with its errors) are never written, so neither are form fields, passwords or message bodies.
Standard library only.
"""

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

from django.utils.functional import empty

_context: ContextVar[dict | None] = ContextVar("schooldesk_log_context", default=None)

#: written when a record carries them (the request line of the middleware); nothing else from `extra` is
EXTRA_FIELDS = ("method", "path", "status", "duration_ms")


def context_open(*, request_id: str, request) -> object:
    """Start a request's context; give the token to context_close."""
    return _context.set({"request_id": request_id, "request": request, "school_id": None})


def context_close(token) -> None:
    _context.reset(token)


def note_school(school_id: int | None) -> None:
    """The school the request works on (the record's own school), once a view knows it."""
    context = _context.get()
    if context is not None and school_id:
        context["school_id"] = school_id


def _user(request):
    """The signed-in person, only if the request has already loaded them (a log line never costs a query)."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user if getattr(user, "is_authenticated", False) else None


def current() -> dict:
    """{request_id, user_id, school_id} of the request being served (None outside a request or where unknown)."""
    context = _context.get()
    if context is None:
        return {"request_id": None, "user_id": None, "school_id": None}
    user = _user(context["request"])
    school_id = context["school_id"]
    if school_id is None and user is not None:  # a person of one school: that school
        access = getattr(user, "_schooldesk_access", None)  # cached by access_for: never a query here
        schools = list(getattr(access, "roles_by_school", None) or ())
        school_id = schools[0] if len(schools) == 1 else None
    return {"request_id": context["request_id"], "user_id": user.pk if user else None, "school_id": school_id}


class RequestContextFilter(logging.Filter):
    """Puts request_id, user_id and school_id on every record (None where unknown). Never drops one."""

    def filter(self, record):
        for key, value in current().items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


class TextFormatter(logging.Formatter):
    """One line for a person reading a terminal or the journal; "-" where the request is not known."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record):
        if getattr(record, "request_id", None) is None:  # on a copy: the record goes on to other handlers
            record = logging.makeLogRecord({**record.__dict__, "request_id": "-"})
        return super().format(record)


class JsonFormatter(logging.Formatter):
    """One JSON object a line, for a log collector: time (UTC), level, logger, message, request_id, user_id,
    school_id, the request line's fields, and the traceback of an exception."""

    def format(self, record):
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "user_id", "school_id", *EXTRA_FIELDS):
            value = getattr(record, key, None)
            if value is not None:
                line[key] = value if isinstance(value, int | float) else str(value)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def sentry_before_send(event, hint):
    """Sentry (when SENTRY_DSN is set): the request id and school as tags, the person by id only."""
    now = current()
    tags = event.setdefault("tags", {})
    for key in ("request_id", "school_id"):
        if now[key] is not None:
            tags[key] = str(now[key])
    if now["user_id"] is not None:
        event["user"] = {"id": str(now["user_id"])}
    return event

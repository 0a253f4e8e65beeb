"""Every request gets an id: the proxy's X-Request-ID when it sends a sensible one, else a new one. It is on
every log line written while the request is served and goes back in the response's X-Request-ID header, so
one line in nginx's log, the desk's log and Sentry can be matched."""

import logging
import re
import time
import uuid

from django.utils.cache import add_never_cache_headers
from django.utils.log import log_response

from schooldesk.core import logs

HEADER = "X-Request-ID"
_SENSIBLE = re.compile(r"[A-Za-z0-9._:@+=-]{1,128}")  # no spaces, quotes or line breaks to forge a log line
request_logger = logging.getLogger("schooldesk.request")


def request_id_for(request) -> str:
    given = request.headers.get(HEADER, "")
    return given if _SENSIBLE.fullmatch(given) else uuid.uuid4().hex


class RequestIdMiddleware:
    """First in MIDDLEWARE, so that a redirect or an error page has the id too. One INFO line a request
    (schooldesk.request: method, path without its query string, status, time): shown with LOG_LEVEL=INFO."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_for(request)
        token = logs.context_open(request_id=request.request_id, request=request)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[HEADER] = request.request_id
            if response.status_code >= 400:  # Django's own "Not Found: /path" line, written here to carry the id
                log_response("%s: %s", response.reason_phrase, request.path, response=response, request=request)
            request_logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000),
                },
            )
            return response
        finally:
            logs.context_close(token)


class NoStoreMiddleware:
    """Nothing the desk answers is kept by a browser's or a proxy's cache (docs/decisions/0015): a call page, above
    all a restricted one, an API answer or a download is personal. Every response to a signed-in person and every
    /api/ response says `Cache-Control: no-store` (with Django's other never-cache headers), whatever the view set;
    another response keeps a Cache-Control its view chose (the calendar feed, /health/) and gets no-store otherwise.
    Static files never reach it: WhiteNoise answers them earlier in MIDDLEWARE, with their own long caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            not response.has_header("Cache-Control")
            or request.path.startswith("/api/")
            or (user is not None and user.is_authenticated)
        ):
            add_never_cache_headers(response)
        return response

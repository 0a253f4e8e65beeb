"""A real HTTP receiver on loopback (a thread), answering each POST with the next status of its script."""

import threading
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest.mock import patch

import pytest


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes


@dataclass
class Receiver:
    url: str
    answers: list = field(default_factory=list)  # the status codes to answer with, in turn (then 200)
    requests: list = field(default_factory=list)


@pytest.fixture
def receiver():
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.requests.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            status = state.answers.pop(0) if state.answers else 200
            text = b"receiver says no" if status >= 400 else b"ok"
            self.send_response(status)
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            self.wfile.write(text)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/schooldesk"
    yield state
    server.shutdown()
    server.server_close()


@dataclass
class Clock:
    now: datetime


@pytest.fixture
def clock():
    """Controls the time the services read (django.utils.timezone.now), as incidents/tests/test_sla.py does."""
    from django.utils import timezone

    state = Clock(timezone.now().replace(microsecond=0))
    with patch("django.utils.timezone.now", side_effect=lambda: state.now):
        yield state

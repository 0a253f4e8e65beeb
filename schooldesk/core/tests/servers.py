"""Helpers for the tests that start real servers on loopback (Dovecot, SMTP, clamd, HTTP stand-ins)."""

import os
import socket

import pytest


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def skip_or_fail(reason: str):
    """A server the tests need is missing: skipped on a developer's machine, a failure in CI (where
    SCHOOLDESK_REQUIRE_BROWSER is set, because `make system-deps` must have installed it)."""
    if os.environ.get("SCHOOLDESK_REQUIRE_BROWSER"):
        pytest.fail(f"{reason}, and SCHOOLDESK_REQUIRE_BROWSER is set", pytrace=False)
    pytest.skip(reason)

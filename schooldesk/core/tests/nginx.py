"""Debian's nginx in front of the live server with the proxy configuration README.md documents
(deploy/nginx.conf.example, with only its names, ports and certificate paths substituted, as `make deploy-check`
substitutes them), for the tests that must see what the desk sees behind it: the client's address comes only from
the X-Real-IP nginx sets. Started once per test session on loopback ports with a throwaway certificate; stopped by
its PID. Without nginx (`make system-deps` installs it) the tests that need it are skipped, or fail when
SCHOOLDESK_REQUIRE_BROWSER is set, as in CI.

A `Visitor` is a browser at one loopback address: Linux routes the whole of 127.0.0.0/8 to the loopback interface,
so 127.0.0.2 and 127.0.0.3 reach nginx as two different visitors, and nginx passes each on as its own X-Real-IP.

Import the fixture into the test module: `from schooldesk.core.tests.nginx import nginx  # noqa: F401`."""

import functools
import http.client
import re
import shutil
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from schooldesk.core.tests.servers import free_port, skip_or_fail

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "deploy" / "nginx.conf.example"


@dataclass
class Nginx:
    base: str  # https://localhost:PORT
    https_port: int
    cafile: str


def _site(example: str, *, https_port: int, http_port: int, upstream: str, certificates: Path) -> str:
    """The example with this run's ports, upstream and certificate, nothing else changed (deploy/check.sh's sed)."""
    site = (
        example.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
        .replace("listen 443 ", f"listen 127.0.0.1:{https_port} ")
        .replace("server 127.0.0.1:8000;", f"server {upstream};")
        .replace("desk.example.sch.uk", "localhost")
        .replace("/etc/ssl/schooldesk/", f"{certificates}/")
    )
    assert f"server {upstream};" in site and f"listen 127.0.0.1:{https_port} ssl" in site, "the example has changed"
    return site


@pytest.fixture(scope="session")
def nginx(live_server):
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists() or not shutil.which("openssl"):
        skip_or_fail("nginx or openssl is not installed (run `make system-deps`): nothing tested through the proxy")
    root = Path(tempfile.mkdtemp(prefix="sd-nginx-"))
    root.chmod(0o711)  # nginx's workers (nobody or www-data when run as root) reach their temporary files in it
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"]  # noqa: S607
        + ["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]
        + ["-keyout", str(root / "privkey.pem"), "-out", str(root / "fullchain.pem")],
        check=True,
        capture_output=True,
    )
    https_port, http_port = free_port(), free_port()
    upstream = urllib.parse.urlsplit(live_server.url).netloc
    (root / "schooldesk.conf").write_text(
        _site(EXAMPLE.read_text(), https_port=https_port, http_port=http_port, upstream=upstream, certificates=root)
    )
    temporary = "\n".join(
        f"    {kind}_temp_path {root / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (root / "nginx.conf").write_text(
        f"""daemon off;
worker_processes 1;
pid {root / "nginx.pid"};
error_log {root / "error.log"};
events {{ worker_connections 64; }}
http {{
    default_type application/octet-stream;
    access_log {root / "access.log"};
{temporary}
    include {root / "schooldesk.conf"};
}}
"""
    )
    command = [binary, "-p", str(root), "-e", str(root / "error.log"), "-c", str(root / "nginx.conf")]
    checked = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True, check=False)  # noqa: S603
    if checked.returncode:
        pytest.fail(f"nginx refuses the example configuration: {checked.stderr}", pytrace=False)
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    server = Nginx(base=f"https://localhost:{https_port}", https_port=https_port, cafile=str(root / "fullchain.pem"))
    deadline = time.monotonic() + 15
    while True:
        try:
            Visitor(server, "127.0.0.1").get("/health/")
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"nginx did not start: {(root / 'error.log').read_text()[-600:]}", pytrace=False)
            time.sleep(0.05)
    yield server
    process.terminate()
    process.wait(timeout=10)
    shutil.rmtree(root, ignore_errors=True)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to look at, not to follow


class Visitor:
    """A browser at `address` (127.0.0.N), with its own cookies, speaking HTTPS to nginx."""

    def __init__(self, server: Nginx, address: str):
        self.server = server
        context = ssl.create_default_context(cafile=server.cafile)
        connection = functools.partial(http.client.HTTPSConnection, source_address=(address, 0))

        class Bound(urllib.request.HTTPSHandler):
            def https_open(self, request):
                return self.do_open(connection, request, context=context)

        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(
            Bound(), urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirects()
        )

    def request(self, method: str, path: str, data: dict | None = None, headers: dict | None = None):
        """(status, body) of one request; a form post carries the Origin a browser sends."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.server.base + path, data=body, method=method, headers=headers or {})
        if body is not None:
            request.add_header("Origin", self.server.base)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def get(self, path: str, headers: dict | None = None):
        return self.request("GET", path, headers=headers)

    def sign_in(self, username: str, password: str, headers: dict | None = None) -> int:
        """The sign-in form as rendered (its CSRF token), sent with these credentials: the answer's status."""
        _status, page = self.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, "the sign-in page has no CSRF token"
        status, _body = self.request(
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": token.group(1), "username": username, "password": password},
            headers,
        )
        return status

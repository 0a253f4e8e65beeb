"""Real mail servers on loopback for the mail tests: no mocked mail library.

- SMTP: aiosmtpd's Controller on 127.0.0.1 (a free port) receives what we send; the `smtp` fixture
  points Django's SMTP backend at it and hands the received messages back parsed.
- IMAP: Debian's Dovecot (`make system-deps` installs dovecot-imapd), started once per test session
  (per xdist worker) as a subprocess with a temporary configuration: loopback only, plaintext sign-in
  allowed (loopback, tests only), any user name with the password `desk-secret` (a static passdb),
  Maildir in a temporary directory. As root, Dovecot's own unprivileged users run the login and mail
  processes (it refuses to run them as root); otherwise everything runs as the current user. Each
  test gets its own IMAP user, so its own empty mailbox; test mail is delivered with IMAP APPEND.
- OAuth 2: a small HTTP server on loopback stands in for the provider's token endpoint (Microsoft's
  and Google's cannot be reached from here) and for the token introspection Dovecot's oauth2 passdb
  calls, so XOAUTH2 sign-in is tested end to end against Dovecot.
Without Dovecot the IMAP tests skip with the reason, unless SCHOOLDESK_REQUIRE_BROWSER is set (CI): then
they fail.
"""

from __future__ import annotations

import base64
import email
import email.policy
import grp
import imaplib
import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from schooldesk.core.tests.servers import free_port, skip_or_fail

DOVECOT = Path("/usr/sbin/dovecot")
IMAP_PASSWORD = "desk-secret"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# --- SMTP -------------------------------------------------------------------------------------
class SmtpSink:
    def __init__(self):
        self.envelopes = []
        self.refuse = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@dataclass
class Outbox:
    sink: SmtpSink
    port: int

    @property
    def messages(self) -> list:
        return [email.message_from_bytes(e.content, policy=email.policy.default) for e in self.sink.envelopes]

    def to(self, address: str) -> list:
        return [
            m
            for e, m in zip(self.sink.envelopes, self.messages, strict=True)
            if address.lower() in [r.lower() for r in e.rcpt_tos]
        ]

    def clear(self) -> None:
        self.sink.envelopes.clear()

    def refuse(self, on: bool = True) -> None:
        self.sink.refuse = on


@pytest.fixture(scope="session")
def smtp_server():
    from aiosmtpd.controller import Controller

    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port(), server_hostname="localhost")
    controller.start()
    yield controller, sink
    controller.stop()


@pytest.fixture
def smtp(smtp_server, settings) -> Outbox:
    """Django sends through SMTP to the aiosmtpd server; returns what it received."""
    controller, sink = smtp_server
    sink.envelopes.clear()
    sink.refuse = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = False, "", ""
    settings.EMAIL_TIMEOUT = 10
    return Outbox(sink, controller.port)


# --- SMTP with AUTH (a mailbox sending as itself) -----------------------------------------------
SMTP_PASSWORD = "smtp-secret"  # noqa: S105 - the test server's one password


class AuthSink(SmtpSink):
    """Accepts AUTH PLAIN/LOGIN with SMTP_PASSWORD and AUTH XOAUTH2 with an access token the OAuth stand-in
    issued for that very user; records who signed in for each message."""

    def __init__(self, oauth):
        super().__init__()
        self.oauth = oauth
        self.signed_in = []  # (mechanism, user) of each message, in order

    async def auth_XOAUTH2(self, server, args):  # noqa: N802 - aiosmtpd finds mechanisms by this name
        from aiosmtpd.smtp import AuthResult

        raw = args[1] if len(args) > 1 else await server.challenge_auth("", encode_to_b64=False)
        try:
            fields = dict(part.split("=", 1) for part in base64.b64decode(raw).decode().split("\x01") if part)
        except (ValueError, TypeError):
            return AuthResult(success=False, handled=False)
        user, token = fields.get("user", ""), fields.get("auth", "").removeprefix("Bearer ")
        if self.oauth.access_tokens.get(token) != user:
            return AuthResult(success=False, handled=False, message="535 5.7.3 Authentication unsuccessful")
        return AuthResult(success=True, auth_data=("XOAUTH2", user))

    def authenticator(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        ok = auth_data.password.decode() == SMTP_PASSWORD
        return AuthResult(success=ok, handled=False, auth_data=(mechanism, auth_data.login.decode()) if ok else None)

    async def handle_DATA(self, server, session, envelope):
        self.signed_in.append(session.auth_data if session.authenticated else None)
        return await super().handle_DATA(server, session, envelope)


@dataclass
class AuthOutbox(Outbox):
    @property
    def signed_in(self) -> list:
        return self.sink.signed_in


@pytest.fixture(scope="session")
def smtp_auth_server(oauth_server):
    from aiosmtpd.controller import Controller

    sink = AuthSink(oauth_server)
    controller = Controller(
        sink,
        hostname="127.0.0.1",
        port=free_port(),
        server_hostname="localhost",
        auth_require_tls=False,
        authenticator=sink.authenticator,
    )
    controller.start()
    yield controller, sink
    controller.stop()


@pytest.fixture
def smtp_auth(smtp_auth_server) -> AuthOutbox:
    """A second real SMTP server, for a mailbox's own account: what it received and who signed in for it."""
    controller, sink = smtp_auth_server
    sink.envelopes.clear()
    sink.signed_in.clear()
    return AuthOutbox(sink, controller.port)


# --- the OAuth provider stand-in ----------------------------------------------------------------
@dataclass
class OAuthServer:
    port: int
    refresh_tokens: dict = field(default_factory=dict)  # refresh token -> user
    access_tokens: dict = field(default_factory=dict)  # access token -> user
    codes: dict = field(default_factory=dict)  # authorisation code -> user
    requests: list = field(default_factory=list)
    rotate: bool = True

    @property
    def token_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/token"

    def grant(self, user: str) -> str:
        token = f"refresh-{secrets.token_hex(8)}"
        self.refresh_tokens[token] = user
        return token

    def answer(self, path: str, form: dict) -> tuple[int, dict]:
        self.requests.append((path, form))
        if path == "/introspect":
            user = self.access_tokens.get(form.get("token", ""))
            return 200, ({"active": "true", "email": user} if user else {"active": "false"})
        user = None
        if form.get("grant_type") == "refresh_token":
            user = self.refresh_tokens.get(form.get("refresh_token", ""))
        elif form.get("grant_type") == "authorization_code":
            user = self.codes.pop(form.get("code", ""), None)
        if user is None or form.get("client_secret") != "client-secret":
            return 400, {"error": "invalid_grant", "error_description": "AADSTS70000: The grant is expired or revoked."}
        access = f"access-{secrets.token_hex(8)}"
        self.access_tokens[access] = user
        answer = {"access_token": access, "token_type": "Bearer", "expires_in": 3599}
        if self.rotate or form.get("grant_type") == "authorization_code":
            answer["refresh_token"] = self.grant(user)
        return 200, answer


@pytest.fixture(scope="session")
def oauth_server():
    state = OAuthServer(port=free_port())

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            status, answer = state.answer(self.path, form)
            body = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", state.port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


# --- IMAP (Dovecot) ---------------------------------------------------------------------------
@dataclass
class Dovecot:
    host: str
    port: int
    root: Path

    def account(self) -> str:
        return f"desk-{uuid.uuid4().hex[:12]}@imap.test"

    def connect(self, user: str) -> imaplib.IMAP4:
        conn = imaplib.IMAP4(self.host, self.port, timeout=10)
        conn.login(user, IMAP_PASSWORD)
        return conn

    def deliver(self, user: str, raw: bytes, folder: str = "INBOX") -> None:
        conn = self.connect(user)
        try:
            status, data = conn.append(folder, None, None, raw)
            assert status == "OK", data
        finally:
            conn.logout()

    def flags(self, user: str) -> dict[int, str]:
        conn = self.connect(user)
        try:
            conn.select("INBOX")
            _status, data = conn.uid("FETCH", "1:*", "(FLAGS)")
            found = {}
            for line in data or ():
                if isinstance(line, bytes) and b"UID" in line:
                    parts = line.decode().replace("(", " ").replace(")", " ").split()
                    found[int(parts[parts.index("UID") + 1])] = " ".join(p for p in parts if p.startswith("\\"))
            return found
        finally:
            conn.logout()


def _dovecot_config(root: Path, port: int, oauth_port: int) -> Path:
    if os.geteuid() == 0:  # Dovecot will not run its login or mail processes as root
        internal = "dovecot" if _user_exists("dovecot") else "nobody"
        login = "dovenull" if _user_exists("dovenull") else "nobody"
        mail_user = pwd.getpwnam(internal)
    else:
        internal = login = pwd.getpwuid(os.getuid()).pw_name
        mail_user = pwd.getpwuid(os.getuid())
    group = grp.getgrgid(mail_user.pw_gid).gr_name
    (root / "mail").mkdir()
    if os.geteuid() == 0:
        os.chown(root / "mail", mail_user.pw_uid, mail_user.pw_gid)
    (root / "oauth2.conf.ext").write_text(
        f"introspection_mode = post\nintrospection_url = http://127.0.0.1:{oauth_port}/introspect\n"
        "username_attribute = email\nactive_attribute = active\nactive_value = true\nforce_introspection = yes\n"
    )
    config = root / "dovecot.conf"
    config.write_text(f"""
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2
auth_failure_delay = 0
default_internal_user = {internal}
default_internal_group = {group}
default_login_user = {login}
first_valid_uid = {mail_user.pw_uid}
first_valid_gid = {mail_user.pw_gid}
mail_location = maildir:{root}/mail/%u
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
passdb {{
  driver = static
  mechanisms = plain login
  args = password={IMAP_PASSWORD}
}}
passdb {{
  driver = oauth2
  mechanisms = xoauth2
  args = {root}/oauth2.conf.ext
}}
userdb {{
  driver = static
  args = uid={mail_user.pw_uid} gid={mail_user.pw_gid} home={root}/mail/%u
}}
""")
    return config


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


@pytest.fixture(scope="session")
def dovecot(oauth_server):
    if not DOVECOT.exists():
        skip_or_fail(f"Dovecot is not installed at {DOVECOT} (run `make system-deps`)")
    root = Path(tempfile.mkdtemp(prefix="sd-dovecot-"))
    root.chmod(0o755)
    port = free_port()
    config = _dovecot_config(root, port, oauth_server.port)
    process = subprocess.Popen(
        [str(DOVECOT), "-F", "-c", str(config)],
        stdout=subprocess.PIPE,  # noqa: S603
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 15
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                if sock.recv(100).startswith(b"* OK"):
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
            output = process.stdout.read().decode() if process.stdout else ""
            skip_or_fail(f"Dovecot did not start: {output} {log}".strip()[:600])
        time.sleep(0.1)
    yield Dovecot(host="127.0.0.1", port=port, root=root)
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def imap_user(dovecot) -> str:
    """A fresh, empty IMAP mailbox for this test."""
    return dovecot.account()

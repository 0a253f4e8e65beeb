"""A real ClamAV daemon for the upload tests: Debian's clamd (`make system-deps` installs clamav-daemon), started
once per test session with a temporary configuration, listening on a unix socket in a temporary directory and on a
loopback TCP port. freshclam cannot reach the internet here, so its database directory holds one signature of our
own, for the EICAR test string (a body signature: found wherever the string is in a file), and it loads in about a
tenth of a second. Without clamd the tests that need it are skipped (failed when SCHOOLDESK_REQUIRE_BROWSER is set,
as in CI), saying so.

Import the fixture into the test module: `from schooldesk.core.tests.clamd import clamd  # noqa: F401`
(`clamd_small_stream` is a second daemon that reads at most 1 MB of a file, as an installation's limit would).

What the tests do not exercise: ClamAV's own signature databases (freshclam's main/daily/bytecode), which a server
downloads and this machine cannot, so clamd's detection of real malware is ClamAV's to prove, not ours; and clamd
over a network to another machine (the TCP socket here is loopback)."""

import getpass
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from schooldesk.core.tests.servers import free_port, skip_or_fail

CLAMD = Path("/usr/sbin/clamd")
#: the anti-virus test file (eicar.org): harmless, and every scanner's signature for "found something"
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
SIGNATURE = "SchoolDesk.Test.EICAR"


@dataclass
class Clamd:
    unix_socket: str
    tcp_address: str
    root: Path


def _answers(path: str) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(1)
            sock.connect(path)
            sock.sendall(b"zPING\0")
            return sock.recv(16).startswith(b"PONG")
    except OSError:
        return False


@pytest.fixture(scope="session")
def clamd():
    yield from _clamd("20M")


@pytest.fixture(scope="session")
def clamd_small_stream():
    """A second clamd that reads at most 1 MB of a stream (StreamMaxLength 1M), to meet its answer to a larger one."""
    yield from _clamd("1M")


def _clamd(stream_max_length: str):
    if not CLAMD.exists():
        skip_or_fail(
            f"ClamAV's clamd is not installed at {CLAMD} (run `make system-deps`): uploads not scanned "
            "against a real clamd"
        )
    root = Path(tempfile.mkdtemp(prefix="sd-clamd-"))
    (root / "db").mkdir()
    (root / "db" / "schooldesk-test.ndb").write_text(f"{SIGNATURE}:0:*:{EICAR.hex()}\n")
    port = free_port()
    unix_socket = str(root / "clamd.sock")
    user = f"User {getpass.getuser()}\n" if os.geteuid() == 0 else ""  # as root clamd would switch to clamav
    (root / "clamd.conf").write_text(
        f"LocalSocket {unix_socket}\nTCPSocket {port}\nTCPAddr 127.0.0.1\nDatabaseDirectory {root / 'db'}\n"
        f"TemporaryDirectory {root}\nLogFile {root / 'clamd.log'}\nPidFile {root / 'clamd.pid'}\nForeground yes\n"
        f"StreamMaxLength {stream_max_length}\n{user}"
    )
    with open(root / "clamd.out", "wb") as output:  # a file, not a pipe nobody reads (a full pipe stops clamd)
        process = subprocess.Popen(
            [str(CLAMD), "-c", str(root / "clamd.conf")],  # noqa: S603
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while not _answers(unix_socket):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log = (root / "clamd.log").read_text() if (root / "clamd.log").exists() else ""
            skip_or_fail(f"clamd did not start: {(root / 'clamd.out').read_text()} {log}".strip()[-600:])
        time.sleep(0.05)
    yield Clamd(unix_socket=unix_socket, tcp_address=f"127.0.0.1:{port}", root=root)
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    shutil.rmtree(root, ignore_errors=True)

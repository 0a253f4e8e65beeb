"""Every uploaded file is scanned before it is kept (docs/decisions/0015).

`scan(upload)` is the one function the upload check (`core.uploads.attachment_validate`) calls. The scanner
is ClamAV's daemon, clamd, when SCHOOLDESK_CLAMD_SOCKET names its socket (a path: a unix socket; host:port: TCP),
else none. clamd's INSTREAM command is spoken here (a few lines; no library): "zINSTREAM\\0", the file in chunks each
led by its length as four bytes, big-endian, then a zero length; clamd answers "stream: OK" or
"stream: <signature> FOUND". A file clamd finds something in is refused; so is every file while clamd cannot be
reached or answers something else (fail closed), with a log line for whoever runs the server."""

import logging
import socket
import struct

from django.conf import settings

logger = logging.getLogger(__name__)
CHUNK = 64 * 1024


class ScanRefused(Exception):
    """The file is not kept: `message` says why, for the person who sent it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def scan(upload) -> None:
    """Raise ScanRefused when the scanner finds something in `upload` or cannot say; nothing when it is clean or no
    scanner is set. The file is read from the start and left at the start."""
    address = settings.SCHOOLDESK_CLAMD_SOCKET
    if not address:
        return
    name = getattr(upload, "name", "") or "the file"
    try:
        answer = _instream(address, upload)
    except (OSError, ValueError) as exc:  # ValueError: a port that is not a number
        logger.error("Upload refused: the virus scanner (clamd at %s) could not be reached: %s", address, exc)
        raise ScanRefused(
            f"“{name}” could not be checked for viruses just now, so it was not kept. "
            "Try again in a few minutes; if it keeps happening, tell the service desk."
        ) from exc
    finally:
        upload.seek(0)
    if answer.endswith(" FOUND"):
        signature = answer.removeprefix("stream:").removesuffix(" FOUND").strip()
        logger.warning("Upload refused: clamd found %s in %r", signature, name)
        raise ScanRefused(f"“{name}” was not kept: the virus scanner found {signature} in it.")
    if answer != "stream: OK":
        logger.error("Upload refused: clamd at %s answered %r", address, answer[:200])
        raise ScanRefused(
            f"“{name}” could not be checked for viruses, so it was not kept. If it is larger than "
            "usual, send a smaller file; otherwise tell the service desk."
        )


def _connect(address: str) -> socket.socket:
    timeout = settings.SCHOOLDESK_CLAMD_TIMEOUT
    if address.startswith("/"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(address)
        except OSError:
            sock.close()
            raise
        return sock
    host, _sep, port = address.rpartition(":")
    return socket.create_connection((host.strip("[]"), int(port)), timeout=timeout)


def _instream(address: str, upload) -> str:
    upload.seek(0)
    with _connect(address) as sock:
        sock.sendall(b"zINSTREAM\0")
        try:
            while chunk := upload.read(CHUNK):
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
        except BrokenPipeError:
            pass  # clamd stopped reading (its StreamMaxLength): its answer says so
        answer = b""
        while not answer.endswith(b"\0"):
            part = sock.recv(4096)
            if not part:
                break
            answer += part
    return answer.rstrip(b"\0").decode(errors="replace").strip()

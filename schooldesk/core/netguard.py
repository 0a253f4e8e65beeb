"""Connections to a host and port that a person typed (a mailbox's IMAP or SMTP server; later, webhooks).

Without care such a setting is a port scanner on the school's or LA's network: "connect to 10.0.0.5:22 and
show me what it said". So, before any connection the desk opens to an address a person gave:

- the port must be one the installation allows for that service (`ports`, e.g. IMAP 993 and 143);
- the host is resolved once, every address it resolves to must be a public one (no loopback, link-local,
  private, shared, multicast or reserved range) unless the installation allows its own network
  (`SCHOOLDESK_ALLOW_PRIVATE_HOSTS`), and the connection is then made to the address that was checked, so a
  second DNS answer cannot point it somewhere else (DNS rebinding). TLS still checks the certificate
  against the host name.

`checked_address(host, port, ports=...)` returns the (address, port) to connect to, or raises
`AddressRefused` with a message fit for the person (it never says what was found there).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable

from django.conf import settings
from django.utils.translation import gettext as _


class AddressRefused(Exception):
    """The desk will not connect there: the message says why, for the person who typed it."""


def ports_setting(value: str | Iterable[int]) -> frozenset[int] | None:
    """ "993,143" -> {993, 143}; "*" -> None (any port)."""
    if isinstance(value, str):
        if value.strip() == "*":
            return None
        return frozenset(int(p) for p in value.replace(" ", "").split(",") if p)
    return frozenset(value)


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def private_allowed() -> bool:
    return bool(getattr(settings, "SCHOOLDESK_ALLOW_PRIVATE_HOSTS", False))


def checked_address(host: str, port: int, *, ports: frozenset[int] | None) -> tuple[str, int]:
    """Resolve `host` once and return the address to connect to, if the installation allows it."""
    host = (host or "").strip().rstrip(".")
    if not host:
        raise AddressRefused(_("Give the server's name."))
    if ports is not None and port not in ports:
        allowed = ", ".join(str(p) for p in sorted(ports))
        raise AddressRefused(_("This installation only connects to ports %(ports)s.") % {"ports": allowed})
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise AddressRefused(_("Could not connect.")) from exc
    addresses = list(dict.fromkeys(info[4][0] for info in answers))
    if not addresses:
        raise AddressRefused(_("Could not connect."))
    if not private_allowed() and not all(is_public(a) for a in addresses):
        raise AddressRefused(_("This installation does not connect to addresses on a private or local network."))
    return addresses[0], port


def connect(address: tuple[str, int], timeout: float) -> socket.socket:
    """A TCP connection to an address `checked_address` returned (never a name: no second look-up)."""
    return socket.create_connection(address, timeout=timeout)

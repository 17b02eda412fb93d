"""No test may reach past this machine: every connection, datagram and name lookup to
anything but loopback is refused before a packet leaves, and recorded.

Installed once for the whole session by conftest.py; the conftest fixture fails any test
during which something tried (code under test may catch the refusal as a "network error",
so the record, not the exception, is what fails the test). tests/unit/test_fetch_guard.py
proves the guard refuses without calling the real socket functions.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
from typing import Any

violations: list[str] = []
REAL: dict[str, Any] = {
    "connect": socket.socket.connect,
    "connect_ex": socket.socket.connect_ex,
    "sendto": socket.socket.sendto,
    "getaddrinfo": socket.getaddrinfo,
}
_LOOPBACK_NAMES = {"localhost", "localhost.", "ip6-localhost"}


def is_loopback_host(host: Any) -> bool:
    if host is None:
        return True  # getaddrinfo(None, port): the local wildcard, nothing leaves
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _address_allowed(sock: socket.socket, address: Any) -> bool:
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return True  # Unix sockets and the like stay on the machine
    return isinstance(address, tuple) and is_loopback_host(address[0])


def _refuse(what: str) -> OSError:
    violations.append(what)
    return OSError(errno.ENETUNREACH, f"refused by the test network guard: {what}")


def _connect(self: socket.socket, address: Any) -> None:
    if not _address_allowed(self, address):
        raise _refuse(f"connect to {address!r}")
    return REAL["connect"](self, address)


def _connect_ex(self: socket.socket, address: Any) -> int:
    if not _address_allowed(self, address):
        raise _refuse(f"connect_ex to {address!r}")
    return REAL["connect_ex"](self, address)


def _sendto(self: socket.socket, data: Any, *args: Any) -> int:
    address = args[-1]
    if not _address_allowed(self, address):
        raise _refuse(f"sendto {address!r}")
    return REAL["sendto"](self, data, *args)


def _getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if not is_loopback_host(host):
        violations.append(f"name lookup of {host!r}")
        raise socket.gaierror(socket.EAI_NONAME, f"refused by the test network guard: {host!r}")
    return REAL["getaddrinfo"](host, *args, **kwargs)


def install() -> None:
    socket.socket.connect = _connect  # type: ignore[method-assign]  # the guard replaces the socket methods
    socket.socket.connect_ex = _connect_ex  # type: ignore[method-assign]  # the guard replaces the socket methods
    socket.socket.sendto = _sendto  # type: ignore[method-assign, assignment]  # the guard replaces the socket methods
    socket.getaddrinfo = _getaddrinfo


def installed() -> bool:
    return (
        socket.socket.connect is _connect
        and socket.socket.connect_ex is _connect_ex
        and socket.socket.sendto is _sendto
        and socket.getaddrinfo is _getaddrinfo
    )

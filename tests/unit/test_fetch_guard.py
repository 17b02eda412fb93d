"""The session-wide network guard (tests/netguard.py) is installed and refuses everything
but loopback before the real socket call is made.

The proof swaps the guard's "real" functions for recorders: a refused call must never
reach them, so even a broken guard sends nothing anywhere from this test.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from typing import Any

import pytest

import netguard


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, Any]]]:
    calls: list[tuple[str, Any]] = []
    for name in ("connect", "connect_ex", "sendto"):
        monkeypatch.setitem(
            netguard.REAL, name, lambda sock, *args, _n=name: calls.append((_n, args[-1]))
        )
    monkeypatch.setitem(
        netguard.REAL, "getaddrinfo", lambda host, *a, **k: calls.append(("getaddrinfo", host))
    )
    yield calls
    netguard.violations.clear()  # this test's own refusals are the point, not a failure


def test_the_guard_is_installed_for_the_whole_session() -> None:
    assert netguard.installed()


@pytest.mark.parametrize(
    "address",
    [("192.0.2.1", 443), ("10.0.0.1", 80), ("93.184.216.34", 443), ("::ffff:192.0.2.1", 1)],
)
def test_connections_past_loopback_are_refused_unsent(
    recorded: list[tuple[str, Any]], address: tuple[str, int]
) -> None:
    family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        with pytest.raises(OSError, match="refused by the test network guard"):
            sock.connect(address)
        with pytest.raises(OSError, match="refused by the test network guard"):
            sock.connect_ex(address)
    with (
        socket.socket(family, socket.SOCK_DGRAM) as sock,
        pytest.raises(OSError, match="refused by the test network guard"),
    ):
        sock.sendto(b"x", address)
    assert recorded == []
    assert len(netguard.violations) == 3


def test_name_lookups_past_loopback_are_refused_unsent(
    recorded: list[tuple[str, Any]],
) -> None:
    for name in ("example.com", "public.api.bsky.app", b"hn.algolia.com"):
        with pytest.raises(socket.gaierror):
            socket.getaddrinfo(name, 443)
    assert recorded == []
    assert len(netguard.violations) == 3


def test_loopback_goes_through(recorded: list[tuple[str, Any]]) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.connect(("127.0.0.1", 9))
    socket.getaddrinfo("localhost", 80)
    socket.getaddrinfo("::1", 80)
    assert recorded == [
        ("connect", ("127.0.0.1", 9)),
        ("getaddrinfo", "localhost"),
        ("getaddrinfo", "::1"),
    ]
    assert netguard.violations == []


def test_a_refusal_caught_by_the_code_still_fails_the_test(
    recorded: list[tuple[str, Any]],
) -> None:
    """Code under test may turn the refusal into a "no network" message; the conftest
    fixture fails the test all the same, from the record."""
    import conftest

    check = conftest._no_network.__wrapped__()  # type: ignore[attr-defined]  # pytest's fixture wrapper keeps the function
    next(check)
    # Swallowed, as a fetcher would.
    with socket.socket() as sock, contextlib.suppress(OSError):
        sock.connect(("192.0.2.1", 80))
    with pytest.raises(pytest.fail.Exception, match=r"tried to reach the network.*192\.0\.2\.1"):
        next(check)
    assert recorded == []


def test_child_processes_of_pty_tests_carry_the_guard() -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    site = Path(__file__).parents[1] / "netguard_site"
    done = subprocess.run(
        [sys.executable, "-c", "import netguard; print(netguard.installed())"],
        env={**os.environ, "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "True"

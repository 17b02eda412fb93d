"""The client's promises (issue #12, "Behaving well on the network"), each against the
loopback server: retries and backoff (sleeps recorded, never waited), Retry-After and its
bound, timeouts, cut-off and oversized bodies, redirects, origins, headers."""

from __future__ import annotations

import asyncio
import errno
import socket
import ssl
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import pytest

from fetch_server import FetchServer, Reply
from threadtui import __version__
from threadtui.fetch.client import Client, Limits
from threadtui.fetch.errors import (
    BadResponse,
    FetchError,
    NotFound,
    RateLimited,
    Refused,
    TooLarge,
)
from threadtui.fetch.progress import Progress


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def get(server: FetchServer, path: str, sleeps: Sleeps | None = None, **limits: Any) -> Any:
    progress: list[Progress] = []

    async def run() -> Any:
        client = Client(
            limits=Limits(**{"backoff": 1.0, "retries": 3, **limits}),
            progress=progress.append,
            sleep=sleeps or Sleeps(),
        )
        client.allow(server.base)
        async with client:
            value, _ = await client.get_json(server.base, path, what="the thing")
            return value

    return asyncio.run(run())


def test_a_500_is_retried_with_doubling_backoff(fetch_server: FetchServer) -> None:
    fetch_server.add("/x", Reply(500), Reply(502), Reply(503), {"ok": True})
    sleeps = Sleeps()
    assert get(fetch_server, "/x", sleeps) == {"ok": True}
    assert sleeps.waits == [1.0, 2.0, 4.0]
    assert len(fetch_server.requests("/x")) == 4


def test_backoff_is_capped(fetch_server: FetchServer) -> None:
    fetch_server.add("/x", Reply(500), Reply(500), Reply(500), {"ok": True})
    sleeps = Sleeps()
    get(fetch_server, "/x", sleeps, backoff=5.0, max_backoff=8.0)
    assert sleeps.waits == [5.0, 8.0, 8.0]


def test_5xx_past_the_retries_is_one_line(fetch_server: FetchServer) -> None:
    fetch_server.add("/x", Reply(503))
    with pytest.raises(FetchError) as caught:
        get(fetch_server, "/x", retries=2)
    assert str(caught.value).endswith("failed (HTTP 503) 3 times in a row; try again later")
    assert len(fetch_server.requests("/x")) == 3


def test_5xx_asked_once_says_what_failed_and_no_more(fetch_server: FetchServer) -> None:
    # A caller that asks once (Hacker News' first Algolia request, with the walk ready)
    # says itself what happens next: no "1 times in a row", no "try again later".
    fetch_server.add("/x", Reply(500))
    with pytest.raises(FetchError) as caught:
        get(fetch_server, "/x", retries=0)
    assert str(caught.value).endswith("failed (HTTP 500)")
    assert len(fetch_server.requests("/x")) == 1


def test_a_retry_after_date_is_read(fetch_server: FetchServer) -> None:
    fetch_server.add(
        "/x", Reply(429, headers={"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"}), {"ok": 1}
    )
    with pytest.raises(FetchError) as caught:
        get(fetch_server, "/x")
    assert "rate" in str(caught.value).lower()


def test_429_waits_as_long_as_retry_after_says(fetch_server: FetchServer) -> None:
    fetch_server.add("/x", Reply(429, headers={"Retry-After": "7"}), {"ok": 1})
    sleeps = Sleeps()
    assert get(fetch_server, "/x", sleeps) == {"ok": 1}
    assert sleeps.waits == [7.0]


def test_retry_after_as_an_http_date(fetch_server: FetchServer) -> None:
    when = format_datetime(datetime(2030, 1, 1, tzinfo=UTC), usegmt=True)
    fetch_server.add("/x", Reply(429, headers={"Retry-After": when}), {"ok": 1})
    sleeps = Sleeps()

    async def run() -> None:
        client = Client(
            sleep=sleeps, wall_clock=lambda: datetime(2030, 1, 1, tzinfo=UTC).timestamp() - 12
        )
        client.allow(fetch_server.base)
        async with client:
            await client.get_json(fetch_server.base, "/x")

    asyncio.run(run())
    assert sleeps.waits == [12.0]


def test_retry_after_past_the_bound_stops_at_once_and_says_when(
    fetch_server: FetchServer,
) -> None:
    fetch_server.add("/x", Reply(429, headers={"Retry-After": "3600"}))
    sleeps = Sleeps()
    with pytest.raises(RateLimited) as caught:
        get(fetch_server, "/x", sleeps)
    assert sleeps.waits == []
    assert caught.value.retry_after == 3600
    assert str(caught.value).endswith("rate limited this client; try again in about 60 minutes")


def test_429_without_retry_after_backs_off_then_gives_up(fetch_server: FetchServer) -> None:
    fetch_server.add("/x", Reply(429))
    sleeps = Sleeps()
    with pytest.raises(RateLimited, match="try again in a few minutes"):
        get(fetch_server, "/x", sleeps, retries=2)
    assert sleeps.waits == [1.0, 2.0]


def test_rate_limit_waits_are_reported(fetch_server: FetchServer) -> None:
    fetch_server.add("/x", Reply(429, headers={"Retry-After": "3"}), {"ok": 1})
    progress: list[Progress] = []

    async def run() -> None:
        client = Client(progress=progress.append, sleep=Sleeps())
        client.allow(fetch_server.base)
        async with client:
            await client.get_json(fetch_server.base, "/x")

    asyncio.run(run())
    waits = [p for p in progress if p.waiting is not None]
    assert [p.waiting for p in waits] == [3.0]
    assert "rate limited" in waits[0].note


def test_a_stalled_server_times_out_and_is_retried(fetch_server: FetchServer) -> None:
    fetch_server.add("/x", Reply(stall=True), {"ok": 1})
    sleeps = Sleeps()
    assert get(fetch_server, "/x", sleeps, read_timeout=0.2) == {"ok": 1}
    assert sleeps.waits == [1.0]


def test_a_server_that_never_answers_is_one_line(fetch_server: FetchServer) -> None:
    fetch_server.add("/x", Reply(stall=True))
    with pytest.raises(FetchError, match=r"did not answer in time$"):
        get(fetch_server, "/x", read_timeout=0.1, retries=1)


def test_a_body_cut_off_is_retried(fetch_server: FetchServer) -> None:
    fetch_server.add("/x", Reply(body={"ok": "x" * 1000}, truncate=100), {"ok": 2})
    sleeps = Sleeps()
    assert get(fetch_server, "/x", sleeps) == {"ok": 2}
    assert sleeps.waits == [1.0]


def test_a_body_always_cut_off_is_one_line(fetch_server: FetchServer) -> None:
    fetch_server.add("/x", Reply(body={"ok": "x" * 1000}, truncate=100))
    with pytest.raises(FetchError, match="closed the connection before the response was complete"):
        get(fetch_server, "/x", retries=1)


@pytest.mark.parametrize("no_length", [False, True])
def test_an_oversized_body_is_refused(fetch_server: FetchServer, no_length: bool) -> None:
    fetch_server.add("/x", Reply(body=b"[" + b"1," * 50_000 + b"1]", chunked_no_length=no_length))
    with pytest.raises(TooLarge, match="sent a response over 0 MiB; stopped"):
        get(fetch_server, "/x", max_response_bytes=10_000)


def test_the_whole_fetch_has_a_size_cap(fetch_server: FetchServer) -> None:
    fetch_server.add("/x", Reply(body=b"[" + b"1," * 5000 + b"1]"))

    async def run() -> None:
        client = Client(limits=Limits(max_total_bytes=25_000))
        client.allow(fetch_server.base)
        async with client:
            for _ in range(3):
                await client.get_json(fetch_server.base, "/x")

    with pytest.raises(TooLarge, match="in all; stopped"):
        asyncio.run(run())


def test_a_redirect_to_another_host_is_refused(fetch_server: FetchServer) -> None:
    port = fetch_server.base.rsplit(":", 1)[1]
    # 127.0.0.2 is loopback too: if the client did follow, nothing would leave the machine.
    fetch_server.add("/x", Reply(302, headers={"Location": f"http://127.0.0.2:{port}/y"}))
    with pytest.raises(FetchError) as caught:
        get(fetch_server, "/x")
    assert str(caught.value) == (
        f"127.0.0.1:{port} redirected to another host (127.0.0.2:{port}); threadtui asks only"
        " the API it was given, so it stopped (if the thread moved, open its new address)"
    )
    assert [r.path for r in fetch_server.requests()] == ["/x"]


def test_a_redirect_on_the_same_host_is_followed(fetch_server: FetchServer) -> None:
    fetch_server.add("/x", Reply(301, headers={"Location": "/y"}))
    fetch_server.add("/y", {"moved": True})
    assert get(fetch_server, "/x") == {"moved": True}


def test_endless_redirects_end(fetch_server: FetchServer) -> None:
    fetch_server.add("/x", Reply(302, headers={"Location": "/x"}))
    with pytest.raises(FetchError, match="redirected more than 5 times"):
        get(fetch_server, "/x")


@pytest.mark.parametrize(
    ("status", "error", "text"),
    [
        (404, NotFound, "has no the thing (deleted, or it never existed)"),
        (410, NotFound, "deleted, or it never existed"),
        (401, Refused, "refuses the thing (HTTP 401): it is private, blocked, or needs a login"),
        (403, Refused, "(HTTP 403)"),
        (418, BadResponse, "answered HTTP 418"),
    ],
)
def test_statuses_become_one_line_each(
    fetch_server: FetchServer, status: int, error: type[Exception], text: str
) -> None:
    fetch_server.add("/x", Reply(status, {"error": "x"}))
    with pytest.raises(error) as caught:
        get(fetch_server, "/x")
    assert text in str(caught.value) and "\n" not in str(caught.value)


def test_not_json_is_a_bad_response(fetch_server: FetchServer) -> None:
    fetch_server.add("/x", Reply(body=b"<html>captive portal</html>"))
    with pytest.raises(BadResponse, match="that is not JSON, as its API documents"):
        get(fetch_server, "/x")


def test_user_agent_names_threadtui_and_its_version(fetch_server: FetchServer) -> None:
    fetch_server.add("/x", {"ok": 1})
    get(fetch_server, "/x")
    agent = fetch_server.requests("/x")[0].headers["user-agent"]
    assert agent.startswith(f"threadtui/{__version__}")


def test_only_registered_origins_are_asked(fetch_server: FetchServer) -> None:
    async def run() -> None:
        client = Client()
        async with client:
            await client.get(fetch_server.base, "/x")

    with pytest.raises(AssertionError, match="origin not derived"):
        asyncio.run(run())
    assert fetch_server.requests() == []


def test_a_token_goes_to_its_origin_only(fetch_server: FetchServer) -> None:
    fetch_server.add("/x", {"ok": 1})
    port = fetch_server.base.rsplit(":", 1)[1]
    other = f"http://localhost:{port}"

    async def run() -> None:
        client = Client()
        client.allow(fetch_server.base)
        client.allow(other)
        client.token(fetch_server.base, "tok-1")
        async with client:
            await client.get(fetch_server.base, "/x")
            await client.get(other, "/x")

    asyncio.run(run())
    sent = [r.headers.get("authorization") for r in fetch_server.requests("/x")]
    assert sent == ["Bearer tok-1", None]


def test_requests_per_host_are_limited(fetch_server: FetchServer) -> None:
    import threading

    lock = threading.Lock()
    state = {"now": 0, "most": 0}
    gate = threading.Event()

    def answer(request: Any) -> Any:
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
            if state["most"] >= 2:
                gate.set()
        gate.wait(5)
        with lock:
            state["now"] -= 1
        return {"ok": 1}

    fetch_server.answer("/x", answer)

    async def run() -> None:
        client = Client(limits=Limits(per_host=2))
        client.allow(fetch_server.base)
        async with client:
            await asyncio.gather(*(client.get(fetch_server.base, "/x") for _ in range(8)))

    asyncio.run(run())
    assert state["most"] == 2
    assert len(fetch_server.requests("/x")) == 8


def test_tls_verification_cannot_be_turned_off() -> None:
    import inspect

    from threadtui.fetch import client

    source = inspect.getsource(client)
    assert "verify=True" in source and "verify=False" not in source


@pytest.mark.parametrize(
    ("cause", "text"),
    [
        (socket.gaierror(-2, "Name or service not known"), "cannot find h:1 (DNS)"),
        (ConnectionRefusedError(111, "refused"), "h:1 refused the connection"),
        (ssl.SSLCertVerificationError(1, "bad"), "its TLS certificate did not verify"),
        (OSError(errno.ENETUNREACH, "unreachable"), "no network"),
        (OSError(errno.EPIPE, "odd"), None),
    ],
)
def test_connect_problems_are_named(cause: BaseException, text: str | None) -> None:
    import httpx

    from threadtui.fetch.client import _connect_problem

    error = httpx.ConnectError("All connection attempts failed")
    error.__cause__ = cause
    problem = _connect_problem("https://h:1/x", error)
    assert problem == text if text is None else text in (problem or "")


def test_proxies_from_the_environment_are_not_used(
    fetch_server: FetchServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A proxy named in the environment would see every request and any token with it:
    # threadtui talks to the API it was given, directly.
    proxy = FetchServer()
    try:
        proxy.add("/x", {"via": "proxy"})
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
            monkeypatch.setenv(name, proxy.base)
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
        fetch_server.add("/x", {"via": "direct"})
        assert get(fetch_server, "/x") == {"via": "direct"}
        assert proxy.requests() == []
    finally:
        proxy.stop()


def test_httpcore_finds_its_async_library_without_an_import_per_request() -> None:
    # httpcore asks sniffio which event loop runs at every lock it makes, several per
    # request, and falls back to asyncio when `import sniffio` fails; Python does not
    # remember a failed import, so without sniffio each request paid a search of sys.path
    # (~0.15 ms each, a quarter of the client's CPU in a 2,000-item walk). anyio stopped
    # bringing it (4.11), so threadtui asks for it (pyproject.toml).
    import importlib.util

    assert importlib.util.find_spec("sniffio") is not None

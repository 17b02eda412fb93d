"""The one HTTP client every fetcher goes through, and the rules it keeps.

Why one place: the promises made to users and to the platforms (issue #12, "Behaving well
on the network") must hold for every request, so no fetcher builds its own. This module:

- asks only hosts a fetcher registered (the URL the user gave and the API bases derived
  from it); anything else is a bug and fails loudly;
- refuses plain http except to loopback, never turns TLS verification off, and follows a
  redirect only to the same scheme, host and port;
- limits concurrent requests per host, and the size of each body and of the whole fetch;
- retries 429, 5xx and dropped connections with exponential backoff, honouring
  `Retry-After` up to a bound (beyond it, the fetch stops and says when to retry);
- sends a token only to the one host it was given for, and never puts a header into a
  message.

Sleeping and the clock are injected so tests can check backoff without waiting.
"""

from __future__ import annotations

import asyncio
import errno
import socket
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

import orjson

from threadtui import __version__
from threadtui.fetch.errors import (
    BadResponse,
    FetchError,
    NotFound,
    RateLimited,
    Refused,
    TooLarge,
    check_base,
    is_loopback,
)
from threadtui.fetch.options import Limits
from threadtui.fetch.progress import Progress, ProgressCallback

if TYPE_CHECKING:
    # Imported where a request is made: importing the fetch layer must not pay for
    # loading the HTTP stack (~60 ms) before a request goes out (the early fetch imports
    # it in its worker thread, beside Textual's import).
    import httpx

__all__ = [
    "BadResponse",
    "Client",
    "FetchError",
    "Limits",
    "NotFound",
    "RateLimited",
    "Refused",
    "TooLarge",
    "check_base",
    "is_loopback",
]

USER_AGENT = f"threadtui/{__version__} (+https://github.com/threadtui)"


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.lower()}"


Sleep = Callable[[float], Awaitable[None]]


@dataclass(slots=True)
class Stats:
    requests: int = 0
    bytes: int = 0
    retries: int = 0
    posts: int = 0
    expected: int | None = None


@dataclass(slots=True)
class Client:
    """One per fetch. Use as `async with Client(...) as client:`."""

    limits: Limits = field(default_factory=Limits)
    progress: ProgressCallback | None = None
    sleep: Sleep = asyncio.sleep
    wall_clock: Callable[[], float] = time.time
    """Now, in epoch seconds: what a Retry-After date is counted from."""
    transport: httpx.AsyncBaseTransport | None = None
    """Tests may pass one; real fetches use httpx's own (TLS verified)."""
    stats: Stats = field(default_factory=Stats)
    _allowed: set[str] = field(default_factory=set)
    _tokens: dict[str, str] = field(default_factory=dict)
    _semaphores: dict[str, asyncio.Semaphore] = field(default_factory=dict)
    _http: httpx.AsyncClient | None = None

    def allow(self, base: str) -> None:
        """Let requests go to this origin (an API base or the server the URL names)."""
        self._allowed.add(origin(base))

    def token(self, base: str, token: str) -> None:
        """Send `Authorization: Bearer token` to this origin, and to no other."""
        self._tokens[origin(base)] = token

    async def __aenter__(self) -> Client:
        import httpx

        timeout = httpx.Timeout(
            connect=self.limits.connect_timeout,
            read=self.limits.read_timeout,
            write=self.limits.read_timeout,
            pool=None,
        )
        self._http = httpx.AsyncClient(
            # verify=True is httpx's default; said here so no edit can drop it unseen.
            verify=True,
            timeout=timeout,
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            transport=self.transport,
            # Environment proxies could send tokens to a third host; threadtui names its own.
            trust_env=False,
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def report(
        self,
        note: str = "",
        *,
        posts: int | None = None,
        waiting: float | None = None,
        expected: int | None = None,
    ) -> None:
        if posts is not None:
            self.stats.posts = posts
        if expected is not None:
            self.stats.expected = expected
        if self.progress is not None:
            self.progress(
                Progress(
                    requests=self.stats.requests,
                    posts=self.stats.posts,
                    expected=self.stats.expected,
                    waiting=waiting,
                    note=note,
                )
            )

    async def get_json(
        self,
        base: str,
        path: str,
        params: dict[str, Any] | None = None,
        *,
        what: str = "",
        retries: int | None = None,
    ) -> tuple[Any, bytes]:
        """GET base+path?params and parse JSON; the value and the raw body. `retries`
        lowers the limit's retries for a request that has a fallback."""
        body = await self.get(base, path, params, what=what, retries=retries)
        try:
            return orjson.loads(body), body
        except orjson.JSONDecodeError:
            raise BadResponse(
                f"{_host(base)} sent {what or path} that is not JSON, as its API documents;"
                " try again later, or report it if it persists"
            ) from None

    async def get(
        self,
        base: str,
        path: str,
        params: dict[str, Any] | None = None,
        *,
        what: str = "",
        retries: int | None = None,
    ) -> bytes:
        url = base.rstrip("/") + path
        if params:
            url += "?" + urlencode(params, doseq=True)
        limit = self.limits.retries if retries is None else min(retries, self.limits.retries)
        return await self._get(url, what or path, limit)

    async def _get(self, url: str, what: str, retries: int) -> bytes:
        key = origin(url)
        if key not in self._allowed:
            # A fetcher asked for a host the user never named: never send it.
            raise AssertionError(f"threadtui: refused request to an origin not derived: {key}")
        semaphore = self._semaphores.setdefault(key, asyncio.Semaphore(self.limits.per_host))
        attempt = 0
        while True:
            async with semaphore:
                try:
                    status, headers, body, final = await self._once(url)
                except _Retryable as problem:
                    status, headers, body, final = 0, {}, b"", url
                    reason = problem.reason
                else:
                    reason = ""
            host = _host(final)
            if status == 0 or status == 429 or 500 <= status < 600:
                retry_after = _retry_after(headers.get("retry-after"), self.wall_clock)
                if (
                    status == 429
                    and retry_after is not None
                    and (retry_after > self.limits.max_retry_after)
                ):
                    raise RateLimited(_rate_limited(host, retry_after), retry_after)
                if attempt >= retries:
                    if status == 429:
                        raise RateLimited(_rate_limited(host, retry_after), retry_after)
                    if status and attempt:
                        raise FetchError(
                            f"{host} failed (HTTP {status}) {attempt + 1} times in a row;"
                            " try again later"
                        )
                    if status:
                        # Asked once, without retries (the caller has its own way on):
                        # no advice here, the caller says what happens next.
                        raise FetchError(f"{host} failed (HTTP {status})")
                    raise FetchError(reason)
                wait = min(self.limits.backoff * 2**attempt, self.limits.max_backoff)
                if retry_after is not None:
                    wait = max(wait, retry_after)
                attempt += 1
                self.stats.retries += 1
                note = (
                    f"rate limited by {host}: waiting {wait:.0f} s"
                    if status == 429
                    else f"{host}: {reason or f'HTTP {status}'}; trying again in {wait:.0f} s"
                )
                self.report(note, waiting=wait)
                await self.sleep(wait)
                continue
            if status in (404, 410):
                raise NotFound(f"{host} has no {what} (deleted, or it never existed)")
            if status in (401, 403):
                raise Refused(
                    f"{host} refuses {what} (HTTP {status}): it is private, blocked, or needs"
                    " a login",
                    status,
                )
            if not 200 <= status < 300:
                raise BadResponse(
                    f"{host} answered HTTP {status} for {what}, which its API does not document"
                    " here; try again later"
                )
            return body

    async def _once(self, url: str) -> tuple[int, dict[str, str], bytes, str]:
        """One request, following same-origin redirects; (status, headers, body, final url)."""
        import httpx

        assert self._http is not None, "use the client as `async with`"
        for _ in range(self.limits.max_redirects + 1):
            self.stats.requests += 1
            try:
                token = self._tokens.get(origin(url))
                headers = {"Authorization": f"Bearer {token}"} if token else None
                async with self._http.stream("GET", url, headers=headers) as response:
                    if response.is_redirect:
                        target = str(response.url.join(response.headers.get("location", "")))
                        if origin(target) != origin(url):
                            raise FetchError(
                                f"{_host(url)} redirected to another host ({_host(target)});"
                                " threadtui asks only the API it was given, so it stopped"
                                " (if the thread moved, open its new address)"
                            )
                        url = target
                        continue
                    body = await self._read(response, url)
                    headers = {k.lower(): v for k, v in response.headers.items()}
                    self.report()
                    return response.status_code, headers, body, url
            except httpx.TimeoutException:
                raise _Retryable(f"{_host(url)} did not answer in time") from None
            except httpx.ConnectError as error:
                # No network, no such name, nothing listening, a bad certificate: waiting
                # would not help, and the user should hear at once.
                problem = _connect_problem(url, error)
                if problem is not None:
                    raise FetchError(problem) from None
                raise _Retryable(
                    f"cannot reach {_host(url)}; check the network connection"
                ) from None
            except (httpx.RemoteProtocolError, httpx.ReadError) as error:
                raise _Retryable(_cut_off(url, error)) from None
            except httpx.HTTPError as error:
                raise FetchError(f"{_host(url)}: {type(error).__name__}") from None
        raise FetchError(f"{_host(url)} redirected more than {self.limits.max_redirects} times")

    async def _read(self, response: httpx.Response, url: str) -> bytes:
        declared = response.headers.get("content-length")
        cap = self.limits.max_response_bytes
        if declared is not None and declared.isdigit() and int(declared) > cap:
            raise TooLarge(_too_large(url, cap))
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            self.stats.bytes += len(chunk)
            if size > cap:
                raise TooLarge(_too_large(url, cap))
            if self.stats.bytes > self.limits.max_total_bytes:
                raise TooLarge(
                    f"the fetch passed {self.limits.max_total_bytes // 1024**2} MiB in all;"
                    " stopped (lower --max-posts, or save the thread in parts)"
                )
            chunks.append(chunk)
        return b"".join(chunks)


class _Retryable(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def _too_large(url: str, cap: int) -> str:
    return (
        f"{_host(url)} sent a response over {cap // 1024**2} MiB; stopped"
        " (threadtui caps each response)"
    )


def _connect_problem(url: str, error: Exception) -> str | None:
    """What stopped the connection, when it is nothing a retry would cure."""
    host = _host(url)
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, socket.gaierror):
            return f"cannot find {host} (DNS); check the network connection and the address"
        if isinstance(cause, ConnectionRefusedError):
            return f"{host} refused the connection; check the address, or try again later"
        if isinstance(cause, ssl.SSLCertVerificationError):
            return (
                f"{host}: its TLS certificate did not verify, and threadtui always verifies"
                " (a proxy or captive portal in the way?)"
            )
        if isinstance(cause, OSError) and cause.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            return f"cannot reach {host}: no network; check the connection"
        cause = cause.__cause__ or cause.__context__
    return None


def _cut_off(url: str, error: Exception) -> str:
    return f"{_host(url)} closed the connection before the response was complete; try again"


def _retry_after(value: str | None, now: Callable[[], float]) -> float | None:
    """Seconds to wait from a Retry-After header (seconds, or an HTTP date), or None."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    # Here, not at the top: the email package costs a URL's every opening, and only a
    # Retry-After given as a date needs it.
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - now())


def _rate_limited(host: str, retry_after: float | None) -> str:
    if retry_after is None:
        return f"{host} rate limited this client; try again in a few minutes"
    minutes = max(1, round(retry_after / 60))
    when = f"{retry_after:.0f} s" if retry_after < 120 else f"about {minutes} minutes"
    return f"{host} rate limited this client; try again in {when}"

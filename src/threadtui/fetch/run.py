"""Open a thread by its URL: recognise it, fetch it (or take it from the cache), import it.

Never imports Textual: the command line calls `fetch_thread`; the app calls
`fetch_thread_async` in a worker, shows the `Progress` messages, and takes each response
as it arrives (`on_response`) to show its posts before the fetch ends.

The fetched responses go through the same importers and the same merge as files named on
the command line (`opener.merge_data`), so a fetch gives exactly the thread that opening
its saved responses gives.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from threadtui.fetch import cache
from threadtui.fetch.base import LISTENER, Fetched, ResponseListener
from threadtui.fetch.client import Client, FetchError, Limits
from threadtui.fetch.progress import Progress, ProgressCallback
from threadtui.fetch.urls import Target, looks_like_url, recognise
from threadtui.model import Thread, ThreadFileError

if TYPE_CHECKING:
    import httpx

__all__ = [
    "CachedLoader",
    "FetchError",
    "FetchOptions",
    "FetchResult",
    "Limits",
    "Progress",
    "fetch_thread",
    "fetch_thread_async",
    "from_cache",
    "looks_like_url",
    "recognise",
]


@dataclass(frozen=True, slots=True)
class FetchOptions:
    refresh: bool = False
    """Fetch anew even when the cache has the thread (--refresh)."""
    offline: bool = False
    """Never touch the network: the cache or an error (--offline)."""
    use_cache: bool = True
    limits: Limits = field(default_factory=Limits)


@dataclass(slots=True)
class FetchResult:
    url: str
    thread: Thread
    data: bytes
    """The thread as a normalised JSON file (what `import URL -o` writes, what is cached)."""
    anchor: str | None
    """The id of the post the URL links to: the UI starts its cursor there."""
    warnings: list[str] = field(default_factory=list)
    """One line each: merge disagreements, a cache that could not be read or written."""
    missing: str | None = None
    """How much is missing when the fetch stopped partway; None when it is whole."""
    cached_age: float | None = None
    """Seconds since the cache entry was written, when the thread came from the cache."""
    requests: int = 0
    responses: list[tuple[str, bytes]] = field(default_factory=list)
    """The raw responses imported (empty from the cache)."""


Sleep = Callable[[float], Awaitable[None]]


def fetch_thread(
    url: str,
    options: FetchOptions | None = None,
    *,
    progress: ProgressCallback | None = None,
    sleep: Sleep | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> FetchResult:
    """`fetch_thread_async` for callers without an event loop (the command line)."""
    return asyncio.run(
        fetch_thread_async(url, options, progress=progress, sleep=sleep, transport=transport)
    )


async def fetch_thread_async(
    url: str,
    options: FetchOptions | None = None,
    *,
    progress: ProgressCallback | None = None,
    sleep: Sleep | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    now: Callable[[], float] = time.time,
    on_response: ResponseListener | None = None,
) -> FetchResult:
    """The thread `url` links to. FetchError (one line) when there is none to open.

    `on_response(name, body)` is called with each response as the platform's fetcher
    keeps it (some fetchers keep one response at the end only); the result holds them all
    again, merged."""
    options = options or FetchOptions()
    target = recognise(url)
    warnings: list[str] = []
    if options.use_cache and not options.refresh:
        hit = _from_cache(target, url, now(), warnings)
        if hit is not None:
            return hit
    if options.offline:
        raise FetchError(f"{url}: not in the cache, and --offline forbids fetching it")
    client = Client(limits=options.limits, progress=progress, transport=transport)
    if sleep is not None:
        client.sleep = sleep
    token = LISTENER.set(on_response)
    try:
        async with client:
            fetched = await _platform(target.platform)(client, target)
    finally:
        LISTENER.reset(token)
    result = build(target, fetched, retrieved_at=now(), requests=client.stats.requests)
    result.warnings[:0] = warnings
    if options.use_cache:
        try:
            cache.write(target, result.data)
        except OSError as error:
            result.warnings.append(
                f"could not write the cache ({error.strerror or error}): the thread opens,"
                " but will be fetched again next time"
            )
    return result


def _platform(name: str) -> Callable[[Client, Target], Awaitable[Fetched]]:
    from threadtui.fetch import bluesky, hackernews, mastodon, reddit, xapi

    return {
        "bluesky": bluesky.fetch,
        "mastodon": mastodon.fetch,
        "hackernews": hackernews.fetch,
        "reddit": reddit.fetch,
        "x": xapi.fetch,
    }[name]


def build(
    target: Target, fetched: Fetched, *, retrieved_at: float, requests: int = 0
) -> FetchResult:
    """Import and merge the responses; note where the thread came from; load it."""
    from threadtui.importers import dumps
    from threadtui.model import load_document
    from threadtui.opener import merge_data

    try:
        document, warnings = merge_data(fetched.responses)
    except ThreadFileError as error:
        # The API answered with something its importer cannot read.
        raise FetchError(f"{target.url}: the API's answer could not be read: {error}") from None
    anchor = anchor_of(document, fetched)
    when = datetime.fromtimestamp(retrieved_at, UTC).isoformat(timespec="seconds")
    source = document.get("source")
    if not isinstance(source, dict):
        source = document["source"] = {}
    source["fetch"] = {
        "url": target.url,
        "anchor": anchor,
        "retrieved_at": when.replace("+00:00", "Z"),
        "requests": requests,
        "missing": fetched.missing,
    }
    thread = document.get("thread")
    if isinstance(thread, dict) and fetched.missing:
        details = thread.setdefault("details", {})
        if isinstance(details, dict):
            details["missing"] = fetched.missing
    data = dumps(document)
    try:
        loaded = load_document(document, name=target.url)
    except ThreadFileError as error:
        raise FetchError(f"{target.url}: the API's answer could not be read: {error}") from None
    return FetchResult(
        url=target.url,
        thread=loaded,
        data=data,
        anchor=anchor,
        warnings=warnings,
        missing=fetched.missing,
        requests=requests,
        responses=fetched.responses,
    )


def anchor_of(document: dict[str, Any], fetched: Fetched) -> str | None:
    posts = document.get("posts")
    if not isinstance(posts, list):
        return None
    for post in posts:
        if isinstance(post, dict) and post.get("id") == fetched.anchor and fetched.anchor:
            return fetched.anchor
    if fetched.anchor_native is not None:
        for post in posts:
            if isinstance(post, dict) and post.get("native_id") == fetched.anchor_native:
                return post.get("id")
    return None


CachedLoader = Callable[[Path, bytes], Thread | None]
"""What the app's opening passes to `from_cache`: the thread already loaded from the
entry at this path with these bytes (the load cache), or None to parse the bytes."""


def from_cache(
    url: str, now: float | None = None, *, loaded: CachedLoader | None = None
) -> tuple[FetchResult | None, list[str]]:
    """The thread for `url` from the cache, or None; and warnings (a damaged entry).
    Costs what opening the saved file costs, the load cache included (`loaded`): the app
    opens with it at once."""
    warnings: list[str] = []
    hit = _from_cache(
        recognise(url), url, time.time() if now is None else now, warnings, loaded=loaded
    )
    return hit, warnings


def _from_cache(
    target: Target,
    url: str,
    now: float,
    warnings: list[str],
    *,
    loaded: CachedLoader | None = None,
) -> FetchResult | None:
    from threadtui.model import load_bytes

    entry, problem = cache.read(target, now)
    if problem is not None:
        warnings.append(problem)
    if entry is None:
        return None
    thread = None if loaded is None else loaded(entry.path, entry.data)
    if thread is None:
        try:
            thread = load_bytes(entry.data, name=str(entry.path))
        except ThreadFileError as error:
            warnings.append(cache.damaged(entry.path, error.message))
            return None
    fetch_note = thread.source.get("fetch") if isinstance(thread.source, dict) else None
    fetch_note = fetch_note if isinstance(fetch_note, dict) else {}
    anchor = fetch_note.get("anchor")
    missing = fetch_note.get("missing")
    return FetchResult(
        url=url,
        thread=thread,
        data=entry.data,
        anchor=anchor if isinstance(anchor, str) else None,
        warnings=warnings,
        missing=missing if isinstance(missing, str) else None,
        cached_age=entry.age,
    )

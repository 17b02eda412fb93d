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
from typing import TYPE_CHECKING, Any

from threadtui.fetch import cache
from threadtui.fetch.base import LISTENER, Fetched, ResponseListener
from threadtui.fetch.cache import Hit, LoadCache, from_cache
from threadtui.fetch.client import Client, FetchError
from threadtui.fetch.options import FetchOptions, Limits
from threadtui.fetch.progress import Progress, ProgressCallback
from threadtui.fetch.urls import Target, looks_like_url, recognise
from threadtui.model import Thread, ThreadFileError

if TYPE_CHECKING:
    import httpx

__all__ = [
    "FetchError",
    "FetchOptions",
    "FetchResult",
    "Hit",
    "Limits",
    "LoadCache",
    "Progress",
    "fetch_thread",
    "fetch_thread_async",
    "from_cache",
    "looks_like_url",
    "recognise",
]


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
        hit = cache.thread_from(target, now(), warnings)
        if hit is not None:
            assert hit.data is not None  # no load cache asked: the entry was read
            return FetchResult(
                url=url,
                thread=hit.thread,
                data=hit.data,
                anchor=hit.anchor,
                warnings=warnings,
                missing=hit.missing,
                cached_age=hit.age,
            )
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

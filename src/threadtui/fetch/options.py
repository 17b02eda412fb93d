"""What a fetch is asked (`Limits`, `FetchOptions`) and what it gives (`FetchResult`).

Apart from the client and the runner because a URL reopened from the cache needs these
and nothing else: importing `fetch.client` and `fetch.run` (their dataclasses, asyncio,
the progress and response plumbing) is work opening the saved file never does, and the
cache is promised to cost no more than that (issue #12, Measures).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from threadtui.model import Thread


@dataclass(frozen=True, slots=True)
class Limits:
    max_posts: int = 20_000
    """--max-posts: the fetchers stop asking for more once this many posts are in."""
    max_response_bytes: int = 64 * 1024**2
    max_total_bytes: int = 512 * 1024**2
    per_host: int = 6
    """Concurrent requests to one host: polite to the APIs, and enough that an item-by-item
    Hacker News walk is not one round trip at a time."""
    retries: int = 4
    """Further tries of a request after a 429, a 5xx or a dropped connection."""
    backoff: float = 1.0
    """The first wait between tries, in seconds; doubled each time, at most `max_backoff`."""
    max_backoff: float = 30.0
    max_retry_after: float = 120.0
    """The longest `Retry-After` honoured; beyond it the fetch stops and says when to retry."""
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_redirects: int = 5


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
    """The thread as a normalised JSON file (what `import URL -o` writes, what is cached).
    Empty when the thread came from the load cache's copy of the cache entry
    (`cache.from_cache` with a `LoadCache`): the entry was not read."""
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

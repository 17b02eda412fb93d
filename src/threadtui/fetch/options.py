"""What a fetch is asked: `Limits` and `FetchOptions`.

Apart from the client and the runner because a URL reopened from the cache needs these
(the app keeps them for a refresh) and nothing else of the fetch layer: importing
`fetch.client` and `fetch.run` (their dataclasses, asyncio, the progress and response
plumbing) is work opening the saved file never does, and the cache is promised to cost no
more than that (issue #12, Measures).
"""

from typing import NamedTuple


# NamedTuples, not frozen dataclasses: as immutable, and 0.2 ms to define where the two
# dataclasses took 1.0 ms, on every opening of a URL from the cache. No `from __future__
# import annotations`: a NamedTuple compiles each string annotation into a ForwardRef.
class Limits(NamedTuple):
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


class FetchOptions(NamedTuple):
    refresh: bool = False
    """Fetch anew even when the cache has the thread (--refresh)."""
    offline: bool = False
    """Never touch the network: the cache or an error (--offline)."""
    use_cache: bool = True
    limits: Limits = Limits()

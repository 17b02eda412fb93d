"""What a fetch tells whoever watches it: small immutable messages, no terminal code.

The command line prints them (a bar for `import` on a terminal, lines before the app
starts); the app's loading screen (phase 2) will show the same messages as they come.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Progress:
    requests: int
    """Requests sent so far (retries and redirects count)."""
    posts: int
    """Posts received so far, as the fetcher counts them before import."""
    expected: int | None = None
    """About how many posts the platform says the thread has, when it says."""
    waiting: float | None = None
    """Seconds the fetch is about to wait (rate limit or backoff), else None."""
    note: str = ""
    """One line for a person, or "" for a plain count update."""


ProgressCallback = Callable[[Progress], None]

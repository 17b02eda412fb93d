"""When to refresh a followed thread: plain Python, the clock passed in, so tests can step it.

The pace of each platform keeps within what the platform allows an anonymous (or, for X,
a bearer-token) client, with room to spare for the user's browser on the same address:

- Bluesky's AppView: 3,000 requests per 5 minutes per IP
  (https://docs.bsky.app/docs/advanced-guides/rate-limits).
- Mastodon: 300 requests per 5 minutes per IP without a token, per account with one
  (https://docs.joinmastodon.org/api/rate-limits/).
- Hacker News: Algolia allows 10,000 requests per hour per IP
  (https://hn.algolia.com/api); Firebase documents no limit.
- Reddit: anonymous clients were given 1 request every 2 seconds per IP (r/redditdev,
  "Formal ratelimiting headers"); since 2023 they are held to about 10 a minute, and
  refused often (README: Reddit).
- X API v2: limits are per endpoint, per app, per 15 minutes; recent search, which a
  conversation needs, is the tightest (60 per 15 minutes per app on the Basic plan)
  (https://docs.x.com/x-api/fundamentals/rate-limits).

A refresh is several requests (a conversation, its branches, its quotes), so the wait
before the next one is the longer of the platform's base interval and what the requests
of the last refresh used of the allowance (`per_request` each). An empty refresh makes the
next wait longer (`growth`, up to `cap`); one that brought something resets it to the base.
A 429's Retry-After pushes the next refresh out at least that far.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class Pace:
    base: float
    """Seconds between refreshes while the thread moves: never less."""
    per_request: float
    """Seconds of the platform's allowance one request uses."""
    cap: float
    """The longest wait, reached after empty refreshes."""
    growth: float = 2.0
    """How much longer each empty refresh makes the next wait."""


PACES: dict[str, Pace] = {
    # 3,000 / 300 s per IP: 0.1 s a request; the base is what keeps a thread fresh enough.
    "bluesky": Pace(base=60.0, per_request=0.1, cap=600.0),
    # 300 / 300 s per IP (or account): 1 s a request.
    "mastodon": Pace(base=60.0, per_request=1.0, cap=600.0),
    # Algolia: 10,000 / 3,600 s per IP.
    "hackernews": Pace(base=60.0, per_request=0.36, cap=600.0),
    # About 10 a minute anonymous: 6 s a request.
    "reddit": Pace(base=120.0, per_request=6.0, cap=900.0),
    # Recent search: 60 / 900 s per app (Basic): 15 s a request, and one refresh is at
    # least three requests (the post, the conversation, the quotes).
    "x": Pace(base=300.0, per_request=15.0, cap=1800.0),
}
DEFAULT_PACE = Pace(base=120.0, per_request=6.0, cap=900.0)
"""For a platform not named above: as careful as the most careful anonymous one."""

FILE_POLL = 1.0
"""Seconds between looks at a followed file's size, time and inode: a stat costs
microseconds, and `tail -f` looks as often."""

AWAY_AFTER = 600.0
"""Seconds the terminal may be away (blurred) before following pauses."""


def pace_for(platform: str | None) -> Pace:
    return PACES.get(platform or "", DEFAULT_PACE)


Paused = Literal["away", None]


class Schedule:
    """The next refresh of one followed thread.

    Every method takes `now` (seconds, time.time()'s scale): the schedule never reads a
    clock, so a test steps through hours of following at once."""

    def __init__(self, pace: Pace, *, away_after: float = AWAY_AFTER) -> None:
        self.pace = pace
        self.away_after = away_after
        self.interval = pace.base
        """The wait after the last refresh, before Retry-After and the request budget."""
        self.last: float | None = None
        """When the last refresh ended."""
        self.next_at: float | None = None
        """When the next refresh is due; None while one runs (its end sets it)."""
        self.empty_runs = 0
        self.paused: Paused = None
        self.away_since: float | None = None
        self.not_before = 0.0
        """A 429's Retry-After ends here: nothing (not even coming back) asks sooner."""

    def start(self, now: float, *, last: float | None = None) -> None:
        """Following begins: due at once, or a base interval after a refresh that ended at
        `last` (a thread just fetched needs no second fetch straight away)."""
        self.interval = self.pace.base
        self.empty_runs = 0
        if last is None:
            self.next_at = now
        else:
            self.last = last
            self.next_at = max(now, last + self.pace.base)
        self.next_at = max(self.next_at, self.not_before)

    def due(self, now: float) -> bool:
        return self.paused is None and self.next_at is not None and now >= self.next_at

    def began(self) -> None:
        """A refresh started (on time, or asked for): the next is set when it ends."""
        self.next_at = None

    def record(
        self,
        now: float,
        *,
        changed: bool,
        requests: int = 1,
        retry_after: float | None = None,
    ) -> float:
        """A refresh ended at `now`: `changed` when it brought or changed posts (a failed
        one did not). Returns the wait until the next."""
        self.last = now
        if changed:
            self.interval = self.pace.base
            self.empty_runs = 0
        else:
            self.empty_runs += 1
            self.interval = min(self.pace.cap, self.interval * self.pace.growth)
        wait = max(self.interval, requests * self.pace.per_request)
        if retry_after is not None and retry_after > 0:
            wait = max(wait, retry_after)
            self.not_before = now + retry_after
        self.next_at = now + wait
        return wait

    # --- the terminal away --------------------------------------------------------------

    def blur(self, now: float) -> None:
        if self.away_since is None:
            self.away_since = now

    def check_away(self, now: float) -> bool:
        """True once, when the terminal has been away long enough to pause following."""
        if self.paused is not None or self.away_since is None:
            return False
        if now - self.away_since >= self.away_after:
            self.paused = "away"
            return True
        return False

    def focus(self, now: float) -> bool:
        """The terminal is back. True when following was paused: it resumes with a refresh
        at once (what came meanwhile is what the user came back for)."""
        self.away_since = None
        if self.paused is None:
            return False
        self.paused = None
        self.interval = self.pace.base
        self.empty_runs = 0
        if self.next_at is not None:
            self.next_at = max(now, self.not_before)
        return True

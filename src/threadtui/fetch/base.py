"""What every platform fetcher returns, and helpers they share."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import SupportsIndex

from threadtui.fetch.client import check_base

ResponseListener = Callable[[str, bytes, "Fetched | None"], None]
"""(name, body, the fetch it belongs to: its `anchor` is known by the time it has responses)."""

LISTENER: ContextVar[ResponseListener | None] = ContextVar("threadtui_fetch_listener", default=None)
"""Who wants each response as it arrives (the app, to show posts before the fetch ends).
A context variable rather than a parameter of every platform's fetcher: the fetchers only
append to `Fetched.responses`, and the list tells the listener."""


class Responses(list[tuple[str, bytes]]):
    """A list of responses that hands each one appended to the listener set when it was made."""

    __slots__ = ("listener", "owner")

    def __init__(self, items: Iterable[tuple[str, bytes]] = ()) -> None:
        super().__init__(items)
        self.listener = LISTENER.get()
        self.owner: Fetched | None = None

    def append(self, item: tuple[str, bytes]) -> None:
        super().append(item)
        if self.listener is not None:
            self.listener(item[0], item[1], self.owner)

    def insert(self, index: SupportsIndex, item: tuple[str, bytes]) -> None:
        super().insert(index, item)
        if self.listener is not None:
            self.listener(item[0], item[1], self.owner)


@dataclass(slots=True)
class Fetched:
    """The responses of one fetch, in the shapes the importers read."""

    responses: list[tuple[str, bytes]] = field(default_factory=Responses)
    """(a name for messages, the JSON body): each goes through the importer that reads it,
    then all are merged by post id, as `threadtui FILE FILE…` would."""
    anchor: str | None = None
    """The post id (normalised) of the post the URL links to."""
    anchor_native: str | None = None
    """Or, where the normalised id depends on the response (Mastodon), its native id."""
    missing: str | None = None
    """Why the thread is not whole, and how much is missing; None when it is."""

    def __post_init__(self) -> None:
        if isinstance(self.responses, Responses):
            self.responses.owner = self


def preview(fetched: Fetched, name: str, body: bytes) -> None:
    """Hand the listener a response that is not kept: part of one the fetcher keeps whole at
    the end (Hacker News's item list), so posts show while the rest is on its way."""
    listener = LISTENER.get()
    if listener is not None:
        listener(name, body, fetched)


def api_base(variable: str, default: str) -> str:
    """The API base for a platform: `variable` from the environment, checked, or `default`."""
    value = os.environ.get(variable)
    if value is None or not value.strip():
        return default
    return check_base(value, variable)


def partial(got: int, expected: int | None, what: str, reason: str) -> str:
    """'fetched 3,102 of about 3,500 comments: rate limited' (the issue's wording)."""
    if expected is not None and expected > got:
        return f"fetched {got:,} of about {expected:,} {what}: {reason}"
    return f"fetched {got:,} {what}, not all of them: {reason}"

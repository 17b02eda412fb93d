"""What every platform fetcher returns, and helpers they share."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from threadtui.fetch.client import check_base


@dataclass(slots=True)
class Fetched:
    """The responses of one fetch, in the shapes the importers read."""

    responses: list[tuple[str, bytes]] = field(default_factory=list)
    """(a name for messages, the JSON body): each goes through the importer that reads it,
    then all are merged by post id, as `threadtui FILE FILE…` would."""
    anchor: str | None = None
    """The post id (normalised) of the post the URL links to."""
    anchor_native: str | None = None
    """Or, where the normalised id depends on the response (Mastodon), its native id."""
    missing: str | None = None
    """Why the thread is not whole, and how much is missing; None when it is."""


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

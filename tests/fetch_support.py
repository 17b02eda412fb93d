"""Running a fetch against the loopback server, with sleeps recorded instead of waited."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import fetch_responses as r
from fetch_server import FetchServer, Reply
from threadtui.fetch.client import Limits
from threadtui.fetch.progress import Progress
from threadtui.fetch.run import FetchOptions, FetchResult, fetch_thread
from threadtui.opener import open_inputs

if TYPE_CHECKING:
    from textual.pilot import Pilot

API_VARIABLES = (
    "THREADTUI_BLUESKY_API",
    "THREADTUI_HN_ALGOLIA_API",
    "THREADTUI_HN_FIREBASE_API",
    "THREADTUI_REDDIT_API",
    "THREADTUI_X_API",
)
BSKY_THREAD = "/xrpc/app.bsky.feed.getPostThread"
FAST = {"backoff": 0.5, "read_timeout": 10.0, "connect_timeout": 5.0}


@dataclass
class Run:
    sleeps: list[float] = field(default_factory=list)
    progress: list[Progress] = field(default_factory=list)

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def fetch(
        self,
        url: str,
        *,
        cache: bool = True,
        refresh: bool = False,
        offline: bool = False,
        **limits: Any,
    ) -> FetchResult:
        options = FetchOptions(
            refresh=refresh,
            offline=offline,
            use_cache=cache,
            limits=Limits(**{**FAST, **limits}),
        )
        return fetch_thread(url, options, progress=self.progress.append, sleep=self.sleep)


def point_apis_at(server: FetchServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for variable in API_VARIABLES:
        monkeypatch.setenv(variable, server.base)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def same_as_saved(result: FetchResult, tmp_path: Path) -> None:
    """The fetched thread is the thread its saved responses open as (issue #12)."""
    files = []
    folder = tmp_path / "responses"
    folder.mkdir()
    for number, (_, body) in enumerate(result.responses):
        path = folder / f"{number:03d}.json"
        path.write_bytes(body)
        files.append(os.fspath(path))
    opened = open_inputs(files)
    fetched = result.thread
    assert [p.id for p in fetched.posts] == [p.id for p in opened.posts]
    assert [(p.reply_to, p.text, p.status) for p in fetched.posts] == [
        (p.reply_to, p.text, p.status) for p in opened.posts
    ]
    assert set(fetched.authors) == set(opened.authors)


def bluesky_chain(api: FetchServer, *, quotes: int, stall_branch: bool = False) -> str:
    """root → a (the post alice.example's URL links) → b, where b says 2 replies and the
    thread shows none (cut short): c and d come from a second getPostThread, which hangs
    with `stall_branch`. The root says it was quoted `quotes` times; the caller serves the
    quotes. The root's URI."""
    root = r.bsky_post("root", "the root", replies=1, quotes=quotes)
    a = r.bsky_post("a", "reply a", parent=r.at(r.DID, "root"), replies=1, minute=1)
    b = r.bsky_post("b", "reply b", parent=a["uri"], root=root["uri"], replies=2, minute=2)
    api.add("/xrpc/com.atproto.identity.resolveHandle", {"did": r.DID}, handle="alice.example")
    api.add(
        BSKY_THREAD,
        {"thread": r.node(a, replies=[r.node(b, replies=[])], parent=r.node(root))},
        uri=a["uri"],
    )
    c = r.bsky_post("c", "deep c", did=r.OTHER, parent=b["uri"], root=root["uri"], minute=3)
    d = r.bsky_post("d", "deep d", did=r.OTHER, parent=b["uri"], root=root["uri"], minute=4)
    branch: Any = {"thread": r.node(b, replies=[r.node(c), r.node(d)])}
    api.add(BSKY_THREAD, Reply(stall=True) if stall_branch else branch, uri=b["uri"])
    return str(root["uri"])


async def until(pilot: Pilot[Any], condition: Callable[[], bool], what: str = "it") -> None:
    """Wait for the app to reach a state a fetch brings about. The fetch runs in a thread,
    so each pause lasts a little time (an idle app's pause would return at once); the bound
    is on the loop, not on the time."""
    for _ in range(600):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"never happened: {what}")

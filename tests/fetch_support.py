"""Running a fetch against the loopback server, with sleeps recorded instead of waited."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from fetch_server import FetchServer
from threadtui.fetch.client import Limits
from threadtui.fetch.progress import Progress
from threadtui.fetch.run import FetchOptions, FetchResult, fetch_thread
from threadtui.opener import open_inputs

API_VARIABLES = (
    "THREADTUI_BLUESKY_API",
    "THREADTUI_HN_ALGOLIA_API",
    "THREADTUI_HN_FIREBASE_API",
    "THREADTUI_REDDIT_API",
    "THREADTUI_X_API",
)
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

"""Snapshots of the status line while following, on a fixed clock: a URL thread after a
refresh that brought a post ("following · last 14:01 · 1 new · next 14:02"), and a
followed file paused while the terminal is away. Look at each SVG as a picture before
accepting it: `rsvg-convert -w 1400 FILE.svg -o /tmp/FILE.png`."""

from __future__ import annotations

import json
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot

import fetch_responses as r
from fetch_server import FetchServer
from fetch_support import FAST, point_apis_at, until
from support import post, thread_doc
from threadtui.fetch.client import Limits
from threadtui.fetch.run import FetchOptions
from threadtui.follow.schedule import PACES
from threadtui.model import load_document
from threadtui.ui.app import ThreadApp
from threadtui.ui.loading import empty_thread

URL = "https://news.ycombinator.com/item?id=77"
START = 1_779_976_800.0  # 2026-05-28 14:00:00 UTC
SIZE = (100, 16)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


class Following(ThreadApp):
    # The tests call the schedule's tick; nothing moves on its own.
    FOLLOW_TICK = 3600.0
    FILE_POLL = 3600.0


@pytest.fixture(autouse=True)
def own_state(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # What other tests read of a thread must not show here as "new since".
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


def test_following_a_url_after_a_refresh(
    snap_compare, fetch_server: FetchServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    point_apis_at(fetch_server, monkeypatch, tmp_path)
    replies = [r.algolia_comment(78, "first reply", 1, parent=77, story=77)]

    def answer(request: object) -> dict[str, Any]:
        return r.algolia_item(list(replies), 5, item=77, title="A story that grows")

    fetch_server.answer("/api/v1/items/77", answer)
    clock = Clock()
    options = FetchOptions(refresh=True, limits=Limits(**FAST))
    app = Following(
        empty_thread(URL), url=URL, fetch_options=options, fetch_on_start=True, follow=True, tz=UTC
    )
    app.follow_clock = clock

    async def run_before(pilot: Pilot) -> None:
        await until(pilot, lambda: app.fetching is None and bool(app.thread.posts))
        replies.append(r.algolia_comment(79, "a reply that came later", 5, parent=77, story=77))
        clock.now += PACES["hackernews"].base
        app._follow_tick()
        await until(pilot, lambda: app.fetching is None and "hackernews:79" in app.thread.by_id)
        app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_following_a_file_paused_while_away(snap_compare, tmp_path: Path) -> None:
    path = tmp_path / "thread.json"
    posts = [post("p1", 0, "the root"), post("p2", 1, "a reply", reply_to="p1")]
    path.write_text(json.dumps(thread_doc(posts, title="A file that grows")))
    thread = load_document(json.loads(path.read_bytes()), name=str(path))
    clock = Clock()
    app = Following(thread, follow=True, follow_files=[str(path)], tz=UTC)
    app.follow_clock = clock

    async def run_before(pilot: Pilot) -> None:
        await pilot.pause()
        app.post_message(events.AppBlur())
        await until(pilot, lambda: not app.app_focus)
        clock.now += 10 * 60
        # The note saying so is part of the picture.
        app._follow_tick()
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

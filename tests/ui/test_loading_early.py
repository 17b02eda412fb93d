"""The first fetch of `threadtui URL` starts before the app exists (cli starts it before
Textual is imported): what it brings meanwhile waits, and the app takes all of it over once
it has mounted, through its usual messages. Cancelling before the app is up keeps what came.

Against the loopback server; waits are bounded loops on state, never timing assertions.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

import fetch_responses as r
from fetch_server import FetchServer
from fetch_support import FAST, bluesky_chain, point_apis_at
from threadtui.fetch.client import Limits
from threadtui.fetch.live import Arrived, EarlyFetch, Ended, start_early
from threadtui.fetch.run import FetchOptions
from threadtui.ui.app import ThreadApp
from threadtui.ui.loading import LoadingLine, empty_thread
from threadtui.ui.tree import ThreadTree

BSKY_URL = "https://bsky.app/profile/alice.example/post/a"
BSKY_THREAD = "/xrpc/app.bsky.feed.getPostThread"
SIZE = (100, 30)


@pytest.fixture
def api(fetch_server: FetchServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FetchServer:
    point_apis_at(fetch_server, monkeypatch, tmp_path)
    return fetch_server


def early(url: str = BSKY_URL) -> tuple[ThreadApp, EarlyFetch]:
    """The fetch started as cli starts it, then the app made for it (not yet running)."""
    thread = empty_thread(url)
    options = FetchOptions(refresh=True, limits=Limits(**FAST))
    started = start_early(thread, url, options)
    app = ThreadApp(
        thread, url=url, fetch_options=options, fetch_on_start=True, early_fetch=started
    )
    return app, started


def wait_for(condition: Callable[[], bool], what: str) -> None:
    """Before the app runs: a bounded loop on the worker's state, not a timing."""
    for _ in range(1200):
        if condition():
            return
        time.sleep(0.025)
    raise AssertionError(f"never happened: {what}")


async def until(pilot: Pilot[None], condition: Callable[[], bool], what: str) -> None:
    for _ in range(600):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"never happened: {what}")


def shown_ids(app: ThreadApp) -> set[str]:
    return {p.id.rsplit("/", 1)[-1] for p in app.thread.posts if not p.synthetic}


def ended(started: EarlyFetch) -> bool:
    return any(isinstance(e, Ended) for e in started.sink.held)


async def test_a_whole_fetch_before_the_mount_is_all_shown(api: FetchServer) -> None:
    root = bluesky_chain(api, quotes=1)
    q1 = r.bsky_post("q1", "quote one", did=r.OTHER, quoting=root, minute=5)
    api.add("/xrpc/app.bsky.feed.getQuotes", {"uri": root, "posts": [q1]}, uri=root)
    app, started = early()
    # The whole fetch happens before the app runs: every event is held, none posted.
    wait_for(lambda: ended(started), "the fetch ends")
    held = started.sink.held
    assert isinstance(held[-1], Ended) and held[-1].result is not None
    assert sum(isinstance(e, Arrived) for e in held) == 1  # one, until the app takes them
    assert not app.thread.posts  # nothing joined the thread off the UI thread
    requests = len(api.log)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.fetching is None, "the held end is handled")
        assert shown_ids(app) == {"root", "a", "b", "c", "d", "q1"}
        assert len(api.log) == requests  # taken over, not fetched again
        tree = app.query_one(ThreadTree)
        assert tree.model.row_count == 6
        # The cursor on the linked post, as when the posts come after the mount.
        assert tree.cursor_post == app.thread.by_id[f"bluesky:{r.at(r.DID, 'a')}"]
        assert not app.query_one(LoadingLine).has_class("-active")
        assert "6 posts" in str(app.query_one("#status", Static).render())
        await pilot.press("q")
    assert app.return_code == 0


async def test_posts_before_the_mount_then_more_after_it(api: FetchServer) -> None:
    bluesky_chain(api, quotes=0, stall_branch=True)
    app, started = early()
    # The first thread response is held; the cut-short branch's request hangs.
    wait_for(lambda: any(isinstance(e, Arrived) for e in started.sink.held), "first posts")
    wait_for(lambda: sum(q.path == BSKY_THREAD for q in api.log) == 2, "the branch asked")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: len(app.thread.posts) >= 3, "the held posts shown")
        assert app.fetching is started.fetch  # the app took over the running fetch
        assert "Esc stops" in str(app.query_one(LoadingLine).render())
        await pilot.press("escape")
        await until(pilot, lambda: app.fetching is None, "the fetch stops")
        assert shown_ids(app) == {"root", "a", "b"}
        await pilot.press("q")
    assert app.return_code == 0
    assert started.fetch.thread is not None
    started.fetch.join(10.0)
    assert not started.fetch.thread.is_alive()


async def test_cancel_before_the_mount_keeps_what_came(api: FetchServer) -> None:
    bluesky_chain(api, quotes=0, stall_branch=True)
    app, started = early()
    wait_for(lambda: any(isinstance(e, Arrived) for e in started.sink.held), "first posts")
    wait_for(lambda: sum(q.path == BSKY_THREAD for q in api.log) == 2, "the branch asked")
    # Cancelled while no app runs yet (as cli does when the app never starts).
    started.fetch.cancel()
    wait_for(lambda: ended(started), "the cancelled fetch ends")
    held_end = started.sink.held[-1]
    assert isinstance(held_end, Ended) and held_end.result is None and held_end.error is None
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.fetching is None, "the held end is handled")
        assert shown_ids(app) == {"root", "a", "b"}
        assert app.is_running
        await pilot.press("q")
    assert app.return_code == 0


async def test_a_failure_before_the_mount_is_one_line_in_the_app(api: FetchServer) -> None:
    # No routes: resolving the handle answers 404.
    app, started = early()
    wait_for(lambda: ended(started), "the fetch fails")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.fetching is None, "the held failure is handled")
        errors = [n for n in app._notifications if n.severity == "error"]
        assert len(errors) == 1 and "\n" not in str(errors[0].message)
        assert app.is_running and not app.thread.posts
        await pilot.press("q")

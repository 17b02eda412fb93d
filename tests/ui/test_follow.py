"""Following a thread as it grows, in the app: a URL refreshed on the schedule (the clock
is the test's, and the test calls the schedule's tick itself), a file read again when it
changes (appended to, renamed over, gone), the pause while the terminal is away, and no
thread left behind on quit.

Against the loopback server (tests/fetch_server.py); waits are bounded loops on the app's
state, never timing assertions."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Static

import fetch_responses as r
from fetch_server import FetchServer, Reply, Request
from fetch_support import FAST, point_apis_at, until
from support import post, thread_doc
from threadtui.fetch.client import Limits
from threadtui.fetch.run import FetchOptions
from threadtui.follow.schedule import PACES, Schedule
from threadtui.model import load_document
from threadtui.ui.app import ThreadApp
from threadtui.ui.detail import DetailPane
from threadtui.ui.loading import LoadingLine, empty_thread
from threadtui.ui.tree import ThreadTree

HN_URL = "https://news.ycombinator.com/item?id=1"
SIZE = (110, 30)
ITEM = "/api/v1/items/1"
BASE = PACES["hackernews"].base


class Clock:
    def __init__(self) -> None:
        # 2026-05-28 14:00:00 UTC
        self.now = 1_779_976_800.0

    def __call__(self) -> float:
        return self.now


class Following(ThreadApp):
    # The schedule's tick is called by the tests; file looks come fast so waits are short.
    FOLLOW_TICK = 3600.0
    FILE_POLL = 0.02


@pytest.fixture
def api(fetch_server: FetchServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FetchServer:
    point_apis_at(fetch_server, monkeypatch, tmp_path)
    return fetch_server


class Growing:
    """The story answers with what `replies` holds at each request; `rate_limit` sends 429."""

    def __init__(self, api: FetchServer) -> None:
        self.replies = [
            r.algolia_comment(2, "first reply", 1),
            r.algolia_comment(3, "doomed reply", 2),
        ]
        self.rate_limit: float | None = None
        self.calls = 0
        api.answer(ITEM, self.answer)
        api.answer("/v0/item/1.json", self.firebase)

    def answer(self, request: Request) -> Any:
        self.calls += 1
        if self.rate_limit is not None:
            return Reply(429, {"error": "slow down"}, {"Retry-After": f"{self.rate_limit:.0f}"})
        return r.algolia_item(list(self.replies), 3 + len(self.replies))

    def firebase(self, request: Request) -> Any:
        if self.rate_limit is not None:
            return Reply(429, {"error": "slow down"}, {"Retry-After": f"{self.rate_limit:.0f}"})
        return b"null"


def url_app(clock: Clock) -> Following:
    from datetime import UTC

    options = FetchOptions(refresh=True, limits=Limits(**FAST))
    app = Following(
        empty_thread(HN_URL),
        url=HN_URL,
        fetch_options=options,
        fetch_on_start=True,
        follow=True,
        tz=UTC,
    )
    app.follow_clock = clock
    return app


def status(app: ThreadApp) -> str:
    return str(app.query_one("#status", Static).render())


async def tick(pilot: Pilot[None], app: ThreadApp) -> None:
    app._follow_tick()
    await until(pilot, lambda: app.fetching is None, "the refresh to end")


async def first_fetch(pilot: Pilot[None], app: ThreadApp) -> Schedule:
    """Wait for the fetch the app starts with; return the schedule that follows the URL."""
    await until(pilot, lambda: app.fetching is None and bool(app.thread.posts), "fetch")
    schedule = app.schedule
    assert schedule is not None
    return schedule


async def test_a_followed_url_is_refreshed_at_the_platforms_pace(api: FetchServer) -> None:
    growing = Growing(api)
    clock = Clock()
    app = url_app(clock)
    async with app.run_test(size=SIZE) as pilot:
        schedule = await first_fetch(pilot, app)
        assert growing.calls == 1
        # Just fetched: the next refresh is a base interval away, and the line says when.
        assert schedule.next_at == clock.now + BASE
        assert "following" in status(app) and "next 14:01" in status(app)
        tree = app.query_one(ThreadTree)
        first = app.thread.by_id["hackernews:2"]
        assert tree.move_to_post(first)

        clock.now += BASE - 1
        await tick(pilot, app)
        assert growing.calls == 1  # not yet due

        # The thread grows: due, refreshed, the new post marked, the gone one kept.
        growing.replies = [
            r.algolia_comment(2, "first reply", 1),
            r.algolia_comment(4, "new reply", 3),
        ]
        clock.now += 1
        await tick(pilot, app)
        assert growing.calls == 2
        assert app.new_posts == {"hackernews:4"}
        doomed = app.thread.posts[app.thread.by_id["hackernews:3"]]
        assert doomed.status == "deleted" and doomed.text == "doomed reply"
        assert tree.cursor_post == first
        assert schedule.next_at == clock.now + BASE  # it moved: back to the base pace
        line = status(app)
        assert "last 14:01" in line and "1 new" in line and "next 14:02" in line

        # Nothing new, twice: each empty refresh waits longer; the line keeps the news.
        clock.now += BASE
        app._follow_tick()
        # Running: said in the status line; no loading line comes and goes every minute.
        assert app.fetching is not None and "refreshing" in status(app)
        assert not app.query_one(LoadingLine).has_class("-active")
        # Escape is the search's then (nothing says it would stop an unseen refresh).
        fetch = app.fetching
        await pilot.press("escape")
        assert not fetch.cancel_requested
        await until(pilot, lambda: app.fetching is None, "the refresh to end")
        assert schedule.next_at == clock.now + 2 * BASE
        assert "1 new" in status(app) and "last 14:02" in status(app)
        clock.now += 2 * BASE
        await tick(pilot, app)
        assert schedule.next_at == clock.now + 4 * BASE
        assert growing.calls == 4

        # Something new again: back to the base.
        growing.replies.append(r.algolia_comment(5, "late reply", 9))
        clock.now += 4 * BASE
        await tick(pilot, app)
        assert app.new_posts == {"hackernews:5"}
        assert schedule.next_at == clock.now + BASE


async def test_a_429_retry_after_pushes_the_next_refresh_out(api: FetchServer) -> None:
    growing = Growing(api)
    clock = Clock()
    app = url_app(clock)
    async with app.run_test(size=SIZE) as pilot:
        schedule = await first_fetch(pilot, app)
        growing.rate_limit = 900.0  # past the client's own wait: the fetch stops
        clock.now += BASE
        await tick(pilot, app)
        assert schedule.next_at is not None and schedule.next_at >= clock.now + 900.0
        errors = [n for n in app._notifications if n.severity == "error"]
        assert len(errors) == 1
        # F off and on again does not shorten the wait.
        await pilot.press("F", "F")
        assert app.schedule is not None and app.schedule is not schedule
        assert not app.schedule.due(schedule.next_at - 1) and app.fetching is None
        schedule = app.schedule
        # The posts stay; following goes on, and the same failure is not said twice.
        assert "hackernews:2" in app.thread.by_id
        clock.now = schedule.next_at
        await tick(pilot, app)
        assert len([n for n in app._notifications if n.severity == "error"]) == 1


async def test_away_for_long_pauses_and_coming_back_refreshes_at_once(api: FetchServer) -> None:
    growing = Growing(api)
    clock = Clock()
    app = url_app(clock)
    async with app.run_test(size=SIZE) as pilot:
        schedule = await first_fetch(pilot, app)
        app.post_message(events.AppBlur())
        await until(pilot, lambda: not app.app_focus, "the blur")
        clock.now += 10 * 60
        app._follow_tick()
        await pilot.pause()
        assert schedule.paused == "away"
        assert "following paused (away)" in status(app)
        assert any("paused" in str(n.message) for n in app._notifications)
        # Paused: however long it stays away, nothing is fetched.
        clock.now += 3600
        await tick(pilot, app)
        assert growing.calls == 1
        growing.replies.append(r.algolia_comment(6, "while away", 30))
        app.post_message(events.AppFocus())
        await until(pilot, lambda: growing.calls == 2, "a refresh on coming back")
        await until(pilot, lambda: app.fetching is None, "the refresh to end")
        assert app.new_posts == {"hackernews:6"}
        assert schedule.paused is None
        assert "paused" not in status(app)


async def test_f_toggles_following_and_shows_in_the_footer(api: FetchServer) -> None:
    Growing(api)
    clock = Clock()
    options = FetchOptions(refresh=True, limits=Limits(**FAST))
    app = Following(empty_thread(HN_URL), url=HN_URL, fetch_options=options, fetch_on_start=True)
    app.follow_clock = clock
    async with app.run_test(size=(160, 30)) as pilot:
        await until(pilot, lambda: app.fetching is None and bool(app.thread.posts), "fetch")
        assert app.schedule is None and "following" not in status(app)
        assert "F" in app.active_bindings
        await pilot.press("F")
        assert app.schedule is not None and "following" in status(app)
        await pilot.press("F")
        assert app.schedule is None and "following" not in status(app)


async def test_no_follow_key_for_a_thread_from_nowhere() -> None:
    app = ThreadApp(load_document(thread_doc([post("p1", 0, "hello")])))
    async with app.run_test(size=SIZE) as pilot:
        assert "F" not in app.active_bindings
        await pilot.press("F")
        assert app.schedule is None


# --- files -------------------------------------------------------------------------------


def write(path: Path, posts: list[dict[str, Any]], *, via: Path | None = None) -> None:
    """Write the thread whole; `via`: write beside and rename over (as editors do)."""
    target = via or path
    target.write_bytes(json.dumps(thread_doc(posts)).encode())
    st = target.stat()
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    if via is not None:
        os.replace(via, path)


P1 = post("p1", 0, "the root")
P2 = post("p2", 1, "a reply", reply_to="p1")
P3 = post("p3", 2, "a reply to the reply", reply_to="p2")
P4 = post("p4", 3, "another reply", reply_to="p1")
P5 = post("p5", 4, "a late reply", reply_to="p1")
P6 = post("p6", 5, "a second answer", reply_to="p2")


def file_app(path: Path, clock: Clock) -> Following:
    from datetime import UTC

    from threadtui.follow.files import signatures

    initial = signatures([os.fspath(path)])
    thread = load_document(json.loads(path.read_bytes()), name=os.fspath(path))
    app = Following(
        thread,
        follow=True,
        follow_files=[os.fspath(path)],
        follow_initial=initial,
        tz=UTC,
    )
    app.follow_clock = clock
    return app


def ids_of(app: ThreadApp) -> set[str]:
    return {p.id for p in app.thread.posts if not p.synthetic}


async def test_a_followed_file_grows_in_place_keeping_cursor_folds_and_filter(
    tmp_path: Path,
) -> None:
    path = tmp_path / "thread.json"
    write(path, [P1, P2, P3])
    clock = Clock()
    app = file_app(path, clock)
    async with app.run_test(size=SIZE) as pilot:
        watch = app._file_watch
        await until(pilot, lambda: watch is not None and watch._started, "the watch")
        tree = app.query_one(ThreadTree)
        p2 = app.thread.by_id["p2"]
        p3 = app.thread.by_id["p3"]
        assert tree.move_to_post(p2)
        tree.collapse(p2)  # p3 folded away under it
        assert tree.model.row_of(p3) is None
        await pilot.press("f", *"reply", "enter")
        await until(pilot, lambda: app.queries.filter is not None, "the filter")
        await pilot.press("slash", *"reply", "enter")
        await until(pilot, lambda: app.queries.search is not None, "the search")
        assert app.queries.search is not None and app.queries.search.result.count == 2
        assert tree.cursor_post == p2

        # Appended to (written out whole again, as a program keeping JSON does).
        write(path, [P1, P2, P3, P4])
        await until(pilot, lambda: "p4" in app.thread.by_id, "the appended post")
        p4 = app.thread.by_id["p4"]
        assert app.new_posts == {"p4"}
        assert tree.cursor_post == p2
        assert tree.collapsed[p2] and tree.model.row_of(p3) is None  # still folded

        def filter_has_p4() -> bool:
            # The filter from before the growth has no byte for p4 until the new one comes.
            member = None if app.queries.filter is None else app.queries.filter.layout.view.member
            return member is not None and p4 < len(member) and bool(member[p4])

        await until(pilot, filter_has_p4, "the filter to take in the new reply")
        assert tree.collapsed[p2] and tree.model.row_of(p3) is None
        assert tree.cursor_post == p2
        await until(
            pilot,
            lambda: app.queries.search is not None and app.queries.search.result.count == 3,
            "the search to count the new match",
        )
        assert tree.cursor_post == p2
        assert "following" in status(app) and "last change 14:00" in status(app)

        # The post on screen edited and answered: its detail shows both at once.
        detail = app.query_one(DetailPane)
        assert "Replies (1)" in detail.page.text
        write(path, [P1, {**P2, "text": "a reply, edited"}, P3, P4, P6])
        await until(pilot, lambda: "p6" in app.thread.by_id, "the reply to the shown post")
        assert detail.index == p2 and "Replies (2)" in detail.page.text
        assert "a reply, edited" in detail.page.text

        # Renamed over, without p4: it stays, marked deleted; p5 arrives.
        clock.now += 120
        write(path, [P1, P2, P3, P5, P6], via=tmp_path / "thread.json.tmp")
        await until(pilot, lambda: "p5" in app.thread.by_id, "the post of the new file")
        assert app.thread.posts[p4].status == "deleted"
        assert app.thread.posts[p4].text == "another reply"
        assert tree.cursor_post == p2
        assert "last change 14:02" in status(app)

        # Gone: said, and what is shown stays.
        path.unlink()
        await until(pilot, lambda: "file gone" in status(app), "the file gone")
        assert ids_of(app) == {"p1", "p2", "p3", "p4", "p5", "p6"}
        assert any("no such file" in str(n.message) for n in app._notifications)
        # Back: read, and the note goes.
        write(path, [P1, P2, P3, P5, P6])
        await until(pilot, lambda: "file gone" not in status(app), "the file back")

        follower = app._follower
        assert follower is not None
        await pilot.press("q")
    # Quitting stops the watch's thread.
    assert follower.stopped


async def test_a_half_written_file_is_waited_for(tmp_path: Path) -> None:
    path = tmp_path / "thread.json"
    write(path, [P1, P2])
    app = file_app(path, Clock())
    async with app.run_test(size=SIZE) as pilot:
        watch = app._file_watch
        await until(pilot, lambda: watch is not None and watch._started, "the watch")
        whole = json.dumps(thread_doc([P1, P2, P4])).encode()
        path.write_bytes(whole[: len(whole) // 2])
        assert watch is not None
        await until(pilot, lambda: watch._bad_since is not None, "the half-written read")
        path.write_bytes(whole)
        await until(pilot, lambda: "p4" in app.thread.by_id, "the finished file")
        # The half-written file was never reported: the writer was busy, not wrong.
        assert not [n for n in app._notifications if n.severity == "warning"]
        assert app.thread.posts[app.thread.by_id["p2"]].status == "ok"


async def test_a_hostile_file_name_is_said_as_text(tmp_path: Path) -> None:
    path = tmp_path / "[bold]x[@click=app.quit]y \x1b]0;PWNED\x07.json"
    write(path, [P1])
    app = file_app(path, Clock())
    async with app.run_test(size=SIZE) as pilot:
        watch = app._file_watch
        await until(pilot, lambda: watch is not None and watch._started, "the watch")
        path.unlink()
        await until(pilot, lambda: "file gone" in status(app), "the file gone")
        (note,) = [n for n in app._notifications if "no such file" in str(n.message)]
        message = note.message
        # A Content, never markup; the control characters gone.
        assert not isinstance(message, str)
        assert "[bold]x[@click=app.quit]y" in str(message) and "\x1b" not in str(message)
        assert "\x07" not in str(message)


@pytest.mark.parametrize("shape", ["file", "folder", "files"])
async def test_the_status_line_names_what_is_followed(tmp_path: Path, shape: str) -> None:
    """A folder followed said 'following the file' (and named no folder)."""
    from datetime import UTC

    from threadtui.follow.files import signatures

    first, second = tmp_path / "a.json", tmp_path / "b.json"
    write(first, [P1, P2])
    write(second, [P4])
    paths = {"file": [first], "folder": [tmp_path], "files": [first, second]}[shape]
    names = [os.fspath(p) for p in paths]
    app = Following(
        load_document(json.loads(first.read_bytes()), name=names[0]),
        follow=True,
        follow_files=names,
        follow_initial=signatures(names),
        tz=UTC,
    )
    app.follow_clock = Clock()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "following" in status(app), "the status")
        assert f"following the {shape}" in status(app)

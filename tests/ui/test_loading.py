"""A URL opened in the app: it is up at once, posts join the tree as responses arrive, the
cursor goes to the linked post, Escape stops the fetch and keeps what came, and R refreshes
in place (new posts marked, deleted ones kept and marked, the cursor on its post).

Against the loopback server (tests/fetch_server.py); waits are bounded loops on the app's
state, never timing assertions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

import fetch_responses as r
from fetch_server import FetchServer, Reply, Request
from fetch_support import FAST, bluesky_chain, point_apis_at, until
from threadtui.fetch.client import Limits
from threadtui.fetch.run import FetchOptions
from threadtui.ui.app import ThreadApp
from threadtui.ui.loading import LoadingLine, PostsAdded, empty_thread, progress_text
from threadtui.ui.tree import ThreadTree

QUOTES = "/xrpc/app.bsky.feed.getQuotes"
BSKY_URL = "https://bsky.app/profile/alice.example/post/a"
HN_URL = "https://news.ycombinator.com/item?id=1"
SIZE = (100, 30)


@pytest.fixture
def api(fetch_server: FetchServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FetchServer:
    point_apis_at(fetch_server, monkeypatch, tmp_path)
    return fetch_server


class Recording(ThreadApp):
    """The app, keeping the PostsAdded hook's messages (what read state will listen to)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.added: list[PostsAdded] = []

    def on_posts_added(self, message: PostsAdded) -> None:
        self.added.append(message)


def live_app(url: str) -> Recording:
    options = FetchOptions(refresh=True, limits=Limits(**FAST))
    return Recording(empty_thread(url), url=url, fetch_options=options, fetch_on_start=True)


def bluesky(api: FetchServer, *, stall_branch: bool = False) -> None:
    """The chain of `bluesky_chain`, the root quoted once (one page of getQuotes)."""
    root = bluesky_chain(api, quotes=1, stall_branch=stall_branch)
    q1 = r.bsky_post("q1", "quote one", did=r.OTHER, quoting=root, minute=5)
    api.add(QUOTES, {"uri": root, "posts": [q1]}, uri=root)


def shown_ids(app: ThreadApp) -> set[str]:
    return {p.id.rsplit("/", 1)[-1] for p in app.thread.posts if not p.synthetic}


async def test_the_app_is_up_before_the_posts_and_fills_in(api: FetchServer) -> None:
    bluesky(api)
    app = live_app(BSKY_URL)
    added = app.added
    async with app.run_test(size=SIZE) as pilot:
        # Up with nothing yet: the loading line is there, the fetch runs.
        assert app.fetching is not None
        assert app.query_one(LoadingLine).has_class("-active")
        await until(pilot, lambda: app.fetching is None, "the fetch ends")
        assert shown_ids(app) == {"root", "a", "b", "c", "d", "q1"}
        assert not app.query_one(LoadingLine).has_class("-active")
        tree = app.query_one(ThreadTree)
        # The cursor starts on the linked post, and the detail pane shows it.
        assert tree.cursor_post == app.thread.by_id[f"bluesky:{r.at(r.DID, 'a')}"]
        assert tree.highlighted == tree.cursor_post
        assert app.thread.title != BSKY_URL or app.thread.posts
        # Every post reached the tree, in more than one batch (two threads, one quotes).
        assert tree.model.row_count == 6
        assert not app.new_posts  # the first fetch is the thread arriving, not news
        assert sum(len(m.indexes) for m in added) == 6 and not any(m.new for m in added)
        assert "6 posts" in str(app.query_one("#status", Static).render())


async def test_escape_stops_the_fetch_and_keeps_what_came(api: FetchServer) -> None:
    bluesky(api, stall_branch=True)
    app = live_app(BSKY_URL)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: len(app.thread.posts) >= 3, "the first response's posts")
        assert app.fetching is not None  # still waiting on the stalled branch
        # The loading line names the key that stops it.
        assert "Esc stops" in str(app.query_one(LoadingLine).render())
        await pilot.press("escape")
        await until(pilot, lambda: app.fetching is None, "the fetch stops")
        assert shown_ids(app) == {"root", "a", "b"}
        assert app.is_running
        tree = app.query_one(ThreadTree)
        assert tree.cursor_post == app.thread.by_id[f"bluesky:{r.at(r.DID, 'a')}"]
        await pilot.press("q")
    assert app.return_code == 0


async def test_q_while_fetching_quits_without_waiting(api: FetchServer) -> None:
    bluesky(api, stall_branch=True)
    app = live_app(BSKY_URL)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: len(app.thread.posts) >= 3, "the first posts")
        await pilot.press("q")
        await pilot.pause()
    assert not app.is_running


def growing_story(api: FetchServer) -> None:
    """First answer: replies 2 and 3. Later answers: 3 is gone upstream, 4 and 5 are new,
    and the story has more points."""
    calls: list[Request] = []

    def answer(request: Request) -> Any:
        calls.append(request)
        if len(calls) == 1:
            return r.algolia_item(
                [r.algolia_comment(2, "first reply", 1), r.algolia_comment(3, "doomed reply", 2)], 3
            )
        return r.algolia_item(
            [
                r.algolia_comment(2, "first reply", 1),
                r.algolia_comment(4, "new reply", 3),
                r.algolia_comment(5, "another new reply", 4),
            ],
            10,
        )

    api.answer("/api/v1/items/1", answer)


async def test_refresh_merges_in_place_and_marks_what_is_new(api: FetchServer) -> None:
    growing_story(api)
    app = live_app(HN_URL)
    added = app.added
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.fetching is None, "the first fetch")
        thread = app.thread
        tree = app.query_one(ThreadTree)
        first = thread.by_id["hackernews:2"]
        assert tree.move_to_post(first)
        await pilot.press("f", *"reply", "enter")
        await until(pilot, lambda: app.queries.filter is not None, "the filter")
        assert app.queries.filter is not None
        assert sum(app.queries.filter.layout.view.member) == 2
        root = thread.by_id["hackernews:1"]
        assert thread.posts[root].metrics.likes == 3
        added.clear()

        await pilot.press("ctrl+r")
        await until(pilot, lambda: app.fetching is None and bool(added), "the refresh")
        # Same thread object, posts at the same indexes; the cursor on its post.
        assert app.thread is thread and thread.by_id["hackernews:2"] == first
        assert tree.cursor_post == first
        assert app.new_posts == {"hackernews:4", "hackernews:5"}
        assert [m.new for m in added] == [True] and len(added[0].indexes) == 2
        # Deleted upstream: still there, marked.
        doomed = thread.posts[thread.by_id["hackernews:3"]]
        assert doomed.status == "deleted" and doomed.text == "doomed reply"
        assert thread.posts[root].metrics.likes == 10
        # The filter ran again on the grown thread: the new replies match.
        await until(
            pilot,
            lambda: (
                app.queries.filter is not None and sum(app.queries.filter.layout.view.member) == 4
            ),
            "the filter to count the new matches",
        )
        status = str(app.query_one("#status", Static).render())
        assert "refreshed" in status and "2 new" in status


async def test_refresh_moves_a_post_to_the_parent_it_has_now(api: FetchServer) -> None:
    """Upstream, reply 3 now answers reply 2 (an edit of its parent, or an import that
    placed it wrongly before): the refresh files it there, at the same index, and the
    cursor stays on the post it was on."""
    calls: list[Request] = []

    def answer(request: Request) -> Any:
        calls.append(request)
        two = r.algolia_comment(2, "first reply", 1)
        if len(calls) == 1:
            return r.algolia_item([two, r.algolia_comment(3, "wandering reply", 2)], 3)
        moved = r.algolia_comment(3, "wandering reply", 2, parent=2)
        return r.algolia_item([{**two, "children": [moved]}], 3)

    api.answer("/api/v1/items/1", answer)
    app = live_app(HN_URL)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.fetching is None, "the first fetch")
        thread = app.thread
        tree = app.query_one(ThreadTree)
        root, two, three = (thread.by_id[f"hackernews:{n}"] for n in (1, 2, 3))
        assert thread.posts[three].parent == root
        assert tree.move_to_post(three)

        await pilot.press("ctrl+r")
        await until(pilot, lambda: len(calls) >= 2 and app.fetching is None, "the refresh")
        await pilot.pause()
        assert app.thread is thread and thread.by_id["hackernews:3"] == three
        assert thread.posts[three].parent == two
        assert thread.posts[three].depth == thread.posts[two].depth + 1
        assert tree.cursor_post == three
        # In the tree too: right under its new parent.
        rows = tree.model.rows
        assert rows.index(three) == rows.index(two) + 1


async def test_refresh_is_only_for_a_thread_from_a_url() -> None:
    from support import post, thread_doc
    from threadtui.model import load_document

    app = ThreadApp(load_document(thread_doc([post("p1", 0, "hello")])))
    async with app.run_test(size=SIZE) as pilot:
        assert "ctrl+r" not in app.active_bindings
        await pilot.press("ctrl+r")
        assert app.fetching is None


async def test_a_failed_fetch_says_so_and_keeps_the_app(api: FetchServer) -> None:
    api.add("/api/v1/items/1", Reply(status=404, body={"error": "not found"}))
    api.add("/v0/item/1.json", b"null")
    app = live_app(HN_URL)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.fetching is None, "the fetch to fail")
        assert app.is_running
        assert any(n.severity == "error" for n in app._notifications)


def test_progress_text_names_requests_posts_waits_and_time() -> None:
    from threadtui.fetch.progress import Progress

    assert progress_text(None, 3) == "connecting 0:03"
    text = progress_text(Progress(12, 340, expected=500, waiting=5.0, note="rate limited"), 72)
    assert text == "340 of about 500 posts · 12 requests · waiting 5s · 1:12 · rate limited"
    # A note from the network is one clean line.
    assert "\x1b" not in progress_text(Progress(1, 1, note="bad\x1b[31m\nline"), 0)


async def test_from_the_cache_it_opens_on_the_linked_post_with_a_notice() -> None:
    from support import post, thread_doc
    from threadtui.model import load_document

    posts = [post(f"p{k}", k, f"post {k}") for k in range(60)]
    thread = load_document(thread_doc(posts))
    app = ThreadApp(
        thread,
        url=HN_URL,
        anchor="p45",
        notices=["Opened from the cache, fetched 3 hours ago"],
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.query_one(ThreadTree).cursor_post == thread.by_id["p45"]
        assert app.fetching is None
        notes = list(app._notifications)
        assert [n.severity for n in notes] == ["information"]
        assert "fetched 3 hours ago" in str(notes[0].message)
        # A thread from a URL can be refreshed: the key is offered.
        assert app.active_bindings["ctrl+r"].enabled


async def test_the_cache_notice_comes_after_the_first_frame(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The notice is a toast, a widget to import and mount: it must not delay the first
    frame of a URL from the cache, which costs no more than its saved file (issue #12)."""
    from support import post, thread_doc
    from threadtui.model import load_document

    at_first_frame: list[int] = []
    first_frame_drawn = ThreadApp._first_frame_drawn

    def recording(app: ThreadApp) -> None:
        at_first_frame.append(len(app._notifications))
        first_frame_drawn(app)

    monkeypatch.setattr(ThreadApp, "_first_frame_drawn", recording)
    thread = load_document(thread_doc([post(f"p{k}", k, f"post {k}") for k in range(5)]))
    app = ThreadApp(thread, url=HN_URL, notices=["Opened from the cache, fetched just now"])
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: len(app._notifications) > 0)
        assert at_first_frame == [0]
        assert "fetched just now" in str(next(iter(app._notifications)).message)


async def test_a_thread_from_a_url_without_a_title_is_headed_by_its_url() -> None:
    from support import post, thread_doc
    from threadtui.model import load_document

    doc = thread_doc([post(f"p{k}", k, f"post {k}") for k in range(3)])
    doc["thread"].pop("title", None)
    thread = load_document(doc, name=HN_URL)
    app = ThreadApp(thread, url=HN_URL)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert str(app._header()).startswith(HN_URL)


def test_the_fetch_hands_over_each_response_as_it_arrives(api: FetchServer) -> None:
    import asyncio

    from threadtui.fetch.base import LISTENER
    from threadtui.fetch.run import fetch_thread_async

    bluesky(api)
    seen: list[tuple[str, str | None]] = []
    options = FetchOptions(use_cache=False, limits=Limits(**FAST))
    result = asyncio.run(
        fetch_thread_async(
            BSKY_URL,
            options,
            on_response=lambda name, body, fetched: seen.append(
                (name.split()[0], None if fetched is None else fetched.anchor)
            ),
        )
    )
    assert [name for name, _ in seen] == ["getPostThread", "getPostThread", "getQuotes"]
    assert {anchor for _, anchor in seen} == {result.anchor}
    assert len(result.responses) == 3
    assert LISTENER.get() is None  # nothing left listening after the fetch


async def test_the_linked_post_takes_the_cursor_before_anything_is_drawn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A URL reopened from the cache, linking a reply far down: the detail pane is built
    once, for that post (not for the first post, then again), and finding its row walks
    the tree only as far as it, ranking no post (issue #12: no dearer than the file)."""
    from support import post, thread_doc
    from threadtui.model import load_document
    from threadtui.ui.detail import DetailPane

    posts = [post("p0", 0, "the root")]
    posts += [post(f"p{k}", k, f"reply {k}", reply_to="p0") for k in range(1, 400)]
    thread = load_document(thread_doc(posts))
    shown: list[int | None] = []
    show = DetailPane.show

    def recording(pane: DetailPane, index: int | None, **options: Any) -> None:
        shown.append(index)
        show(pane, index, **options)

    at_first_frame: list[tuple[list[int | None], bool]] = []
    first_frame_drawn = ThreadApp._first_frame_drawn

    def stamp(app: ThreadApp) -> None:
        at_first_frame.append((list(shown), app.thread._rank is None))
        first_frame_drawn(app)

    monkeypatch.setattr(DetailPane, "show", recording)
    monkeypatch.setattr(ThreadApp, "_first_frame_drawn", stamp)
    linked = thread.by_id["p350"]
    app = ThreadApp(thread, url=HN_URL, anchor="p350")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: bool(at_first_frame))
        assert at_first_frame == [([linked], True)]
        tree = app.query_one(ThreadTree)
        assert tree.cursor_post == linked == tree.highlighted
        assert app.query_one(DetailPane).index == linked

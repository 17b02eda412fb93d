"""The app's search in two steps on a big thread (issue #16): the window around the cursor
first, then the exact count, without moving the cursor the user has moved since."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from support import make_app, post, thread_doc
from threadtui.model import load_document
from threadtui.query import window as window_module
from threadtui.ui.query_worker import FilterState, QueryController, SearchState
from threadtui.ui.tree import ThreadTree

SIZE = (100, 30)


async def settle(pilot: Pilot[Any]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def small_windows_and_spy(
    monkeypatch: pytest.MonkeyPatch, record: Callable[[object], None]
) -> None:
    """Windows small enough that a 300-post thread is answered in two steps, and each
    outcome the query controller delivers handed to `record` as it is delivered."""
    monkeypatch.setattr(window_module, "SLICE", 16)
    monkeypatch.setattr(window_module, "WINDOW", 5)
    deliver = QueryController._deliver

    def spy(self: QueryController, kind: Any, outcome: Any, *rest: Any) -> None:
        record(outcome)
        deliver(self, kind, outcome, *rest)

    monkeypatch.setattr(QueryController, "_deliver", spy)


async def test_a_search_shows_its_window_then_the_exact_count(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("threadtui.ui.query_worker.NARROW_ENOUGH", 0)
    posts = [post(f"p{k}", k, "a common word" if k % 3 else "other") for k in range(300)]
    thread = load_document(thread_doc(posts), name="big.json")
    shown: list[tuple[bool, int, bool]] = []

    def record(outcome: object) -> None:
        if isinstance(outcome, SearchState):
            shown.append((outcome.result.complete, outcome.result.count, outcome.refines))

    small_windows_and_spy(monkeypatch, record)
    app = make_app(thread)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"common")
        await settle(pilot)
        # Each keystroke: first a window (a lower bound), then the full result.
        assert shown[-2] == (False, shown[-2][1], False) and shown[-2][1] >= 5
        assert shown[-1] == (True, 200, True)
        assert app.queries.search is not None and app.queries.search.result.complete
        tree = app.query_one(ThreadTree)
        assert tree.cursor_post == thread.by_id["p1"]
        status = str(app.query_one("#query-status", Static).render()).strip()
        assert status == "1/200"


async def test_a_filter_shows_its_window_then_every_match(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    posts = [post(f"p{k}", k, "text", metrics={"views": 5000 if k % 3 else 1}) for k in range(300)]
    thread = load_document(thread_doc(posts), name="big.json")
    shown: list[tuple[bool, str, int, bool]] = []

    def record(outcome: object) -> None:
        if isinstance(outcome, FilterState):
            view = outcome.view
            shown.append((view.complete, view.status(), len(outcome.layout.rows), outcome.refines))

    small_windows_and_spy(monkeypatch, record)
    app = make_app(thread)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f", *"views:>1000")
        await settle(pilot)
        window, full = shown[-2], shown[-1]
        # The window: a screenful of rows, said to be a lower bound.
        assert not window[0] and window[1].startswith("≥") and window[1].endswith("match…")
        assert 5 <= window[2] < 200 and not window[3]
        assert full == (True, "200 of 300 posts match", 200, True)
        tree = app.query_one(ThreadTree)
        assert tree.model.row_count == 200
        assert app.thread.posts[tree.cursor_post or 0].id == "p1"

"""Search and filters as a user types them: live results, n/N, Escape, errors, clearing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from support import make_app, post, quotes_thread, thread_doc
from threadtui.model import Thread, load_document
from threadtui.opener import open_thread
from threadtui.ui.app import ThreadApp
from threadtui.ui.detail import DetailPane
from threadtui.ui.querybar import QueryBar
from threadtui.ui.tree import ThreadTree

SIZE = (100, 30)
SEED = Path(__file__).parents[1] / "data" / "stories" / "x-story-ai-deployment.txt"


def cursor_id(app: ThreadApp) -> str:
    tree = app.query_one(ThreadTree)
    assert tree.cursor_post is not None
    return app.thread.posts[tree.cursor_post].id


def status(app: ThreadApp) -> str:
    return str(app.query_one("#status", Static).render())


def bar_status(app: ThreadApp) -> str:
    return str(app.query_one("#query-status", Static).render()).strip()  # right-aligned


async def settle(pilot: Pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def type_query(pilot: Pilot, text: str) -> None:
    await pilot.press(*text)
    await settle(pilot)


async def submit_query(pilot: Pilot, key: str, text: str) -> None:
    """Open the bar with `key`, type `text`, press Enter: what a user does to keep a query."""
    await pilot.press(key)
    await type_query(pilot, text)
    await pilot.press("enter")
    await settle(pilot)


async def test_search_as_you_type_jumps_and_counts() -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        bar = app.query_one(QueryBar)
        assert bar.is_open and app.query_one(Input).has_focus
        await type_query(pilot, "quot")
        # "quot" is in q1..q4, cy1, cy2, gone (and r1's text "quotes nothing").
        assert app.queries.search is not None
        assert app.queries.search.result.count == 8
        assert cursor_id(app) == "r1"
        assert bar_status(app) == "1/8"
        assert status(app).startswith("search 1/8 · 9 posts")
        await pilot.press("enter")
        assert not bar.is_open and app.query_one(ThreadTree).has_focus
        await pilot.press("n")
        assert cursor_id(app) == "q1"
        assert status(app).startswith("search 2/8")
        await pilot.press("N", "N")
        assert cursor_id(app) == "gone"  # wrapped around backwards
        # The same query typed again refines: the input keeps what was typed.
        await pilot.press("slash")
        assert app.query_one(Input).value == "quot"


async def test_search_highlights_rows_and_detail() -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=SIZE) as pilot:
        await submit_query(pilot, "slash", "levels")
        tree = app.query_one(ThreadTree)
        assert cursor_id(app) == "q4"
        row = tree.render_line(tree.cursor - tree.scroll_offset.y)
        styled = [seg for seg in row._segments if seg.text == "levels"]
        assert styled, "the match is its own highlighted segment"
        detail = app.query_one(DetailPane)
        marked = [
            line.plain[span.start : span.end]
            for line in detail.page.lines
            for span in line.spans
            if span.style == "bold reverse"
        ]
        assert "levels" in marked


async def test_escape_leaves_search_and_keeps_position() -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        await type_query(pilot, "four")
        assert cursor_id(app) == "q4"
        await pilot.press("escape")
        await settle(pilot)
        assert app.queries.search is None
        assert cursor_id(app) == "q4"
        assert not status(app).startswith("search")


async def test_bad_regex_says_why_and_keeps_running() -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        await type_query(pilot, "/Quot(e/")
        assert app.is_running
        message = bar_status(app)
        assert "missing )" in message
        assert app.query_one("#query-status").has_class("-error")
        await pilot.press("backspace", "backspace", "backspace")
        await type_query(pilot, "ing/")
        assert app.query_one(Input).value == "/Quoting/"
        assert not app.query_one("#query-status").has_class("-error")
        # q1-q3 say "Quoting"; q4 quotes q3, whose card it shows.
        assert app.queries.search is not None
        assert [app.thread.posts[i].id for i in app.queries.search.result.matches] == [
            "q1",
            "q2",
            "q3",
            "q4",
        ]


async def test_filter_keeps_shape_with_context_and_counts() -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        await type_query(pilot, "from:carol")
        tree = app.query_one(ThreadTree)
        shown = [app.thread.posts[i].id for i in tree.rows]
        # Carol wrote q1, q4 and gone; root, q2, q3 are their ancestors (context).
        assert shown == ["root", "q1", "q2", "q3", "q4", "gone"]
        assert status(app).startswith("3 of 9 posts match")
        context_row = tree.render_line(0)
        assert context_row.text.startswith("▾◦ Alice")
        await pilot.press("enter")
        await pilot.press("j")
        tree.collapse(app.thread.by_id["q1"])
        await settle(pilot)
        assert "(+3, 1 match)" in tree.render_line(1).text
        await pilot.press("c")
        await settle(pilot)
        # Everything is back except what the user folded (q1's three replies).
        assert len(tree.rows) == 6 and not status(app).startswith("3 of")


async def test_filter_error_names_the_key() -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        # "colour" settles before the colon: on a busy machine a keystroke's filter can be
        # overtaken by the next one, and the tree would keep an earlier word's rows.
        await type_query(pilot, "colour")
        await type_query(pilot, ":red")
        assert 'unknown filter "colour:"' in bar_status(app)
        # "colour" alone matched nothing: the tree says so, and the error keeps it.
        tree = app.query_one(ThreadTree)
        assert tree.rows == []
        assert "No post matches" in tree.render_line(0).text


async def test_n_skips_matches_the_filter_hides() -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        await type_query(pilot, "from:alice")
        await pilot.press("enter", "slash")
        await type_query(pilot, "quot")
        await pilot.press("enter")
        visited = []
        for _ in range(4):
            await pilot.press("n")
            visited.append(cursor_id(app))
        # Alice wrote q2 and cy1; q1 matches too and is shown, dimmed, as q2's parent.
        assert set(visited) == {"q1", "q2", "cy1"}


async def test_initial_search_and_filter_from_the_command_line() -> None:
    app = ThreadApp(open_thread(SEED), search="regulation", filter="views:>500")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.queries.filter is not None and app.queries.search is not None
        assert status(app).startswith("5 of 7 posts match · search 1/2")


async def test_author_picker_narrows_marks_and_filters() -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await settle(pilot)
        from threadtui.ui.pickers import AuthorList, AuthorPicker

        picker = app.screen
        assert isinstance(picker, AuthorPicker)
        # Sorted by post count: Alice and Bob and Carol wrote 3 each (then by name).
        labels = [c.label for c in picker.choices]
        assert labels == ["Alice Ämberg @alice", "Bob @bob_2", "Carol O’Neil 🌻 @carol"]
        await type_query(pilot, "amb")  # accent-insensitive narrowing
        listing = picker.query_one(AuthorList)
        assert [row.label for row in listing.rows] == ["Alice Ämberg @alice"]
        await pilot.press("enter")
        await settle(pilot)
        assert app.queries.filter_text == "from:alice"
        assert status(app).startswith("3 of 9 posts match")
        # Picking again starts from the filter's authors, replaces them and keeps the
        # rest of what was typed.
        await pilot.press("f")
        await type_query(pilot, " quote")
        await pilot.press("enter", "a")
        await settle(pilot)
        # Alice is marked; unmark her, mark Bob and Carol.
        await pilot.press("down", "space", "down", "space", "down", "space", "enter")
        await settle(pilot)
        assert app.queries.filter_text == "quote from:bob_2 from:carol"


async def test_author_picker_escape_changes_nothing() -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.queries.filter is None


async def test_time_picker_presets_and_keys() -> None:
    app = ThreadApp(open_thread(SEED))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await settle(pilot)
        from threadtui.ui.pickers import TimePicker

        picker = app.screen
        assert isinstance(picker, TimePicker)
        chart = str(picker.query_one("#time-chart", Static).render())
        assert "█" in chart  # the busiest bucket reaches the top
        await pilot.press("1")  # the first hour
        assert "3 posts" in str(picker.query_one("#time-range", Static).render())
        await pilot.press("enter")
        await settle(pilot)
        assert app.queries.filter_text == "before:+1h"
        assert status(app).startswith("3 of 7 posts match")
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("3", "enter")  # the last hour
        await settle(pilot)
        assert app.queries.filter_text.startswith("after:+3h")
        assert status(app).startswith("1 of 7 posts matches")
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("0", "right", "right", "tab", "left", "enter")
        await settle(pilot)
        assert (
            app.queries.filter_text.startswith("after:+") and "before:+" in app.queries.filter_text
        )


async def test_author_picker_unknown_entry_filters_unattributed_posts() -> None:
    app = ThreadApp(open_thread(SEED))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await settle(pilot)
        # The seed has 4 posts by unknown authors: the busiest entry, first in the list.
        await pilot.press("down", "space", "enter")
        await settle(pilot)
        assert app.queries.filter_text == "from:?"
        assert status(app).startswith("4 of 7 posts match")


async def test_hostile_text_stays_literal_in_search_pickers_and_notifications() -> None:
    from support import hostile_thread
    from threadtui.ui.pickers import AuthorList, AuthorPicker

    app = make_app(hostile_thread())
    async with app.run_test(size=SIZE) as pilot:
        # A search for markup finds it as text and highlights it as text.
        await pilot.press("slash")
        await type_query(pilot, '"[@click=app.quit]click me"')
        assert app.is_running and app.queries.search is not None
        assert app.queries.search.result.count == 1
        await pilot.press("enter")
        await settle(pilot)
        body = " ".join(app.query_one(DetailPane).text.split())
        assert "[@click=app.quit]click me[/]" in body
        # The author picker shows the name literally, control characters replaced.
        await pilot.press("a")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, AuthorPicker)
        label = picker.query_one(AuthorList).render_line(0).text
        assert "[b]Mallory[/b] [@click=app.quit]x[/]" in label and "\x1b" not in label
        await pilot.press("escape")
        await settle(pilot)
        # A notification naming an author shows the name literally.
        app.query_one(ThreadTree).action_same_author(1)
        await settle(pilot)
        await pilot.press("j")
        app.query_one(ThreadTree).move_to_post(app.thread.by_id["h0"])
        messages = [n.message for n in app._notifications]
        assert app.is_running
        assert all("\x1b" not in m for m in messages)


async def test_filtered_guides_turn_the_corner_at_the_last_shown_child() -> None:
    """The corner guide (└) is worked out per drawn row: check it, for every row of a
    random filtered thread, folded and unfolded, against the siblings actually shown."""
    import random

    from support import post, thread_doc
    from threadtui.model import NO_PARENT, load_document

    rng = random.Random(7)
    posts = [post("p0", 0, "hit root")]
    for k in range(1, 120):
        text = "hit" if rng.random() < 0.3 else "miss"
        posts.append(post(f"p{k}", k, text, reply_to=f"p{rng.randrange(k)}"))
    thread = load_document(thread_doc(posts))
    app = make_app(thread)
    async with app.run_test(size=SIZE) as pilot:
        await submit_query(pilot, "f", "hit")
        tree = app.query_one(ThreadTree)
        for _ in range(2):
            shown = set(tree.rows)
            for i in tree.rows:
                parent = thread.posts[i].parent
                kids = thread.roots if parent == NO_PARENT else thread.posts[parent].children
                last_shown = [k for k in kids if k in shown][-1]
                assert tree.model.is_last(i) == (i == last_shown), thread.posts[i].id
            tree.collapse(thread.posts[0].children[0])  # and again with a branch folded


async def test_keys_arriving_together_after_slash_go_into_the_field() -> None:
    """Typed fast, pasted, or read at once over SSH: "/lefa" arrives before "/" has opened
    the field. The letters are the query, not tree keys (l), a filter (f) or authors (a)."""
    from textual import events

    app = make_app(quotes_thread())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for key in ("slash", "l", "e", "f", "a"):
            app.post_message(events.Key(key, "/" if key == "slash" else key))
        await settle(pilot)
        assert app.query_one(Input).value == "lefa"
        assert app.query_one(Input).has_focus and app.query_one(QueryBar).mode == "search"


# --- runaway patterns and failing queries (issue #13 items 8 and 12) ------------------------

RUNAWAY = "/(a{1,16}){1,16}b/"
"""Exponential on a run of a's, and let through by the shape checks: only a timeout stops it."""


def runaway_thread() -> Thread:
    posts = [
        post("p1", 0, "aab: a quick match first"),
        post("p2", 1, "a" * 300, reply_to="p1"),
        post("p3", 2, "plain text", reply_to="p1", metrics={"views": 7}),
    ]
    return load_document(thread_doc(posts), name="runaway.json")


async def test_runaway_search_is_stopped_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("threadtui.query.match.SEARCH_BUDGET", 0.05)
    app = make_app(runaway_thread())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        await type_query(pilot, RUNAWAY)
        assert app.is_running
        assert bar_status(app).startswith("search stopped: pattern too slow")
        assert app.query_one("#query-status").has_class("-error")
        # A plainer pattern runs again.
        app.query_one(Input).value = "/a{2}b/"
        await settle(pilot)
        assert app.queries.search is not None
        assert [app.thread.posts[i].id for i in app.queries.search.result.matches] == ["p1"]


@pytest.mark.slow
async def test_escape_and_q_answer_while_a_runaway_search_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The UI thread never waits for a regex: Escape closes the search at once and stops
    the job (a cancel, not its budget: the budget here is long enough to tell), and q
    quits."""
    from threadtui.query import QueryCancelled
    from threadtui.ui.query_worker import QueryController

    monkeypatch.setattr("threadtui.query.match.SEARCH_BUDGET", 30.0)
    endings: list[str] = []
    compute = QueryController._compute

    def spy(self: QueryController, kind: Any, text: str, cancel: Any) -> Any:
        try:
            outcome = compute(self, kind, text, cancel)
        except Exception as error:
            endings.append(f"{type(error).__name__}: {error}")
            raise
        endings.append("done")
        return outcome

    monkeypatch.setattr(QueryController, "_compute", spy)
    app = make_app(runaway_thread())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *RUNAWAY)
        await pilot.pause()
        assert app.query_one(QueryBar).is_open
        await pilot.press("escape")
        assert not app.query_one(QueryBar).is_open
        assert app.queries.search is None and app.queries.search_text == ""
        assert app.query_one(ThreadTree).has_focus
        await settle(pilot)  # every job has ended
        # The full pattern's job (and any slow one before it) ended cancelled.
        assert endings and endings[-1].startswith(QueryCancelled.__name__), endings
        assert not any("too slow" in ending for ending in endings), endings  # no budget ran out
        assert not bar_status(app).startswith("search stopped")
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_filter_with_huge_numbers_is_an_error_not_a_crash() -> None:
    app = make_app(runaway_thread())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        bar_input = app.query_one(Input)
        for text in ("views:>" + "9" * 5000, "views:" + "9" * 400 + ".5"):
            bar_input.value = text
            await settle(pilot)
            assert app.is_running
            assert "too big a number" in bar_status(app)
            assert app.query_one("#query-status").has_class("-error")
        await type_query(pilot, "")  # the bar still answers
        bar_input.value = "views:>5"
        await settle(pilot)
        assert bar_status(app).startswith("1 of 3 posts match")


async def test_any_failure_in_the_query_layer_is_reported_not_fatal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr("threadtui.query.parse_query", broken)
    app = make_app(runaway_thread())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        await type_query(pilot, "x")
        assert app.is_running
        assert bar_status(app) == "filter failed: RuntimeError: boom"
        await pilot.press("escape", "slash")
        await type_query(pilot, "y")
        assert bar_status(app) == "search failed: RuntimeError: boom"
        await pilot.press("escape", "q")
        await pilot.pause()
    assert app.return_code == 0

"""New since the last visit, in the app: the count in the status line, the marks, the
jumps, Shift+R, `is:new`, and what is read (shown) being saved. A fixed clock; the state in
a folder of the test's own."""

from __future__ import annotations

import asyncio
from datetime import UTC
from pathlib import Path

from textual.pilot import Pilot

from fridays import ARRIVED, FIRST, LATER, T0, Clock, first_visit, index_of, reopen, thread
from support import make_app
from threadtui.state import ReadState, open_state
from threadtui.ui.app import ThreadApp
from threadtui.ui.detail import DetailPane
from threadtui.ui.tree import ThreadTree

SIZE = (100, 24)


async def settle(pilot: Pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def status(app: ThreadApp) -> str:
    return str(app.query_one("#status").render())


def row_text(app: ThreadApp, post_index: int) -> str:
    tree = app.query_one(ThreadTree)
    row = tree.model.row_of(post_index)
    assert row is not None
    return tree._render_row(post_index, 90, False).text


def footer_keys(app: ThreadApp) -> set[str]:
    return {
        binding.action
        for (_, binding, enabled, _) in app.screen.active_bindings.values()
        if binding.show and enabled
    }


def state_of(app: ThreadApp) -> ReadState:
    assert app.read_state is not None
    return app.read_state


async def test_reopen_shows_count_marks_and_cursor(tmp_path: Path) -> None:
    first_visit(tmp_path)
    app, t = reopen(tmp_path)
    new = {index_of(t, pid) for pid in ("n1", "n2", "n3")}
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "3 new since Tue 14:02" in status(app)
        for i in range(len(t.posts)):
            assert ("✦" in row_text(app, i)) == (i in new), t.posts[i].id
        # The cursor is back where it was left, and that post is not new.
        tree = app.query_one(ThreadTree)
        assert tree.cursor_post == index_of(t, "p3")
        assert not app.query_one(DetailPane).text.split("\n")[1].startswith("new")
        assert "next_new" in footer_keys(app)


def test_the_first_frames_status_line_does_not_hash_the_thread(tmp_path: Path) -> None:
    # Hashing every post for the marks waits for a worker after the first frame (issue
    # #15): the status line composed for the first frame must not do it on the way.
    first_visit(tmp_path)
    app, _ = reopen(tmp_path)
    state = state_of(app)
    assert not state.ready
    assert "7 posts" in " ".join(str(part.forms[0]) for part in app._status())
    assert not state.ready


async def test_marks_that_come_after_quitting_are_dropped(tmp_path: Path) -> None:
    # The marks' worker hands its result to the UI thread; q pressed before it ended
    # made that land on an app with no widgets left (a traceback and exit status 1).
    first_visit(tmp_path)
    app, _ = reopen(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q")
    assert app.return_code == 0
    app._read_state_ready()  # as the worker's call would arrive now
    assert app.return_code == 0


async def test_jumps_go_through_new_posts_opening_folds(tmp_path: Path) -> None:
    first_visit(tmp_path)
    app, t = reopen(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tree = app.query_one(ThreadTree)
        p1, n1 = index_of(t, "p1"), index_of(t, "n1")
        tree.collapse(p1)
        await settle(pilot)
        assert not tree.is_visible_in_view(n1) or tree.model.row_of(n1) is None
        seen = []
        for _ in range(4):
            await pilot.press("u")
            await settle(pilot)
            seen.append(t.posts[tree.cursor_post or 0].id)
        # From p3 on: n2, n3, then round to the top, into the folded branch, and on.
        assert seen == ["n2", "n3", "n1", "n2"]
        await pilot.press("U", "U")
        await settle(pilot)
        assert t.posts[tree.cursor_post or 0].id == "n3"
        # n1 was reached: its folded ancestor opened on the way.
        assert not tree.collapsed[p1]
        assert tree.model.row_of(n1) is not None
        detail = app.query_one(DetailPane).text
        assert "new " in detail


async def test_a_post_is_read_once_shown_and_saved_at_quit(tmp_path: Path) -> None:
    first_visit(tmp_path)
    app, t = reopen(tmp_path)
    n1, n2, n3 = (index_of(t, pid) for pid in ("n1", "n2", "n3"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        state = state_of(app)
        assert state.is_unread(n2)
        await pilot.press("u")
        await settle(pilot)
        assert app.query_one(DetailPane).index == n2
        # Read, but still marked new for this visit: marks do not vanish while reading.
        assert not state.is_unread(n2)
        assert state.is_unread(n1) and state.is_unread(n3)
        assert "✦" in row_text(app, n2)
        await pilot.press("q")
    # The next visit: only what was not shown is new, and the cursor is on n2.
    again, _ = open_state(thread(FIRST + ARRIVED), directory=tmp_path, clock=Clock(LATER + 60))
    assert again.new_posts() == [n1, n3]
    assert again.cursor == n2
    assert again.summary(UTC) == "2 new since 16:02"


async def test_shift_r_marks_all_read(tmp_path: Path) -> None:
    first_visit(tmp_path)
    app, t = reopen(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        assert "nothing new since Tue 14:02" in status(app)
        assert not any("✦" in row_text(app, i) for i in range(len(t.posts)))
        assert "next_new" not in footer_keys(app)
        before = app.query_one(ThreadTree).cursor_post
        await pilot.press("u")
        await settle(pilot)
        assert app.query_one(ThreadTree).cursor_post == before
    again, _ = open_state(thread(FIRST + ARRIVED), directory=tmp_path, clock=Clock(LATER + 60))
    assert again.new_count == 0


async def test_is_new_filters_and_follows_shift_r(tmp_path: Path) -> None:
    first_visit(tmp_path)
    app, t = reopen(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f", *"is:new", "enter")
        await settle(pilot)
        current = app.queries.filter
        assert current is not None
        matched = {t.posts[i].id for i, flag in enumerate(current.view.member) if flag}
        assert matched == {"n1", "n2", "n3"}
        await pilot.press("R")
        await settle(pilot)
        current = app.queries.filter
        assert current is not None and not any(current.view.member)


async def test_first_visit_marks_nothing(tmp_path: Path) -> None:
    t = thread(FIRST)
    state, _ = open_state(t, directory=tmp_path, clock=Clock(T0))
    app = ThreadApp(t, read_state=state)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "first visit" in status(app)
        assert not any("✦" in row_text(app, i) for i in range(len(t.posts)))
        assert "next_new" not in footer_keys(app)
        assert not app.query_one(DetailPane).text.split("\n")[1].startswith("new")


async def test_without_state_the_status_is_as_before(tmp_path: Path) -> None:
    app = make_app(thread(FIRST + ARRIVED))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "new" not in status(app) and "visit" not in status(app)
        await pilot.press("R", "u")
        await settle(pilot)


async def test_a_damaged_state_file_is_a_warning(tmp_path: Path) -> None:
    first_visit(tmp_path)
    (path,) = tmp_path.glob("*.read")
    path.write_bytes(b"\x00not a state file")
    app, _ = reopen(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.warning_count == 1
        assert "first visit" in status(app)
        await pilot.press("w")
        await settle(pilot)
        shown = "\n".join(str(w.render()) for w in app.screen.query("*") if hasattr(w, "render"))
        assert "What was read" in shown and "read state damaged" in shown


async def test_a_state_that_cannot_be_saved_is_said_after_exit(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the state folder should be")
    t = thread(FIRST)
    state, _ = open_state(t, directory=blocker / "threadtui", clock=Clock(T0))
    app = ThreadApp(t, read_state=state)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await pilot.press("q")
    assert len(app.exit_messages) == 1
    assert "cannot save what was read" in app.exit_messages[0]


async def test_a_failed_background_save_is_notified_as_text(tmp_path: Path) -> None:
    t = thread(FIRST)
    state, _ = open_state(t, directory=tmp_path, clock=Clock(T0))
    app = ThreadApp(t, read_state=state)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert state.on_error is not None
        message = "/tmp/[b]x[/b]: cannot save what was read: disk full"
        # As save_soon's timer thread calls it.
        await asyncio.to_thread(state.on_error, message)
        await settle(pilot)
        (toast,) = app._notifications
        assert str(toast.message) == message

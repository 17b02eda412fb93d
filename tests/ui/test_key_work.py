"""What a key costs the UI, counted rather than timed (timing is benchmarks/bench_keys.py's):
a key redraws what it changed and rebuilds nothing that stays the same (issue #16)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from support import chain_thread, make_app, quotes_thread, settle_quiet, wait_until
from threadtui.ui.chrome import PriorityFooter
from threadtui.ui.tree import ThreadTree


def count_calls(monkeypatch: pytest.MonkeyPatch, cls: type, name: str) -> list[int]:
    calls = [0]
    original = getattr(cls, name)

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(cls, name, counted)
    return calls


def footer_keys(pilot: Pilot[Any]) -> list[str]:
    return [entry[0] for entry in pilot.app.query_one(PriorityFooter).shown]


async def test_the_footer_changes_its_keys_in_place_and_is_never_rebuilt(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    recomposes = count_calls(monkeypatch, PriorityFooter, "recompose")
    app = make_app(quotes_thread())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_quiet(pilot)
        tree_keys = footer_keys(pilot)
        recomposes[0] = 0
        await pilot.press("j", "k")
        await pilot.pause()
        assert recomposes[0] == 0
        # The search bar takes the focus: its keys replace the tree's, one line redrawn
        # (Textual's footer rebuilds on each of the two binding changes).
        await pilot.press("slash")
        await pilot.pause()
        assert footer_keys(pilot) != tree_keys
        await pilot.press("escape")
        await pilot.pause()
        assert footer_keys(pilot) == tree_keys
        assert recomposes[0] == 0
        # The focus moves between panes without changing the keys shown: no rebuild.
        await pilot.press("tab")
        await pilot.pause()
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused is app.query_one(ThreadTree)
        assert footer_keys(pilot) == tree_keys


async def test_moving_the_focus_redraws_only_the_cursors_row_of_the_tree(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = count_calls(monkeypatch, ThreadTree, "_render_row")
    app = make_app(quotes_thread())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_quiet(pilot)
        tree = app.query_one(ThreadTree)
        assert tree.model.row_count > 2
        rows[0] = 0
        await pilot.press("slash")  # the focus goes to the search field below the panes
        await pilot.pause()
        # At most the cursor's row (its blurred look may be cached already), where every
        # row on screen was drawn again before.
        assert rows[0] <= 1
        cursor = tree.render_line(tree.model.cursor - tree.scroll_offset.y)
        await pilot.press("escape")
        await pilot.pause()
        # The cursor's row is drawn focused again, unlike the cached blurred one.
        assert tree.render_line(tree.model.cursor - tree.scroll_offset.y) != cursor


async def test_a_new_theme_redraws_every_row_of_the_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = count_calls(monkeypatch, ThreadTree, "_render_row")
    app = make_app(quotes_thread())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_quiet(pilot)
        tree = app.query_one(ThreadTree)
        before = [tree.render_line(y) for y in range(tree.model.row_count)]
        rows[0] = 0
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await pilot.pause()
        after = [tree.render_line(y) for y in range(tree.model.row_count)]
        assert rows[0] >= tree.model.row_count
        assert all(a != b for a, b in zip(before, after, strict=True))


async def test_full_collections_wait_for_a_pause_in_the_keys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from threadtui import gcpolicy

    collections: list[int] = []
    monkeypatch.setattr(gcpolicy, "collect_idle", lambda: collections.append(1) or True)
    app = make_app(quotes_thread())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_quiet(pilot)
        await pilot.press("j")
        app._collect_if_idle()  # a key just now: not the moment
        assert collections == []
        app._last_key -= 60.0
        app._collect_if_idle()
        assert collections == [1]


async def test_opening_the_author_picker_folds_no_label_on_the_ui_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading

    from threadtui.ui import pickers

    on_ui: list[str] = []
    fold = pickers.fold

    def watched(text: str) -> str:
        if threading.current_thread() is threading.main_thread():
            on_ui.append(text)
        return fold(text)

    monkeypatch.setattr(pickers, "fold", watched)
    app = make_app(quotes_thread())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_quiet(pilot)
        await pilot.press("a")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, pickers.AuthorPicker)
        await app.workers.wait_for_complete()
        labels = {choice.label for choice in picker.choices}
        assert not labels & set(on_ui)  # the narrowing text alone ("") is folded here
        # Narrowing before the worker is done folds there and then, and still narrows.
        picker._folds = None
        first = picker.choices[0]
        picker._fill(first.label)
        assert picker._matching >= 1 and labels & set(on_ui)


def test_the_pickers_lists_are_computed_once_per_version_of_the_thread() -> None:
    from threadtui.ui import pickers

    thread = quotes_thread()
    times = pickers.post_times(thread)
    authors = pickers.remembered(thread, "authors", pickers.author_choices)
    assert pickers.post_times(thread) is times
    assert pickers.remembered(thread, "authors", pickers.author_choices) is authors
    # A thread that changed (posts added bump its version), or another thread: anew.
    thread.invalidate()
    assert pickers.post_times(thread) is not times
    assert pickers.post_times(thread) == times
    assert pickers.post_times(quotes_thread()) is not pickers.post_times(thread)


async def test_the_detail_follows_the_cursor_once_a_frame_for_the_post_it_rests_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from threadtui.ui.detail import DetailPane

    shown: list[int | None] = []
    original = DetailPane.show

    def show(self: DetailPane, index: int | None, **options: Any) -> None:
        shown.append(index)
        original(self, index, **options)

    monkeypatch.setattr(DetailPane, "show", show)
    app = make_app(quotes_thread())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_quiet(pilot)
        tree = app.query_one(ThreadTree)
        detail = app.query_one(DetailPane)
        shown.clear()
        # Keys faster than frames (a held key): the cursor moves with each, the pane is
        # built once, for the post the cursor is on when the frame is drawn.
        for _ in range(3):
            tree.action_cursor_down()
        assert shown == []  # not in the key's own frame
        await pilot.pause()
        assert shown == [tree.cursor_post]
        assert detail.index == tree.cursor_post


def record_frames(monkeypatch: pytest.MonkeyPatch, log: list[Any]) -> None:
    """Log each frame's changed lines (screen row, first and last column) as it is drawn,
    and each time the detail pane is built, in order."""
    from textual._compositor import ChopsUpdate
    from textual.app import App

    from threadtui.ui.detail import DetailPane

    display = App._display

    def displayed(self: App[Any], screen: Any, renderable: Any) -> None:
        if isinstance(renderable, ChopsUpdate):
            log.append(("frame", renderable.spans))
        display(self, screen, renderable)

    show = DetailPane.show

    def shown(self: DetailPane, index: int | None, **options: Any) -> None:
        log.append(("detail", index))
        show(self, index, **options)

    monkeypatch.setattr(App, "_display", displayed)
    monkeypatch.setattr(DetailPane, "show", shown)


@pytest.mark.parametrize("key", ["j", "k", "n"])
async def test_a_cursor_key_first_draws_the_two_rows_it_changed_alone(
    monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    log: list[Any] = []
    record_frames(monkeypatch, log)
    from threadtui.config import Settings
    from threadtui.ui.app import ThreadApp

    # A search kept, for n; j and k move the same with or without it.
    app = ThreadApp(quotes_thread(), settings=Settings(), search="quot")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_quiet(pilot)
        tree = app.query_one(ThreadTree)
        if key == "k":
            await pilot.press("j")
            await settle_quiet(pilot)
        before = tree.cursor_post
        log.clear()
        await pilot.press(key)
        await settle_quiet(pilot)
        assert tree.cursor_post != before
        frames = [spans for what, spans in log if what == "frame" and spans]
        # The first frame: the old and the new cursor rows, inside the tree, nothing else
        # (no detail line, status, footer or scrollbar).
        region = tree.content_region
        first = frames[0]
        assert len(first) == 2
        for y, x1, x2 in first:
            assert region.y <= y < region.bottom
            assert region.x <= x1 and x2 <= region.right
        # The pane was built after that frame was drawn, and drawn in a later one.
        assert log.index(("frame", first)) < log.index(("detail", tree.cursor_post))
        assert len(frames) >= 2


@pytest.mark.parametrize("key", ["slash", "f"])
async def test_opening_and_closing_the_search_bar_repaints_no_pane(
    monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    from threadtui.ui.detail import DetailPane

    log: list[Any] = []
    record_frames(monkeypatch, log)
    app = make_app(quotes_thread())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_quiet(pilot)
        tree = app.query_one(ThreadTree)
        detail = app.query_one(DetailPane).region
        cursor_line = tree.region.y + tree.cursor - tree.scroll_offset.y
        for press in (key, "escape"):
            log.clear()
            await pilot.press(press)
            await settle_quiet(pilot)
            lines = [(y, x1, x2) for what, spans in log if what == "frame" for y, x1, x2 in spans]
            assert lines, press
            # The bar's line and the footer; in the tree only the cursor's row (its
            # focused look) and the scrollbar's column (its focused colour): no line of
            # the detail pane, no other row.
            bar = 28
            for y, x1, x2 in lines:
                if y >= bar or y == cursor_line:
                    continue
                scrollbar = tree.vertical_scrollbar.region
                assert scrollbar.x <= x1 and x2 <= scrollbar.right, (press, y, x1, x2)
                assert not detail.contains(x1, y)


async def test_the_search_bar_never_hides_the_cursor() -> None:
    from threadtui.ui.querybar import QueryBar

    app = make_app(chain_thread(60))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_quiet(pilot)
        tree = app.query_one(ThreadTree)
        height = tree.scrollable_content_region.height
        # The cursor on the last line the tree shows: the bar would lie over it.
        for _ in range(height - 1):
            await pilot.press("j")
        await pilot.pause()
        assert tree.cursor - tree.scroll_offset.y == height - 1
        await pilot.press("slash")
        await pilot.pause()
        bar = app.query_one(QueryBar)
        assert bar.is_open
        assert tree.region.y + tree.cursor - tree.scroll_offset.y < bar.region.y
        # Moving down while it is open keeps the cursor above it too.
        tree.action_cursor_down()
        await pilot.pause()
        assert tree.region.y + tree.cursor - tree.scroll_offset.y < bar.region.y
        # Closed, the tree has its whole height again.
        await pilot.press("escape")
        await pilot.pause()
        assert tree.covered == 0


async def test_the_help_screen_is_built_once_and_follows_the_threads_dates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from threadtui.ui.help import HelpScreen, RowList

    composed = count_calls(monkeypatch, HelpScreen, "compose")
    app = make_app(quotes_thread())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_quiet(pilot)
        for _ in range(2):
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, HelpScreen)
        assert composed[0] == 1
        # The language section's examples are the thread's own dates: a thread that now
        # starts elsewhere shows them on the next opening, in the same screen.
        before = [listing.rows for listing in app.get_screen("help").query(RowList)]
        start, end = app.thread.time_range or (0.0, 0.0)
        app.thread.time_range = (start - 86400 * 400, end)
        await pilot.press("question_mark")
        await pilot.pause()
        after = [listing.rows for listing in app.screen.query(RowList)]
        assert composed[0] == 1
        assert after[-1] != before[-1] and after[:-1] == before[:-1]


async def burst_of_keys(
    monkeypatch: pytest.MonkeyPatch, count: int
) -> tuple[list[int | None], int | None, int | None]:
    """`count` j's, each arriving while the one before is answered (held or typed faster
    than the app answers them, as on a loaded machine: each cursor move made slower than
    a frame, and the next key queued during it). The posts the detail pane was built
    for, the cursor's post, the pane's."""
    import time

    from textual import events

    from threadtui.ui.detail import DetailPane

    shown: list[int | None] = []
    original = DetailPane.show
    move = ThreadTree.action_cursor_down

    def show(self: DetailPane, index: int | None, **options: Any) -> None:
        shown.append(index)
        original(self, index, **options)

    left = [count]

    def slow_move(self: ThreadTree) -> None:
        time.sleep(0.03)  # longer than a frame (16.7 ms at 60 fps)
        move(self)
        left[0] -= 1
        if left[0]:
            # After the move: behind whatever the move asked of the app (the pane's build).
            self.app.post_message(events.Key("j", "j"))

    monkeypatch.setattr(DetailPane, "show", show)
    app = make_app(chain_thread(40))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_quiet(pilot)
        monkeypatch.setattr(ThreadTree, "action_cursor_down", slow_move)
        tree = app.query_one(ThreadTree)
        start = tree.cursor
        shown.clear()
        app.post_message(events.Key("j", "j"))
        await wait_until(pilot, lambda: tree.cursor == start + count, "every j answered")
        await settle_quiet(pilot)
        return shown, tree.cursor_post, app.query_one(DetailPane).index


async def test_keys_faster_than_frames_build_the_detail_once_for_where_the_cursor_rests(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shown, cursor, detail = await burst_of_keys(monkeypatch, 6)
    # Not once a frame for posts the cursor had already left: once, for the last.
    assert shown == [cursor]
    assert detail == cursor


async def test_the_detail_waits_for_queued_keys_only_so_long(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from threadtui.ui import app as app_module

    # Keys that never pause: the pane still follows, every DETAIL_DEFER_MAX frames.
    monkeypatch.setattr(app_module, "DETAIL_DEFER_MAX", 1)
    shown, cursor, detail = await burst_of_keys(monkeypatch, 6)
    assert len(shown) > 1
    assert shown[-1] == cursor == detail


async def test_a_single_key_shows_its_post_in_the_next_frame(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    log: list[Any] = []
    record_frames(monkeypatch, log)
    app = make_app(quotes_thread())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_quiet(pilot)
        tree = app.query_one(ThreadTree)
        log.clear()
        await pilot.press("j")
        await settle_quiet(pilot)
        builds = [entry for entry in log if entry[0] == "detail"]
        frames = [i for i, entry in enumerate(log) if entry[0] == "frame" and entry[1]]
        # Built once, for the key's post, right after the cursor's frame, and drawn in
        # the frame after that one: no frame of waiting.
        assert builds == [("detail", tree.cursor_post)]
        built = log.index(builds[0])
        assert frames[0] < built
        assert [i for i in frames if i > built][:1] == [frames[1]]


async def test_a_scrollbar_is_drawn_again_only_when_it_looks_different(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from textual.geometry import Region

    from threadtui.ui.detail import DetailPane
    from threadtui.ui.scrolling import QuietScrollBar

    drawn = count_calls(monkeypatch, QuietScrollBar, "render")
    app = make_app(chain_thread(80))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_quiet(pilot)
        tree = app.query_one(ThreadTree)
        detail = app.query_one(DetailPane)
        # Short posts, each fitting the pane; the cursor moving inside the screen: neither
        # bar looks any different, and neither is drawn (Textual drew both again).
        await pilot.press("j")
        await settle_quiet(pilot)
        drawn[0] = 0
        for _ in range(3):
            await pilot.press("j")
            await settle_quiet(pilot)
        assert detail.index == tree.cursor_post
        assert drawn[0] == 0
        # The tree's thumb moves: that bar is drawn, and as a fresh drawing draws it.
        bars = [tree.vertical_scrollbar, detail.vertical_scrollbar]
        await pilot.press("G")
        await settle_quiet(pilot)
        assert drawn[0] >= 1

        def lines(bar: QuietScrollBar) -> list[Any]:
            return [list(strip) for strip in bar.render_lines(Region(0, 0, 1, bar.size.height))]

        shown = [lines(bar) for bar in bars]
        for bar in bars:
            assert isinstance(bar, QuietScrollBar)
            bar._drawn = None
            bar._set_dirty()
            bar.refresh()
        await pilot.pause()
        assert [lines(bar) for bar in bars] == shown
        # ... and not again when nothing about it changed.
        drawn[0] = 0
        await pilot.press("k")
        await settle_quiet(pilot)
        assert drawn[0] == 0


async def test_the_help_page_is_composed_and_laid_out_before_the_first_question_mark(
    monkeypatch: pytest.MonkeyPatch,
) -> None:

    from threadtui.ui import app as app_module
    from threadtui.ui.help import HelpScreen

    monkeypatch.setattr(app_module, "HELP_PREPARE_AFTER", 0.05)
    composed = count_calls(monkeypatch, HelpScreen, "compose")
    app = make_app(quotes_thread())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_quiet(pilot)
        await wait_until(
            pilot,
            lambda: app.is_screen_installed("help") and app.get_screen("help").is_mounted,
            "the help page prepared",
        )
        page = app.get_screen("help")
        await wait_until(pilot, lambda: page.size == app.size, "the help page laid out")
        assert composed[0] == 1
        assert app.screen is not page  # prepared, not shown
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen is page
        assert composed[0] == 1


async def test_the_help_page_is_not_prepared_while_keys_come(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import time

    from threadtui.ui import app as app_module

    monkeypatch.setattr(app_module, "HELP_PREPARE_AFTER", 3600.0)  # only when asked here
    app = make_app(quotes_thread())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_quiet(pilot)
        app._last_key = time.monotonic()
        await app._prepare_help()
        assert not app.is_screen_installed("help")


@pytest.mark.parametrize("size", [(100, 30), (60, 20)])
async def test_the_detail_pane_repaints_only_lines_that_changed_and_shows_what_a_full_repaint_does(
    monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    from threadtui.ui.detail import DetailPane

    def screen(app: Any) -> list[list[Any]]:
        # Every line as the compositor has it: a line not repainted comes from the caches.
        return [list(strip) for strip in app.screen._compositor.render_strips()]

    log: list[Any] = []
    record_frames(monkeypatch, log)
    app = make_app(quotes_thread())
    async with app.run_test(size=size) as pilot:
        await settle_quiet(pilot)
        tree = app.query_one(ThreadTree)
        detail = app.query_one(DetailPane)
        fewer = 0
        for key in ["j"] * (tree.model.row_count - 1) + ["k"] * 3 + ["g", "G", "tab", "j"]:
            log.clear()
            await pilot.press(key)
            await settle_quiet(pilot)
            region = detail.content_region
            lines = {
                y
                for what, spans in log
                if what == "frame"
                for y, x1, x2 in spans
                if x1 < region.right and x2 > region.x
            }
            fewer += 0 < len(lines) < region.height
            shown = screen(app)
            detail.refresh()
            await pilot.pause()
            assert screen(app) == shown, key
        # Moving between posts left some of the pane's lines alone.
        assert fewer

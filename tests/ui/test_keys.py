"""Every key of the explorer, pressed as a user would, checking what is highlighted or shown."""

from __future__ import annotations

import gc

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from support import (
    chain_thread,
    hostile_thread,
    make_app,
    palette_highlights,
    quotes_thread,
    wait_until,
)
from threadtui.model import PostFields
from threadtui.rows import TreeRows
from threadtui.ui.app import ThreadApp
from threadtui.ui.detail import DetailPane, Item
from threadtui.ui.help import HelpScreen
from threadtui.ui.links import LinkPicker
from threadtui.ui.tree import ThreadTree
from threadtui.ui.warnings import WarningsScreen

SIZE = (100, 30)


def ids(app: ThreadApp, rows: list[int]) -> list[str]:
    return [app.thread.posts[i].id for i in rows]


def cursor_id(app: ThreadApp) -> str:
    tree = app.query_one(ThreadTree)
    assert tree.cursor_post is not None
    return app.thread.posts[tree.cursor_post].id


def kinds(detail: DetailPane, kind: str) -> list[Item]:
    return [item for item in detail.items if item.kind == kind]


async def show_post(pilot: Pilot, post_id: str) -> tuple[ThreadTree, DetailPane]:
    """Put the tree's cursor on a post and let the detail pane show it."""
    tree = pilot.app.query_one(ThreadTree)
    tree.move_to_post(pilot.app.thread.by_id[post_id])
    await pilot.pause()
    return tree, pilot.app.query_one(DetailPane)


def screen_text(app: ThreadApp) -> str:
    """The text of the modal screen on top, as its widgets draw it."""
    return "\n".join(str(w.render()) for w in app.screen.query("Static, RowList"))


def shown_id(app: ThreadApp) -> str | None:
    index = app.query_one(DetailPane).index
    return None if index is None else app.thread.posts[index].id


async def test_up_down_and_vim_keys_move_and_update_detail() -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert cursor_id(app) == "root" and shown_id(app) == "root"
        await pilot.press("j")
        assert cursor_id(app) == "r1"
        await pilot.press("down", "down")
        assert cursor_id(app) == "q2"
        await pilot.press("k")
        await pilot.pause()
        assert cursor_id(app) == "q1" and shown_id(app) == "q1"
        await pilot.press("up", "up", "up")
        assert cursor_id(app) == "root"


async def test_first_last_parent_root() -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("G")
        assert cursor_id(app) == "gone"
        await pilot.press("g")
        assert cursor_id(app) == "root"
        await pilot.press("end")
        assert cursor_id(app) == "gone"
        await pilot.press("k", "k", "k")
        assert cursor_id(app) == "q4"
        await pilot.press("p")
        assert cursor_id(app) == "q3"
        await pilot.press("r")
        assert cursor_id(app) == "root"
        await pilot.press("home")
        assert cursor_id(app) == "root"


async def test_collapse_expand_toggle_and_hidden_count() -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=SIZE) as pilot:
        tree = app.query_one(ThreadTree)
        await pilot.press("j", "j")  # q1, which has q2 → q3 → q4 below
        assert cursor_id(app) == "q1"
        rows_before = len(tree.rows)
        await pilot.press("h")
        assert len(tree.rows) == rows_before - 3
        assert tree.model.hidden_count(tree.cursor_post or 0) == 3
        assert "(+3)" in tree.render_line(2).text
        await pilot.press("h")  # already collapsed: go to the parent
        assert cursor_id(app) == "root"
        await pilot.press("j", "j", "l")
        assert cursor_id(app) == "q1" and len(tree.rows) == rows_before
        await pilot.press("l")  # expanded: step into the first child
        assert cursor_id(app) == "q2"
        await pilot.press("enter")
        assert len(tree.rows) == rows_before - 2
        await pilot.press("space")
        assert len(tree.rows) == rows_before
        await pilot.press("left")
        assert len(tree.rows) == rows_before - 2
        await pilot.press("right")
        assert len(tree.rows) == rows_before


async def test_collapse_cursor_inside_moves_to_folded_post() -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=SIZE) as pilot:
        tree = app.query_one(ThreadTree)
        await pilot.press("j", "j", "j", "j")  # q3, inside q1's branch
        assert cursor_id(app) == "q3"
        tree.collapse(app.thread.by_id["q1"])
        await pilot.pause()
        assert cursor_id(app) == "q1"


async def test_depth_keys_and_expand_all() -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=SIZE) as pilot:
        tree = app.query_one(ThreadTree)
        total = len(tree.rows)
        await pilot.press("1")
        assert ids(app, tree.rows) == ["root"]
        await pilot.press("2")
        assert ids(app, tree.rows) == ["root", "r1", "q1", "cy1", "cy2", "gone"]
        await pilot.press("j", "j")
        assert cursor_id(app) == "q1"
        await pilot.press("3")
        assert "q2" in ids(app, tree.rows) and "q3" not in ids(app, tree.rows)
        await pilot.press("0")
        assert len(tree.rows) == total
        assert cursor_id(app) == "q1"


async def test_depth_fold_moves_cursor_to_visible_ancestor() -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j", "j", "j", "j")
        assert cursor_id(app) == "q4"
        await pilot.press("2")
        assert cursor_id(app) == "q1"


async def test_same_author_brackets() -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=SIZE) as pilot:
        # Alice wrote root, q2 and cy1, in tree order.
        await pilot.press("right_square_bracket")
        assert cursor_id(app) == "q2"
        await pilot.press("right_square_bracket")
        assert cursor_id(app) == "cy1"
        await pilot.press("right_square_bracket")  # wraps around
        assert cursor_id(app) == "root"
        await pilot.press("left_square_bracket")
        assert cursor_id(app) == "cy1"


async def test_same_author_reveals_folded_posts() -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1")
        await pilot.press("right_square_bracket")
        assert cursor_id(app) == "q2"
        assert "q2" in ids(app, app.query_one(ThreadTree).rows)


async def test_tab_switches_focus_and_detail_keys_fold_cards() -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=SIZE) as pilot:
        tree, detail = await show_post(pilot, "q4")
        assert shown_id(app) == "q4"
        cards = kinds(detail, "card")
        # q4 quotes q3, which quotes q2, which quotes q1 — then the depth limit.
        assert [app.thread.posts[c.index].id for c in cards] == ["q3", "q2", "q1"]
        notes = kinds(detail, "note")
        assert [app.thread.posts[n.index].id for n in notes] == ["r1"]
        # Nested cards sit inside their parent's lines.
        assert cards[0].start < cards[1].start < cards[2].start < cards[2].end <= cards[0].end
        await pilot.press("tab")
        assert detail.has_focus
        assert detail.selected == 0 and detail.selected_item == cards[0]
        await pilot.press("enter")
        await pilot.pause()
        card = kinds(detail, "card")[0]
        assert card.folded and card.end - card.start == 1
        assert len(kinds(detail, "card")) == 1  # its nested cards folded away with it
        await pilot.press("space")
        await pilot.pause()
        assert not kinds(detail, "card")[0].folded
        await pilot.press("h")
        await pilot.pause()
        assert kinds(detail, "card")[0].folded
        await pilot.press("l")
        await pilot.pause()
        assert not kinds(detail, "card")[0].folded
        await pilot.press("tab")
        assert tree.has_focus


async def test_detail_lists_jump_to_reply_and_quoting_post() -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=SIZE) as pilot:
        detail = app.query_one(DetailPane)
        await pilot.press("j")  # r1: one reply? no — quoted by q1
        assert cursor_id(app) == "r1"
        await pilot.pause()
        links = kinds(detail, "link")
        assert [app.thread.posts[link.index].id for link in links] == ["q1"]
        await pilot.press("tab", "G", "enter")
        await pilot.pause()
        assert cursor_id(app) == "q1"
        assert app.query_one(ThreadTree).has_focus
        assert shown_id(app) == "q1"


async def test_cycle_guard_and_missing_placeholder() -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=SIZE) as pilot:
        tree = app.query_one(ThreadTree)
        detail = app.query_one(DetailPane)
        tree.move_to_post(app.thread.by_id["cy1"])
        await pilot.pause()
        assert "quoted above" in detail.text
        tree.move_to_post(app.thread.by_id["gone"])
        await pilot.pause()
        card = kinds(detail, "card")[0]
        assert card.missing
        texts = " ".join(detail.text.split())  # the status wraps inside the card
        assert "not in the file (not fetched)" in texts and "deleted-1" in texts


async def test_copy_sends_text_through_osc52(monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(quotes_thread())
    copied: list[str] = []
    monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "y")
        assert copied == ["A reply that quotes nothing."]


async def test_copy_includes_post_link() -> None:
    thread = quotes_thread()
    thread.posts[0].fields = PostFields(url="https://example.com/root")
    app = make_app(thread)
    copied: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        app.copy_to_clipboard = copied.append  # type: ignore[method-assign]  # a test double for the clipboard
        await pilot.press("y")
        assert copied == ["The root post. Everything hangs off this.\n\nhttps://example.com/root"]


async def test_open_link_without_browser_copies(monkeypatch: pytest.MonkeyPatch) -> None:
    thread = quotes_thread()
    thread.posts[1].text = "See https://example.com/one, and https://example.com/two."
    app = make_app(thread)
    copied: list[str] = []
    opened: list[str] = []
    monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
    monkeypatch.setattr(app, "open_url", lambda url, **_: opened.append(url))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")  # the root has no link
        assert copied == [] and opened == []
        await pilot.press("j", "o")
        await pilot.pause()
        assert isinstance(app.screen, LinkPicker)
        await pilot.press("j", "enter")
        await pilot.pause()
        assert copied == ["https://example.com/two"] and opened == []


async def test_open_link_with_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    thread = quotes_thread()
    thread.posts[1].text = "Only https://example.com/one."
    app = make_app(thread)
    opened: list[str] = []
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr(app, "open_url", lambda url, **_: opened.append(url))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "o")
        assert opened == ["https://example.com/one"]


async def test_help_opens_and_closes() -> None:
    app = make_app(quotes_thread(), keymap={"tree.parent": "P"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "Parent" in text and "P " in text
        assert "1…9" in text and "Collapse everything below depth" in text
        assert "Search (/) and filter (f) language" in text and "from:HANDLE" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_keymap_remaps_by_binding_id() -> None:
    app = make_app(quotes_thread(), keymap={"tree.down": "n"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        assert cursor_id(app) == "r1"
        await pilot.press("j")  # no longer bound
        assert cursor_id(app) == "r1"


async def test_time_toggle_switches_rows_to_absolute() -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=SIZE) as pilot:
        tree = app.query_one(ThreadTree)
        assert "+5m" in tree.render_line(1).text
        await pilot.press("T")
        assert "May 28 00:05" in tree.render_line(1).text


async def test_zoom_and_resize() -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=SIZE) as pilot:
        tree = app.query_one(ThreadTree)
        detail = app.query_one(DetailPane)
        width = tree.size.width
        await pilot.press("greater_than_sign")
        await pilot.pause()
        assert tree.size.width > width
        await pilot.press("z")
        await pilot.pause()
        assert tree.display and not detail.display
        await pilot.press("tab")
        await pilot.pause()
        assert detail.display and not tree.display and detail.has_focus
        await pilot.press("z")
        await pilot.pause()
        assert tree.display and detail.display


@pytest.mark.parametrize("size", [(100, 30), (60, 24)])
async def test_one_pane_takes_the_whole_width_and_height(size: tuple[int, int]) -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=size) as pilot:
        main = app.query_one("#main")
        tree = app.query_one(ThreadTree)
        detail = app.query_one(DetailPane)
        await pilot.press("z")
        await pilot.pause()
        # Alone, the tree has the whole of the panes' room: wide (side by side) and tall
        # (stacked), with no rule left over for a neighbour that is gone.
        assert tree.outer_size == main.size
        await pilot.press("tab")
        await pilot.pause()
        assert detail.outer_size == main.size
        await pilot.press("greater_than_sign")  # a wider tree changes nothing while alone
        await pilot.pause()
        assert detail.outer_size == main.size
        await pilot.press("z")
        await pilot.pause()
        assert tree.display and detail.display
        assert tree.outer_size.width + detail.outer_size.width == main.size.width or (
            size[0] < 70 and tree.outer_size.height + detail.outer_size.height == main.size.height
        )


async def test_escape_leaves_a_kept_search_and_its_count() -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"quot")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        status = app.query_one("#status", Static)
        assert str(status.render()).startswith("search ")
        await pilot.press("escape")
        await pilot.pause()
        assert app.queries.search is None
        assert not str(status.render()).startswith("search")
        tree = app.query_one(ThreadTree)
        assert tree._search_hits is None


def test_default_keys_do_not_collide() -> None:
    # In each place the focus can be, one key does one thing; none takes Textual's own
    # command palette key (ctrl+p) for something else.
    def keys(bindings: list) -> dict[str, str]:
        found: dict[str, str] = {}
        for binding in bindings:
            for key in binding.key.split(","):
                assert found.get(key, binding.id) == binding.id, (key, found[key], binding.id)
                found[key] = binding.id
        return found

    app_keys = keys(ThreadApp.BINDINGS)
    assert app_keys[ThreadApp.COMMAND_PALETTE_BINDING] == "app.palette"
    for widget in (ThreadTree, DetailPane):
        own = keys(widget.BINDINGS)
        for key, binding_id in own.items():
            # A widget's key shadows the app's: only the same action may share one.
            assert app_keys.get(key, binding_id) == binding_id, key


async def test_mouse_click_selects_and_toggles() -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=SIZE) as pilot:
        tree = app.query_one(ThreadTree)
        await pilot.click(ThreadTree, offset=(20, 1))
        assert cursor_id(app) == "r1"
        rows = len(tree.rows)
        # Row 2 is q1 at depth 1: its fold glyph sits right after the 2-cell guide.
        await pilot.click(ThreadTree, offset=(2, 2))
        assert cursor_id(app) == "q1" and len(tree.rows) == rows - 3


async def test_quit() -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_deep_chain_last_and_parent_are_quick_and_capped() -> None:
    app = make_app(chain_thread(10_000))
    async with app.run_test(size=SIZE) as pilot:
        tree = app.query_one(ThreadTree)
        await pilot.press("G")
        assert cursor_id(app) == "c9999"
        line = tree.render_line(tree.cursor - tree.scroll_offset.y).text
        assert line.startswith("9999 ")
        assert "Reply number 9999" in line
        await pilot.press("p")
        assert cursor_id(app) == "c9998"
        await pilot.press("r")
        assert cursor_id(app) == "c0"
        cap = tree.depth_cap(tree.size.width)
        tree.move_to_post(app.thread.by_id[f"c{cap}"])
        await pilot.pause()
        at_cap = tree.render_line(tree.cursor - tree.scroll_offset.y).text
        # Indentation stops growing at the cap: the glyph sits in the same column.
        assert at_cap.index("↳") == line.index("↳") > 0


async def test_hostile_text_is_inert_everywhere() -> None:
    app = make_app(hostile_thread())
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(len(app.thread.posts)):
            await pilot.press("j")
            await pilot.pause()
        # Still running: no injected action quit the app, no markup error crashed it.
        assert app.is_running
        tree = app.query_one(ThreadTree)
        rows = [tree.render_line(y).text for y in range(len(tree.rows))]
        assert any("[bold]not bold[" in row for row in rows)
        assert all("\x1b" not in row and "\u202e" not in row for row in rows)
        detail = app.query_one(DetailPane)
        tree.move_to_post(app.thread.by_id["h1"])
        await pilot.pause()
        texts = " ".join(detail.text.split())
        assert "[bold]not bold[/] and [/] and [@click=app.quit]click me[/] $variable" in texts
        assert "[b]Mallory[/b] [@click=app.quit]x[/]" in texts


async def test_wide_characters_never_change_row_width() -> None:
    thread = hostile_thread()
    thread.posts[1].text = "宽" * 300 + " 🧑‍🤝‍🧑🇺🇦 e\u0301\u0301\u0301 " + "x" * 10_000
    app = make_app(thread)
    for size in [(100, 30), (80, 24), (60, 24)]:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            tree = app.query_one(ThreadTree)
            for y in range(len(tree.rows)):
                assert tree.render_line(y).cell_length == tree.size.width, (size, y)
            await pilot.press("j")
            await pilot.pause()
        app = make_app(thread)


async def test_command_palette_runs_our_commands() -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=SIZE) as pilot:
        tree = app.query_one(ThreadTree)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"collapse to roots")
        await wait_until(pilot, lambda: palette_highlights(app, "collapse to roots"), "found")
        await pilot.press("enter")
        await pilot.pause()
        assert ids(app, tree.rows) == ["root"]


async def test_theme_from_settings_and_unknown_theme_warns() -> None:
    app = make_app(quotes_thread(), theme="nord")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "nord"
    app = make_app(quotes_thread(), theme="no-such-theme")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "textual-dark"
        # Counted with the thread's warnings, and listed with them.
        assert "unknown theme 'no-such-theme'" in " ".join(app.startup_messages)
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, WarningsScreen)
        assert "unknown theme 'no-such-theme'" in screen_text(app)


async def test_long_reply_lists_page() -> None:
    from support import post, thread_doc
    from threadtui.model import load_document
    from threadtui.ui.detail import LIST_PAGE

    posts = [post("r", 0, "A root with many replies.")]
    posts += [post(f"c{i}", 1, f"reply {i}", reply_to="r") for i in range(60)]
    app = make_app(load_document(thread_doc(posts)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        detail = app.query_one(DetailPane)
        assert len(kinds(detail, "link")) == LIST_PAGE
        more = kinds(detail, "more")[0]
        assert "… 35 more (Enter to show 25)" in detail.page.lines[more.start].plain
        await pilot.press("tab", "G", "enter")
        await pilot.pause()
        assert len(kinds(detail, "link")) == 2 * LIST_PAGE
        await pilot.press("G", "enter")
        await pilot.pause()
        assert len(kinds(detail, "link")) == 60 and not kinds(detail, "more")


async def test_collapse_to_depth_folds_exactly_the_posts_with_replies_at_that_depth() -> None:
    import random

    from support import post, thread_doc
    from threadtui.model import load_document

    rng = random.Random(3)
    posts = [post("p0", 0, "root")]
    posts += [post(f"p{k}", k, "x", reply_to=f"p{rng.randrange(k)}") for k in range(1, 200)]
    thread = load_document(thread_doc(posts))
    app = make_app(thread)
    async with app.run_test(size=SIZE) as pilot:
        tree = app.query_one(ThreadTree)
        for depth in range(1, 10):
            await pilot.press(str(depth))
            expected = [1 if p.depth >= depth - 1 and p.children else 0 for p in thread.posts]
            assert list(tree.collapsed) == expected, depth


async def test_clicking_a_card_selects_it_and_a_second_click_folds_it() -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=SIZE) as pilot:
        _, detail = await show_post(pilot, "q4")
        card = kinds(detail, "card")[0]
        offset = (4, card.start + 1 - int(detail.scroll_offset.y))  # inside its border
        await pilot.click(DetailPane, offset=offset)
        assert detail.has_focus and detail.selected_item == card
        assert not kinds(detail, "card")[0].folded
        await pilot.click(DetailPane, offset=offset)
        assert kinds(detail, "card")[0].folded


async def test_the_first_screen_is_drawn_from_a_head_of_the_tree() -> None:
    # Until the whole tree is walked (just after the first frame), rows come from its head:
    # they must draw exactly what the full rows draw, and the cursor must read the same post.
    app = make_app(chain_thread(300))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        tree = app.query_one(ThreadTree)
        full = [tree.render_line(y).text for y in range(tree.size.height)]
        assert len(tree.rows) == tree.thread.tree_size == 300
        tree.model = TreeRows(tree.thread)  # as at startup: rows from the head, not walked
        tree._cache.clear()
        assert [tree.render_line(y).text for y in range(tree.size.height)] == full
        assert tree.cursor_post == tree.thread.preorder[0]
        assert tree.model.row_count == 300 and not tree.model.walked
        tree.cursor = 250  # past the head: the whole tree is walked on demand
        assert tree.cursor_post == tree.thread.preorder[250]
        assert tree.model.walked and tree.rows == tree.thread.preorder


async def test_the_collector_is_back_on_after_the_first_frame() -> None:
    # cli.py turns it off for startup; the app must not leave it off.
    gc.disable()
    try:
        app = make_app(quotes_thread())
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert gc.isenabled()
    finally:
        gc.enable()

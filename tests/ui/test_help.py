"""The help screen: every line of a row stays in its column, the language is described in
full with the open thread's own dates, and the tree's symbols are explained."""

from __future__ import annotations

import pytest
from rich.segment import Segment
from textual._context import visible_screen_stack
from textual.pilot import Pilot
from textual.renderables.background_screen import BackgroundScreen
from textual.visual import RichVisual, Visual

from support import make_app, post, quotes_thread, thread_doc
from threadtui.model import load_document
from threadtui.query import KEYS
from threadtui.ui.app import ThreadApp
from threadtui.ui.glyphs import ASCII, UNICODE
from threadtui.ui.help import DimmedScreen, HelpScreen, RowList
from threadtui.ui.tree import ThreadTree


async def open_help(pilot: Pilot) -> HelpScreen:
    await pilot.pause()
    await pilot.press("question_mark")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, HelpScreen)
    return screen


def lines(screen: HelpScreen) -> list[tuple[int, str]]:
    """(column, line) of every line the rows draw, at the width they were given."""
    drawn = []
    for rows in screen.query(RowList):
        for line in rows.lines(rows.content_size.width):
            drawn.append((rows.column, line.plain))
    return drawn


def text(screen: HelpScreen) -> str:
    return " ".join(" ".join(line.split()) for _, line in lines(screen))


@pytest.mark.parametrize("size", [(80, 24), (60, 24), (100, 40)])
async def test_no_line_wraps_back_to_the_left_edge(size: tuple[int, int]) -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=size) as pilot:
        screen = await open_help(pilot)
        drawn = lines(screen)
        width = screen.query(RowList).first().content_size.width
        wrapped = 0
        for column, line in drawn:
            assert len(line.rstrip()) <= width, line
            if line.startswith(" "):
                # A continuation: it starts exactly at the description's column.
                assert line[:column].strip() == "" and line[column] != " ", line
                wrapped += 1
        # The long descriptions did wrap: the check above was put to work.
        assert wrapped >= 3


async def test_every_filter_key_and_value_is_described() -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_help(pilot)
        rows = {
            key: what for rows in screen.query(RowList) for key, what in rows.rows if key.strip()
        }
        described = " ".join(f"{key} {what.plain}" for key, what in rows.items())
        for key in KEYS:
            assert f"{key}:" in described, key
        for flag in ("is:root", "is:quoted", "has:quote"):
            assert len(rows[flag].plain) > 15, flag


async def test_language_examples_use_this_threads_dates() -> None:
    doc = thread_doc([post("r", 0, "root"), post("a", 90, "reply", reply_to="r")])
    for item in doc["posts"]:
        item["created_at"] = item["created_at"].replace("2026-05-28", "2019-03-04")
    app = ThreadApp(load_document(doc))
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_help(pilot)
        described = text(screen)
        assert "2019-03-04T00:45" in described and "2019-03-05" in described
        assert "2026" not in described


@pytest.mark.parametrize("ascii", [False, True])
async def test_the_tree_symbols_are_explained_in_the_glyphs_drawn(ascii: bool) -> None:
    app = make_app(quotes_thread(), ascii=ascii)
    glyphs = ASCII if ascii else UNICODE
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_help(pilot)
        titles = [title for title, _ in screen.sections]
        symbols = list(screen.query(RowList))[titles.index("Tree symbols")]
        legend = {key: what.plain for key, what in symbols.rows}
        assert "root" in legend[glyphs.root]
        assert "reply" in legend[glyphs.reply]
        assert "quotes" in legend[glyphs.quote]
        assert "(+N)" in legend[f"{glyphs.expanded} {glyphs.collapsed}"]


@pytest.mark.parametrize("mouse", [True, False])
async def test_the_mouse_is_described_only_when_it_is_on(mouse: bool) -> None:
    app = make_app(quotes_thread(), mouse=mouse)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_help(pilot)
        keys = [key.strip() for rows in screen.query(RowList) for key, _ in rows.rows]
        assert ("mouse" in keys) is mouse


async def test_help_text_from_the_keymap_is_plain_text() -> None:
    # A key name from the config file reaches the screen as text, never as markup.
    app = make_app(quotes_thread(), keymap={"tree.parent": "[b]x[/b]"})
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_help(pilot)
        assert "[b]x[/b]" in text(screen)


async def test_help_scrolls_by_page_and_to_the_ends() -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_help(pilot)
        body = screen.query_one("#help-body")
        assert body.scroll_y == 0
        await pilot.press("G")
        await pilot.pause()
        assert body.scroll_y == body.max_scroll_y > 0
        await pilot.press("g", "pagedown")
        await pilot.pause()
        assert 0 < body.scroll_y < body.max_scroll_y


def textual_dimmed(screen: HelpScreen) -> list[list[Segment]]:
    """The screen below as Textual's own `BackgroundScreen` draws it under the modal."""
    base = screen.app.screen_stack[-2]
    visual = RichVisual(screen, BackgroundScreen(base, screen.styles.background))
    width, height = screen.size
    strips = Visual.to_strips(screen, visual, width, height, screen.visual_style)
    return [list(strip) for strip in strips]


def drawn_dimmed(screen: HelpScreen) -> list[list[Segment]]:
    visual = screen.render()
    assert isinstance(visual, DimmedScreen)
    width, height = screen.size
    strips = Visual.to_strips(screen, visual, width, height, screen.visual_style)
    return [list(strip) for strip in strips]


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
async def test_the_dimmed_screen_below_is_textuals_segment_for_segment(theme: str) -> None:
    """The help draws the screen below itself dimmed, as Textual's BackgroundScreen would
    (the same text, the same Style for every segment), also after that screen changed
    under the open help: a style remembered dimmed is never one gone stale."""
    app = make_app(quotes_thread(), theme=theme)
    async with app.run_test(size=(90, 26)) as pilot:
        screen = await open_help(pilot)
        visible_screen_stack.set([app.screen_stack[-2]])
        assert drawn_dimmed(screen) == textual_dimmed(screen)
        tree = app.screen_stack[-2].query_one(ThreadTree)
        tree.cursor = 3
        await pilot.pause()
        visible_screen_stack.set([app.screen_stack[-2]])
        after = drawn_dimmed(screen)
        assert after == textual_dimmed(screen)
        await pilot.press("escape")
        await pilot.press("j", "question_mark")
        await pilot.pause()
        visible_screen_stack.set([app.screen_stack[-2]])
        assert drawn_dimmed(screen) == textual_dimmed(screen) != after

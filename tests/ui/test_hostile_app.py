"""The hostile corpus in the app, headless: it opens, every post can be visited, markup
stays text, and every tree row is exactly as wide as the tree, whatever the text holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta, timezone
from pathlib import Path

import pytest
from textual.widgets import Static

from hostile_cases import (
    FORBIDDEN,
    HOSTILE,
    OPENS,
    Case,
    params,
    write_big_post,
    write_cycle,
    write_deep_chain,
)
from threadtui.config import Settings
from threadtui.model import Thread
from threadtui.opener import open_thread
from threadtui.ui.app import ThreadApp
from threadtui.ui.detail import DetailPane
from threadtui.ui.tree import ThreadTree

SIZE = (100, 30)


def visible_rows(tree: ThreadTree) -> list[str]:
    """The tree's lines as drawn, each checked to fill the tree's width exactly."""
    rows = []
    for y in range(tree.size.height):
        strip = tree.render_line(y)
        assert strip.cell_length == tree.size.width, (y, strip.text)
        rows.append(strip.text)
    return rows


def detail_text(app: ThreadApp) -> str:
    """The pane's whole text; every line it draws is exactly as wide as the pane."""
    detail = app.query_one(DetailPane)
    for y in range(detail.size.height):
        strip = detail.render_line(y)
        assert strip.cell_length == detail.scrollable_content_region.width, (y, strip.text)
    return detail.text


def header_text(app: ThreadApp) -> str:
    return "\n".join(
        str(app.query_one(f"#{name}", Static).render()) for name in ("title", "status")
    )


@dataclass
class Visit:
    rows: str
    """Every tree line drawn on the way down."""
    detail: str
    """Every detail pane shown on the way, and the header."""
    row_count: int
    warnings: str
    """The warnings screen (w), whitespace folded: what a user can read again."""


async def visit_every_post(app: ThreadApp, size: tuple[int, int] = SIZE) -> Visit:
    """Press j down the whole tree, recording what the tree and the detail pane drew."""
    seen_rows: list[str] = []
    seen_detail: list[str] = []
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        # Every content warning opened: what a warning folds must draw as safely as the rest.
        detail = app.query_one(DetailPane)
        detail.revealed.update(range(len(app.thread.posts)))
        detail.show(detail.index, keep_selection=True)
        tree = app.query_one(ThreadTree)
        row_count = len(tree.rows)
        for step in range(row_count):
            if step:
                await pilot.press("j")
                await pilot.pause()
            assert tree.cursor == step
            assert app.query_one(DetailPane).index == tree.rows[step]
            seen_rows += visible_rows(tree)
            seen_detail.append(detail_text(app))
        seen_detail.append(header_text(app))
        # Nothing a post says ran as an action (app.quit, app.bell): the app is still here.
        assert app.is_running
        await pilot.press("w")
        await pilot.pause()
        listed = " ".join(str(w.render()) for w in app.screen.query("Static, RowList"))
    return Visit("\n".join(seen_rows), "\n".join(seen_detail), row_count, " ".join(listed.split()))


# What the tree rows and the detail pane must show of particular files, literally.
ROWS: dict[str, list[str]] = {
    # Names are cut at 18 cells; first lines as typed, no style taken from them.
    "markup.json": [
        "[b]Mallory[/b] [@…",
        "[bold]not bold[/] [/] [link=https://evil.example]innocent[/]",
        "[red on white]reply[/]",
    ],
    "control-sequences.json": ["\ufffd]0;PWNED-OSC0\ufffd", "Eve \ufffd]2;PWNED-NAM…"],
}
DETAIL: dict[str, list[str]] = {
    "markup.json": [
        "[bold red]Markup[/] title $variable",  # the header
        "[@click=app.quit]summary[/]",
        # m1 as a quote card inside m2.
        "[red on white]reply[/] [@click=app.bell]ring[/] \\[escaped] [[double]]",
    ],
    # The placeholder for an absent post names its (cleaned) id.
    "control-sequences.json": ["gone\ufffd]0;PWNED-REF\ufffd", "Control \ufffd]0;PWNED-TITLE"],
}


@pytest.mark.parametrize("case", params(OPENS))
async def test_every_post_of_every_opening_case(case: Case) -> None:
    thread = open_thread(case.path)
    app = ThreadApp(thread, settings=Settings())
    # Wide enough that tree rows show most of each first line.
    seen = await visit_every_post(app, (200, 30))
    # Every post has a row: placeholders for quotes only are cards, not rows.
    assert seen.row_count == len(thread.preorder)
    for text in case.shown + DETAIL.get(case.file, []):
        assert text in seen.detail
    for text in ROWS.get(case.file, []):
        assert text in seen.rows
    for text in (seen.rows, seen.detail):
        assert not FORBIDDEN.search(text)
    if case.warnings:
        # Every warning can be read again on the warnings screen.
        for warning in case.warnings:
            assert " ".join(warning.split()) in seen.warnings, seen.warnings


def wide_thread() -> Thread:
    return open_thread(HOSTILE / "wide-text.json")


@pytest.mark.parametrize("size", [(100, 30), (60, 20), (40, 15)])
async def test_wide_and_strange_characters_keep_every_row_width(size: tuple[int, int]) -> None:
    app = ThreadApp(wide_thread(), settings=Settings())
    seen = await visit_every_post(app, size)
    # Wrapped to the pane: whitespace aside, the 10,000 x's are all there, in one run.
    assert "x" * 10_000 in "".join(seen.detail.split())
    assert "宽" in seen.rows and "🧑\u200d🤝\u200d🧑" in seen.rows


async def test_absolute_times_at_the_ends_of_the_calendar_in_far_zones() -> None:
    for hours in (-12, 14):
        app = ThreadApp(
            open_thread(HOSTILE / "absurd-dates.json"),
            settings=Settings(time_display="absolute"),
            tz=timezone(timedelta(hours=hours)),
        )
        seen = await visit_every_post(app)
        assert "9999-12-31 23:59:59 UTC" in seen.detail
        assert "Dec 31 23:59" in seen.rows


async def test_empty_thread_opens_and_keys_do_nothing_harmful() -> None:
    app = ThreadApp(open_thread(HOSTILE / "empty-posts.json"), settings=Settings())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("j", "k", "G", "g", "p", "r", "h", "l", "enter", "[", "]", "1", "0")
        await pilot.press("y", "o", "T", "z", "z", "tab", "j", "enter", "tab")
        await pilot.pause()
        assert app.is_running
        tree = app.query_one(ThreadTree)
        assert tree.rows == [] and tree.cursor_post is None
        assert "Nothing here yet" in header_text(app)


# --- cases too big to commit ----------------------------------------------------------------


async def test_a_50_mb_post_opens_and_every_view_of_it_is_bounded(tmp_path: Path) -> None:
    app = ThreadApp(open_thread(write_big_post(tmp_path)), settings=Settings())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tree = app.query_one(ThreadTree)
        # The root's reply list and the quoting post's card both show the 50 MB post.
        for _ in range(3):
            visible_rows(tree)
            assert len(detail_text(app)) < 200_000
            await pilot.press("j")
            await pilot.pause()
        await pilot.press("tab", "j", "enter", "tab", "k")
        await pilot.pause()
        assert "more characters not shown" in " ".join(detail_text(app).split())
        assert app.is_running


async def test_a_100000_deep_chain(tmp_path: Path) -> None:
    app = ThreadApp(open_thread(write_deep_chain(tmp_path)), settings=Settings())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tree = app.query_one(ThreadTree)
        await pilot.press("G")
        await pilot.pause()
        assert tree.cursor_post == 99_999
        # The breadcrumb: the root, a count, the last three ancestors.
        assert "…99,995 more…" in detail_text(app)
        await pilot.press("p")
        assert tree.cursor_post == 99_998
        await pilot.press("r")
        assert tree.cursor_post == 0
        await pilot.press("h")
        assert len(tree.rows) == 1
        await pilot.press("l", "0", "G", "3")
        await pilot.pause()
        visible_rows(tree)
        assert app.is_running


async def test_a_1000_post_cycle(tmp_path: Path) -> None:
    thread = open_thread(write_cycle(tmp_path))
    app = ThreadApp(thread, settings=Settings())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tree = app.query_one(ThreadTree)
        assert len(tree.rows) == 1001
        await pilot.press("G", "p", "r", "h", "l", "end")
        await pilot.pause()
        visible_rows(tree)
        await pilot.press("w")
        await pilot.pause()
        listed = " ".join(str(w.render()) for w in app.screen.query("Static, RowList"))
        assert "and 995 more reply to each other in a cycle" in " ".join(listed.split())

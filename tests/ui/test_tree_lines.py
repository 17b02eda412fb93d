"""The tree's final lines (its border added, line filters applied) are kept by row: what
it draws from them is what Textual's own line cache draws, in every state that changes a
line (scrolled, the cursor, a theme, the narrow layout), and a row drawn again is the same
Strip (nothing worked out twice)."""

from __future__ import annotations

import pytest
from rich.segment import Segment
from textual._styles_cache import StylesCache
from textual.geometry import Region

from support import chain_thread, make_app
from threadtui.ui.tree import ThreadTree


def drawn(tree: ThreadTree) -> list[list[Segment]]:
    """The tree's lines as the compositor takes them (filters applied)."""
    tree.refresh()
    return [list(strip) for strip in tree.render_lines(Region(0, 0, *tree.size))]


def textuals(tree: ThreadTree) -> list[list[Segment]]:
    """The same lines through Textual's StylesCache, which keeps nothing between frames."""
    return [list(strip) for strip in StylesCache().render_widget(tree, Region(0, 0, *tree.size))]


@pytest.mark.parametrize("size", [(100, 30), (60, 40)])
async def test_tree_lines_are_textuals_in_every_state(size: tuple[int, int]) -> None:
    app = make_app(chain_thread(200))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        tree = app.query_one(ThreadTree)
        assert drawn(tree) == textuals(tree)
        for key in ("G", "g", "j", "G", "k", "g"):
            await pilot.press(key)
            await pilot.pause()
            assert drawn(tree) == textuals(tree), key
        await pilot.press("tab")  # the cursor's row blurred: its look changes
        await pilot.pause()
        assert drawn(tree) == textuals(tree)
        app.theme = "textual-light"
        await pilot.pause()
        assert drawn(tree) == textuals(tree)


async def test_a_row_drawn_again_is_the_same_line() -> None:
    app = make_app(chain_thread(200))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        tree = app.query_one(ThreadTree)
        tree.refresh()
        first = tree.render_lines(Region(0, 0, *tree.size))
        await pilot.press("G")
        await pilot.pause()
        await pilot.press("g")
        await pilot.pause()
        tree.refresh()
        again = tree.render_lines(Region(0, 0, *tree.size))
        # The cursor's row was drawn without the cursor in between (it sat at the end).
        assert all(a is b for a, b in zip(first[1:], again[1:], strict=True))

"""The query bar says what is wrong in full, and Enter on a query that does not parse
keeps the bar open with the error instead of closing it silently."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from support import make_app, quotes_thread
from threadtui.ui.app import ThreadApp
from threadtui.ui.querybar import QueryBar
from threadtui.ui.tree import ThreadTree

BAD = "views:>bad"


async def settle(pilot: Pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def error_line(app: ThreadApp) -> Static:
    status = app.query_one("#query-status", Static)
    assert status.has_class("-error")
    return status


@pytest.mark.parametrize("width", [80, 60])
async def test_the_whole_error_is_on_screen(width: int) -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=(width, 24)) as pilot:
        await pilot.press("f", *BAD)
        await settle(pilot)
        status = error_line(app)
        message = str(status.render())
        assert message.startswith("views:>bad is not a number or range; use views:>1000")
        # Its own lines, as wide as the screen, as many as it needs: every word is shown.
        assert status.region.width == width
        lines = status.render_lines(status.region.reset_offset)
        shown = " ".join(" ".join(strip.text.split()) for strip in lines)
        assert shown.strip() == message
        assert status.region.height >= 2
        # Under the field, inside the screen, above the footer.
        field = app.query_one(Input)
        assert status.region.y > field.region.y
        assert status.region.bottom <= app.screen.region.height - 1


async def test_enter_on_an_error_keeps_the_bar_open_until_fixed() -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f", *BAD)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        bar = app.query_one(QueryBar)
        assert bar.is_open and app.query_one(Input).has_focus
        assert "not a number" in str(error_line(app).render())
        await pilot.press("backspace", "backspace", "backspace", *"10")
        await settle(pilot)
        assert not app.query_one("#query-status").has_class("-error")
        await pilot.press("enter")
        await settle(pilot)
        assert not bar.is_open and app.query_one(ThreadTree).has_focus


async def test_an_error_that_comes_back_after_enter_reopens_the_bar() -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=(100, 30)) as pilot:
        bar = app.query_one(QueryBar)
        await pilot.press("f")
        # Typed and submitted before the worker answers (pasted, or a slow machine).
        await pilot.press(*BAD, "enter")
        await settle(pilot)
        assert bar.is_open and bar.mode == "filter" and app.query_one(Input).value == BAD
        assert "not a number" in str(error_line(app).render())


async def test_escape_on_an_error_closes_the_bar_for_good() -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=(100, 30)) as pilot:
        bar = app.query_one(QueryBar)
        await pilot.press("f", *"from:carol")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("f", " ", *BAD, "escape")
        await settle(pilot)
        # The error for the abandoned text came back after Escape: the bar stays closed.
        assert not bar.is_open and app.query_one(ThreadTree).has_focus
        # The filter in force is the last text that parsed, and f edits that text.
        current = app.queries.filter
        assert current is not None and current.text.startswith("from:carol")
        await pilot.press("f")
        await settle(pilot)
        assert app.query_one(Input).value == current.text


async def test_search_errors_are_shown_the_same_way() -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash", *"/Quot(e/")
        await settle(pilot)
        assert "missing )" in str(error_line(app).render())
        await pilot.press("enter")
        await settle(pilot)
        assert app.query_one(QueryBar).is_open

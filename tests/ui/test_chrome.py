"""The one-line strips around the panes at 80 columns and less: what matters most stays
whole, the rest is left out whole, never cut mid-word."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Static

from support import make_app, quotes_thread
from threadtui.opener import open_thread
from threadtui.ui.app import ThreadApp
from threadtui.ui.chrome import FOOTER_ORDER, Part, PriorityFooter, fit
from threadtui.ui.pickers import TimePicker

SEED = Path(__file__).parents[1] / "data" / "stories" / "x-story-ai-deployment.txt"


def test_fit_keeps_everything_that_fits() -> None:
    parts = [Part.of(0, "a"), Part.of(1, "bb"), Part.of(2, "ccc")]
    assert fit(parts, 12, " · ").plain == "a · bb · ccc"


def test_fit_shortens_then_drops_the_least_important_whole() -> None:
    parts = [
        Part.of(0, "7 posts"),
        Part.steps(("2 authors (+4 unattributed)", 4), ("2 authors", 2)),
        Part.of(3, "2026-05-28 23:57 UTC → +4h42m"),
        Part.of(0, "1 warning"),
    ]
    full = "7 posts · 2 authors (+4 unattributed) · 2026-05-28 23:57 UTC → +4h42m · 1 warning"
    assert fit(parts, len(full), " · ").plain == full
    # Too long by one: the least important form goes first, the time range stays.
    assert fit(parts, len(full) - 1, " · ").plain == (
        "7 posts · 2 authors · 2026-05-28 23:57 UTC → +4h42m · 1 warning"
    )
    assert fit(parts, 40, " · ").plain == "7 posts · 2 authors · 1 warning"
    assert fit(parts, 20, " · ").plain == "7 posts · 1 warning"
    assert fit(parts, 3, " · ").plain == ""


def test_fit_never_exceeds_the_width_and_never_cuts_a_part() -> None:
    forms = ["alpha beta", "gamma", "delta epsilon zeta", "eta"]
    parts = [Part.of(rank, text) for rank, text in zip([2, 0, 3, 1], forms, strict=True)]
    for width in range(0, 50):
        line = fit(parts, width, Content(" | ")).plain
        assert len(line) <= width
        assert all(piece in forms for piece in line.split(" | ") if line)


def test_fit_measures_what_it_returns() -> None:
    # The line's cell length is what the widget pads to: one too many leaves stale cells.
    parts = [Part.of(0, "abc"), Part.of(0, "def"), Part.of(0, "ghi")]
    line = fit(parts, 40, " · ")
    assert line.cell_length == len(line.plain) == 15


async def test_a_fitted_line_paints_every_cell_of_its_width() -> None:
    app = make_app(open_thread(SEED))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        status = app.query_one("#status", Static)
        strip = status.render_lines(status.region.reset_offset)[0]
        assert len(strip.text) == strip.cell_length == 80


async def settle(pilot: Pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def status_text(app: ThreadApp) -> str:
    return str(app.query_one("#status", Static).render())


@pytest.mark.parametrize("width", [80, 60, 40])
async def test_status_keeps_the_warning_count_whole(width: int) -> None:
    app = make_app(open_thread(SEED))
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(pilot)
        text = status_text(app)
        assert text.startswith("7 posts") and text.endswith("1 warning")
        assert "…" not in text and len(text) <= width - 2


async def test_status_at_80_columns_leaves_out_the_least_useful_first() -> None:
    app = make_app(open_thread(SEED))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert status_text(app) == (
            "7 posts · 2 authors · 2026-05-28 23:57 UTC → +4h42m · 1 warning"
        )
    app = make_app(open_thread(SEED))
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        assert "(+4 unattributed)" in status_text(app)


def footer_keys(app: ThreadApp) -> list[tuple[str, str]]:
    return [(key, description) for key, _, description, *_ in app.query_one(PriorityFooter).shown]


@pytest.mark.parametrize("width", [80, 60, 100])
async def test_footer_shows_whole_keys_most_useful_first(width: int) -> None:
    app = make_app(open_thread(SEED))
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(pilot)
        keys = footer_keys(app)
        descriptions = [description for _, description in keys]
        # The most useful first, in FOOTER_ORDER; a prefix of it, without gaps.
        order = {
            "Help": 0,
            "Quit": 1,
            "Search": 2,
            "Filter": 3,
            "Authors": 4,
            "Time": 5,
        }
        leading = [d for d in descriptions if d in order]
        assert leading == sorted(leading, key=order.__getitem__)
        assert descriptions[: len(leading)] == leading
        # Every key drawn whole: the keys and their margins fit the width.
        shown = app.query_one(PriorityFooter).shown
        used = sum(
            Content(f"{display} {description} ").cell_length
            for _, display, description, *_ in shown
        )
        assert used <= width
        if width >= 80:
            # At 80 columns the picker keys are there (they were cut before).
            assert {"Authors", "Time"} <= set(descriptions)


def test_footer_order_names_real_binding_ids() -> None:
    from threadtui.ui.detail import DetailPane
    from threadtui.ui.tree import ThreadTree

    ids = {
        binding.id
        for owner in (ThreadApp, ThreadTree, DetailPane)
        for binding in owner.BINDINGS
        if not isinstance(binding, tuple)
    }
    assert set(FOOTER_ORDER) <= ids


async def test_time_picker_hint_and_presets_fit_at_80_columns() -> None:
    app = make_app(open_thread(SEED))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TimePicker)
        box = app.screen.query_one("#time-box")
        hint = Content(str(box.border_subtitle))
        assert "Enter applies" in hint.plain and "move" in hint.plain
        assert hint.cell_length <= box.region.width - 4
        presets = str(app.screen.query_one("#time-presets").render())
        assert presets == "Presets: 1 first hour · 2 first day · 3 last hour · 0 all"


async def test_author_marks_differ_by_glyph_not_only_colour() -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("down", "space")
        await settle(pilot)
        from threadtui.ui.pickers import AuthorList

        listing = app.screen.query_one(AuthorList)
        rows = [listing.render_line(y).text for y in range(len(listing.rows))]
        assert rows[0].startswith("[x] ")
        assert all(row.startswith("[ ] ") for row in rows[1:])
        # Clicking a box toggles its row, as Textual's own boxes do.
        await pilot.click(AuthorList, offset=(2, 1))
        await settle(pilot)
        assert listing.render_line(1).text.startswith("[x] ")


async def test_ascii_lines_are_ascii() -> None:
    app = make_app(open_thread(SEED), ascii=True)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        assert status_text(app).isascii()
        await pilot.press("t")
        await settle(pilot)
        box = app.screen.query_one("#time-box")
        assert str(box.border_subtitle).isascii()
        assert str(app.screen.query_one("#time-presets").render()).isascii()
        await pilot.press("escape", "a")
        await settle(pilot)
        assert str(app.screen.query_one("#authors-box").border_subtitle).isascii()

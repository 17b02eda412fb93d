"""Screen snapshots of the explorer. Look at each SVG as a picture before accepting it:
`rsvg-convert -w 1400 FILE.svg -o /tmp/FILE.png`."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from support import chain_thread, hostile_thread, make_app, quotes_thread
from threadtui.opener import open_thread
from threadtui.ui.detail import DetailPane
from threadtui.ui.tree import ThreadTree

SEED = Path(__file__).parents[1] / "data" / "stories" / "x-story-ai-deployment.txt"


def seed_app(**settings: object):
    return make_app(open_thread(SEED), **settings)


async def settle(pilot: Pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def dismiss_toasts(pilot: Pilot) -> None:
    """Clear the startup warning toast (tested on its own) once it has been posted."""
    await settle(pilot)
    pilot.app.clear_notifications()
    await settle(pilot)


def test_seed_100x30(snap_compare) -> None:
    assert snap_compare(seed_app(), terminal_size=(100, 30), run_before=settle)


def test_seed_80x24(snap_compare) -> None:
    async def run_before(pilot: Pilot) -> None:
        await dismiss_toasts(pilot)
        await pilot.press("j", "j", "j")

    assert snap_compare(seed_app(), terminal_size=(80, 24), run_before=run_before)


def test_seed_narrow_stacked(snap_compare) -> None:
    async def run_before(pilot: Pilot) -> None:
        await dismiss_toasts(pilot)
        await pilot.press("j")

    assert snap_compare(seed_app(), terminal_size=(60, 24), run_before=run_before)


def test_seed_ascii(snap_compare) -> None:
    async def run_before(pilot: Pilot) -> None:
        await dismiss_toasts(pilot)
        await pilot.press("j", "j", "j")

    assert snap_compare(seed_app(ascii=True), terminal_size=(100, 30), run_before=run_before)


def test_nested_quotes_and_depth_limit(snap_compare) -> None:
    async def run_before(pilot: Pilot) -> None:
        await dismiss_toasts(pilot)
        app = pilot.app
        app.query_one(ThreadTree).move_to_post(app.thread.by_id["q4"])
        await settle(pilot)

    assert snap_compare(make_app(quotes_thread()), terminal_size=(100, 34), run_before=run_before)


def test_quote_folded(snap_compare) -> None:
    async def run_before(pilot: Pilot) -> None:
        await dismiss_toasts(pilot)
        app = pilot.app
        app.query_one(ThreadTree).move_to_post(app.thread.by_id["q4"])
        await settle(pilot)
        await pilot.press("tab", "enter")
        await settle(pilot)

    assert snap_compare(make_app(quotes_thread()), terminal_size=(100, 30), run_before=run_before)


def test_quote_cycle(snap_compare) -> None:
    async def run_before(pilot: Pilot) -> None:
        await dismiss_toasts(pilot)
        app = pilot.app
        app.query_one(ThreadTree).move_to_post(app.thread.by_id["cy1"])
        await settle(pilot)

    assert snap_compare(make_app(quotes_thread()), terminal_size=(100, 30), run_before=run_before)


def test_missing_quoted_post(snap_compare) -> None:
    async def run_before(pilot: Pilot) -> None:
        await dismiss_toasts(pilot)
        app = pilot.app
        app.query_one(ThreadTree).move_to_post(app.thread.by_id["gone"])
        await settle(pilot)

    assert snap_compare(make_app(quotes_thread()), terminal_size=(100, 30), run_before=run_before)


def test_deep_chain_end(snap_compare) -> None:
    async def run_before(pilot: Pilot) -> None:
        await dismiss_toasts(pilot)
        await pilot.press("G")
        await settle(pilot)

    assert snap_compare(
        make_app(chain_thread(10_000)), terminal_size=(100, 30), run_before=run_before
    )


def test_help_screen(snap_compare) -> None:
    async def run_before(pilot: Pilot) -> None:
        await dismiss_toasts(pilot)
        await pilot.press("question_mark")
        await settle(pilot)

    assert snap_compare(make_app(quotes_thread()), terminal_size=(100, 40), run_before=run_before)


def test_hostile_text_shown_literally(snap_compare) -> None:
    async def run_before(pilot: Pilot) -> None:
        await dismiss_toasts(pilot)
        await pilot.press("j")
        await settle(pilot)
        pilot.app.query_one(DetailPane)

    assert snap_compare(make_app(hostile_thread()), terminal_size=(110, 30), run_before=run_before)


def test_search_highlighted(snap_compare) -> None:
    async def run_before(pilot: Pilot) -> None:
        await dismiss_toasts(pilot)
        await pilot.press("slash", *"internal")
        await settle(pilot)

    assert snap_compare(seed_app(), terminal_size=(100, 30), run_before=run_before)


def test_filter_with_context_and_hidden_matches(snap_compare) -> None:
    async def run_before(pilot: Pilot) -> None:
        await dismiss_toasts(pilot)
        await pilot.press("f", *"from:carol")
        await settle(pilot)
        await pilot.press("enter")
        app = pilot.app
        app.query_one(ThreadTree).collapse(app.thread.by_id["q2"])
        await settle(pilot)

    assert snap_compare(make_app(quotes_thread()), terminal_size=(100, 30), run_before=run_before)


def test_author_picker(snap_compare) -> None:
    async def run_before(pilot: Pilot) -> None:
        await dismiss_toasts(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("down", "space")
        await settle(pilot)

    assert snap_compare(seed_app(), terminal_size=(100, 30), run_before=run_before)


def test_time_picker(snap_compare) -> None:
    async def run_before(pilot: Pilot) -> None:
        await dismiss_toasts(pilot)
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("right", "right", "tab", "left", "left", "left")
        await settle(pilot)

    assert snap_compare(seed_app(), terminal_size=(100, 30), run_before=run_before)


def test_help_language_at_80x24(snap_compare) -> None:
    async def run_before(pilot: Pilot) -> None:
        await dismiss_toasts(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        await pilot.press("G")
        await settle(pilot)

    assert snap_compare(seed_app(), terminal_size=(80, 24), run_before=run_before)


def test_warnings_screen(snap_compare) -> None:
    async def run_before(pilot: Pilot) -> None:
        await dismiss_toasts(pilot)
        await pilot.press("w")
        await settle(pilot)

    # An unknown theme: a settings warning listed beside the thread's own.
    app = make_app(open_thread(SEED), theme="no-such-theme")
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_filter_error_in_full_at_80x24(snap_compare) -> None:
    async def run_before(pilot: Pilot) -> None:
        await dismiss_toasts(pilot)
        await pilot.press("f", *"views:>lots")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(seed_app(), terminal_size=(80, 24), run_before=run_before)


def test_one_pane(snap_compare) -> None:
    async def run_before(pilot: Pilot) -> None:
        await dismiss_toasts(pilot)
        await pilot.press("z")
        await settle(pilot)

    assert snap_compare(seed_app(), terminal_size=(100, 30), run_before=run_before)


def test_one_pane_stacked_detail(snap_compare) -> None:
    async def run_before(pilot: Pilot) -> None:
        await dismiss_toasts(pilot)
        await pilot.press("z", "tab")
        await settle(pilot)

    assert snap_compare(seed_app(), terminal_size=(60, 24), run_before=run_before)

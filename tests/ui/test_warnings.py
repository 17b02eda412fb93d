"""Warnings can be read again, all of them, by a key, the command palette, or a click on
the count; the settings' warnings are counted and listed with the thread's."""

from __future__ import annotations

import pytest
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import Static

from support import palette_highlights, quotes_thread, wait_until
from threadtui.config import Settings
from threadtui.ui.app import ThreadApp
from threadtui.ui.chrome import PriorityFooter
from threadtui.ui.help import RowList
from threadtui.ui.warnings import SHOWN, WarningsScreen

SIZE = (100, 30)
HOSTILE = "[bold]not bold[/] [@click=app.quit]x[/] $variable"


def listed(app: ThreadApp) -> str:
    assert isinstance(app.screen, WarningsScreen)
    text = " ".join(str(w.render()) for w in app.screen.query("Static, RowList"))
    return " ".join(text.split())


def warned_app(*config: str, thread_warnings: list[str] | None = None) -> ThreadApp:
    thread = quotes_thread()
    thread.warnings = list(thread_warnings if thread_warnings is not None else ["w1", HOSTILE])
    return ThreadApp(thread, settings=Settings(), startup_messages=list(config))


async def settle(pilot: Pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_w_lists_every_warning_with_the_settings_ones_counted() -> None:
    app = warned_app("config.toml: unknown key 'colour'")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        status = str(app.query_one("#status", Static).render())
        assert status.endswith("3 warnings")
        await pilot.press("w")
        await pilot.pause()
        text = listed(app)
        assert "config.toml: unknown key 'colour'" in text and "w1" in text
        # Text from the file is shown as written: no markup ran, the app is still here.
        assert HOSTILE in text and app.is_running
        assert str(app.screen.query_one("#warnings-body").border_title) == "3 warnings"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, WarningsScreen)


async def test_clicking_the_count_opens_the_warnings() -> None:
    app = warned_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.clear_notifications()
        await settle(pilot)
        status = str(app.query_one("#status", Static).render())
        x = status.index("2 warnings") + 1 + 3  # the line's padding, into the word
        await pilot.click("#status", offset=(x, 0))
        await pilot.pause()
        assert "w1" in listed(app)


async def test_the_command_palette_opens_the_warnings() -> None:
    app = warned_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"warnings")
        await wait_until(pilot, lambda: palette_highlights(app, "warnings"), "found")
        await pilot.press("enter")
        await pilot.pause()
        assert "w1" in listed(app)


async def test_the_startup_note_is_short_and_points_to_the_list() -> None:
    app = warned_app(thread_warnings=["a very long warning " * 20])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        notes = list(app._notifications)
        assert len(notes) == 1
        assert "press w" in str(notes[0].message).lower()
        assert "very long warning" not in str(notes[0].message)


async def test_no_warnings_no_key_in_the_footer_and_no_count() -> None:
    app = warned_app(thread_warnings=[])
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        assert "warning" not in str(app.query_one("#status", Static).render())
        assert "Warnings" not in footer_descriptions(app)
        assert not app._notifications
    app = warned_app()
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        assert "Warnings" in footer_descriptions(app)


async def test_thousands_of_warnings_are_listed_up_to_a_bound() -> None:
    app = warned_app(thread_warnings=[f"warning number {k}" for k in range(SHOWN + 250)])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await pilot.pause()
        text = listed(app)
        assert f"warning number {SHOWN - 1}" in text and f"warning number {SHOWN} " not in text
        assert "and 250 more" in text
        rows = app.screen.query_one(RowList)
        assert len(rows.rows) == SHOWN + 1


def footer_descriptions(app: ThreadApp) -> list[str]:
    return [description for _, _, description, *_ in app.query_one(PriorityFooter).shown]


def overlaps(app: ThreadApp, region: Region) -> list[Region]:
    from textual.widgets._toast import Toast

    return [t.region for t in app.screen.query(Toast) if t.region.overlaps(region)]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_startup_toast_leaves_the_search_bar_and_its_counter_readable(
    size: tuple[int, int],
) -> None:
    """The toast sits bottom right for 6 s, where the bar's counter (and an error's last
    words) are: while the bar is open the toasts sit above it, then go back."""
    from textual.widgets._toast import Toast

    from threadtui.ui.querybar import QueryBar

    app = warned_app()
    async with app.run_test(size=size, notifications=True) as pilot:

        def toast() -> Region:
            shown = list(app.screen.query(Toast))
            return shown[0].region if shown else Region()

        await wait_until(pilot, lambda: bool(toast()), "the startup toast")
        # The same toast, up for longer than a test on a loaded machine may take.
        app.clear_notifications()
        app.notify("Press w to read them.", title="2 warnings", severity="warning", timeout=600)

        def long_one() -> bool:
            shown = list(app.screen.query(Toast))
            return [t._notification.timeout for t in shown] == [600] and bool(toast())

        await wait_until(pilot, long_one, "the toast")
        resting = toast()
        bar = app.query_one(QueryBar)
        await pilot.press("slash", *"quot")
        await settle(pilot)
        status = app.query_one("#query-status", Static)
        assert "/" in str(status.render())  # the n/N counter, e.g. 1/4
        assert toast(), "the toast is still up"
        assert not overlaps(app, bar.region), (bar.region, resting)
        assert toast().bottom <= bar.region.y
        # A query that does not parse: its error takes more lines, the toast moves up more.
        await pilot.press("escape", "f", *"views:>bad")
        await settle(pilot)
        assert status.has_class("-error") and bar.region.height >= 2
        assert not overlaps(app, bar.region)
        # Closed, the toast goes back to where it was (over the panes, above the footer).
        await pilot.press("escape")
        await settle(pilot)
        assert not bar.is_open
        assert toast() == resting
        assert resting.bottom == size[1] - 1


async def test_a_toast_leaves_the_loading_line_readable() -> None:
    """While a fetch runs, the line above the footer says how far it got and how to stop
    it: a toast sits above it, not over its end."""
    from textual.widgets._toast import Toast

    from threadtui.ui.loading import LoadingLine

    app = warned_app(thread_warnings=[])
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        app.notify("Times shown as relative", timeout=600)

        def toast() -> Region:
            shown = list(app.screen.query(Toast))
            return shown[0].region if shown else Region()

        await wait_until(pilot, lambda: bool(toast()), "the toast")
        resting = toast()
        line = app.query_one(LoadingLine)
        line.add_class("-active")
        await wait_until(pilot, lambda: bool(line.region), "the loading line")
        await settle(pilot)
        assert not toast().overlaps(line.region), (toast(), line.region)
        assert toast().bottom <= line.region.y
        line.remove_class("-active")
        await settle(pilot)
        assert toast() == resting


@pytest.mark.parametrize("toast", [False, True])
async def test_closing_the_bar_lays_the_screen_out_once_not_forever(
    monkeypatch: pytest.MonkeyPatch, toast: bool
) -> None:
    """Putting the toasts back above the footer once asked for another layout after each
    layout, for as long as the app ran."""
    from textual.screen import Screen

    from support import settle_quiet

    layouts = [0]
    original = Screen._refresh_layout

    def counted(self: Screen, *args: object, **kwargs: object) -> None:
        layouts[0] += 1
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Screen, "_refresh_layout", counted)
    app = warned_app(thread_warnings=[])
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle_quiet(pilot)
        if toast:
            app.notify("A toast", timeout=600)
            await settle(pilot)
        for key in ("slash", "escape", "f", "escape"):
            layouts[0] = 0
            await pilot.press(key)
            for _ in range(10):
                await pilot.pause()
            assert layouts[0] <= 3, (key, layouts[0])

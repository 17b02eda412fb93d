"""Every character a user reads reaches WCAG AA against its background, as the terminal
draws it: on every screen, in every theme threadtui offers, in truecolor, 256 and 16
colours, and with NO_COLOR. Computed from the composed screen, cell by cell.

Text needs 4.5:1; box-drawing lines (tree guides, borders) 3:1, WCAG's figure for
graphics. Block elements (scrollbar thumbs, tall borders) are shapes drawn in two fills,
not text on a background, and are not judged here.
"""

from __future__ import annotations

from functools import lru_cache

import pytest
import textual.constants
from rich.color import Color, ColorSystem
from rich.style import Style
from rich.terminal_theme import DEFAULT_TERMINAL_THEME
from screens import SCREENS, SIZE, Run, runs, seed_app, settle, visit
from textual.filter import dim_color

from threadtui.ui.app import ThreadApp
from threadtui.ui.output import ReadableFilter
from threadtui.ui.themes import NOT_OFFERED, OFFERED

SYSTEMS = {
    "truecolor": ColorSystem.TRUECOLOR,
    "256": ColorSystem.EIGHT_BIT,
    "standard": ColorSystem.STANDARD,
}


def _linear(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _luminance(rgb: tuple[int, int, int]) -> float:
    return 0.2126 * _linear(rgb[0]) + 0.7152 * _linear(rgb[1]) + 0.0722 * _linear(rgb[2])


def wcag(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def drawn(color: Color | None, system: ColorSystem, *, foreground: bool) -> tuple[int, int, int]:
    """What the terminal shows for `color` once Rich has downgraded it for `system`."""
    if color is None or color.is_default:
        default = DEFAULT_TERMINAL_THEME.foreground_color
        if not foreground:
            default = DEFAULT_TERMINAL_THEME.background_color
        return (default.red, default.green, default.blue)
    triplet = color.downgrade(system).get_truecolor(DEFAULT_TERMINAL_THEME, foreground)
    return (triplet.red, triplet.green, triplet.blue)


def needed(ch: str) -> float:
    if ch.isspace() or 0x2580 <= ord(ch) <= 0x259F:
        return 0.0
    return 3.0 if 0x2500 <= ord(ch) <= 0x257F else 4.5


@lru_cache(4096)
def _want(text: str) -> float:
    return max((needed(ch) for ch in text), default=0.0)


@lru_cache(8192)
def _faint(want: float, style: Style, system: ColorSystem) -> float | None:
    """The ratio a run of this style reaches when it is below `want`, else None."""
    fg, bg = style.color, style.bgcolor
    if style.reverse:
        fg, bg = bg, fg
    if style.dim and fg is not None and bg is not None:
        fg = dim_color(bg, fg)
    ratio = wcag(drawn(fg, system, foreground=True), drawn(bg, system, foreground=False))
    return ratio if ratio < want else None


def faint(run: Run, system: ColorSystem) -> tuple[float, float] | None:
    """(ratio, needed) when the run's characters are too faint, else None."""
    want = _want(run.text)
    if not want:
        return None
    ratio = _faint(want, run.style, system)
    return None if ratio is None else (ratio, want)


def _readable_filter(app: ThreadApp) -> ReadableFilter:
    (found,) = [f for f in app.get_line_filters() if isinstance(f, ReadableFilter)]
    return found


def _use_filter(app: ThreadApp, new: ReadableFilter) -> None:
    filters = app._output_filters
    filters[filters.index(_readable_filter(app))] = new


async def check_all(
    monkeypatch: pytest.MonkeyPatch,
    themes: tuple[str, ...],
    systems: tuple[str, ...],
    screen: str,
) -> list[str]:
    """One of the listed screens in every theme, judged in every colour system.

    One app per screen, so the screens are judged in parallel (pytest-xdist): the whole
    set in one test was the suite's longest. The screen is reached once and stays up while
    the themes change under it (a theme change restyles what is shown, which costs less
    than reaching the screen again). The startup toast is judged on the first screen, over
    which a user meets it; on the others it is cleared, so what it would cover is judged
    too, whatever the time the test took to get there.

    The colour system matters to the app in one place only, the filter it builds from its
    console's colour system (test_the_filter_follows_the_colour_system holds it to that;
    Rich downgrades colours only when writing to the terminal), so each system is judged by
    putting that system's filter in place and composing the screen again: the real
    rendering path, every widget's lines through every filter, with no new app, no new
    visit and no new theme.
    """
    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", "truecolor")
    app = seed_app()
    failures: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        filters = {name: ReadableFilter(SYSTEMS[name]) for name in systems}
        own = _readable_filter(app)
        if screen != SCREENS[0][0]:
            app.clear_notifications()
            await settle(pilot)
        async for shown in visit(app, pilot, only=(screen,)):
            assert shown == screen
            for theme in themes:
                app.theme = theme
                # The theme's watcher queues the restyle; let it run before composing.
                await pilot.pause()
                assert app.current_theme.name == theme
                for system in systems:
                    _use_filter(app, filters[system])
                    for run in runs(app):
                        bad = faint(run, SYSTEMS[system])
                        if bad is not None:
                            failures.append(
                                f"{theme} / {system} / {screen} / row {run.y} col {run.x}"
                                f" {run.text.strip()!r}: {bad[0]:.2f}:1 < {bad[1]}:1"
                                f" ({run.style})"
                            )
                _use_filter(app, own)
    return failures


@pytest.mark.parametrize("system", list(SYSTEMS))
def test_the_filter_follows_the_colour_system(monkeypatch: pytest.MonkeyPatch, system: str) -> None:
    # Textual reads the colour system when an App is built (TEXTUAL_COLOR_SYSTEM).
    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", system)
    app = seed_app()
    assert app.console.color_system == system
    assert _readable_filter(app).system == SYSTEMS[system]


SCREEN_NAMES = [name for name, _ in SCREENS]


@pytest.mark.slow
@pytest.mark.parametrize("screen", SCREEN_NAMES)
async def test_every_screen_is_readable_in_every_offered_theme_and_colour_system(
    monkeypatch: pytest.MonkeyPatch, screen: str
) -> None:
    failures = await check_all(monkeypatch, OFFERED, tuple(SYSTEMS), screen)
    assert not failures, f"{len(failures)} faint runs:\n" + "\n".join(failures[:30])


@pytest.mark.slow
@pytest.mark.parametrize("screen", SCREEN_NAMES)
async def test_no_color_greys_are_readable(monkeypatch: pytest.MonkeyPatch, screen: str) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    themes = ("textual-dark", "gruvbox", "nord")
    failures = await check_all(monkeypatch, themes, tuple(SYSTEMS), screen)
    assert not failures, f"{len(failures)} faint runs:\n" + "\n".join(failures[:30])


async def test_no_color_draws_greys_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", "truecolor")
    app = seed_app(theme="gruvbox")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        colours = {
            c.triplet
            for run in runs(app)
            for c in (run.style.color, run.style.bgcolor)
            if c is not None and c.triplet is not None
        }
    assert colours
    assert all(t.red == t.green == t.blue for t in colours), colours


async def test_ansi_themes_are_not_offered() -> None:
    app = seed_app(theme=NOT_OFFERED[0])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        assert not set(NOT_OFFERED) & set(app.available_themes)
        assert any("palette" in m for m in app.startup_messages)

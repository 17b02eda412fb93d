"""Every character a user reads reaches WCAG AA against its background, as the terminal
draws it: on every screen, in every theme threadtui offers, in truecolor, 256 and 16
colours, and with NO_COLOR. Computed from the composed screen, cell by cell.

Text needs 4.5:1; box-drawing lines (tree guides, borders) 3:1, WCAG's figure for
graphics. Block elements (scrollbar thumbs, tall borders) are shapes drawn in two fills,
not text on a background, and are not judged here.
"""

from __future__ import annotations

import pytest
import textual.constants
from rich.color import Color, ColorSystem
from rich.terminal_theme import DEFAULT_TERMINAL_THEME
from screens import SIZE, Run, runs, seed_app, settle, visit
from textual.filter import dim_color

from threadtui.ui.themes import NOT_OFFERED, OFFERED

SYSTEMS = {"truecolor": ColorSystem.TRUECOLOR, "256": ColorSystem.EIGHT_BIT, "standard": None}
SYSTEMS["standard"] = ColorSystem.STANDARD


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


def faint(run: Run, system: ColorSystem) -> tuple[float, float] | None:
    """(ratio, needed) when the run's characters are too faint, else None."""
    want = max((needed(ch) for ch in run.text), default=0.0)
    if not want:
        return None
    style = run.style
    fg, bg = style.color, style.bgcolor
    if style.reverse:
        fg, bg = bg, fg
    if style.dim and fg is not None and bg is not None:
        fg = dim_color(bg, fg)
    ratio = wcag(drawn(fg, system, foreground=True), drawn(bg, system, foreground=False))
    return (ratio, want) if ratio < want else None


async def check_all(monkeypatch: pytest.MonkeyPatch, system: str, themes: tuple[str, ...]):
    # Textual reads the colour system when an App is built (TEXTUAL_COLOR_SYSTEM).
    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", system)
    app = seed_app()
    failures: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.console.color_system == system
        # Each screen stays up while the themes change under it: a theme change restyles
        # what is shown, which costs less than reaching the screen again.
        async for screen in visit(app, pilot):
            for theme in themes:
                app.theme = theme
                # Restyle now rather than on the next idle: the screen is composed below.
                app.refresh_css(animate=False)
                for run in runs(app):
                    bad = faint(run, SYSTEMS[system])
                    if bad is not None:
                        failures.append(
                            f"{theme} / {screen} / row {run.y} col {run.x} {run.text.strip()!r}:"
                            f" {bad[0]:.2f}:1 < {bad[1]}:1 ({run.style})"
                        )
    return failures


@pytest.mark.slow
@pytest.mark.parametrize("system", list(SYSTEMS))
async def test_every_screen_is_readable_in_every_offered_theme(
    monkeypatch: pytest.MonkeyPatch, system: str
) -> None:
    failures = await check_all(monkeypatch, system, OFFERED)
    assert not failures, f"{len(failures)} faint runs:\n" + "\n".join(failures[:30])


@pytest.mark.slow
async def test_no_color_greys_are_readable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    failures = await check_all(monkeypatch, "truecolor", ("textual-dark", "gruvbox", "nord"))
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

"""The output stage's contrast repair, on colours rather than screens: every pair of a
coarse grid of colours, in every colour system."""

from __future__ import annotations

import itertools

import pytest
from rich.color import Color as RichColor
from rich.color import ColorSystem
from rich.segment import Segment
from rich.style import Style
from textual.color import Color

from threadtui.ui.output import ReadableFilter, contrast, readable, shown

LEVELS = (0, 60, 128, 190, 255)
GRID = list(itertools.product(LEVELS, repeat=3))
SYSTEMS = [ColorSystem.TRUECOLOR, ColorSystem.EIGHT_BIT, ColorSystem.STANDARD]


@pytest.mark.parametrize("system", SYSTEMS, ids=lambda s: s.name)
@pytest.mark.parametrize("minimum", [3.0, 4.5])
def test_readable_reaches_the_minimum_as_the_terminal_draws_it(
    system: ColorSystem, minimum: float
) -> None:
    for fg, bg in itertools.product(GRID, GRID):
        better = readable(fg, bg, minimum, system)
        drawn = shown(better or fg, system)
        assert contrast(drawn, shown(bg, system)) >= minimum, (fg, bg, better)
        if contrast(shown(fg, system), shown(bg, system)) >= minimum:
            assert better is None


def test_a_readable_colour_is_left_alone_and_a_faint_one_moves_the_least() -> None:
    assert readable((224, 224, 224), (30, 30, 30), 4.5, None) is None
    grey = readable((70, 70, 70), (30, 30, 30), 4.5, None)
    assert grey is not None
    assert 4.5 <= contrast(grey, (30, 30, 30)) < 5.5


def test_the_filter_keeps_text_and_background_and_mends_the_faint() -> None:
    faint = Style(color=RichColor.parse("#454545"), bgcolor=RichColor.parse("#0b3a5f"), bold=True)
    fine = Style(color=RichColor.parse("#ffffff"), bgcolor=RichColor.parse("#0b3a5f"))
    line = [Segment("+0m", faint), Segment(" ", faint), Segment("name", fine)]
    out = ReadableFilter(ColorSystem.TRUECOLOR).apply(line, Color(0, 0, 0))
    assert [s.text for s in out] == ["+0m", " ", "name"]
    assert out[0].style is not None and out[0].style.bold
    assert out[0].style.bgcolor == faint.bgcolor
    triplet = out[0].style.color.get_truecolor()
    assert contrast((triplet.red, triplet.green, triplet.blue), (11, 58, 95)) >= 4.5
    assert out[1].style == faint  # a space needs no contrast
    assert out[2].style == fine

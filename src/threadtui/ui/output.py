"""The last stage before the terminal: two line filters that hold the app's promises for
every widget, Textual's own included (footer, command palette, toasts, list checkboxes).

`ReadableFilter`: every character drawn reaches WCAG AA contrast (4.5:1) against its
background, as the terminal will show it: after the downgrade to 256 or 16 colours and
after NO_COLOR's greys. A theme picks colours for a truecolor screen, and Textual blends
`$foreground 60%` against the widget's background, not the cursor or highlight drawn under
it; both can leave text at 1.1:1. Only what falls short changes, and only as far as it must:
its foreground moves toward white or black.

`AsciiFilter` (`--ascii`): only printable ASCII reaches the terminal. Each character becomes
as many ASCII characters as it takes cells (a box corner `+`, a wide CJK character `??`),
so no line changes length and no layout moves.

`SteadyWidthFilter`: an emoji built of several code points (a skin tone, a ZWJ family, a
heart with its emoji selector) is drawn as its first emoji, padded to the cells Rich gave
it. Rich measures such a cluster as the newest terminals draw it; tmux, screen, xterm and
pyte draw each code point (a thumb with a skin tone takes four cells, a red heart one), and
every cell after it on the line moves: borders break, old characters stay on screen.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rich.cells import get_character_cell_size, split_graphemes
from rich.color import Color as RichColor
from rich.color import ColorSystem
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.filter import LineFilter, dim_color

TEXT_CONTRAST = 4.5
"""WCAG 2 AA for text (1.4.3)."""
LINE_CONTRAST = 3.0
"""WCAG 2 AA for graphical objects (1.4.11): box-drawing lines (tree guides, borders)."""

RGB = tuple[int, int, int]
WHITE: RGB = (255, 255, 255)
BLACK: RGB = (0, 0, 0)


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(rgb: RGB) -> float:
    """WCAG relative luminance."""
    r, g, b = rgb
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: RGB, b: RGB) -> float:
    """WCAG contrast ratio, 1 to 21."""
    la, lb = luminance(a), luminance(b)
    if la < lb:
        la, lb = lb, la
    return (la + 0.05) / (lb + 0.05)


def shown(rgb: RGB, system: ColorSystem | None) -> RGB:
    """The colour the terminal draws for `rgb` once Rich downgrades it to `system`.

    16 colours are judged on Rich's standard palette, the one it matches against: a
    terminal with its own palette draws other shades of the same sixteen.
    """
    if system is None or system == ColorSystem.TRUECOLOR:
        return rgb
    color = RichColor.from_rgb(*rgb).downgrade(system)
    triplet = color.get_truecolor()
    return (triplet.red, triplet.green, triplet.blue)


def _blend(a: RGB, b: RGB, t: float) -> RGB:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


@lru_cache(4096)
def readable(fg: RGB, bg: RGB, minimum: float, system: ColorSystem | None) -> RGB | None:
    """A foreground near `fg` that reaches `minimum` against `bg` once both are downgraded
    to `system`, or None when `fg` already does."""
    back = shown(bg, system)
    if contrast(shown(fg, system), back) >= minimum:
        return None
    # Away from the background first (light text on dark gets lighter), unless only the
    # other extreme can get there: some mid-tone backgrounds reach 4.5:1 with one only.
    lighter = luminance(shown(fg, system)) >= luminance(back)
    toward = WHITE if lighter else BLACK
    if contrast(toward, back) < minimum:
        toward = BLACK if lighter else WHITE
    for step in range(1, 21):
        candidate = _blend(fg, toward, step / 20)
        if contrast(shown(candidate, system), back) >= minimum:
            return candidate
    return toward


def _rgb(color: RichColor) -> RGB:
    triplet = color.get_truecolor()
    return (triplet.red, triplet.green, triplet.blue)


def _needed(text: str) -> float:
    """The contrast a run of characters needs: text 4.5:1, box-drawing lines 3:1.

    Block elements (U+2580-U+259F) are left as drawn: scrollbar thumbs, tall borders and
    the ends of toggle buttons are shapes whose "foreground" is the colour of a neighbour,
    and changing one cell of a shape breaks it.
    """
    needed = 0.0
    for ch in text:
        if ch == " ":
            continue
        code = ord(ch)
        if 0x2580 <= code <= 0x259F:
            continue
        if 0x2500 <= code <= 0x257F:
            needed = max(needed, LINE_CONTRAST)
        else:
            return TEXT_CONTRAST
    return needed


class ReadableFilter(LineFilter):
    """Raise every segment whose foreground is too faint to read to the contrast it needs."""

    def __init__(self, system: ColorSystem | None, enabled: bool = True) -> None:
        super().__init__(enabled=enabled)
        self.system = system

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        # Every changed line of every frame comes through here. Most segments are in a
        # style already readable as text, so they are kept as they are, without looking
        # at their characters or building a new segment.
        fixable = self._fixable
        fix = self._fix
        out = list(segments)
        for i, segment in enumerate(segments):
            style = segment.style
            if style is None or segment.control or not fixable(style):
                continue
            better = fix(style, _needed(segment.text))
            if better is not style:
                out[i] = Segment(segment.text, better)
        return out

    @lru_cache(4096)  # noqa: B019 - one filter per app, styles are few and immutable
    def _fixable(self, style: Style) -> bool:
        """Whether any segment of `style` changes: those reaching text's 4.5:1 reach the
        3:1 of lines too, and a style with nothing to repair is kept for any text."""
        return self._fix(style, TEXT_CONTRAST) is not style

    @lru_cache(4096)  # noqa: B019 - one filter per app, styles are few and immutable
    def _fix(self, style: Style, needed: float) -> Style:
        if not needed:
            return style
        color, bgcolor = style.color, style.bgcolor
        if style.reverse:
            color, bgcolor = bgcolor, color
        if color is None or bgcolor is None or color.is_default or bgcolor.is_default:
            # The terminal's own default colours, which it keeps readable.
            return style
        fg_rgb = _rgb(color)
        if style.dim:
            # Terminals dim by anything from a third to nothing: draw it dimmed here, so
            # what is checked is what is seen.
            fg_rgb = _rgb(dim_color(bgcolor, color))
        better = readable(fg_rgb, _rgb(bgcolor), needed, self.system)
        if better is None and not style.dim:
            return style
        new_fg = RichColor.from_rgb(*(better or fg_rgb))
        if style.reverse:
            return style + Style(color=bgcolor, bgcolor=new_fg, reverse=False, dim=False)
        return style + Style(color=new_fg, dim=False)


# --- ASCII --------------------------------------------------------------------------------

_PUNCTUATION = {
    "‘": "'",
    "’": "'",
    "‚": "'",
    "‛": "'",
    "′": "'",
    "“": '"',
    "”": '"',
    "„": '"',
    "‟": '"',
    "″": '"',
    "❝": '"',
    "❞": '"',
    "«": "<",
    "»": ">",
    "‹": "<",
    "›": ">",
    "‐": "-",
    "‑": "-",
    "‒": "-",
    "–": "-",
    "—": "-",
    "―": "-",
    "−": "-",
    "…": "~",
    "·": ".",
    "•": "*",
    "◦": "o",
    "∅": "0",
    "×": "x",
    "←": "<",
    "→": ">",
    "↑": "^",
    "↓": "v",
    "↳": ">",
    "⏎": "<",
    "▲": "^",
    "▼": "v",
    "▾": "v",
    "▸": ">",
    "▴": "^",
    "◂": "<",
    "\u00a0": " ",
}


@lru_cache(4096)
def ascii_for(ch: str) -> str:
    """Printable ASCII that takes the cells `ch` takes on screen."""
    if " " <= ch <= "~":
        return ch
    width = get_character_cell_size(ch)
    if width == 0:
        return ""
    known = _PUNCTUATION.get(ch)
    if known is None:
        name = unicodedata.name(ch, "")
        code = ord(ch)
        if 0x2500 <= code <= 0x257F:
            known = _box(name)
        elif 0x2580 <= code <= 0x259F:
            known = _block(name)
        else:
            # An accented letter draws as its base letter (Ä as A); anything else as "?".
            base = unicodedata.normalize("NFKD", ch)[:1]
            known = base if " " < base <= "~" and width == 1 else "?"
    return known * width if width > 1 and len(known) == 1 else known


def _box(name: str) -> str:
    horizontal = "HORIZONTAL" in name or name.endswith((" LEFT", " RIGHT"))
    vertical = "VERTICAL" in name or name.endswith((" UP", " DOWN"))
    if "DIAGONAL" in name:
        return "X" if "CROSS" in name else ("/" if "UPPER RIGHT" in name else "\\")
    if horizontal and not vertical:
        return "-"
    if vertical and not horizontal:
        return "|"
    return "+"


def _block(name: str) -> str:
    if "LEFT" in name or "RIGHT" in name:
        return "|"
    if "LOWER" in name or "UPPER" in name:
        # The partial cells at a scrollbar thumb's ends: blank, so the thumb is drawn by
        # its background alone, a whole cell at a time.
        return " "
    return "#"


class AsciiFilter(LineFilter):
    """Replace every character outside printable ASCII, keeping each line's cell length."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [
            segment
            if segment.control or (segment.text.isascii() and segment.text.isprintable())
            else Segment(_to_ascii(segment.text), segment.style, segment.control)
            for segment in segments
        ]


@lru_cache(4096)
def _to_ascii(text: str) -> str:
    # By grapheme, as Rich measures lines: a ZWJ family or a flag is one 2-cell glyph (not
    # three or two), and a letter with a combining accent one cell.
    spans, _ = split_graphemes(text)
    out = []
    for start, _end, cells in spans:
        mapped = ascii_for(text[start])
        if len(mapped) != cells:
            mapped = (mapped[:1] or "?").ljust(cells, "?")[:cells]
        out.append(mapped)
    return "".join(out)


# --- emoji whose width terminals disagree on ---------------------------------------------

# What makes a cluster's width depend on the terminal: the joiner, the emoji selector,
# skin tones and the keycap mark. (A subdivision flag's tags take no cell anywhere.)
_UNSTEADY = re.compile("[\u200d\ufe0f\u20e3\U0001f3fb-\U0001f3ff]")


class SteadyWidthFilter(LineFilter):
    """Draw each emoji cluster whose width terminals disagree on as its first code point,
    padded to the cells Rich measured: the same cells in every terminal, no line moves."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        search = _UNSTEADY.search
        return [
            segment
            if segment.control or segment.text.isascii() or search(segment.text) is None
            else Segment(steady(segment.text), segment.style, segment.control)
            for segment in segments
        ]


@lru_cache(4096)
def steady(text: str) -> str:
    """`text` with every unsteady emoji cluster replaced, in as many cells as before."""
    spans, _ = split_graphemes(text)
    out = []
    for start, end, cells in spans:
        cluster = text[start:end]
        if _UNSTEADY.search(cluster) is None:
            out.append(cluster)
            continue
        if cells == 0:
            # A selector or skin tone cut from its emoji (a style change inside it):
            # nothing Rich counted, and a skin tone alone draws two cells.
            continue
        base = cluster[0]
        if not _emoji_base(base, cluster):
            # Letters joined in a script (ZWJ in Indic text) are words, not decoration:
            # kept whole rather than cut.
            out.append(cluster)
            continue
        width = get_character_cell_size(base)
        out.append(base + " " * (cells - width) if width <= cells else "?" * cells)
    return "".join(out)


def _emoji_base(base: str, cluster: str) -> bool:
    return unicodedata.category(base) == "So" or ("\u20e3" in cluster and base in "0123456789#*")


__all__ = [
    "LINE_CONTRAST",
    "TEXT_CONTRAST",
    "AsciiFilter",
    "ReadableFilter",
    "SteadyWidthFilter",
    "ascii_for",
    "contrast",
    "readable",
    "shown",
    "steady",
]

"""`?`: every key, grouped, as currently mapped (the keymap from config included), what the
tree's symbols mean, and the search and filter language with this thread's own dates."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import tzinfo
from typing import Any, ClassVar

from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual._context import visible_screen_stack
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.color import Color
from textual.containers import VerticalScroll
from textual.content import Content
from textual.css.styles import RulesMap
from textual.geometry import Size
from textual.screen import ModalScreen, Screen
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widget import Widget
from textual.widgets import Static

from threadtui.model import Thread
from threadtui.query import time_forms
from threadtui.ui.glyphs import Glyphs
from threadtui.ui.keys import key_label

Row = tuple[str, str]

KEY_COLUMN_MAX = 20
"""A key label wider than this puts its description on the next line, not the column."""


def extra_keys(glyphs: Glyphs) -> list[Row]:
    return [
        (
            "mouse",
            f"click a row to select it, its {glyphs.expanded}/{glyphs.collapsed} to fold it;"
            " the wheel scrolls; click the warning count to read the warnings",
        ),
    ]


def binding_rows(bindings: Iterable[BindingType], keymap: dict[str, str]) -> list[Row]:
    rows: list[Row] = []
    depth_keys: list[str] = []
    for binding in bindings:
        if not isinstance(binding, Binding):
            continue
        keys = keymap.get(binding.id or "", binding.key)
        if binding.id and binding.id.startswith("tree.depth-"):
            depth_keys.append(keys)
            continue
        rows.append((key_label(keys), binding.description or binding.action))
    if depth_keys:
        rows.append((f"{depth_keys[0]}…{depth_keys[-1]}", "Collapse everything below depth 1–9"))
    return rows


def symbol_rows(glyphs: Glyphs) -> list[Row]:
    """The legend of the tree's symbols, in the glyphs this session draws."""
    return [
        (glyphs.root, "a root: a post that answers no post in this file (is:root finds them)"),
        (glyphs.reply, "a reply to the post above it"),
        (glyphs.quote, "a post that quotes the post above it without replying to it"),
        (
            f"{glyphs.expanded} {glyphs.collapsed}",
            "a branch shown / folded; (+N) after a folded row counts the posts inside",
        ),
        (glyphs.placeholder, "a post the file names but does not hold (deleted, not fetched)"),
        (glyphs.new, "a post new since your last visit (is:new finds them)"),
        ("+21m", "time after the thread's first post (T shows dates and times)"),
        ("42 ", "a number before a row: its depth, where the guides stop growing"),
    ]


def language_rows(thread: Thread, tz: tzinfo) -> list[Row]:
    """The search and filter language; the time examples are this thread's own dates."""
    after = time_forms("after", thread, tz)
    before = time_forms("before", thread, tz)
    if thread.time_range is None:
        times = f"{after[0]} or {after[1]}; this thread has no post times, so none pass"
    else:
        times = (
            f"{after[0]}, {after[1]}, {after[2]} (on the thread's first day), or +30m, +2h,"
            " +1d, +1h30m after the first post"
        )
    return [
        (
            "words",
            "posts with every word, also inside longer words; any case unless you type a"
            " capital; accents ignored. Words match the text, the author and quoted posts",
        ),
        ('"a phrase"', "the words together, in this order"),
        ('-word -"phrase"', "leave out posts with that word or phrase"),
        ("/regex/", "a regular expression, matched on the text as written"),
        (
            "from:HANDLE",
            'by that author (@ optional, or from:"Display Name"); several from: are'
            " alternatives; from:? is a post whose author is unknown (not a deleted one)",
        ),
        ("-from:HANDLE", "not by that author"),
        ("after:T", f"posts at T or later; T is {times}"),
        (
            "before:T",
            f"posts before T, written the same way (before:{before[1]});"
            " after:X before:Y ranges tile",
        ),
        ("has:quote", "posts that quote another post"),
        ("is:root", "posts at the top of the tree: they answer no post in this file"),
        ("is:quoted", "posts that another post in this file quotes"),
        ("is:new", "posts new since your last visit (all of them on a first visit)"),
        (
            "views:>1000",
            "also >=1k, <10, <=5, =0, 100..2000; likes: and reposts: alike;"
            " a post whose count is unknown never passes",
        ),
        ("replies:>2", "replies shown under the post in this thread"),
        (
            "",
            "In a search (/), words, phrases and /regex/ work as above; key:value is text to find.",
        ),
    ]


class RowList(Widget):
    """Rows of a key and what it does; a long description wraps under itself, in its own
    column, never back to the left edge."""

    DEFAULT_CSS = """
    RowList { height: auto; }
    """

    def __init__(self, rows: Sequence[tuple[str, Content]], column: int, key_style: str) -> None:
        super().__init__()
        self.rows = list(rows)
        self.column = column
        self.key_style = key_style
        self._cache: tuple[int, list[Content]] | None = None

    def set_rows(self, rows: Sequence[tuple[str, Content]], column: int) -> None:
        if list(rows) == self.rows and column == self.column:
            return
        self.rows = list(rows)
        self.column = column
        self._cache = None
        self.refresh(layout=True)

    def lines(self, width: int) -> list[Content]:
        if self._cache is not None and self._cache[0] == width:
            return self._cache[1]
        column = self.column
        room = max(10, width - column)
        # Its own span, as the padding below: see there.
        indent = Content.styled(" " * column, self.key_style)
        lines: list[Content] = []
        for key, what in self.rows:
            wrapped = what.wrap(room) if what.cell_length else [Content("")]
            if Content(key).cell_length + 1 > column:
                lines.append(Content.styled(key, self.key_style))
                lines.extend(indent + line for line in wrapped)
                continue
            # The padding inside the key's own span: a run of spaces that starts a span is
            # drawn short by some SVG renderers, and the snapshots are looked at as images.
            padded = key + " " * (column - Content(key).cell_length)
            lines.append(Content.styled(padded, self.key_style) + wrapped[0])
            lines.extend(indent + line for line in wrapped[1:])
        self._cache = (width, lines)
        return lines

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))

    def render(self) -> Content:
        return Content("\n").join(self.lines(self.content_size.width))


def key_column(sections: Iterable[Sequence[Row]]) -> int:
    widest = max((len(key) for rows in sections for key, _ in rows), default=8)
    return min(widest, KEY_COLUMN_MAX) + 2


TintMemos = dict[tuple[RichStyle, Color], dict[RichStyle | None, RichStyle]]
"""For each base style and dimming colour: each style of the screen below, dimmed."""

TINT_MEMO_MAX = 4096
"""Styles remembered with their dimmed form; a screen shows a few dozen (more when its
segments carry mouse metadata), so this bound is only against a slow leak."""


class DimmedScreen(Visual):
    """The screen under a modal, dimmed: what Textual's `BackgroundScreen` draws, cell for
    cell, without its cost. Textual blends both colours of every segment of the screen
    below (a dozen Style and Color objects a segment, about 600 segments) and then passes
    the result through Rich's line splitting; a screen has a few dozen distinct styles, so
    each is dimmed once and the compositor's lines are reused as they are."""

    def __init__(self, base: Screen[Any], color: Color, memos: TintMemos) -> None:
        self.base = base
        self.color = color
        self.memos = memos

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return container_width

    def get_height(self, rules: RulesMap, width: int) -> int:
        return self.base.size.height

    def _dimmed(self, style: RichStyle | None, base_style: RichStyle) -> RichStyle:
        # The same expression as BackgroundScreen.process_segments, then Widget.post_render's
        # base style, so the result is the same Style.
        plain = RichStyle() if style is None else style.clear_meta_and_links()
        color = self.color
        if color.a:
            from_rich = Color.from_rich_color
            plain = plain + RichStyle.from_color(
                (from_rich(plain.color) + color).rich_color if plain.color is not None else None,
                (
                    (from_rich(plain.bgcolor) + color).rich_color
                    if plain.bgcolor is not None
                    else None
                ),
            )
        return base_style + plain if base_style else plain

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        base_style = style.rich_style
        memos = self.memos
        memo = memos.get((base_style, self.color))
        if memo is None or len(memo) > TINT_MEMO_MAX:
            memos.clear()
            memo = memos[base_style, self.color] = {}
        dimmed = self._dimmed
        lines: list[Strip] = []
        for strip in self.base._compositor.render_strips()[:height]:
            segments: list[Segment] = []
            for text, segment_style, _control in strip:
                new_style = memo.get(segment_style)
                if new_style is None:
                    new_style = memo[segment_style] = dimmed(segment_style, base_style)
                segments.append(Segment(text, new_style))
            lines.append(Strip(segments, strip.cell_length).crop(0, width))
        return lines


class ReadingScreen(ModalScreen[None]):
    """A modal page of text to read: the keys that scroll it, and the one that closes it.

    A subclass names its close keys in a binding of its own and composes one VerticalScroll
    whose id is `body_id`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "scroll(1)", "Down", show=False),
        Binding("up,k", "scroll(-1)", "Up", show=False),
        Binding("pagedown,space", "page(1)", "Page down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("home,g", "edge(0)", "Top", show=False),
        Binding("end,G", "edge(1)", "Bottom", show=False),
    ]
    body_id: ClassVar[str]

    def __init__(self) -> None:
        super().__init__()
        self._tint_memos: TintMemos = {}

    # Screen.render, with DimmedScreen for Textual's BackgroundScreen (the same cells). Screen
    # narrows render() to a Rich renderable; Widget allows a Visual, as the compositor does.
    def render(self) -> RenderableType | Visual:  # type: ignore[override]
        background = self.styles.background
        try:
            base = visible_screen_stack.get().pop()
        except LookupError:
            return super().render()
        if base is self or background.a >= 1:
            visible_screen_stack.get().append(base)
            return super().render()
        return DimmedScreen(base, background, self._tint_memos)

    def _body(self) -> VerticalScroll:
        return self.query_one(f"#{self.body_id}", VerticalScroll)

    def action_scroll(self, step: int) -> None:
        self._body().scroll_relative(y=step, animate=False)

    def action_page(self, step: int) -> None:
        body = self._body()
        body.scroll_relative(
            y=step * max(1, body.scrollable_content_region.height - 1), animate=False
        )

    def action_edge(self, end: int) -> None:
        body = self._body()
        if end:
            body.scroll_end(animate=False)
        else:
            body.scroll_home(animate=False)

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)


class HelpScreen(ReadingScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close"),
    ]
    body_id = "help-body"

    def __init__(self, sections: list[tuple[str, list[Row]]]) -> None:
        super().__init__()
        self.sections = sections

    def set_sections(self, sections: list[tuple[str, list[Row]]]) -> None:
        """Show these sections (the same titles, rows that may read differently: the
        thread grew and its dates with it) in the screen as it is, built once."""
        if sections == self.sections:
            return
        self.sections = sections
        if not self.is_mounted:
            return
        column = key_column(rows for _, rows in sections)
        for listing, (_, rows) in zip(self.query(RowList), sections, strict=True):
            listing.set_rows([(key, Content(what)) for key, what in rows], column)

    def compose(self) -> ComposeResult:
        column = key_column(rows for _, rows in self.sections)
        with VerticalScroll(id="help-body") as scroll:
            scroll.border_title = "threadtui keys"
            for title, rows in self.sections:
                yield Static(Content.styled(title, "bold $text-accent"), classes="help-heading")
                yield RowList([(key, Content(what)) for key, what in rows], column, "bold")
            yield Static(
                Content.styled("Esc, q or ? closes this help.", "italic $text-muted"),
                classes="help-heading",
            )

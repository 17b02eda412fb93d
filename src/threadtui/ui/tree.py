"""The thread tree: one row per shown post, drawn line by line.

The rows themselves (which posts, folded or filtered, and the cursor) are a plain model,
`threadtui.rows.TreeRows`, that says why no key walks the whole thread. This widget draws
only the rows on screen, through Textual's line API, and turns keys and clicks into calls
on the model.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, tzinfo
from itertools import pairwise
from typing import ClassVar, Self

from rich.cells import cell_len, get_character_cell_size, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.terminal_theme import TerminalTheme
from rich.text import Text
from textual import events
from textual._styles_cache import StylesCache
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.color import Color
from textual.content import Content
from textual.css.styles import RenderStyles, StylesBase
from textual.geometry import Region, Size, Spacing
from textual.reactive import reactive, var
from textual.strip import Strip
from textual.style import Style as TextualStyle

from threadtui import gcpolicy, pacing
from threadtui.model import NO_PARENT, Thread
from threadtui.model.thread import MarkedBelow
from threadtui.model.timefmt import format_count, format_offset, format_short
from threadtui.rows import FilterLayout, TreeRows
from threadtui.ui.detail_lines import more_label
from threadtui.ui.glyphs import UNICODE, Glyphs
from threadtui.ui.scrolling import LineView

NAME_WIDTH = 18
NARROW = 40
"""Below this width rows drop the views column and shorten names, so text stays readable."""

Spans = Callable[[str], Sequence[tuple[int, int]]]

ROW_STYLES = (
    "guides",
    "fold",
    "reply",
    "quote",
    "name",
    "unknown",
    "time",
    "views",
    "hidden",
    "depth",
    "placeholder",
    "context",
    "match",
    "new",
)
"""The components a row is drawn with, but for the cursor (`thread-tree--NAME`)."""


def _runs_apart(parts: Sequence[str]) -> bool:
    """Whether each run can be measured and cut on its own, as Rich would the whole line:
    no zero-width character at a run's start (an accent belongs to the character before
    it; at the first run's start Rich's cut drops it where a run's own cut would keep
    it), and no joiner or emoji selector anywhere (Rich's measure and its cut disagree
    about those, and the row must come out as it did)."""
    for part in parts:
        if "\u200d" in part or "\ufe0f" in part:
            return False
    return all(get_character_cell_size(part[0]) for part in parts)


class RowLine:
    """A row of the tree as it is drawn: runs of text, each in its style or the line's
    own (None), and search marks within them.

    `strip` draws it exactly as a Rich `Text` built the same way draws through
    `truncate(width, overflow="ellipsis", pad=True)` and `render` (the same segments,
    styles and ellipsis), without what makes that cost a fraction of a millisecond a row:
    measuring and cutting the whole line grapheme by grapheme (the row's glyphs are not
    among the characters Rich measures quickly), span objects and a style stack. Rows
    are drawn whenever a key shows new ones (G, 1, a fold), 27 of them at a time.
    """

    __slots__ = ("length", "parts", "spans")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.spans: list[tuple[int, int, Style]] = []
        """(start, end, style) in the order Rich would layer them: each run's style, then
        the marks inside it."""
        self.length = 0

    def append(
        self,
        text: str,
        style: Style | None = None,
        marks: Sequence[tuple[int, int]] = (),
        mark_style: Style | None = None,
    ) -> None:
        if not text:
            return
        start = self.length
        self.parts.append(text)
        end = self.length = start + len(text)
        if style:
            self.spans.append((start, end, style))
        if marks and mark_style:
            for a, b in marks:
                if a < 0 or b <= a or a >= len(text):
                    continue
                self.spans.append((start + a, start + min(b, len(text)), mark_style))

    def strip(
        self,
        width: int,
        line_style: Style,
        over: Sequence[Style],
        cursor_color: Style | None,
        combined: dict[tuple[Style, ...], Style],
    ) -> Strip:
        """The row `width` cells long: cut with an ellipsis or padded with spaces. `over`
        covers the text (not the padding), `cursor_color` all of it, both over the runs;
        `line_style` is under everything. `combined` caches the layered styles."""
        parts = self.parts
        spans = self.spans
        whole = not _runs_apart(parts)
        if whole:
            # A character joined to the one before it across runs (a zero-width joiner,
            # a combining accent at a run's start): measured and cut as one string.
            total = cell_len("".join(parts))
        else:
            cells = [cell_len(part) for part in parts]
            total = sum(cells)
        pad = 0
        if total > width:
            # Rich keeps the first width-1 cells and an ellipsis, whose style is that of
            # the character it replaces (spans are cut at the new length).
            room = width - 1
            if whole:
                text = set_cell_size("".join(parts), room) + "…"
            else:
                kept: list[str] = []
                used = 0
                for part, size in zip(parts, cells, strict=True):
                    if used + size <= room:
                        kept.append(part)
                        used += size
                        continue
                    kept.append(set_cell_size(part, room - used))
                    break
                text = "".join(kept) + "…"
            length = len(text)
            spans = [(a, min(b, length), st) for a, b, st in spans if a < length]
            text_end = length
        else:
            text = "".join(parts)
            text_end = len(text)
            pad = width - total
        # Layers: the line's style, the spans in order, then `over`, then the cursor's.
        layers: list[tuple[int, int, Style]] = [(0, text_end + pad, line_style), *spans]
        layers += [(0, text_end, style) for style in over]
        if cursor_color is not None:
            layers.append((0, text_end + pad, cursor_color))
        if pad:
            text += " " * pad
        points = sorted({0, len(text), *(a for a, _, _ in layers), *(b for _, b, _ in layers)})
        segments = []
        for start, end in pairwise(points):
            key = tuple(st for a, b, st in layers if a <= start < b)
            style = combined.get(key)
            if style is None:
                style = combined[key] = Style.combine(key)
            segments.append(Segment(text[start:end], style))
        return Strip(segments, width)


class RowStylesCache(StylesCache):
    """Textual's per-widget line cache, which also keeps a drawn row's final line (its
    border added) by the row's own strip: a row the tree drew before (`G`, then `g`) comes
    back as the very same Strip, whose line filters (ANSI colours, the contrast repair)
    Strip already keeps, so neither the border nor the filters are worked out again.

    Only for a widget with nothing drawn above or below its content, so that every line
    is drawn alike (the tree's border is on its right; narrow, at its bottom: then every
    line takes Textual's way)."""

    def __init__(self) -> None:
        super().__init__()
        self._finished: LRUCache[int, tuple[Strip, tuple[object, ...], Strip]] = LRUCache(512)

    def render_line(
        self,
        styles: StylesBase,
        y: int,
        size: Size,
        content_size: Size,
        padding: Spacing,
        base_background: Color,
        background: Color,
        render_content_line: Callable[[int], Strip],
        border_title: tuple[Content, Color, Color, TextualStyle] | None,
        border_subtitle: tuple[Content, Color, Color, TextualStyle] | None,
        opacity: float,
        ansi_theme: TerminalTheme,
        native_ansi: bool,
    ) -> Strip:
        args = (
            styles,
            y,
            size,
            content_size,
            padding,
            base_background,
            background,
        )
        gutter = styles.gutter
        outline = styles.outline
        if (
            gutter.top
            or gutter.bottom
            or outline.top[0] not in ("", "none")
            or outline.bottom[0] not in ("", "none")
            or border_title
            or border_subtitle
            or not isinstance(styles, RenderStyles)
        ):
            return super().render_line(
                *args,
                render_content_line,
                border_title,
                border_subtitle,
                opacity,
                ansi_theme,
                native_ansi,
            )
        content = render_content_line(y)
        key = (
            styles._cache_key,
            size,
            content_size,
            padding,
            base_background,
            background,
            opacity,
            ansi_theme,
            native_ansi,
        )
        # By identity (the strip is kept in the entry, so its id is not reused): the
        # tree hands back the same Strip for a row it has cached.
        found = self._finished.get(id(content))
        if found is not None and found[0] is content and found[1] == key:
            return found[2]
        line = super().render_line(
            *args,
            lambda _y: content,
            border_title,
            border_subtitle,
            opacity,
            ansi_theme,
            native_ansi,
        )
        self._finished[id(content)] = (content, key, line)
        return line


class ThreadTree(LineView, can_focus=True):
    """The thread as a tree of replies (↳) and quotes (❝), with a cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor_down", "Down", show=False, id="tree.down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="tree.up"),
        Binding("left,h", "collapse_or_parent", "Collapse", show=False, id="tree.collapse"),
        Binding("right,l", "expand", "Expand", show=False, id="tree.expand"),
        Binding("enter,space", "toggle_fold", "Fold", id="tree.toggle"),
        Binding("g,home", "first", "First", show=False, id="tree.first"),
        Binding("G,end", "last", "Last", show=False, id="tree.last"),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False, id="tree.page-down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="tree.page-up"),
        Binding("p", "parent", "Parent", id="tree.parent"),
        Binding("r", "root", "Root", show=False, id="tree.root"),
        Binding(
            "left_square_bracket",
            "same_author(-1)",
            "Prev by author",
            show=False,
            id="tree.author-prev",
        ),
        Binding(
            "right_square_bracket",
            "same_author(1)",
            "Next by author",
            show=False,
            id="tree.author-next",
        ),
        Binding("0", "expand_all", "Expand all", show=False, id="tree.expand-all"),
        # On the panes, not the app: a focused widget's keys come before the Screen's own
        # Tab (focus next, which would skip a pane hidden by zoom), and modal screens keep
        # their own Tab.
        Binding("tab,shift+tab", "app.switch_pane", "Switch pane", id="app.switch-pane"),
        *[
            Binding(
                str(d),
                f"collapse_depth({d})",
                f"Collapse below depth {d}",
                show=False,
                id=f"tree.depth-{d}",
            )
            for d in range(1, 10)
        ],
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "thread-tree--cursor",
        "thread-tree--guides",
        "thread-tree--fold",
        "thread-tree--reply",
        "thread-tree--quote",
        "thread-tree--name",
        "thread-tree--unknown",
        "thread-tree--time",
        "thread-tree--views",
        "thread-tree--hidden",
        "thread-tree--depth",
        "thread-tree--placeholder",
        "thread-tree--context",
        "thread-tree--match",
        "thread-tree--new",
    }

    DEFAULT_CSS = """
    ThreadTree {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        /* Always shown, the track blending in: see ui/scrolling.py. */
        overflow-y: scroll;
        scrollbar-background: $surface;
        scrollbar-background-hover: $surface;
        scrollbar-background-active: $surface;
        & > .thread-tree--cursor { background: $block-cursor-blurred-background; }
        &:focus > .thread-tree--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: bold;
        }
        /* The $text-* variables are the theme's colours made readable on its background;
           the bare $accent, $secondary... are for fills, and can be 1.2:1 as text. */
        & > .thread-tree--guides { color: $foreground 40%; }
        & > .thread-tree--fold { color: $text-accent; }
        & > .thread-tree--reply { color: $foreground 60%; }
        & > .thread-tree--quote { color: $text-secondary; text-style: bold; }
        & > .thread-tree--name { text-style: bold; }
        & > .thread-tree--unknown { color: $foreground 60%; text-style: italic; }
        & > .thread-tree--time { color: $foreground 60%; }
        & > .thread-tree--views { color: $foreground 60%; }
        & > .thread-tree--hidden { color: $text-accent; }
        & > .thread-tree--depth { color: $text-warning; }
        & > .thread-tree--placeholder { color: $foreground 60%; text-style: italic; }
        & > .thread-tree--context { color: $foreground 55%; }
        & > .thread-tree--match { background: $warning 40%; text-style: bold; }
        & > .thread-tree--new { color: $text-success; text-style: bold; }
    }
    """

    time_display: reactive[str] = reactive("relative")
    highlighted: var[int | None] = var(None, init=False)
    """The post under the cursor. Watchers run as it changes, not as a message handled
    later: the detail pane redraws in the same frame as the cursor (a message arrives after
    that frame and costs a second one, up to 33 ms later)."""

    def __init__(
        self,
        thread: Thread,
        *,
        glyphs: Glyphs = UNICODE,
        tz: tzinfo = UTC,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._styles_cache = RowStylesCache()
        self.thread = thread
        self.glyphs = glyphs
        self.tz = tz
        self.model = TreeRows(thread)
        """The rows, folds, filter and cursor: this widget draws them and sends keys there."""
        self._search_below: MarkedBelow | None = None
        self._highlight: Spans | None = None
        self._search_hits: bytearray | None = None
        self._is_new: Callable[[int], bool] | None = None
        self._cache: LRUCache[tuple[object, ...], Strip] = LRUCache(2048)
        self._styles: dict[str, Style] = {}
        self._combined: dict[tuple[Style, ...], Style] = {}
        """Styles of a row's runs over the line's, as drawn (RowLine.strip)."""
        self._cursor_styles: dict[bool, Style] = {}
        self._drawn_look: tuple[Style, ...] | None = None
        self._look_checked = False
        self._version = 0
        self._start = thread.time_range[0] if thread.time_range else None
        self.virtual_size = Size(0, self.model.row_count)
        self.covered = 0
        """Lines at the bottom under something drawn over the tree (the search bar): the
        cursor is kept above them."""

    def on_mount(self) -> None:
        # Walk the whole tree just after the first frame, not on the first key that needs
        # it, and beside the UI: at a million posts the walk held the UI thread for up to
        # a second, the first keys waiting for it (issue #16).
        self.call_after_refresh(self._walk_beside)

    def _walk_beside(self) -> None:
        thread = self.model.thread

        def walk() -> None:
            # A build like the index (pacing), taking turns with the others, and the short
            # switch interval while it runs keeps the UI's waits for the GIL short (the
            # default 5 ms, paid at each of a frame's many waits, made j/k 20+ ms). It does
            # not stay off while keys come (`pause(0)`): j held past the first screenful
            # needs the whole order, and walked on the UI thread that is a 0.5 s stall.
            with pacing.beside_ui():  # the order is computed once, kept by the thread
                thread.preorder_in_steps(lambda: pacing.pause(0))
            with contextlib.suppress(RuntimeError):  # the app has stopped meanwhile
                self.app.call_from_thread(lambda: gcpolicy.kept(self.model.rows))

        self.run_worker(walk, thread=True, group="tree-order", name="tree order")

    # --- what others ask (the model answers) ----------------------------------------------

    @property
    def rows(self) -> list[int]:
        """The posts shown, one a row, in tree order."""
        return self.model.rows

    @property
    def collapsed(self) -> bytearray:
        return self.model.collapsed

    @property
    def cursor(self) -> int:
        return self.model.cursor

    @cursor.setter
    def cursor(self, row: int) -> None:
        self.model.cursor = row

    @property
    def cursor_post(self) -> int | None:
        return self.model.cursor_post

    def is_visible_in_view(self, index: int) -> bool:
        """Whether the filter shows the post (folded or not)."""
        return self.model.is_shown(index)

    # --- folding --------------------------------------------------------------------------

    def expand_row(self, index: int) -> None:
        """Unfold a post's replies."""
        self._apply(self.model.expand, index)

    def collapse(self, index: int) -> None:
        """Fold a post's replies away."""
        self._apply(self.model.collapse, index)

    def collapse_to_depth(self, depth: int) -> None:
        self._apply(self.model.fold_to_depth, depth)

    def expand_all(self) -> None:
        self._apply(self.model.expand_all)

    def set_filter(self, layout: FilterLayout | None) -> None:
        """Show only a filter's matches and their ancestors (dimmed), or everything again.

        `layout` is built off the UI thread (FilterLayout.build); only the rows on the
        way to the cursor are recomputed here.
        """
        self._apply(self.model.set_filter, layout)

    def splice(
        self,
        added: Sequence[int],
        thread: Thread | None = None,
        *,
        entered: Sequence[int] | None = None,
    ) -> int:
        """Take in posts added to the thread (TreeRows.splice; `entered` from the add's
        `Change` lets it put in only their rows); the cursor keeps its post and its line
        on screen. Returns how many of them have a row.

        Search marks are dropped: they describe the thread before, as the filter does
        until it runs again (whoever grows the thread runs both again).
        """
        old = self.model.cursor
        shown = self.model.splice(added, thread=thread, entered=entered)
        self.thread = self.model.thread
        self._start = self.thread.time_range[0] if self.thread.time_range else None
        self._highlight = self._search_hits = self._search_below = None
        self._rows_changed(old, keep_line=True)
        return shown

    def _apply(self, change: Callable[..., object], *args: object) -> None:
        """Run a change of the model and show what it did (rows, cursor)."""
        model = self.model
        old, version = model.cursor, model.version
        change(*args)
        if model.version != version:
            self._rows_changed(old)
        elif model.cursor != old:
            self._show_cursor(old)

    def _rows_changed(self, old_cursor: int, *, keep_line: bool = False) -> None:
        self._version += 1
        self._cache.clear()
        # The width is what the last resize set: a new one would cost a layout pass.
        self.set_virtual_size(Size(self.virtual_size.width, self.model.row_count))
        self.refresh()
        shift = self.model.cursor - old_cursor
        if keep_line and shift:
            # Rows that arrived above the cursor pushed it down: the view moves with it.
            self.scroll_to(y=self.scroll_offset.y + shift, animate=False, immediate=True)
        # Even on the same row, the row may now hold another post, and the view must follow.
        self._show_cursor(old_cursor)

    # --- search ---------------------------------------------------------------------------

    def set_highlight(
        self, spans: Spans | None, hits: bytearray | None, below: MarkedBelow | None = None
    ) -> None:
        """Mark search matches: `spans(text)` gives ranges to highlight in names and text,
        `hits` the matching posts, `below` how many matches each folded branch hides."""
        self._highlight = spans
        self._search_hits = hits
        self._search_below = below
        self._version += 1
        self._cache.clear()
        self.refresh()

    def set_new_marks(self, is_new: Callable[[int], bool] | None) -> None:
        """Mark posts new since the last visit (`ReadState.is_new`), or none."""
        self._is_new = is_new
        self._version += 1
        self._cache.clear()
        self.refresh()

    # --- cursor ---------------------------------------------------------------------------

    def _set_cursor(self, row: int, *, force: bool = False) -> None:
        old = self.model.cursor
        if self.model.move_cursor(row) or force:
            self._show_cursor(old)

    def _show_cursor(self, old: int) -> None:
        """Draw the cursor's move from row `old`, scroll to it, and tell the watchers."""
        post = self.model.cursor_post
        if post is None:
            self.refresh()
            return
        self._refresh_row(old)
        self._refresh_row(self.model.cursor)
        self._scroll_to_cursor()
        # Rebuilding rows (a filter, a depth fold) often leaves the cursor on the same post:
        # a `var` only tells its watchers when it changes.
        self.highlighted = post

    def move_to_post(self, index: int, *, reveal: bool = True) -> bool:
        """Put the cursor on a post, unfolding its ancestors if needed."""
        model = self.model
        old, version = model.cursor, model.version
        found = model.move_to(index, reveal=reveal)
        if model.version != version:
            self._rows_changed(old)
        elif found:
            self._show_cursor(old)
        return found

    def reveal_cursor(self) -> None:
        """Scroll the cursor's row into view (after `covered` changed)."""
        self._scroll_to_cursor()

    def _scroll_to_cursor(self) -> None:
        height = self.scrollable_content_region.height or self.size.height
        # The search bar lies over the panes' last line while it is open.
        if height <= 0:
            return
        height = max(1, height - self.covered)
        top = self.scroll_offset.y
        cursor = self.model.cursor
        if cursor < top:
            self.scroll_to(y=cursor, animate=False, immediate=True)
        elif cursor >= top + height:
            self.scroll_to(y=cursor - height + 1, animate=False, immediate=True)

    def _refresh_row(self, row: int) -> None:
        y = row - self.scroll_offset.y
        if 0 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    # --- actions --------------------------------------------------------------------------

    def action_cursor_down(self) -> None:
        self._set_cursor(self.model.cursor + 1)

    def action_cursor_up(self) -> None:
        self._set_cursor(self.model.cursor - 1)

    def action_page_down(self) -> None:
        self._set_cursor(self.model.cursor + max(1, self.size.height - 1))

    def action_page_up(self) -> None:
        self._set_cursor(self.model.cursor - max(1, self.size.height - 1))

    def action_first(self) -> None:
        self._set_cursor(0)

    def action_last(self) -> None:
        self._set_cursor(self.model.row_count - 1)

    def action_toggle_fold(self) -> None:
        index = self.model.cursor_post
        if index is not None:
            self._apply(self.model.toggle, index)

    def action_expand(self) -> None:
        model = self.model
        index = model.cursor_post
        if index is None:
            return
        if model.collapsed[index]:
            self.expand_row(index)
        elif self.thread.posts[index].children:
            # Expanded already: step into its first reply.
            self._set_cursor(model.cursor + 1)

    def action_collapse_or_parent(self) -> None:
        model = self.model
        index = model.cursor_post
        if index is None:
            return
        if self.thread.posts[index].children and not model.collapsed[index]:
            self.collapse(index)
        else:
            self.action_parent()

    def action_parent(self) -> None:
        index = self.model.cursor_post
        parent = None if index is None else self.model.parent_of(index)
        if parent is not None:
            self.move_to_post(parent)

    def action_root(self) -> None:
        index = self.model.cursor_post
        root = None if index is None else self.model.root_of(index)
        if root is not None:
            self.move_to_post(root)

    def action_same_author(self, step: int) -> None:
        """Jump to the previous/next post (in tree order) by the author under the cursor."""
        index = self.model.cursor_post
        if index is None:
            return
        author = self.thread.posts[index].author
        if author is None:
            self.notify(
                "This post's author is unknown", severity="warning", timeout=3, markup=False
            )
            return
        found = self.model.same_author(index, step)
        if found is None:
            self.notify(f"No other post by {author.label}", timeout=3, markup=False)
        else:
            self.move_to_post(found)

    def action_expand_all(self) -> None:
        self.expand_all()

    def action_collapse_depth(self, depth: int) -> None:
        self.collapse_to_depth(depth)

    async def _on_click(self, event: events.Click) -> None:
        # The row from where the click landed, not from the row drawn there: rows are
        # drawn once for whichever line they scroll to.
        offset = event.get_content_offset(self)
        if offset is None:
            return
        row = offset.y + self.scroll_offset.y
        if not 0 <= row < self.model.row_count:
            return
        self._set_cursor(row)
        if event.style.meta.get("toggle"):
            self.action_toggle_fold()

    def watch_time_display(self) -> None:
        self._version += 1
        self._cache.clear()
        self.refresh()

    def _on_resize(self, event: events.Resize) -> None:
        # Rows are cached by width: a new height (the search bar opening below the panes)
        # redraws none of them.
        self.virtual_size = Size(event.size.width, self.model.row_count)
        self._scroll_to_cursor()

    # The focus changes how the cursor's row looks, and nothing else of the tree (the
    # :focus rules are the cursor's). Textual repaints a widget whole as its focus
    # changes (the component styles it compares, its own focus and blur handlers): here
    # that repaint is the cursor's row, not 27 rows through the line filters for `/`,
    # Escape and Tab.
    _focus_moving = False
    _narrow_next = False

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        whole = repaint and not (regions or layout or recompose)
        if whole and (self._focus_moving or self._narrow_next):
            if not self._focus_moving:
                self._narrow_next = False
            self._refresh_row(self.model.cursor)
            return self
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def watch_has_focus(self, has_focus: bool) -> None:
        with self._focus_move():
            super().watch_has_focus(has_focus)

    # Textual calls its own focus and blur handlers after these (every class's, in turn):
    # the whole repaint they ask for next is the cursor's row.
    def _on_focus(self, event: events.Focus) -> None:
        self._narrow_next = True

    def _on_blur(self, event: events.Blur) -> None:
        self._narrow_next = True

    @contextmanager
    def _focus_move(self) -> Iterator[None]:
        # Nested: the blur handler sets has_focus, whose watcher comes here too.
        moving, self._focus_moving = self._focus_moving, True
        try:
            yield
        finally:
            self._focus_moving = moving

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = {}
        self._combined = {}
        self._cursor_styles = {}
        # Textual calls this on every focus change (the :focus rules), which changes only
        # the cursor's row, and that row's cache key holds the focus: the other rows are
        # kept unless the styles they are drawn with changed (a theme, a class). Compared
        # at the next draw: the component styles are not yet updated here.
        self._look_checked = False

    def _check_look(self) -> None:
        self._look_checked = True
        look = (self.rich_style, *(self._style(name) for name in ROW_STYLES))
        if look != self._drawn_look:
            self._cache.clear()
            self._drawn_look = look

    # --- drawing --------------------------------------------------------------------------

    def depth_cap(self, width: int) -> int:
        """Levels drawn as indentation; deeper rows show their depth as a number instead."""
        return max(2, min(24, (width - 20) // 4))

    def render_line(self, y: int) -> Strip:
        row = y + self.scroll_offset.y
        width = self.size.width
        model = self.model
        index = model.post_at(row) if width > 0 else None
        if index is None:
            if row == 0 and width > 0 and model.filter is not None and not model.row_count:
                return self._empty_line(width)
            return Strip.blank(width, self.rich_style)
        if not self._look_checked:
            self._check_look()
        is_cursor = row == model.cursor
        # Focus only changes how the cursor's row looks: moving it to the search bar
        # redraws that row, not every row on screen.
        # Not the row: a row scrolled to another line (G, then g) is drawn from the cache.
        key = (index, width, is_cursor and self.has_focus, is_cursor, self._version)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._render_row(index, width, is_cursor)
            self._cache[key] = strip
        return strip

    def _empty_line(self, width: int) -> Strip:
        line = Text(" No post matches the filter (f edits it, c clears it)", no_wrap=True)
        line.stylize(self._style("placeholder"))
        line.truncate(width, overflow="ellipsis", pad=True)
        line.stylize_before(self.rich_style)
        segments = list(line.render(self.app.console))
        return Strip(Segment.adjust_line_length(segments, width, style=self.rich_style), width)

    def _style(self, name: str) -> Style:
        """A component's style as a span: colours blended over the widget's background.

        A partial style drops the alpha of colours like `$foreground 45%` (everything would
        be drawn at full strength); a full style blends them but also paints a background
        over the cursor. So: blended colours from the one, the rest from the other.
        """
        style = self._styles.get(name)
        if style is None:
            component = f"thread-tree--{name}"
            partial = self.get_component_rich_style(component, partial=True)
            full = self.get_component_rich_style(component, partial=False)
            style = partial + Style(
                color=full.color if partial.color is not None else None,
                bgcolor=full.bgcolor if partial.bgcolor is not None else None,
            )
            self._styles[name] = style
        return style

    def _cursor_style(self) -> Style:
        # Asked on every cursor move; Textual's lookup costs milliseconds a call. Cleared
        # with the other styles on a style update, which a focus change (:focus) makes.
        style = self._cursor_styles.get(self.has_focus)
        if style is None:
            style = self.get_component_rich_style("thread-tree--cursor")
            self._cursor_styles[self.has_focus] = style
        return style

    def _guides(self, index: int, cap: int) -> tuple[str, int]:
        """Guide characters for the last `cap` levels above `index`, and its depth."""
        posts = self.thread.posts
        post = posts[index]
        depth = post.depth
        levels = min(depth, cap)
        if levels == 0:
            return "", depth
        g = self.glyphs
        is_last = self.model.is_last
        parts = [g.guide_last if is_last(index) else g.guide_branch]
        node = post.parent
        for _ in range(levels - 1):
            parts.append(g.guide_space if is_last(node) else g.guide_vertical)
            node = posts[node].parent
        parts.reverse()
        return "".join(parts), depth

    def _render_row(self, index: int, width: int, is_cursor: bool) -> Strip:
        thread = self.thread
        post = thread.posts[index]
        g = self.glyphs
        line = RowLine()
        style = self._style

        cap = self.depth_cap(width)
        guides, depth = self._guides(index, cap)
        if depth > cap:
            # The number takes the place of the outermost guides, so however deep the
            # chain, the row's text starts at the same column as at the cap.
            label = f"{depth} "
            line.append(label, style("depth"))
            guides = guides[len(label) :]
        line.append(guides, style("guides"))

        model = self.model
        if post.children:
            fold = g.collapsed if model.collapsed[index] else g.expanded
            line.append(fold, self._toggle_style())
        else:
            line.append(g.leaf)
        context = model.is_context(index)
        hit = self._search_hits is not None and self._search_hits[index]
        # A search hit's glyph is marked too: the match may be in text the row cannot show
        # (a later line, a quoted card).
        if post.parent == NO_PARENT:
            line.append(g.root, style("match") if hit else style("reply"))
        elif post.parent_is_quote:
            line.append(g.quote, style("match") if hit else style("quote"))
        else:
            line.append(g.reply, style("match") if hit else style("reply"))
        line.append(" ")
        if self._is_new is not None and self._is_new(index):
            line.append(f"{g.new} ", style("new"))
        more = more_label(post)
        if more is not None:
            line.append(f"{g.placeholder} {more}", style("placeholder"))
        elif post.synthetic or post.is_placeholder:
            line.append(
                f"{g.placeholder} post {post.status.replace('_', ' ')}", style("placeholder")
            )
        else:
            name = post.author_label
            limit = NAME_WIDTH if width >= NARROW else NAME_WIDTH * 2 // 3
            if len(name) > limit:
                name = name[: limit - 1] + g.ellipsis
            name_style = style("name" if post.author else "unknown")
            line.append(name, name_style, self._marks(name), style("match"))
        if post.created is not None and self._start is not None:
            if self.time_display == "absolute":
                stamp = format_short(post.created, self.tz)
            else:
                stamp = format_offset(post.created - self._start)
            line.append(" ")
            line.append(stamp, style("time"))
        if post.metrics.views is not None and width >= NARROW:
            line.append(" ")
            line.append(format_count(post.metrics.views), style("views"))
        if model.collapsed[index]:
            hidden = model.hidden_count(index)
            note = f" (+{hidden})"
            # A search's counts when there is one, else the filter's.
            search = self._search_below
            below = search[index] if search is not None else model.matches_hidden(index)
            if below:
                note = f" (+{hidden}, {below} match{'es' if below != 1 else ''})"
            line.append(note, style("hidden"))
        # A row must not show what a content warning folds, nor repeat a "more" label.
        text = "" if more is not None else post.first_line
        if post.content_warning:
            text = f"CW: {post.content_warning}"
        if text:
            if len(text) > width * 2:
                text = text[: width * 2]
            text = text.replace("\t", " ")
            line.append(" ")
            line.append(text, None, self._marks(text), style("match"))

        line_style = self._drawn_look[0] if self._drawn_look else self.rich_style
        over: list[Style] = []
        if context:
            over.append(style("context"))
        cursor_color = None
        if is_cursor:
            cursor = self._cursor_style()
            line_style += cursor
            if cursor.color is not None:
                # The muted colours of times, views and glyphs were blended for the pane's
                # background, not the cursor's: on the cursor, the row is one colour.
                cursor_color = Style(color=cursor.color)
        return line.strip(width, line_style, over, cursor_color, self._combined)

    def _toggle_style(self) -> Style:
        # Clicking the fold glyph folds (the click handler reads the meta).
        style = self._styles.get("-toggle")
        if style is None:
            style = self._styles["-toggle"] = self._style("fold") + Style(meta={"toggle": True})
        return style

    def _marks(self, plain: str) -> Sequence[tuple[int, int]]:
        if self._highlight is None:
            return ()
        return self._highlight(plain)

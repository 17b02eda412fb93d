"""The detail pane: the highlighted post in full, with the posts it quotes expanded in place.

The pane draws its own lines (see `detail_lines` for the layout). Cards and list entries
are the pane's *items*: with the pane focused, the tree's own keys move between them (j/k,
g/G), Enter folds a card or jumps to a listed post, h/l fold and unfold; a click selects
an item and a second click opens it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, tzinfo
from typing import ClassVar

from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.content import Content
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.style import Style as VisualStyle
from textual.visual import RenderOptions, Visual

from threadtui.model import Thread
from threadtui.ui.detail_lines import LIST_PAGE, DetailLayout, Item, LineBuilder
from threadtui.ui.glyphs import UNICODE, Glyphs
from threadtui.ui.keys import bound_key
from threadtui.ui.scrolling import LineView
from threadtui.ui.text import Spans

__all__ = ["LIST_PAGE", "DetailPane", "Item"]

FALLBACK_WIDTH = 80
"""The width the items are laid out at while the pane has none (hidden, or before layout)."""


def _same_line(old: list[Content], new: list[Content], row: int) -> bool:
    """Whether row `row` is drawn alike from both layouts (past the end: a blank row).
    Content's own == compares the text alone; a line is its text and its spans."""
    a = old[row] if row < len(old) else None
    b = new[row] if row < len(new) else None
    if a is None or b is None:
        return a is b
    return a is b or (a.plain == b.plain and a.spans == b.spans)


class DetailPane(LineView, can_focus=True):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "select(1)", "Next item", show=False, id="detail.down"),
        Binding("up,k", "select(-1)", "Previous item", show=False, id="detail.up"),
        Binding("g,home", "select_edge(0)", "First item", show=False, id="detail.first"),
        Binding("G,end", "select_edge(1)", "Last item", show=False, id="detail.last"),
        Binding("enter,space", "activate", "Open/fold", id="detail.activate"),
        Binding("left,h", "fold(1)", "Fold card", show=False, id="detail.fold"),
        Binding("right,l", "fold(0)", "Unfold card", show=False, id="detail.unfold"),
        Binding("tab,shift+tab", "app.switch_pane", "Switch pane", id="app.switch-pane"),
    ]

    @dataclass
    class JumpTo(Message):
        """Open this post in the tree."""

        index: int

    def __init__(
        self,
        thread: Thread,
        *,
        glyphs: Glyphs = UNICODE,
        tz: tzinfo = UTC,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.thread = thread
        self.glyphs = glyphs
        self.tz = tz
        self.index: int | None = None
        self.highlight: Spans | None = None
        self.page = DetailLayout()
        self.selected: int | None = None
        self.folded_cards: dict[tuple[int, ...], bool] = {}
        self.revealed: set[int] = set()
        """Posts whose content warning the user opened; kept while other posts are shown,
        so coming back to a post finds it as it was left."""
        self._pages: dict[str, int] = {}
        self._wraps: dict[tuple[int, int, int], list[Content]] = {}
        self._replies: dict[int, list[int]] = {}
        self._version = thread.version
        """The thread's version the wraps and replies were cached at: a grown or edited
        thread (a refresh, a followed file) makes them stale."""
        self._strips: LRUCache[int, Strip] = LRUCache(1024)
        self._built_width = 0
        self._clicked: int | None = None
        self.is_new: Callable[[int], bool] | None = None
        """Posts new since the last visit (ReadState.is_new): "new" in the header."""

    # --- content --------------------------------------------------------------------------

    @property
    def items(self) -> list[Item]:
        return self.page.items

    @property
    def text(self) -> str:
        """Everything the pane shows, as plain text."""
        return self.page.text

    def show(self, index: int | None, *, keep_selection: bool = False) -> None:
        """Show a post (None: nothing)."""
        same = index == self.index
        if not same:
            self._clicked = None
            self._pages = {}
            self.folded_cards = {}
            self._wraps = {}
            self._replies = {}
            keep_selection = False
        self.index = index
        if self._version != self.thread.version:
            self._version = self.thread.version
            self._wraps = {}
            self._replies = {}
        if not keep_selection:
            self.selected = None
        self._rebuild()
        if not keep_selection:
            self.scroll_home(animate=False, immediate=True)

    def set_highlight(self, highlight: Spans | None) -> None:
        self.highlight = highlight
        self._wraps = {}

    def _rebuild(self, *, refresh: bool = True) -> None:
        width = self.scrollable_content_region.width
        drawn, drawn_width = self.page.lines, self._built_width
        self._built_width = width
        if width < 1:
            # Hidden (zoomed away) or not laid out yet: the items must still exist for the
            # keys; the lines are laid out again at the real width before they are drawn.
            width = FALLBACK_WIDTH
        self.page = self._layout(width)
        if self.selected is not None and self.selected >= len(self.items):
            # The selection fell off the end (the post changed under it): the last item,
            # drawn selected.
            self.selected = len(self.items) - 1 if self.items else None
            self.page = self._layout(width)
        self._strips.clear()
        self.set_virtual_size(Size(width, len(self.page.lines)))
        if refresh:
            self._refresh_changed(drawn, drawn_width)

    def _refresh_changed(self, drawn: list[Content], drawn_width: int) -> None:
        """Repaint the lines on screen that read differently from those drawn: another post
        shares its frame, its blank lines and the blank rows below it with the last one,
        and each line repainted costs the compositor and the line filters (a whole pane
        was 27 lines for every cursor key)."""
        width = self._built_width
        height = self.scrollable_content_region.height
        if width != drawn_width or width < 1 or height < 1:
            self.refresh()
            return
        lines = self.page.lines
        top = self.scroll_offset.y
        changed = [y for y in range(height) if not _same_line(drawn, lines, top + y)]
        if len(changed) == height:
            self.refresh()
            return
        for y in changed:
            self.refresh(Region(0, y, width, 1))

    def _layout(self, width: int) -> DetailLayout:
        return LineBuilder(
            self.thread,
            glyphs=self.glyphs,
            tz=self.tz,
            highlight=self.highlight,
            folded=self.folded_cards,
            pages=self._pages,
            selected=self.selected,
            focused=self.has_focus,
            wraps=self._wraps,
            replies=self._replies,
            is_new=self.is_new,
            revealed=self.revealed,
            activate_key=bound_key(self, "detail.activate", self.BINDINGS),
        ).build(self.index, width)

    # --- drawing --------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        row = y + self.scroll_offset.y
        width = self.scrollable_content_region.width
        style = self.visual_style
        if width != self._built_width:
            # Laid out before the pane had its final size.
            self._rebuild(refresh=False)
        lines = self.page.lines
        if row >= len(lines) or width < 1:
            # A pane with no room for text (a terminal a few columns wide) draws nothing,
            # whatever width its items were laid out at.
            return Strip.blank(max(0, width), style.rich_style)
        strip = self._strips.get(row)
        if strip is None:
            # Where a click lands: the item whose lines hold the row, innermost last.
            strip = self._line_strip(lines[row], width, style)
            strip = strip.apply_style(Style(meta={"row": row})).adjust_cell_length(
                width, style.rich_style
            )
            self._strips[row] = strip
        return strip

    def _line_strip(self, line: Content, width: int, style: VisualStyle) -> Strip:
        """One laid-out line as a strip: what `Visual.to_strips` draws, at half its cost.

        `to_strips` also styles `@click` links (our lines have none: text from strangers is
        never markup, and the pane's own items act through the row's meta) and aligns the
        content (left and top here). A text selection, rare, takes the full path.
        """
        if self.text_selection is not None or self.styles.content_align != ("left", "top"):
            return Visual.to_strips(self, line, width, 1, style)[0]
        # What to_strips passes: the styles, read through their rules mapping.
        options = RenderOptions(self._get_style, self.styles, None, None)  # type: ignore[arg-type]
        return line.render_strips(width, 1, style, options)[0]

    def _on_resize(self, event: events.Resize) -> None:
        if self.scrollable_content_region.width != self._built_width:
            self._rebuild()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def on_focus(self) -> None:
        if self.selected is None and self.items:
            self._select(0)
        else:
            self._rebuild()

    def on_blur(self) -> None:
        self._rebuild()

    # --- items and keys -------------------------------------------------------------------

    def item_at(self, row: int) -> int | None:
        """The innermost item drawn on a line."""
        found = None
        for position, item in enumerate(self.items):
            if item.start <= row < item.end:
                found = position
            elif item.start > row:
                break
        return found

    def _select(self, position: int | None, *, scroll: bool = True) -> None:
        if position != self._clicked:
            self._clicked = None
        if not self.items:
            self.selected = None
            return
        if position is not None:
            position = max(0, min(position, len(self.items) - 1))
        self.selected = position
        self._rebuild()
        if position is not None and scroll and position < len(self.items):
            item = self.items[position]
            region = Region(0, item.start, 1, max(1, item.end - item.start))
            self.scroll_to_region(region, animate=False, immediate=True)

    @property
    def selected_item(self) -> Item | None:
        if self.selected is None or not self.items:
            return None
        return self.items[self.selected]

    def action_select(self, step: int) -> None:
        if not self.items:
            self.scroll_relative(y=step, animate=False)
            return
        if self.selected is None:
            self._select(0 if step > 0 else len(self.items) - 1)
        else:
            self._select(self.selected + step)

    def action_select_edge(self, end: int) -> None:
        if self.items:
            self._select(len(self.items) - 1 if end else 0)
        elif end:
            self.scroll_end(animate=False)
        else:
            self.scroll_home(animate=False)

    def action_activate(self) -> None:
        item = self.selected_item
        if item is None:
            return
        if item.kind in ("card", "warning"):
            self._fold(item, not item.folded)
        elif item.kind == "more":
            self._pages[item.list] = item.shown + item.page
            self.show(self.index, keep_selection=True)
        elif item.index >= 0:
            self.post_message(self.JumpTo(item.index))

    def action_fold(self, fold: int) -> None:
        item = self.selected_item
        if item is not None and item.kind in ("card", "warning"):
            self._fold(item, bool(fold))

    def _fold(self, item: Item, folded: bool) -> None:
        if item.folded == folded:
            return
        if item.kind == "warning":
            if folded:
                self.revealed.discard(item.index)
            else:
                self.revealed.add(item.index)
        else:
            self.folded_cards[item.key] = folded
        self._rebuild()

    def selected_post(self) -> int | None:
        """The post under the pane's selection (a card's post), else the shown post."""
        item = self.selected_item
        if item is not None and item.index >= 0:
            return item.index
        return self.index

    async def _on_click(self, event: events.Click) -> None:
        row = event.style.meta.get("row")
        if row is None:
            return
        position = self.item_at(row)
        if position is None:
            return
        # Focus (and with it a first selection) comes on mouse down, before this: "again"
        # means this item was clicked last, not merely selected.
        again = position == self._clicked == self.selected
        self._clicked = position
        self.focus()
        self._select(position, scroll=False)
        if again or event.chain > 1:
            self.action_activate()

"""The thread tree: one row per visible post, drawn line by line.

Textual's stock `Tree` builds a node object per post and re-walks all of them on every
expand or collapse (seconds at 100,000 posts). Here the tree is two flat arrays: `rows`, the
posts currently visible in display order, and `collapsed`, one byte per post. Folding a
branch splices its rows in or out; drawing renders only the rows on screen. No operation
recurses on depth, so a 10,000-deep chain is as cheap as a flat one.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from datetime import UTC, tzinfo
from typing import TYPE_CHECKING, ClassVar, Final

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.reactive import reactive, var
from textual.strip import Strip

from threadtui.model import NO_PARENT, Thread
from threadtui.model.thread import MarkedBelow
from threadtui.model.timefmt import format_count, format_offset, format_short
from threadtui.ui.glyphs import UNICODE, Glyphs
from threadtui.ui.layout import FilterLayout
from threadtui.ui.scrolling import LineView

if TYPE_CHECKING:
    from threadtui.query import FilterView

NAME_WIDTH = 18
NARROW = 40
"""Below this width rows drop the views column and shorten names, so text stays readable."""
HEAD_ROWS: Final = 200
"""Rows drawn before the whole tree is walked: more than any first screen shows."""

Spans = Callable[[str], Sequence[tuple[int, int]]]


class ThreadTree(LineView, can_focus=True):
    """The thread as a tree of replies (↳) and quotes (❝), with a cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor_down", "Down", show=False, id="tree.down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="tree.up"),
        Binding("left,h", "collapse_or_parent", "Collapse", show=False, id="tree.collapse"),
        Binding("right,l", "expand", "Expand", show=False, id="tree.expand"),
        Binding("enter,space", "toggle", "Fold", id="tree.toggle"),
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
        self.thread = thread
        self.glyphs = glyphs
        self.tz = tz
        n = len(thread.posts)
        self.collapsed = bytearray(n)
        # The rows are the whole preorder, walked after the first frame (40 ms at 100,000
        # posts); until then the first screenful is drawn from a head of it.
        self._rows: list[int] | None = None
        self._head = thread.preorder_head(HEAD_ROWS)
        self.cursor = 0
        self._filter: FilterView | None = None
        self._visible: bytes | None = None
        self._layout: FilterLayout | None = None
        self._search_below: MarkedBelow | None = None
        self._highlight: Spans | None = None
        self._search_hits: bytearray | None = None
        self._last: dict[int, bool] = {}
        self._cache: LRUCache[tuple[object, ...], Strip] = LRUCache(2048)
        self._styles: dict[str, Style] = {}
        self._version = 0
        self._start = thread.time_range[0] if thread.time_range else None
        self.virtual_size = Size(0, self.row_count)

    def on_mount(self) -> None:
        self.call_after_refresh(lambda: self.rows)

    @property
    def rows(self) -> list[int]:
        """The posts shown, one a row, in tree order."""
        if self._rows is None:
            self._rows = list(self.thread.preorder)
            self._head = []
        return self._rows

    @rows.setter
    def rows(self, rows: list[int]) -> None:
        self._rows = rows
        self._head = []

    @property
    def row_count(self) -> int:
        return self.thread.tree_size if self._rows is None else len(self._rows)

    # --- state queries --------------------------------------------------------------------

    @property
    def cursor_post(self) -> int | None:
        if self.cursor < len(self._head):
            return self._head[self.cursor]
        return self.rows[self.cursor] if self.rows else None

    def row_for(self, index: int) -> int | None:
        """Row of a visible post, by bisection: rows are always in tree order."""
        rank = self.thread.rank
        rows = self.rows
        row = bisect_left(rows, rank[index], key=rank.__getitem__)
        return row if row < len(rows) and rows[row] == index else None

    def is_visible_in_view(self, index: int) -> bool:
        return self._filter is None or bool(self._visible[index])

    def hidden_count(self, index: int) -> int:
        """Posts folded away under a collapsed post (in the current view)."""
        if not self.collapsed[index]:
            return 0
        if self._layout is not None:
            return self._layout.visible_below[index]
        return self.thread.subtree_sizes[index]

    # --- building rows --------------------------------------------------------------------

    def _subtree_rows(self, index: int) -> list[int]:
        """Visible rows below `index` when it is expanded (respecting inner folds)."""
        posts = self.thread.posts
        collapsed = self.collapsed
        visible = None if self._filter is None else self._visible
        out: list[int] = []
        append = out.append
        stack = list(reversed(posts[index].children or ()))
        while stack:
            i = stack.pop()
            if visible is not None and not visible[i]:
                continue
            append(i)
            if not collapsed[i]:
                kids = posts[i].children
                if kids:
                    stack.extend(reversed(kids))
        return out

    def _rebuild(self, keep: int | None = None) -> None:
        """Recompute all rows (after a filter or a depth fold); keep the cursor on `keep`."""
        thread = self.thread
        if not self.collapsed.count(1):
            # Nothing folded: the rows were laid out in advance (by the filter's worker).
            self.rows = list(thread.preorder if self._layout is None else self._layout.rows)
        else:
            visible = None if self._filter is None else self._visible
            posts = thread.posts
            collapsed = self.collapsed
            rows: list[int] = []
            append = rows.append
            stack = [r for r in reversed(thread.roots) if visible is None or visible[r]]
            while stack:
                i = stack.pop()
                append(i)
                if not collapsed[i]:
                    kids = posts[i].children
                    if kids:
                        if visible is None:
                            stack.extend(reversed(kids))
                        else:
                            stack.extend(k for k in reversed(kids) if visible[k])
            self.rows = rows
        self._changed()
        if keep is not None:
            self.move_to_post(keep, reveal=True)
        else:
            self._set_cursor(min(self.cursor, max(0, len(self.rows) - 1)), force=True)

    def _changed(self) -> None:
        self._version += 1
        self._last.clear()
        self._cache.clear()
        # The width is what the last resize set: a new one would cost a layout pass.
        self.set_virtual_size(Size(self.virtual_size.width, len(self.rows)))
        self.refresh()

    # --- folding --------------------------------------------------------------------------

    def expand(self, index: int) -> None:
        if not self.collapsed[index]:
            return
        self.collapsed[index] = 0
        row = self.row_for(index)
        if row is None:
            return
        if self._filter is None and not self.collapsed.count(1):
            # Nothing folded below and nothing filtered: the rows are the preorder's slice.
            start = self.thread.rank[index] + 1
            below = self.thread.preorder[start : start + self.thread.subtree_sizes[index]]
        else:
            below = self._subtree_rows(index)
        self.rows[row + 1 : row + 1] = below
        self._changed()

    def collapse(self, index: int) -> None:
        if self.collapsed[index] or not self.thread.posts[index].children:
            return
        row = self.row_for(index)
        self.collapsed[index] = 1
        if row is None:
            return
        # The subtree is a run of the preorder, so its visible rows are those whose rank
        # falls within it.
        rank = self.thread.rank
        past = rank[index] + self.thread.subtree_sizes[index] + 1
        rows = self.rows
        end = bisect_left(rows, past, lo=row + 1, key=rank.__getitem__)
        del rows[row + 1 : end]
        self._changed()
        if self.cursor > row:
            self._set_cursor(
                row if self.cursor < end else self.cursor - (end - row - 1), force=True
            )

    def reveal(self, index: int) -> None:
        """Expand every collapsed ancestor of `index` so it has a row."""
        for ancestor in self.thread.ancestors(index):
            if self.collapsed[ancestor]:
                self.expand(ancestor)

    def collapse_to_depth(self, depth: int) -> None:
        current = self.cursor_post
        # A post with replies at depth >= depth - 1 folds: its level byte is >= depth.
        table = bytes(1 if level >= depth else 0 for level in range(256))
        self.collapsed = bytearray(self.thread.fold_levels.translate(table))
        keep = current
        if current is not None:
            # The cursor moves up to its ancestor at the fold depth if its own row vanished.
            chain = self.thread.ancestors(current)
            if len(chain) >= depth:
                keep = chain[depth - 1]
        self._rebuild(keep=keep)

    def expand_all(self) -> None:
        current = self.cursor_post
        self.collapsed = bytearray(len(self.thread.posts))
        self._rebuild(keep=current)

    # --- filter and search ----------------------------------------------------------------

    def set_filter(self, layout: FilterLayout | None) -> None:
        """Show only a filter's matches and their ancestors (dimmed), or everything again.

        `layout` is built off the UI thread (FilterLayout.build); only the rows on the
        way to the cursor are recomputed here.
        """
        current = self.cursor_post
        view = None if layout is None else layout.view
        self._filter = view
        self._visible = None if layout is None else layout.visible
        self._layout = layout
        visible = self._visible
        if visible is not None and current is not None and not visible[current]:
            current = self._nearest_match(current, view)
        self._rebuild(keep=current)

    def _nearest_match(self, current: int, view: FilterView | None) -> int | None:
        """The first match at or after `current` in tree order, else the last one before."""
        if view is None:
            return current
        order = self.thread.preorder
        start = self.thread.rank[current]
        member = view.member
        for i in order[start:]:
            if member[i]:
                return i
        for i in reversed(order[:start]):
            if member[i]:
                return i
        return None

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

    # --- cursor ---------------------------------------------------------------------------

    def _set_cursor(self, row: int, *, force: bool = False) -> None:
        if not self.rows:
            self.cursor = 0
            self.refresh()
            return
        row = max(0, min(row, len(self.rows) - 1))
        if row == self.cursor and not force:
            return
        old = self.cursor
        self.cursor = row
        self._refresh_row(old)
        self._refresh_row(row)
        self._scroll_to_cursor()
        # Rebuilding rows (a filter, a depth fold) often leaves the cursor on the same post:
        # a `var` only tells its watchers when it changes.
        self.highlighted = self.rows[row]

    def move_to_post(self, index: int, *, reveal: bool = True) -> bool:
        """Put the cursor on a post, unfolding its ancestors if needed."""
        if reveal and self.is_visible_in_view(index):
            self.reveal(index)
        row = self.row_for(index)
        if row is None:
            return False
        self._set_cursor(row, force=True)
        return True

    def _scroll_to_cursor(self) -> None:
        height = self.scrollable_content_region.height or self.size.height
        if height <= 0:
            return
        top = self.scroll_offset.y
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def _refresh_row(self, row: int) -> None:
        y = row - self.scroll_offset.y
        if 0 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    # --- actions --------------------------------------------------------------------------

    def action_cursor_down(self) -> None:
        self._set_cursor(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self._set_cursor(self.cursor - 1)

    def action_page_down(self) -> None:
        self._set_cursor(self.cursor + max(1, self.size.height - 1))

    def action_page_up(self) -> None:
        self._set_cursor(self.cursor - max(1, self.size.height - 1))

    def action_first(self) -> None:
        self._set_cursor(0)

    def action_last(self) -> None:
        self._set_cursor(len(self.rows) - 1)

    def action_toggle(self) -> None:
        index = self.cursor_post
        if index is None:
            return
        if self.collapsed[index]:
            self.expand(index)
        else:
            self.collapse(index)

    def action_expand(self) -> None:
        index = self.cursor_post
        if index is None:
            return
        if self.collapsed[index]:
            self.expand(index)
        elif self.thread.posts[index].children and self.cursor + 1 < len(self.rows):
            self._set_cursor(self.cursor + 1)

    def action_collapse_or_parent(self) -> None:
        index = self.cursor_post
        if index is None:
            return
        if self.thread.posts[index].children and not self.collapsed[index]:
            self.collapse(index)
        else:
            self.action_parent()

    def action_parent(self) -> None:
        index = self.cursor_post
        if index is None:
            return
        parent = self.thread.posts[index].parent
        if parent != NO_PARENT:
            self.move_to_post(parent)

    def action_root(self) -> None:
        index = self.cursor_post
        if index is None:
            return
        chain = self.thread.ancestors(index)
        if chain:
            self.move_to_post(chain[0])

    def action_same_author(self, step: int) -> None:
        """Jump to the previous/next post (in tree order) by the author under the cursor."""
        index = self.cursor_post
        if index is None:
            return
        posts = self.thread.posts
        author = posts[index].author
        if author is None:
            self.notify(
                "This post's author is unknown", severity="warning", timeout=3, markup=False
            )
            return
        order = self.thread.preorder
        position = self.thread.rank[index]
        n = len(order)
        for offset in range(1, n):
            candidate = order[(position + step * offset) % n]
            if posts[candidate].author is author and self.is_visible_in_view(candidate):
                self.move_to_post(candidate)
                return
        self.notify(f"No other post by {author.label}", timeout=3, markup=False)

    def action_expand_all(self) -> None:
        self.expand_all()

    def action_collapse_depth(self, depth: int) -> None:
        self.collapse_to_depth(depth)

    async def _on_click(self, event: events.Click) -> None:
        meta = event.style.meta
        if "row" not in meta:
            return
        row = int(meta["row"])
        if meta.get("toggle"):
            self._set_cursor(row)
            self.action_toggle()
        else:
            self._set_cursor(row)

    def watch_time_display(self) -> None:
        self._version += 1
        self._cache.clear()
        self.refresh()

    def _on_resize(self, event: events.Resize) -> None:
        self._cache.clear()
        self.virtual_size = Size(event.size.width, self.row_count)
        self._scroll_to_cursor()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()
        self._styles = {}

    # --- drawing --------------------------------------------------------------------------

    def depth_cap(self, width: int) -> int:
        """Levels drawn as indentation; deeper rows show their depth as a number instead."""
        return max(2, min(24, (width - 20) // 4))

    def render_line(self, y: int) -> Strip:
        row = y + self.scroll_offset.y
        width = self.size.width
        rows = self._head if row < len(self._head) else self.rows
        if row >= len(rows) or width <= 0:
            if row == 0 and not rows and self._filter is not None and width > 0:
                return self._empty_line(width)
            return Strip.blank(width, self.rich_style)
        index = rows[row]
        is_cursor = row == self.cursor
        key = (index, row, width, is_cursor, self.has_focus, self._version)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._render_row(row, index, width, is_cursor)
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

    def _is_last(self, index: int) -> bool:
        """Whether `index` is the last shown child of its parent (or the last shown root):
        its guide turns the corner (└) instead of going on (├). Worked out per drawn row,
        never for every post: O(1) unfiltered, a bisection filtered."""
        found = self._last.get(index)
        if found is not None:
            return found
        posts = self.thread.posts
        parent = posts[index].parent
        if self._filter is None:
            siblings = self.thread.roots if parent == NO_PARENT else posts[parent].children
            found = siblings[-1] == index
        else:
            # Shown siblings all have rows (their parent is expanded: this post has one), so
            # the first row past this post's subtree is its next shown sibling, if any.
            rank = self.thread.rank
            past = rank[index] + self.thread.subtree_sizes[index] + 1
            rows = self.rows
            after = bisect_left(rows, past, key=rank.__getitem__)
            found = after >= len(rows) or posts[rows[after]].parent != parent
        self._last[index] = found
        return found

    def _guides(self, index: int, cap: int) -> tuple[str, int]:
        """Guide characters for the last `cap` levels above `index`, and its depth."""
        posts = self.thread.posts
        post = posts[index]
        depth = post.depth
        levels = min(depth, cap)
        if levels == 0:
            return "", depth
        g = self.glyphs
        is_last = self._is_last
        parts = [g.guide_last if is_last(index) else g.guide_branch]
        node = post.parent
        for _ in range(levels - 1):
            parts.append(g.guide_space if is_last(node) else g.guide_vertical)
            node = posts[node].parent
        parts.reverse()
        return "".join(parts), depth

    def _render_row(self, row: int, index: int, width: int, is_cursor: bool) -> Strip:
        thread = self.thread
        post = thread.posts[index]
        g = self.glyphs
        base = self.rich_style
        meta = Style(meta={"row": row})
        line = Text(no_wrap=True, overflow="ellipsis", end="")
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

        if post.children:
            fold = g.collapsed if self.collapsed[index] else g.expanded
            line.append(fold, style("fold") + Style(meta={"row": row, "toggle": True}))
        else:
            line.append(g.leaf)
        context = self._filter is not None and not self._filter.member[index]
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
        if post.synthetic or post.is_placeholder:
            line.append(
                f"{g.placeholder} post {post.status.replace('_', ' ')}", style("placeholder")
            )
        else:
            name = post.author_label
            limit = NAME_WIDTH if width >= NARROW else NAME_WIDTH * 2 // 3
            if len(name) > limit:
                name = name[: limit - 1] + g.ellipsis
            name_text = Text(name, style("name" if post.author else "unknown"))
            self._mark(name_text, name)
            line.append_text(name_text)
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
        if self.collapsed[index]:
            hidden = self.hidden_count(index)
            note = f" (+{hidden})"
            counts = (
                self._search_below
                if self._search_below is not None
                else (None if self._filter is None else self._filter.below)
            )
            below = 0 if counts is None else counts[index]
            if below:
                note = f" (+{hidden}, {below} match{'es' if below != 1 else ''})"
            line.append(note, style("hidden"))
        text = post.first_line
        if text:
            if len(text) > width * 2:
                text = text[: width * 2]
            text = text.replace("\t", " ")
            body = Text(text)
            self._mark(body, text)
            line.append(" ")
            line.append_text(body)

        if context:
            line.stylize(style("context"))
        line.truncate(width, overflow="ellipsis", pad=True)
        line_style = base + meta
        if is_cursor:
            cursor = self.get_component_rich_style("thread-tree--cursor")
            line_style += cursor
            if cursor.color is not None:
                # The muted colours of times, views and glyphs were blended for the pane's
                # background, not the cursor's: on the cursor, the row is one colour.
                line.stylize(Style(color=cursor.color))
        line.stylize_before(line_style)
        segments = list(line.render(self.app.console))
        return Strip(Segment.adjust_line_length(segments, width, style=line_style), width)

    def _mark(self, text: Text, plain: str) -> None:
        if self._highlight is None:
            return
        match_style = self._style("match")
        for start, end in self._highlight(plain):
            text.stylize(match_style, start, end)

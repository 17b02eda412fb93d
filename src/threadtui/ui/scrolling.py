"""A base for the views that draw their own lines: scrolling that never costs extra frames.

Two things in Textual's `ScrollView` each add a frame (16-33 ms) to a change:

- assigning `virtual_size` asks the whole screen for a layout pass, and the scrollbar that
  pass refreshes paints one frame later still;
- every layout pass, whatever caused it, compares the view's virtual size with one the
  compositor computed (which for a view without children never matches), so it refreshes
  the scrollbar, and that paints one frame later.

And one costs lines: Textual repaints a scrollbar whole (27 lines through the compositor
and the line filters) whenever the view's length or position is set, even when the bar
looks the same, as it does for every post that fits the detail pane. `QuietScrollBar`
repaints only when what it draws changes.
"""

from __future__ import annotations

from math import ceil
from typing import Self

from rich.console import RenderableType
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.widget import Widget


class QuietScrollBar(ScrollBar):
    """A vertical scrollbar that repaints only when what it draws changes: the thumb's
    place and length, its size, its state (hovered, grabbed) and its styles. A view's new
    length with nothing to scroll either way (a post that fits the pane), or a position
    that moves the thumb by no eighth of a cell, repaints nothing."""

    _drawn: tuple[object, ...] | None = None

    def _look(self) -> tuple[object, ...]:
        # What ScrollBar.render draws from (ScrollBarRender.render_bar): no thumb when
        # the window holds everything, else its place from these three.
        window = self.window_size if self.window_size < self.window_virtual_size else 0
        virtual = ceil(self.window_virtual_size)
        size = self.size
        if not (window and size.height and virtual and size.height != virtual):
            thumb: tuple[object, ...] = ()
        else:
            thumb = (virtual, ceil(window), self.position)
        parent = self.parent
        styles = parent.styles._cache_key if isinstance(parent, Widget) else None
        return (
            thumb,
            size,
            bool(self.grabbed),
            self.mouse_over,
            styles,
            self.styles._cache_key,
            self.app.theme,
        )

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        if (
            self._drawn is not None
            and repaint
            and not (regions or layout or recompose)
            and self._look() == self._drawn
        ):
            return self
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def render(self) -> RenderableType:
        self._drawn = self._look()
        return super().render()


class LineView(ScrollView):
    """A ScrollView whose length changes repaint it, and nothing else.

    Subclasses keep the vertical scrollbar always shown (`overflow-y: scroll`), so a new
    length never changes what the layout decides. Relies on Textual's private
    `_scroll_update` and `_size_updated` (textual is pinned; the snapshot and key tests
    cover both views' scrolling).
    """

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        # Widget.vertical_scrollbar, with the quiet bar (textual is pinned).
        bar = self._vertical_scrollbar
        if bar is None:
            bar = QuietScrollBar(
                vertical=True, name="vertical", thickness=self.scrollbar_size_vertical
            )
            bar.display = False
            self._vertical_scrollbar = bar
            self.app._start_widget(self, bar)
        return bar

    def set_virtual_size(self, size: Size) -> None:
        if size.width != self.virtual_size.width or not self.container_size:
            self.virtual_size = size
            return
        self.set_reactive(Widget.virtual_size, size)
        self._scroll_update(size)

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        if size == self.size and self.container_size == size - self.styles.gutter.totals:
            # Nothing changed. ScrollView compares the compositor's container size (the
            # scrollbar's gutter included) with its own (without it), which never match:
            # every layout pass (the search bar opening) repainted both scrollbars, 27
            # lines each, and sent the view a Resize.
            return False
        # ScrollView ignores the compositor's virtual size but compares it with its own:
        # pass ours, and only a real change of size updates the scrollbar.
        return super()._size_updated(size, self.virtual_size, container_size, layout)

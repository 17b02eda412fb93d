"""A base for the views that draw their own lines: scrolling that never costs extra frames.

Two things in Textual's `ScrollView` each add a frame (16-33 ms) to a change:

- assigning `virtual_size` asks the whole screen for a layout pass, and the scrollbar that
  pass refreshes paints one frame later still;
- every layout pass, whatever caused it, compares the view's virtual size with one the
  compositor computed (which for a view without children never matches), so it refreshes
  the scrollbar, and that paints one frame later.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.widget import Widget


class LineView(ScrollView):
    """A ScrollView whose length changes repaint it, and nothing else.

    Subclasses keep the vertical scrollbar always shown (`overflow-y: scroll`), so a new
    length never changes what the layout decides. Relies on Textual's private
    `_scroll_update` and `_size_updated` (textual is pinned; the snapshot and key tests
    cover both views' scrolling).
    """

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

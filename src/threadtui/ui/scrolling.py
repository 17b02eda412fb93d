"""Changing how long a line-API view is without asking the screen for a layout pass."""

from __future__ import annotations

from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.widget import Widget


def set_virtual_size(view: ScrollView, size: Size) -> None:
    """Set `view.virtual_size`, quietly when only the height changes.

    Assigning `virtual_size` asks the whole screen for a layout pass, and the scrollbar that
    pass refreshes paints one frame later still: a fold or another post in the detail pane
    would take three frames instead of one. With the scrollbar always shown (`overflow-y:
    scroll` in the widget's styles) a new height changes nothing the layout decides, so
    updating the scrollbar directly is all it needs. Relies on Textual's private
    `_scroll_update` (textual is pinned; tests cover both views' scrolling).
    """
    if size.width != view.virtual_size.width or not view.container_size:
        view.virtual_size = size
        return
    view.set_reactive(Widget.virtual_size, size)
    view._scroll_update(size)

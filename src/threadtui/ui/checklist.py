"""A SelectionList whose marks are `[x]` and `[ ]`: told apart by shape, not only colour.

Textual draws every option's toggle as the same `▐X▌` pill, marked or not, and only its
colour changes (an unmarked X is 1.1:1 on its pill in the default theme).
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.strip import Strip
from textual.widgets import OptionList, SelectionList
from textual.widgets.option_list import OptionDoesNotExist

from threadtui.ui.glyphs import UNICODE, Glyphs


class CheckList(SelectionList[str]):
    BINDINGS: ClassVar[list[BindingType]] = [
        # Replaces SelectionList's own space binding (it has no id, so no key map could
        # move it, and hints could not name the user's key).
        Binding("space", "select", "Mark", show=False, id="checklist.mark"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {"check-list--unchecked", "check-list--checked"}

    DEFAULT_CSS = """
    CheckList {
        & > .check-list--unchecked { color: $foreground 60%; }
        & > .check-list--checked { color: $text-success; text-style: bold; }
    }
    """

    def __init__(self, *, glyphs: Glyphs = UNICODE, id: str | None = None) -> None:
        super().__init__(id=id)
        self.glyphs = glyphs

    def _get_left_gutter_width(self) -> int:
        return max(len(self.glyphs.checked), len(self.glyphs.unchecked)) + 1

    def render_line(self, y: int) -> Strip:
        # The options as OptionList draws them, without SelectionList's pill.
        line = OptionList.render_line(self, y)
        index = self.scroll_offset.y + y
        try:
            selection = self.get_option_at_index(index)
        except OptionDoesNotExist:
            return line
        marked = selection.value in self._selected
        under = next(iter(line)).style or self.rich_style
        if self.highlighted == index:
            # On the highlight the mark takes the highlight's own colours: a green or grey
            # blended for the list's background can vanish on it.
            mark_style = under + Style(bold=marked)
        else:
            component = "check-list--checked" if marked else "check-list--unchecked"
            colour = self.get_component_rich_style(component, partial=False)
            mark_style = under + Style(color=colour.color, bold=colour.bold)
        mark = self.glyphs.checked if marked else self.glyphs.unchecked
        width = self._get_left_gutter_width()
        meta = Style(meta={"option": index})
        return Strip(
            [
                Segment(mark.ljust(width - 1), mark_style + meta),
                Segment(" ", under),
                *line,
            ]
        )

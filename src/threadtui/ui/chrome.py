"""The one-line strips around the panes (status line, footer, picker hints), fitted to the
width by priority: what matters most stays whole, the rest is left out whole, never cut
mid-word."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style as RichStyle
from rich.text import Text
from textual import events
from textual.app import ComposeResult, RenderResult
from textual.binding import Binding
from textual.color import Color
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static


@dataclass(frozen=True, slots=True)
class Part:
    """One piece of a line: its forms from the fullest to the shortest, each with the rank
    of keeping it (0 is kept longest). Parts are shown in the order given, whatever their
    rank."""

    forms: tuple[Content, ...]
    ranks: tuple[int, ...]

    @classmethod
    def of(cls, rank: int, *forms: Content | str) -> Part:
        """A part whose forms all rank the same."""
        return cls.steps(*((form, rank) for form in forms))

    @classmethod
    def steps(cls, *forms: tuple[Content | str, int]) -> Part:
        contents = tuple(f if isinstance(f, Content) else Content(f) for f, _ in forms)
        return cls(contents, tuple(rank for _, rank in forms))


def fit(parts: Sequence[Part], width: int, separator: Content | str) -> Content:
    """The parts joined by `separator` in at most `width` cells: while too long, the part
    whose current form ranks lowest (the rightmost of equals) goes to its next form, or is
    left out after its last."""
    sep = separator if isinstance(separator, Content) else Content(separator)
    chosen: list[int | None] = [0] * len(parts)

    def length() -> int:
        shown = [parts[k].forms[f].cell_length for k, f in enumerate(chosen) if f is not None]
        return sum(shown) + sep.cell_length * max(0, len(shown) - 1)

    while length() > width:
        shown = [k for k, f in enumerate(chosen) if f is not None]
        if not shown:
            break
        k = max(shown, key=lambda k: (parts[k].ranks[chosen[k] or 0], k))
        step = (chosen[k] or 0) + 1
        chosen[k] = step if step < len(parts[k].forms) else None
    return join(sep, [parts[k].forms[f] for k, f in enumerate(chosen) if f is not None])


def join(separator: Content, pieces: Sequence[Content]) -> Content:
    """`separator.join(pieces)`, which in Textual 8.2 counts one separator too many in the
    cell length once every piece has measured itself: the line is then padded short and
    its last cells keep whatever was drawn there before."""
    between: list[Content] = []
    for k, piece in enumerate(pieces):
        if k:
            between.append(separator)
        between.append(piece)
    return Content.assemble(*between)


class FittedLine(Static):
    """A line of parts fitted to the width it is given, at every size."""

    # Its width is the container's: a width from its text would be circular.
    DEFAULT_CSS = """
    FittedLine { width: 1fr; height: 1; }
    """

    def __init__(
        self, parts: Sequence[Part], *, separator: Content | str, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self._parts = list(parts)
        self._separator = separator

    def set_parts(self, parts: Sequence[Part]) -> None:
        self._parts = list(parts)
        # One line, always: a new text never changes its size, so no layout pass.
        self.refresh()

    def render(self) -> RenderResult:
        return fit(self._parts, self.content_size.width, self._separator)

    def on_resize(self) -> None:
        self.refresh()


class StatusLine(FittedLine):
    """The status line under the title; its one link, the warning count, opens the list."""

    DEFAULT_CSS = """
    StatusLine {
        link-color: $text-warning;
        link-style: underline;
        link-color-hover: $text-warning;
        link-background-hover: $panel-lighten-1;
        link-style-hover: bold underline;
    }
    """


FOOTER_ORDER: tuple[str, ...] = (
    "app.help",
    "app.quit",
    "app.search",
    "app.filter",
    "app.next-new",  # only there when something is new since the last visit
    "app.authors",
    "app.time-range",
    "app.switch-pane",
    "tree.toggle",
    "detail.activate",
    "app.warnings",
    "app.refresh",
    "app.follow",  # only for a thread from a URL or files
    "app.copy",
    "app.open-link",
    "tree.parent",
)
"""The footer's keys, most useful first: those that do not fit are left out from the end."""


FooterEntry = tuple[str, str, str, str, bool, str]
"""What one footer key shows: key, key display, description, action, enabled, tooltip."""


class PriorityFooter(Footer):
    """Textual's footer shows keys in the order the focus chain declares them and lets the
    last one be cut mid-word at the edge. This one shows them most useful first (FOOTER_ORDER,
    then any others) and stops at the first that does not fit whole.

    Textual's footer is a row of FooterKey widgets, rebuilt (a recompose: widgets unmounted
    and mounted, a layout pass, a frame) after every frame in which the bindings may have
    changed. This one draws its keys itself, as one line that looks the same (FooterKey's
    styles, by its component classes): it works out what it shows as soon as the bindings
    change, and a change is one repaint of that line in the frame that caused it (issue
    #15: a merge's new posts and its `u` key), where widgets changing size would cost a
    second layout pass and a later frame.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "footer-key--item",
        "footer-key--key",
        "footer-key--description",
        "footer-key--hover",
    }

    DEFAULT_CSS = """
    PriorityFooter {
        .footer-key--item {
            background: $footer-item-background;
        }
        .footer-key--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .footer-key--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .footer-key--hover {
            color: $footer-key-foreground;
            background: $block-hover-background;
        }
    }
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._shown: list[FooterEntry] = []
        self._hover: int | None = None
        self._spans: list[tuple[int, int]] = []
        self._looks: dict[str, RichStyle] = {}

    def _look(self, name: str) -> RichStyle:
        # Textual works a component's style out anew on every call (a good part of a
        # millisecond), and the line is drawn again whenever the keys change (`/`, Escape).
        style = self._looks.get(name)
        if style is None:
            style = self._looks[name] = self.get_component_rich_style(name)
        return style

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._looks = {}

    @property
    def shown(self) -> list[FooterEntry]:
        """The keys on the line, in order."""
        return list(self._shown)

    def _entries(self) -> list[FooterEntry]:
        by_action: defaultdict[str, list[tuple[Binding, bool, str]]] = defaultdict(list)
        for _, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show:
                by_action[binding.action].append((binding, enabled, tooltip))
        firsts = [entries[0] for entries in by_action.values()]
        rank = {name: k for k, name in enumerate(FOOTER_ORDER)}
        firsts.sort(key=lambda entry: rank.get(entry[0].id or "", len(rank)))
        room = self.size.width or self.app.size.width
        shown: list[FooterEntry] = []
        for binding, enabled, tooltip in firsts:
            display = self.app.get_key_display(binding)
            # "k Description" and a one-cell margin after it.
            need = Content(display).cell_length + 1 + Content(binding.description).cell_length + 1
            if need > room:
                break
            room -= need
            shown.append(
                (binding.key, display, binding.description, binding.action, enabled, tooltip)
            )
        return shown

    def compose(self) -> ComposeResult:
        # Drawn by render: no FooterKey widgets.
        return iter(())

    def render(self) -> RenderResult:
        # Rich Text, as FooterKey renders; key names come from the keymap, never markup.
        item = self._look("footer-key--item")
        key_style = self._look("footer-key--key")
        description_style = self._look("footer-key--description")
        hover = self._look("footer-key--hover")
        line = Text(no_wrap=True, overflow="crop", end="")
        self._spans = []
        for k, (_, display, description, _, enabled, _) in enumerate(self._shown):
            lit = k == self._hover
            label = Text.assemble(
                (display, self._over(hover, "footer-key--key") if lit else key_style)
            )
            if description:
                label.append(
                    " " + description,
                    self._over(hover, "footer-key--description") if lit else description_style,
                )
            base = item + hover if lit else item
            if not enabled:
                base += RichStyle(dim=True)
            label.stylize_before(base)
            self._spans.append((line.cell_len, line.cell_len + label.cell_len))
            line.append_text(label)
            line.append(" ")  # FooterKey's margin
        return line

    def _over(self, under: RichStyle, name: str) -> RichStyle:
        """A component's style with its background over `under`'s, as FooterKey's key and
        description are over its hover background."""
        below = Color.from_rich_color(under.bgcolor) if under.bgcolor else Color(0, 0, 0, 0)
        background = below + self.get_component_styles(name).background
        return self.get_component_rich_style(name) + RichStyle(bgcolor=background.rich_color)

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self._update()

    def _update(self) -> None:
        """Shows what the bindings say now, in the frame to come."""
        entries = self._entries()
        if entries != self._shown:
            self._shown = entries
            self._set_hover(self._hover)
            self.refresh()

    def on_resize(self) -> None:
        if self._bindings_ready:
            self._update()

    def _at(self, x: int) -> int | None:
        for k, (start, end) in enumerate(self._spans):
            if start <= x < end:
                return k
        return None

    def _set_hover(self, index: int | None) -> None:
        if index is not None and index >= len(self._shown):
            index = None
        tooltip = self._shown[index][5] if index is not None else ""
        self.tooltip = tooltip or None
        if index != self._hover:
            self._hover = index
            self.refresh()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._set_hover(self._at(event.x))

    def on_leave(self, event: events.Leave) -> None:
        self._set_hover(None)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        index = self._at(event.x)
        if index is None:
            return
        key, _, _, _, enabled, _ = self._shown[index]
        # As FooterKey does: the key itself, so that whatever handles it now runs.
        if enabled:
            self.app.simulate_key(key)
        else:
            self.app.bell()

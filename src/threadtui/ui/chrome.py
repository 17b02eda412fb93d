"""The one-line strips around the panes (status line, footer, picker hints), fitted to the
width by priority: what matters most stays whole, the rest is left out whole, never cut
mid-word."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from textual.app import ComposeResult, RenderResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.widgets._footer import FooterKey


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


SPARE_KEYS = 2
"""Hidden keys the footer keeps mounted, so that keys appearing (`u` once a refresh brings
new posts, `w` with its first warning) show in the frame that caused them: a key mounted
then is drawn only once its mount is processed, a frame later."""


class PriorityFooter(Footer):
    """Textual's footer shows keys in the order the focus chain declares them and lets the
    last one be cut mid-word at the edge. This one shows them most useful first (FOOTER_ORDER,
    then any others) and stops at the first that does not fit whole.

    Textual's footer also rebuilds its keys (a recompose: widgets unmounted and mounted, a
    layout pass, a frame) after every frame in which the bindings may have changed, which
    is every focus change, often twice for one key. This one works out what it shows as
    soon as the bindings change and, when that differs, rewrites its mounted keys in place
    (hidden spares taking the keys that appear): the change is drawn in the same frame as
    what caused it (issue #15: a merge's new posts and its `u` key), with no rebuild. It
    recomposes only when it lacks mounted keys, after the next frame.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._shown: list[FooterEntry] | None = None
        self._check_pending = False

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
            # Compact footer key: "k Description" and a one-cell margin after it.
            need = Content(display).cell_length + 1 + Content(binding.description).cell_length + 1
            if need > room:
                break
            room -= need
            shown.append(
                (binding.key, display, binding.description, binding.action, enabled, tooltip)
            )
        return shown

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        self._shown = self._entries()
        for entry in self._shown:
            yield _footer_key(entry).data_bind(compact=Footer.compact)
        for _ in range(SPARE_KEYS):
            spare = FooterKey("", "", "", "", disabled=True)
            spare.display = False
            yield spare.data_bind(compact=Footer.compact)

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self._update()

    def _update(self) -> None:
        """Shows what the bindings say now, in the frame to come."""
        if self._shown is None or self._check_pending:
            # Not composed yet, or a rebuild is on its way: it reads the bindings then.
            self._schedule_check()
            return
        entries = self._entries()
        if entries == self._shown:
            return
        keys = [key for key in self.query_children(FooterKey) if key.is_mounted]
        if len(keys) < len(entries):
            self._schedule_check()
            return
        for key, entry in zip(keys, entries, strict=False):
            _rewrite(key, entry)
        for key in keys[len(entries) :]:
            key.display = False
        self._shown = entries

    def _schedule_check(self) -> None:
        if not self._check_pending:
            self._check_pending = True
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        self._check_pending = False
        if not self.is_attached or self._entries() == self._shown:
            return
        await self.recompose()

    def on_resize(self) -> None:
        if self._bindings_ready:
            self._update()


def _footer_key(entry: FooterEntry) -> FooterKey:
    key, display, description, action, enabled, tooltip = entry
    return FooterKey(key, display, description, action, disabled=not enabled, tooltip=tooltip)


def _rewrite(widget: FooterKey, entry: FooterEntry) -> None:
    """The mounted `widget` shows `entry`, as if built for it (FooterKey.__init__)."""
    key, display, description, action, enabled, tooltip = entry
    resized = (widget.key_display, widget.description) != (display, description)
    widget.key, widget.key_display, widget.description, widget.action = (
        key,
        display,
        description,
        action,
    )
    # FooterKey reads `_disabled` on a click: the bell instead of the key.
    widget._disabled = not enabled
    widget.set_class(not enabled, "-disabled")
    widget.tooltip = tooltip or None
    if not widget.display:
        widget.display = True
    elif resized:
        widget.refresh(layout=True)
    else:
        widget.refresh()

"""Pickers that build filter queries: `a` for authors, `t` for a time range.

Each returns query text in the same language the user types (`from:…`, `after:… before:…`),
so a picked filter can be read, edited and shared like a typed one.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any, ClassVar, TypeVar, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, SelectionList, Static
from textual.widgets.selection_list import Selection

from threadtui.model import Thread
from threadtui.model.timefmt import format_full, format_offset
from threadtui.query import fold
from threadtui.query.parse import ANONYMOUS
from threadtui.ui.checklist import CheckList
from threadtui.ui.chrome import FittedLine, Part, fit
from threadtui.ui.glyphs import UNICODE, Glyphs
from threadtui.ui.keys import bound_key

UNKNOWN = ANONYMOUS
"""The author picker's value for "posts whose author is unknown": the query language's own
marker (no real author id is empty), so a choice needs no translating either way."""
AUTHOR_BOX_MAX = 70
"""The author box's widest (styles/pickers.tcss, #authors-box width)."""
SHOWN_AUTHORS = 400
"""Rows the author list shows at once; typing narrows 100,000-post threads' thousands."""


@dataclass(frozen=True, slots=True)
class AuthorChoice:
    key: str
    label: str
    handle: str | None
    count: int


T = TypeVar("T")
_REMEMBERED: dict[str, tuple[Thread, int, Any]] = {}


def remembered(thread: Thread, what: str, compute: Callable[[Thread], T]) -> T:
    """`compute(thread)`, computed again only when the thread changed (its version) or is
    another: the pickers open again and again on the same thread, and at 1M posts each
    of these is a walk of every post or author (up to seconds). One entry per kind; it
    holds the thread, which the app holds anyway."""
    entry = _REMEMBERED.get(what)
    if entry is not None and entry[0] is thread and entry[1] == thread.version:
        return cast(T, entry[2])
    # The version before computing: a thread that grows meanwhile is computed again.
    version = thread.version
    value = compute(thread)
    _REMEMBERED[what] = (thread, version, value)
    return value


def _times(thread: Thread) -> list[float]:
    return sorted(p.created for p in thread.posts if p.created is not None)


def post_times(thread: Thread) -> list[float]:
    """Every post's time, in order (the time picker's histogram and counts)."""
    return remembered(thread, "times", _times)


def author_choices(thread: Thread) -> list[AuthorChoice]:
    """Every author with posts, most active first; unknown authors as one entry."""
    choices = []
    for author in thread.sorted_authors():
        if not author.post_count:
            continue
        label = author.label
        if author.handle and author.display_name:
            label = f"{author.display_name} @{author.handle}"
        handle = author.handle or author.display_name or author.id
        choices.append(AuthorChoice(author.id, label, handle, author.post_count))
    unknown = sum(1 for p in thread.posts if p.author is None and not p.synthetic)
    if unknown:
        entry = AuthorChoice(UNKNOWN, "unknown author", None, unknown)
        position = next((k for k, c in enumerate(choices) if c.count < unknown), len(choices))
        choices.insert(position, entry)
    return choices


class AuthorPicker(ModalScreen[list[AuthorChoice] | None]):
    """Choose one or more authors (Space marks, Enter applies, typing narrows: the default
    keys)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="authors.cancel"),
        Binding("enter", "apply", "Apply", priority=True, id="authors.apply"),
        Binding("down", "focus_list", "List", show=False),
    ]

    def __init__(self, thread: Thread, chosen: Iterable[str] = ()) -> None:
        super().__init__()
        self.choices = remembered(thread, "authors", author_choices)
        self.by_key = {choice.key: choice for choice in self.choices}
        self.chosen: set[str] = set(chosen)
        self._matching = len(self.choices)
        self._folds: list[str] | None = None
        """Each choice's label folded for narrowing, built beside the UI: folding every
        label took seconds at 1M posts (125,000 authors) and was paid on opening."""

    def compose(self) -> ComposeResult:
        with Vertical(id="authors-box") as box:
            box.border_title = Content("Filter by author")
            yield Input(placeholder="type to narrow the list", id="authors-narrow", compact=True)
            yield CheckList(glyphs=getattr(self.app, "glyphs", UNICODE), id="authors-list")
            yield Static("", id="authors-note")

    def on_mount(self) -> None:
        self._hint()
        self._fill("")
        self.query_one(Input).focus()
        self.run_worker(self._folded, thread=True, group="author-folds", name="author folds")

    def _folded(self) -> list[str]:
        """The folded labels: from the worker, or built here if a narrowing comes first."""
        folds = self._folds
        if folds is None:
            folds = [fold(choice.label) for choice in self.choices]
            self._folds = folds
        return folds

    def _hint(self) -> None:
        # Keys as the user mapped them: a key map may have moved any of these.
        def key(binding_id: str) -> str:
            return bound_key(self, binding_id, (*self.BINDINGS, *CheckList.BINDINGS))

        parts = [
            Part.of(0, f"{key('checklist.mark')} marks"),
            Part.of(0, f"{key('authors.apply')} applies"),
            Part.of(1, f"{key('authors.cancel')} cancels"),
            Part.of(2, "type to narrow"),
        ]
        # The border's corners and the spaces Textual puts around a subtitle.
        room = min(self.app.size.width, AUTHOR_BOX_MAX) - 6
        separator = getattr(self.app, "glyphs", UNICODE).separator
        self.query_one("#authors-box", Vertical).border_subtitle = fit(parts, room, separator)

    def on_resize(self) -> None:
        self._hint()

    def _fill(self, narrow: str) -> None:
        wanted = fold(narrow.strip().removeprefix("@"))
        if wanted:
            folds = self._folded()
            matching = [
                c for c, folded in zip(self.choices, folds, strict=True) if wanted in folded
            ]
        else:
            matching = self.choices
        shown = matching[:SHOWN_AUTHORS]
        listing = self.query_one("#authors-list", SelectionList)
        listing.clear_options()
        width = max((len(f"{c.count:,}") for c in shown), default=1)
        listing.add_options(
            Selection(
                Content.assemble(
                    Content.styled(f"{c.count:>{width},} ", "$text-muted"),
                    Content.styled(c.label, "italic" if c.key == UNKNOWN else ""),
                ),
                c.key,
                c.key in self.chosen,
            )
            for c in shown
        )
        self._matching = len(matching)
        self._note(self._matching)

    @on(Input.Changed, "#authors-narrow")
    def _narrow(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(SelectionList.SelectionToggled)
    def _toggled(self, event: SelectionList.SelectionToggled[str]) -> None:
        key = event.selection.value
        if key in self.chosen:
            self.chosen.discard(key)
        else:
            self.chosen.add(key)
        # Only the note changes: rebuilding the list would lose the highlighted row.
        self._note(self._matching)

    def _note(self, matching: int) -> None:
        note = f"{matching:,} of {len(self.choices):,} authors"
        if matching > SHOWN_AUTHORS:
            note += f" (first {SHOWN_AUTHORS:,} shown; type to narrow)"
        if self.chosen:
            note += f" · {len(self.chosen)} marked"
        self.query_one("#authors-note", Static).update(Content(note))

    def action_focus_list(self) -> None:
        listing = self.query_one("#authors-list", SelectionList)
        listing.focus()
        if listing.highlighted is None and listing.option_count:
            listing.highlighted = 0

    def action_apply(self) -> None:
        listing = self.query_one("#authors-list", SelectionList)
        if not self.chosen and listing.has_focus and listing.highlighted is not None:
            # Enter on a highlighted author with none marked picks that one.
            option = listing.get_option_at_index(listing.highlighted)
            self.chosen.add(str(option.value))
        if not self.chosen:
            narrowed = listing.option_count == 1
            if narrowed:
                self.chosen.add(str(listing.get_option_at_index(0).value))
        # In the list's order (most active first), so the same choice gives the same query.
        self.dismiss([c for c in self.choices if c.key in self.chosen])

    def action_cancel(self) -> None:
        self.dismiss(None)


# --- time ---------------------------------------------------------------------------------

BARS = " ▁▂▃▄▅▆▇█"
ASCII_BARS = " .:-=+*#@"
HEIGHT = 8
TIME_BOX_MAX = 124
"""The time box's widest (styles/pickers.tcss, #time-box max-width)."""


def histogram(times: list[float], start: float, end: float, buckets: int) -> list[int]:
    """Posts per bucket over [start, end]; `times` sorted."""
    span = max(end - start, 1.0)
    edges = [start + span * k / buckets for k in range(buckets + 1)]
    counts = []
    for k in range(buckets):
        low = bisect_left(times, edges[k])
        high = (
            bisect_right(times, edges[k + 1])
            if k == buckets - 1
            else bisect_left(times, edges[k + 1])
        )
        counts.append(high - low)
    return counts


def draw_bars(counts: list[int], height: int, bars: str) -> list[str]:
    """Rows of a bar chart, top row first, `len(bars) - 1` steps per cell."""
    peak = max(counts, default=0) or 1
    steps = len(bars) - 1
    levels = [round(c / peak * height * steps) if c else 0 for c in counts]
    levels = [max(level, 1) if c else 0 for level, c in zip(levels, counts, strict=True)]
    rows = []
    for row in range(height - 1, -1, -1):
        line = []
        for level in levels:
            fill = level - row * steps
            line.append(bars[max(0, min(steps, fill))])
        rows.append("".join(line))
    return rows


class TimePicker(ModalScreen[tuple[float | None, float | None] | None]):
    """Choose a time range on the thread's activity histogram, by keys."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,h", "move(-1)", "Earlier", show=False, id="time.earlier"),
        Binding("right,l", "move(1)", "Later", show=False, id="time.later"),
        Binding("shift+left,H", "move(-10)", "Much earlier", show=False, id="time.much-earlier"),
        Binding("shift+right,L", "move(10)", "Much later", show=False, id="time.much-later"),
        Binding("tab", "switch", "Start/end", priority=True, id="time.switch"),
        Binding("home,g", "edge(0)", "Start", show=False, id="time.first"),
        Binding("end,G", "edge(1)", "End", show=False, id="time.last"),
        Binding("1", "preset('first-hour')", "First hour", id="time.first-hour"),
        Binding("2", "preset('first-day')", "First day", id="time.first-day"),
        Binding("3", "preset('last-hour')", "Last hour", id="time.last-hour"),
        Binding("0,backspace", "preset('all')", "All", show=False, id="time.all"),
        Binding("enter", "apply", "Apply", priority=True, id="time.apply"),
        Binding("escape,q", "cancel", "Cancel", id="time.cancel"),
    ]

    def __init__(
        self,
        thread: Thread,
        *,
        glyphs: Glyphs,
        ascii_bars: bool,
        tz: tzinfo,
        after: float | None = None,
        before: float | None = None,
    ) -> None:
        super().__init__()
        self.thread = thread
        self.glyphs = glyphs
        self.bars = ASCII_BARS if ascii_bars else BARS
        self.tz = tz
        self.times = post_times(thread)
        first, last = (self.times[0], self.times[-1]) if self.times else (0.0, 0.0)
        self.first = first
        self.last = last
        self.buckets = 60
        self.start = 0
        self.end = self.buckets - 1
        self.active = 0  # 0: moving the start marker, 1: the end marker
        self._initial = (after, before)
        self.exact: tuple[float | None, float | None] | None = None
        """A preset's exact range; the markers only approximate it to a bucket."""

    def compose(self) -> ComposeResult:
        with Vertical(id="time-box") as box:
            box.border_title = Content("Filter by time")
            yield Static(id="time-chart")
            yield Static(id="time-range")
            key = self._key
            yield FittedLine(
                [
                    Part.of(0, f"Presets: {key('time.first-hour')} first hour"),
                    Part.of(1, f"{key('time.first-day')} first day"),
                    Part.of(2, f"{key('time.last-hour')} last hour"),
                    Part.of(2, f"{key('time.all')} all"),
                ],
                separator=self.glyphs.separator,
                id="time-presets",
            )

    def _key(self, binding_id: str) -> str:
        """The key a hint names, as the user mapped it (in ASCII arrows under --ascii)."""
        label = bound_key(self, binding_id, self.BINDINGS)
        if self.glyphs.arrow == "->":
            label = label.replace("←", "<-").replace("→", "->")
        return label

    def _hint(self) -> None:
        """The keys in the box's bottom border: those that matter most, as many as fit."""
        key = self._key
        parts = [
            Part.of(0, f"{key('time.earlier')}/{key('time.later')} move"),
            Part.of(1, f"{key('time.switch')} start/end"),
            Part.of(0, f"{key('time.apply')} applies"),
            Part.of(2, f"{key('time.cancel')} cancels"),
        ]
        # The border's corners and the spaces Textual puts around a subtitle.
        room = min(self.app.size.width, TIME_BOX_MAX) - 6
        box = self.query_one("#time-box", Vertical)
        box.border_subtitle = fit(parts, room, self.glyphs.separator)

    def on_resize(self) -> None:
        self._hint()

    def on_mount(self) -> None:
        self._hint()
        # The box is not laid out yet at mount; the screen's width is what it will get.
        self.buckets = max(10, min(120, self.app.size.width - 6))
        self.end = self.buckets - 1
        after, before = self._initial
        if after is not None:
            self.start = self._bucket_of(after)
        if before is not None:
            self.end = max(
                self.start, self._bucket_of(before) - 1 if before < self.last else self.buckets - 1
            )
        self._draw()

    @property
    def span(self) -> float:
        return max(self.last - self.first, 1.0)

    def _bucket_of(self, moment: float) -> int:
        position = int((moment - self.first) / self.span * self.buckets)
        return max(0, min(self.buckets - 1, position))

    def _edge(self, bucket: int) -> float:
        return self.first + self.span * bucket / self.buckets

    def selected(self) -> tuple[float | None, float | None]:
        """(after, before), None for an open end; the whole span is (None, None)."""
        if self.exact is not None:
            return self.exact
        after = None if self.start == 0 else self._edge(self.start)
        before = None if self.end == self.buckets - 1 else self._edge(self.end + 1)
        return after, before

    def _draw(self) -> None:
        counts = histogram(self.times, self.first, self.last, self.buckets)
        rows = draw_bars(counts, HEIGHT, self.bars)
        lines = []
        for row in rows:
            line = Content(row)
            line = line.stylize("$foreground 35%", 0, self.start).stylize(
                "$foreground 35%", self.end + 1, len(row)
            )
            line = line.stylize("$text-accent", self.start, self.end + 1)
            lines.append(line)
        marker = [" "] * self.buckets
        marker[self.start] = "^" if self.glyphs.arrow == "->" else "▲"
        marker[self.end] = "^" if self.glyphs.arrow == "->" else "▲"
        marks = Content("".join(marker)).stylize("bold $text-warning")
        axis = Content.styled(
            f"{format_full(self.first, self.tz)}".ljust(self.buckets - 12)
            + format_offset(self.last - self.first).rjust(12),
            "$text-muted",
        )
        self.query_one("#time-chart", Static).update(Content("\n").join([*lines, marks, axis]))
        after, before = self.selected()
        inside = bisect_left(self.times, before if before is not None else float("inf")) - (
            bisect_left(self.times, after) if after is not None else 0
        )
        which = "start" if self.active == 0 else "end"
        frm = format_full(after, self.tz) if after is not None else "the first post"
        to = format_full(before, self.tz) if before is not None else "the last post"
        self.query_one("#time-range", Static).update(
            Content.assemble(
                Content.styled(f"From {frm} to {to}", "bold"),
                Content(f" · {inside:,} posts · moving the {which}"),
            )
        )

    def action_move(self, step: int) -> None:
        self.exact = None
        if self.active == 0:
            self.start = max(0, min(self.end, self.start + step))
        else:
            self.end = max(self.start, min(self.buckets - 1, self.end + step))
        self._draw()

    def action_switch(self) -> None:
        self.active = 1 - self.active
        self._draw()

    def action_edge(self, end: int) -> None:
        self.exact = None
        if self.active == 0:
            self.start = 0 if not end else self.end
        else:
            self.end = self.buckets - 1 if end else self.start
        self._draw()

    def action_preset(self, name: str) -> None:
        hour, day = 3600.0, 86400.0
        presets: dict[str, tuple[float | None, float | None]] = {
            "all": (None, None),
            "first-hour": (None, self.first + hour),
            "first-day": (None, self.first + day),
            "last-hour": (self.last - hour, None),
        }
        after, before = presets[name]
        if before is not None and before >= self.last:
            before = None
        if after is not None and after <= self.first:
            after = None
        self.exact = (after, before)
        self.start = 0 if after is None else self._bucket_of(after)
        self.end = (
            self.buckets - 1 if before is None else max(self.start, self._bucket_of(before) - 1)
        )
        self._draw()

    def action_apply(self) -> None:
        self.dismiss(self.selected())

    def action_cancel(self) -> None:
        self.dismiss(None)

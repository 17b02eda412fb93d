"""Pickers that build filter queries: `a` for authors, `t` for a time range.

Each returns query text in the same language the user types (`from:…`, `after:… before:…`),
so a picked filter can be read, edited and shared like a typed one.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import tzinfo
from itertools import compress
from typing import Any, ClassVar, TypeVar, cast

from rich.segment import Segment
from rich.style import Style
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.widgets import Input, Static

from threadtui import gcpolicy
from threadtui.model import Author, Thread
from threadtui.model.timefmt import format_full, format_offset
from threadtui.pacing import sorted_in_runs
from threadtui.query import fold
from threadtui.query.parse import ANONYMOUS
from threadtui.ui.chrome import FittedLine, Part, fit
from threadtui.ui.glyphs import UNICODE, Glyphs
from threadtui.ui.keys import bound_key
from threadtui.ui.scrolling import LineView

UNKNOWN = ANONYMOUS
"""The author picker's value for "posts whose author is unknown": the query language's own
marker (no real author id is empty), so a choice needs no translating either way."""
AUTHOR_BOX_MAX = 70
"""The author box's widest (styles/pickers.tcss, #authors-box width)."""


@dataclass(frozen=True, slots=True)
class AuthorChoice:
    key: str
    label: str
    handle: str | None
    count: int


T = TypeVar("T")


def _no_pause() -> None:
    pass


AUTHOR_SLICE = 4_096
"""Authors handled between two pauses in `author_choices` (a few ms of Python)."""
POST_SLICE = 16_384
"""Posts counted between two pauses in `author_choices` (about a millisecond)."""


_REMEMBERED: dict[str, tuple[Thread, int, Any]] = {}


def remembered(thread: Thread, what: str, compute: Callable[[Thread], T]) -> T:
    """`compute(thread)`, computed again only when the thread changed (its version) or is
    another: the pickers open again and again on the same thread, and at 1M posts each
    of these is a walk of every post or author (up to seconds). One entry per kind; it
    holds the thread, which the app holds anyway. Safe from any thread: two computing at
    once compute the same value, and the last one stored wins."""
    entry = _REMEMBERED.get(what)
    if entry is not None and entry[0] is thread and entry[1] == thread.version:
        return cast(T, entry[2])
    # The version before computing: a thread that grows meanwhile is computed again.
    version = thread.version
    value = compute(thread)
    _REMEMBERED[what] = (thread, version, value)
    # Kept as long as the thread (lists of 125,000 choices, a million times): out of the
    # young collections' walk from now, which would walk them twice more while young.
    gcpolicy.lasting()
    return value


def known(thread: Thread, what: str) -> Any | None:
    """What `remembered` holds for `thread` as it is now, or None: never computes."""
    entry = _REMEMBERED.get(what)
    if entry is not None and entry[0] is thread and entry[1] == thread.version:
        return entry[2]
    return None


def _times(thread: Thread, pause: Callable[[], None] = _no_pause) -> list[float]:
    posts = thread.posts
    times: list[float] = []
    # Grown over pauses while young, it would be walked by each young collection (as
    # `sorted_in_runs` says); in one comprehension, 50-100 ms without a pause at 1M.
    gcpolicy.lasting()
    for lo in range(0, len(posts), POST_SLICE):
        times += [p.created for p in posts[lo : lo + POST_SLICE] if p.created is not None]
        pause()
    return sorted_in_runs(times, pause=pause)


def post_times(thread: Thread) -> list[float]:
    """Every post's time, in order (the time picker's histogram and counts)."""
    return remembered(thread, "times", _times)


def author_choices(thread: Thread, pause: Callable[[], None] = _no_pause) -> list[AuthorChoice]:
    """Every author with posts, most active first (then by name: `Thread.sorted_authors`'
    order); unknown authors as one entry. `pause` between bounded steps (`prepare`): at a
    million posts each of these walks (125,000 authors twice, a million posts once) held
    the index worker 50-110 ms in one stretch, time the UI waited for at each of its own
    waits while a key was held."""
    every = list(thread.authors.values())
    authors: list[Author] = []
    keys: list[tuple[int, str]] = []
    choices: list[AuthorChoice] = []
    # Grown over pauses: frozen while empty, out of every young collection's walk.
    gcpolicy.lasting()
    for lo in range(0, len(every), AUTHOR_SLICE):
        for a in every[lo : lo + AUTHOR_SLICE]:
            if a.post_count:
                authors.append(a)
                keys.append((-a.post_count, a.label.casefold()))
        pause()
    order = sorted_in_runs(range(len(authors)), key=keys.__getitem__, pause=pause)
    for lo in range(0, len(order), AUTHOR_SLICE):
        for k in order[lo : lo + AUTHOR_SLICE]:
            author = authors[k]
            label = author.label
            if author.handle and author.display_name:
                label = f"{author.display_name} @{author.handle}"
            handle = author.handle or author.display_name or author.id
            choices.append(AuthorChoice(author.id, label, handle, author.post_count))
        pause()
    posts = thread.posts
    unknown = 0
    for lo in range(0, len(posts), POST_SLICE):
        unknown += sum(
            # As the status line counts them: real posts (a placeholder's post is gone).
            1
            for p in posts[lo : lo + POST_SLICE]
            if p.author is None and p.status == "ok"
        )
        pause()
    if unknown:
        entry = AuthorChoice(UNKNOWN, "unknown author", None, unknown)
        # After every author with as many posts or more (sorted by count: no walk).
        position = bisect_right(choices, -unknown, key=lambda c: -c.count)
        choices.insert(position, entry)
    return choices


def unknown_row(choices: list[AuthorChoice], unknown: AuthorChoice | None) -> int | None:
    """The index of `unknown`, the "unknown author" row of `choices` (None: no such row),
    found by its count as `author_choices` placed it (after every author with as many
    posts or more): no walk of 125,000 choices."""
    if unknown is None:
        return None
    at = bisect_right(choices, -unknown.count, key=lambda c: -c.count) - 1
    if 0 <= at < len(choices) and choices[at] is unknown:
        return at
    return next((k for k, c in enumerate(choices) if c is unknown), None)


def _author_folds(thread: Thread) -> list[str]:
    return [fold(choice.label) for choice in remembered(thread, "authors", author_choices)]


def author_folds(thread: Thread) -> list[str]:
    """Each author choice's label folded, for narrowing by typing (in the choices' order)."""
    return remembered(thread, "author-folds", _author_folds)


FOLD_SLICE = 4_096
"""Labels folded between two pauses in `prepare`."""


def prepare(thread: Thread, *, pause: Callable[[], None] = _no_pause) -> None:
    """Compute what the pickers show, ahead of their opening (the index worker calls it
    after the index, with `threadtui.pacing.pause` between bounded steps): at a million
    posts, sorting 125,000 authors, folding their labels, counting the unattributed posts
    and sorting a million times took seconds on the UI thread, paid on the first `a` or
    `t`. Stale values (the thread changed meanwhile) are computed again on opening."""

    def folds(thread: Thread) -> list[str]:
        labels = [c.label for c in remembered(thread, "authors", choices)]
        folded: list[str] = []
        for lo in range(0, len(labels), FOLD_SLICE):
            pause()
            folded += map(fold, labels[lo : lo + FOLD_SLICE])
        return folded

    def choices(thread: Thread) -> list[AuthorChoice]:
        return author_choices(thread, pause)

    try:
        remembered(thread, "author-folds", folds)
        pause()
        remembered(thread, "times", lambda thread: _times(thread, pause))
    except RuntimeError:
        # The thread changed under the walk (a merge on the UI thread): its new version
        # is computed when a picker asks for it.
        pass


class AuthorList(LineView, can_focus=True):
    """The author choices, one row each, drawn a row at a time (the line API): opening the
    picker on 125,000 authors draws the rows on screen and nothing more. Marks live in
    the picker's `chosen` set, shared by reference."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "mark", "Mark", show=False, id="checklist.mark"),
        # Ids for every key, so a key map can move any of them (`config.BINDING_IDS`).
        Binding("up", "move(-1)", "Up", show=False, id="checklist.up"),
        Binding("down", "move(1)", "Down", show=False, id="checklist.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="checklist.page-up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="checklist.page-down"),
        Binding("home", "edge(0)", "First", show=False, id="checklist.first"),
        Binding("end", "edge(1)", "Last", show=False, id="checklist.last"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "author-list--cursor",
        "author-list--count",
        "author-list--unchecked",
        "author-list--checked",
    }
    DEFAULT_CSS = """
    AuthorList {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: scroll;
        scrollbar-size-vertical: 1;
        scrollbar-background: $surface;
        scrollbar-background-hover: $surface;
        scrollbar-background-active: $surface;
        & > .author-list--cursor {
            color: $block-cursor-blurred-foreground;
            background: $block-cursor-blurred-background;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .author-list--cursor {
            color: $block-cursor-foreground;
            background: $block-cursor-background;
            text-style: $block-cursor-text-style;
        }
        & > .author-list--count { color: $text-muted; }
        & > .author-list--unchecked { color: $foreground 60%; }
        & > .author-list--checked { color: $text-success; text-style: bold; }
    }
    """

    class Toggled(Message):
        """A row's mark was switched (`key` is now in `chosen` or out of it)."""

        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    def __init__(self, chosen: set[str], *, glyphs: Glyphs = UNICODE, id: str | None = None):
        super().__init__(id=id)
        self.chosen = chosen
        self.glyphs = glyphs
        self.rows: list[AuthorChoice] = []
        self.highlighted: int | None = None
        self._count_width = 1

    def show(self, rows: list[AuthorChoice]) -> None:
        """List `rows` (most active first), from the top, no row highlighted."""
        self.rows = rows
        self.highlighted = None
        # Sorted by count, most first: the first row has the widest count.
        self._count_width = len(f"{rows[0].count:,}") if rows else 1
        self.set_virtual_size(Size(0, len(rows)))
        self.scroll_to(y=0, animate=False, immediate=True)
        self.refresh()

    def on_focus(self) -> None:
        if self.highlighted is None and self.rows:
            self._highlight(0)

    def _highlight(self, row: int | None) -> None:
        old, self.highlighted = self.highlighted, row
        for line in (old, row):
            if line is not None:
                self.refresh_line(line)
        if row is None:
            return
        top = round(self.scroll_offset.y)
        height = self.scrollable_content_region.height
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif height and row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False, immediate=True)

    def action_move(self, step: int) -> None:
        if not self.rows:
            return
        current = -1 if self.highlighted is None and step > 0 else (self.highlighted or 0)
        self._highlight(max(0, min(len(self.rows) - 1, current + step)))

    def action_page(self, step: int) -> None:
        self.action_move(step * max(1, self.scrollable_content_region.height - 1))

    def action_edge(self, end: int) -> None:
        if self.rows:
            self._highlight(len(self.rows) - 1 if end else 0)

    def action_mark(self) -> None:
        if self.highlighted is not None:
            self._toggle(self.highlighted)

    def _toggle(self, row: int) -> None:
        key = self.rows[row].key
        if key in self.chosen:
            self.chosen.discard(key)
        else:
            self.chosen.add(key)
        self.refresh_line(row)
        self.post_message(self.Toggled(key))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        row = offset.y + round(self.scroll_offset.y)
        if 0 <= row < len(self.rows):
            self.focus()
            self._highlight(row)
            self._toggle(row)

    def render_line(self, y: int) -> Strip:
        row = y + round(self.scroll_offset.y)
        width = self.scrollable_content_region.width
        base = self.rich_style
        if not 0 <= row < len(self.rows) or width <= 0:
            return Strip.blank(max(width, 0), base)
        choice = self.rows[row]
        marked = choice.key in self.chosen
        glyphs = self.glyphs
        gutter = max(len(glyphs.checked), len(glyphs.unchecked))
        mark = (glyphs.checked if marked else glyphs.unchecked).ljust(gutter)
        if row == self.highlighted:
            # On the cursor the mark takes the cursor's own colours: a green or grey
            # blended for the list's background can vanish on it.
            under = base + self.get_component_rich_style("author-list--cursor", partial=False)
            mark_style = under + Style(bold=marked)
            count_style = under
        else:
            under = base
            component = "author-list--checked" if marked else "author-list--unchecked"
            colour = self.get_component_rich_style(component, partial=False)
            mark_style = under + Style(color=colour.color, bold=colour.bold)
            muted = self.get_component_rich_style("author-list--count", partial=False)
            count_style = under + Style(color=muted.color)
        label_style = under + Style(italic=True) if choice.key == UNKNOWN else under
        # Every part is a plain segment: names are the thread's text, never markup.
        segments = [
            Segment(mark, mark_style + Style(meta={"row": row})),
            Segment(" ", under),
            Segment(f"{choice.count:>{self._count_width},} ", count_style),
            Segment(choice.label, label_style),
        ]
        strip = Strip(segments)
        if strip.cell_length > width:
            strip = Strip([*strip.crop(0, max(width - 1, 0)), Segment("…", label_style)])
        return strip.adjust_cell_length(width, under)


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
        self.thread = thread
        self.chosen: set[str] = set(chosen)
        ready: list[AuthorChoice] | None = known(thread, "authors")
        self.choices: list[AuthorChoice] = ready if ready is not None else []
        """Empty until computed: ready when the index worker got there first (`prepare`),
        else computed by this screen's worker, the list showing "counting…" meanwhile."""
        self._index_choices()
        self._ready = ready is not None
        self._matching = self._authors
        self._folds: list[str] | None = known(thread, "author-folds") if ready else None
        """Each choice's label folded for narrowing, built beside the UI: folding every
        label took seconds at 1M posts (125,000 authors) and was paid on opening."""

    def compose(self) -> ComposeResult:
        with Vertical(id="authors-box") as box:
            box.border_title = Content("Filter by author")
            yield Input(placeholder="type to narrow the list", id="authors-narrow", compact=True)
            yield AuthorList(
                self.chosen, glyphs=getattr(self.app, "glyphs", UNICODE), id="authors-list"
            )
            yield Static("", id="authors-note")

    def on_mount(self) -> None:
        self._hint()
        self.query_one(Input).focus()
        if self._ready:
            self._fill("")
            if self._folds is None:
                self.run_worker(self._folded, thread=True, group="author-folds")
        else:
            self.query_one("#authors-note", Static).update(Content("counting authors…"))
            self.run_worker(self._compute, thread=True, group="author-folds")

    def _compute(self) -> None:
        """The choices and their folded labels, beside the UI (`prepare` had not run)."""
        choices = remembered(self.thread, "authors", author_choices)
        folds = author_folds(self.thread)
        self.app.call_from_thread(self._computed, choices, folds)

    def _index_choices(self) -> None:
        self.by_key = {choice.key: choice for choice in self.choices}
        # The "unknown author" row groups the posts of no known author: a row, not an
        # author, so the counts shown leave it out (the status bar's count does too).
        unknown = self.by_key.get(UNKNOWN)
        self._unknown_at = unknown_row(self.choices, unknown)
        self._authors = len(self.choices) - (unknown is not None)

    def _computed(self, choices: list[AuthorChoice], folds: list[str]) -> None:
        self.choices = choices
        self._index_choices()
        self._folds = folds
        self._ready = True
        self._fill(self.query_one(Input).value)

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
            return bound_key(self, binding_id, (*self.BINDINGS, *AuthorList.BINDINGS))

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
        if not self._ready:
            return  # the worker's result fills the list with what the field holds then
        wanted = fold(narrow.strip().removeprefix("@"))
        if wanted:
            folds = self._folded()
            kept = [wanted in folded for folded in folds]
            matching = list(compress(self.choices, kept))
            at = self._unknown_at
            authors = len(matching) - (at is not None and kept[at])
        else:
            matching = self.choices
            authors = self._authors
        self.query_one("#authors-list", AuthorList).show(matching)
        self._matching = authors
        self._note(self._matching)

    @on(Input.Changed, "#authors-narrow")
    def _narrow(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(AuthorList.Toggled)
    def _toggled(self, event: AuthorList.Toggled) -> None:
        # The list marked it in `chosen` itself: only the note changes.
        self._note(self._matching)

    def _note(self, matching: int) -> None:
        note = f"{matching:,} of {self._authors:,} authors"
        if self.chosen:
            note += f" · {len(self.chosen)} marked"
        self.query_one("#authors-note", Static).update(Content(note))

    def action_focus_list(self) -> None:
        self.query_one("#authors-list", AuthorList).focus()

    def action_apply(self) -> None:
        if not self._ready:
            return  # still counting: nothing shown to apply, and the filter stays as it is
        listing = self.query_one("#authors-list", AuthorList)
        if not self.chosen and listing.has_focus and listing.highlighted is not None:
            # Enter on a highlighted author with none marked picks that one.
            self.chosen.add(listing.rows[listing.highlighted].key)
        if not self.chosen and len(listing.rows) == 1:
            self.chosen.add(listing.rows[0].key)
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

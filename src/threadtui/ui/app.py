"""ThreadApp: the tree beside the detail pane, the header and status lines, the keys."""

from __future__ import annotations

import contextlib
import importlib
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from textual import events, messages, on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.filter import LineFilter
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Static

from threadtui import gcpolicy, pacing
from threadtui.config import Settings
from threadtui.model import Thread, clean_line
from threadtui.model.timefmt import format_full, format_offset
from threadtui.ui.chrome import Part, PriorityFooter, StatusLine
from threadtui.ui.detail import DetailPane
from threadtui.ui.following import FileNews, FollowController
from threadtui.ui.glyphs import ASCII, ASCII_KEY_NAMES, UNICODE
from threadtui.ui.links import LinkPicker, can_open_browser, post_links
from threadtui.ui.loading import (
    FetchFinished,
    FetchProgress,
    LiveFetch,
    LoadingLine,
    PostsAdded,
    PostsArrived,
    ToApp,
    merged,
)
from threadtui.ui.output import AsciiFilter, ReadableFilter, SteadyWidthFilter
from threadtui.ui.query_worker import Failed, FilterState, QueryController, SearchState
from threadtui.ui.querybar import QueryBar
from threadtui.ui.status_counts import StatusCounts
from threadtui.ui.themes import DEFAULT_THEME, NOT_OFFERED, theme_problem
from threadtui.ui.tree import ThreadTree

if TYPE_CHECKING:
    from threadtui.fetch.live import EarlyFetch
    from threadtui.fetch.live import LiveFetch as Fetch
    from threadtui.fetch.run import FetchOptions
    from threadtui.follow.files import FileWatch, Follower, Signature
    from threadtui.follow.schedule import Schedule
    from threadtui.model.grow import Change
    from threadtui.state import ReadState
    from threadtui.ui.help import HelpScreen
    from threadtui.ui.pickers import AuthorChoice

# Modules the first frame does not need (search, the pickers, the help screen) are imported
# where they are first used: at startup they add a tenth to the time to draw a big thread.
# Right after the first frame a worker imports them all (LATER): a package reinstalled
# under a running app must not break the first screen opened after it.
LATER: tuple[str, ...] = (
    "threadtui.query",
    "threadtui.ui.help",
    "threadtui.ui.pickers",
    "threadtui.ui.warnings",
    "threadtui.follow.files",
    "threadtui.follow.schedule",
    "threadtui.fetch.urls",
    "textual.command",
    "textual.system_commands",
    "textual.widgets._toast",
    "textual.widgets._selection_list",
    "textual.widgets._option_list",
    "webbrowser",
)


DETAIL_DEFER_MAX = 20
"""Frames (a third of a second at least) the detail pane may wait for a cursor still
moving before it shows the cursor's post anyway: keys that never pause still see it."""

HELP_SCREEN = "help"
HELP_PREPARE_AFTER = 1.0
HELP_PREPARE_QUIET = 1.0
"""The help page is composed in the background (ThreadApp._prepare_help) a second after
the first frame, or later, once no key came for a second: its 20-50 ms must not fall
between a key and its frame."""

IDLE_COLLECT_EVERY = 20.0
IDLE_COLLECT_AFTER = 3.0
"""A full garbage collection runs at most every IDLE_COLLECT_EVERY seconds, and only when
no key came for IDLE_COLLECT_AFTER seconds: never in the middle of keys (issue #16)."""


def styles_dir() -> Path:
    """The .tcss files: inside the installed package, or at the top of a source checkout."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "styles"
    return packaged if packaged.is_dir() else here.parents[1] / "styles"


STYLES = styles_dir()


class MainScreen(Screen[None]):
    """The app's screen, as Textual's default, but for one thing: Textual repaints the
    whole screen whenever its focus moves (`focused` is a repainting reactive), 30 lines
    for `/`, Escape or Tab. What the focus changes repaints itself (the widgets that lose
    and gain it are restyled, `:focus` and `:focus-within`), so the screen does not."""

    focused: Reactive[Widget | None] = Reactive(None, repaint=False)


class ThreadApp(App[None], inherit_bindings=False):
    TITLE = "threadtui"
    CSS_PATH: ClassVar = [
        STYLES / "app.tcss",
        STYLES / "detail.tcss",
        STYLES / "help.tcss",
        STYLES / "pickers.tcss",
    ]
    # Textual declares it `ClassVar[...] | None`, which mypy reads as an instance attribute.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (70, "-wide")]  # noqa: RUF012

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="app.quit-now"),
        # As in any terminal program: back to the shell, `fg` to return.
        Binding("ctrl+z", "suspend_process", "Suspend (fg returns)", show=False, id="app.suspend"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("y", "copy", "Copy", id="app.copy"),
        Binding("o", "open_link", "Open link", id="app.open-link"),
        Binding("T", "toggle_time", "Relative/absolute time", show=False, id="app.time"),
        Binding("z", "zoom", "One pane/two panes", show=False, id="app.zoom"),
        Binding("less_than_sign", "resize(-5)", "Narrower tree", show=False, id="app.narrower"),
        Binding("greater_than_sign", "resize(5)", "Wider tree", show=False, id="app.wider"),
        Binding("slash", "search", "Search", id="app.search"),
        Binding("n", "next_match(1)", "Next match", show=False, id="app.next-match"),
        Binding("N", "next_match(-1)", "Previous match", show=False, id="app.previous-match"),
        Binding("f", "filter", "Filter", id="app.filter"),
        Binding("c", "clear", "Clear", show=False, id="app.clear"),
        Binding("a", "pick_authors", "Authors", id="app.authors"),
        Binding("t", "pick_time", "Time", id="app.time-range"),
        Binding("w", "warnings", "Warnings", id="app.warnings"),
        # Shown only when something is new (check_action).
        Binding("u", "next_new", "Next new", id="app.next-new"),
        Binding("U", "previous_new", "Previous new", show=False, id="app.previous-new"),
        Binding("R", "mark_all_read", "Mark all read", show=False, id="app.mark-all-read"),
        # Not R: Shift+R marks all read, as the read-state keys have it.
        Binding("ctrl+r,f5", "refresh_thread", "Refresh", id="app.refresh"),
        # Shown only for a thread that can grow: one from a URL or from files.
        Binding("F", "toggle_follow", "Follow", id="app.follow"),
        Binding("escape", "leave_search", "Leave search", show=False, id="app.leave-search"),
        Binding("ctrl+p", "command_palette", "Commands", show=False, id="app.palette"),
    ]

    def __init__(
        self,
        thread: Thread,
        *,
        settings: Settings | None = None,
        tz: tzinfo = UTC,
        startup_messages: Iterable[str] = (),
        search: str = "",
        filter: str = "",
        read_state: ReadState | None = None,
        state_warnings: Iterable[str] = (),
        url: str | None = None,
        fetch_options: FetchOptions | None = None,
        fetch_on_start: bool = False,
        early_fetch: EarlyFetch | None = None,
        anchor: str | None = None,
        notices: Iterable[str] = (),
        follow: bool = False,
        follow_files: Sequence[str] = (),
        follow_source: str | None = None,
        follow_source_tz: tzinfo | None = None,
        follow_initial: dict[str, Signature | None] | None = None,
    ) -> None:
        self.settings = settings or Settings()
        super().__init__()
        self.url = url
        """The URL the thread was opened from: refresh (ctrl+r) fetches it again."""
        self.fetch_options = fetch_options
        self._fetch_on_start = fetch_on_start and url is not None
        self._early_fetch = early_fetch
        """The first fetch, started by cli before Textual was imported: taken over at mount."""
        self._anchor = anchor
        """The post the URL links to: the cursor goes there once it is in the thread."""
        self._anchor_done = False
        self._notices = list(notices)
        self.fetching: Fetch | None = None
        self._refreshing = False
        self.new_posts: set[str] = set()
        """Ids of the posts the last refreshes brought (read state builds on PostsAdded)."""
        self._arrived: list[int] = []
        self._refreshed_at: str | None = None
        self.thread = thread
        self.tz = tz
        self.glyphs = ASCII if self.settings.ascii else UNICODE
        # After Textual's own filters (NO_COLOR's greys among them): what they leave is
        # what reaches the terminal. See ui/output.py.
        self._output_filters: list[LineFilter] = [ReadableFilter(self.console._color_system)]
        if self.settings.ascii:
            self._output_filters.insert(0, AsciiFilter())
        if self.settings.steady_emoji:
            self._output_filters.insert(0, SteadyWidthFilter())
        for name in NOT_OFFERED:
            self.unregister_theme(name)
        self.tree_width = self.settings.tree_width
        self.startup_messages = list(startup_messages)
        """Warnings about the session rather than the thread: config, theme."""
        self._base_status: list[Part] | None = None
        self._counts = StatusCounts()
        """Authors and unattributed posts, kept up to date from each merge's Change."""
        self.queries = QueryController(self, thread, tz)
        self.queries.search_origin = lambda: self._search_origin
        self.queries.filter_origin = lambda: self.query_one(ThreadTree).cursor_post
        self.initial_search = search
        self.initial_filter = filter
        self._search_origin: int | None = None
        self.animation_level = "none"
        self._last_key = 0.0
        self._detail_follows = False
        self._detail_pending = False
        self._detail_deferred = 0
        self._detail_seen: int | None = None
        self._keys_answering = 0
        self.read_state = read_state
        """What was read of this thread (threadtui.state); None: nothing is remembered."""
        if read_state is not None and not read_state.ready:
            # Before compose: the status line's summary would otherwise hash every post
            # on the way to the first frame (on_mount starts the worker that does it).
            read_state.defer()
        self.state_warnings = list(state_warnings)
        self.after_first_frame: list[Callable[[], object]] = []
        """Called once the first frame is on screen (the load cache's writer starts there)."""
        self.exit_messages: list[str] = []
        """Printed on stderr once the terminal is back (a state that could not be saved)."""
        if read_state is not None:
            self.queries.new_marks = lambda: read_state.new_marks
        self._follow_on_start = follow
        self.follow_files = list(follow_files)
        """The inputs a thread opened from files was read from: following watches them."""
        self._follow_source = follow_source
        self._follow_source_tz = follow_source_tz
        self._follow_initial = follow_initial
        self.follow_clock: Callable[[], float] = time.time
        """The follow schedule's clock (tests give theirs); times shown are its times."""
        self.follow = FollowController(self)
        """Following the thread as it grows (F): the schedule, the file watch, the timers."""
        self._fetch_changed = False
        self._fetch_ended: float | None = None
        self._follow_error: str | None = None
        self._new_reset = False
        self._fetch_quiet = False
        """The fetch running is following's: no loading line, so Escape leaves it alone."""
        self._not_before = 0.0
        """The end of the last 429's Retry-After: no following refresh before it."""

    def get_default_screen(self) -> Screen[Any]:
        return MainScreen(id="_default")

    def get_line_filters(self) -> list[LineFilter]:
        return [*super().get_line_filters(), *self._output_filters]

    def get_key_display(self, binding: Binding) -> str:
        display = super().get_key_display(binding)
        if self.settings.ascii:
            for symbol, name in ASCII_KEY_NAMES.items():
                display = display.replace(symbol, name)
        return display

    # --- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(self._header(), id="title")
        yield StatusLine(self._status(), separator=self.glyphs.separator, id="status")
        with Horizontal(id="main"):
            tree = ThreadTree(self.thread, glyphs=self.glyphs, tz=self.tz, id="tree")
            tree.time_display = self.settings.time_display
            yield tree
            yield DetailPane(self.thread, glyphs=self.glyphs, tz=self.tz, id="detail")
        yield QueryBar()
        yield LoadingLine(id="loading")
        yield PriorityFooter(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        problem = theme_problem(self.settings.theme)
        if problem is None:
            self.theme = self.settings.theme
        else:
            self.theme = DEFAULT_THEME
            self.startup_messages.append(problem)
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)
        self.set_class(self.settings.ascii, "-ascii")
        self._apply_split()
        tree = self.query_one(ThreadTree)
        tree.focus()
        self.watch(tree, "highlighted", self._show_post, init=False)
        # After the watch: the detail pane shows the post the cursor comes back to.
        self._restore_read_state(tree)
        tree.highlighted = tree.cursor_post
        self._show_warnings()
        self.refresh_status()
        self.call_after_refresh(gcpolicy.startup_done, interactive=True)
        self.call_after_refresh(self._first_frame_drawn)
        self.set_interval(IDLE_COLLECT_EVERY, self._collect_if_idle, name="idle collection")
        self.call_after_refresh(self._import_later)
        for callback in self.after_first_frame:
            self.call_after_refresh(callback)
        # The index is 0.45 s of pure Python at 100k posts: build it once the first frame
        # is on screen, so it never delays it (a search typed sooner waits for it).
        self.call_after_refresh(self.queries.start_index)
        if self.initial_filter:
            self.queries.run_filter(self.initial_filter, self._filter_done)
        if self.initial_search:
            self._search_origin = tree.cursor_post
            self.queries.run_search(self.initial_search, self._search_done)
        self._mount_fetch()
        self.watch(self, "app_focus", self._app_focus_changed, init=False)
        self.app_resume_signal.subscribe(self, self._resumed)
        if self._follow_on_start:
            self.start_following(quiet=True)

    def _resumed(self, app: object) -> None:
        # Back from ctrl+z (`fg`): the terminal's screen was the shell's, and the widgets
        # that draw only what changed have nothing changed to draw. Every one, again.
        for widget in self.screen.walk_children():
            widget.refresh()
        self.screen.refresh(layout=True)

    def _collect_if_idle(self) -> None:
        # Full collections wait for a pause in the keys (gcpolicy.startup_done).
        if time.monotonic() - self._last_key >= IDLE_COLLECT_AFTER:
            gcpolicy.collect_idle()

    def _import_later(self) -> None:
        self.run_worker(_import_all, thread=True, group="later", name="import later")

    @property
    def warning_count(self) -> int:
        return len(self.startup_messages) + len(self.thread.warnings) + len(self.state_warnings)

    def _show_warnings(self) -> None:
        # A short note, not the warnings: they stay on the warnings screen (w), where they
        # can be read at leisure, instead of covering the detail pane for a while.
        count = self.warning_count
        if not count:
            return
        what = f"{count} warning{'s' if count != 1 else ''}"
        key = self.key_for("app.warnings")
        them = "it" if count == 1 else "them"
        self.notify(
            Content(f"Press {key} or click the count above to read {them}."),  # type: ignore[arg-type]  # Content: shown as is, never read as markup
            title=f"{what} about this thread",
            severity="warning",
            timeout=6,
        )

    def notify_content(self, message: Content, **options: Any) -> None:
        """`notify` with a Content: text from strangers (and error messages quoting it)
        is shown as is, never read as markup, which a str message would be."""
        self.notify(message, **options)  # type: ignore[arg-type]  # Textual's hint says str; Content is deliberate

    def key_for(self, binding_id: str, bindings: Iterable[BindingType] = ()) -> str:
        """The first key bound to `binding_id` as the user has it (their key map first),
        for hints in messages: keys can be remapped, so no hint names a key by itself.
        `bindings` are a screen's own, looked at before the app's."""
        from threadtui.ui.keys import key_label

        for binding in (*bindings, *self.BINDINGS):
            if isinstance(binding, Binding) and binding.id == binding_id:
                return key_label(self.settings.keymap.get(binding_id, binding.key).split(",")[0])
        return binding_id

    def action_warnings(self) -> None:
        from threadtui.ui.warnings import WarningsScreen

        if isinstance(self.screen, WarningsScreen):
            return
        name = clean_line(self._source_label()) if self.thread.name else "this thread"
        self.push_screen(
            WarningsScreen(
                [
                    ("Starting up", list(self.startup_messages)),
                    (f"Reading {name}", list(self.thread.warnings)),
                    *(
                        [("What was read", list(self.state_warnings))]
                        if self.state_warnings
                        else []
                    ),
                ]
            )
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "warnings":
            # Nothing to read: no key in the footer, and the key does nothing.
            return bool(self.warning_count)
        if action in ("next_new", "previous_new"):
            return self.shows_new
        if action == "mark_all_read":
            return self.read_state is not None
        if action == "refresh_thread":
            return self.url is not None and self.fetching is None
        if action == "toggle_follow":
            return self.can_follow
        return True

    def _source_label(self) -> str:
        """What the thread is called where it has no title: a file by its name, a thread
        from a URL by the URL (its last segment alone is a bare id)."""
        name = self.thread.name
        return name if "://" in name else Path(name).name

    def _header(self) -> Content:
        thread = self.thread
        title = thread.title or self._source_label()
        parts = [Content.styled(title, "bold")]
        if thread.summary:
            parts.append(Content.styled(f" {self.glyphs.separator.strip()} ", "$text-muted"))
            parts.append(Content.styled(thread.summary, "$text-muted"))
        return Content.assemble(*parts)

    def refresh_status(self) -> None:
        # One line, always: its size never depends on the text, so no layout pass.
        self.query_one("#status", StatusLine).set_parts(self._status())

    def _status(self) -> list[Part]:
        """The status line's parts. Query results lead: they are what the user is looking
        at right now; what does not fit the width is left out, least useful first."""
        if self._base_status is None:
            self._base_status = self._thread_status()
        extra: list[Part] = []
        current = self.queries.filter
        if current is not None:
            extra.append(Part.of(0, Content.styled(current.view.status(), "bold $text-accent")))
        search = self.queries.search
        if search is not None:
            cursor = self.query_one(ThreadTree).cursor_post if self.has_widget(ThreadTree) else None
            counter = (
                search.result.counter(cursor) if cursor is not None else f"-/{search.result.count}"
            )
            extra.append(Part.of(0, Content.styled(f"search {counter}", "bold $text-warning")))
        count = self.warning_count
        news = self._read_state_status()
        if news is not None:
            extra.append(news)
        if count:
            # Clicking the count opens the list (our own action name: no text from outside).
            warnings = Content.styled(
                f"{count:,} warning{'s' if count != 1 else ''}", "@click=app.warnings"
            )
            extra_end = [Part.of(0, warnings)]
        else:
            extra_end = []
        return [*extra, *self._fetch_status(), *self._base_status, *extra_end]

    def _thread_status(self) -> list[Part]:
        """The thread's own counts: O(posts) to count at first, then followed through each
        merge (`_grow`) by what it changed."""
        thread = self.thread
        posts = thread.real_post_count
        parts = [Part.of(1, f"{posts:,} post{'s' if posts != 1 else ''}")]
        authors, unknown = self._counts.current(thread)
        who = f"{authors:,} author{'s' if authors != 1 else ''}"
        if unknown:
            parts.append(Part.steps((f"{who} (+{unknown:,} unattributed)", 4), (who, 2)))
        else:
            parts.append(Part.of(2, who))
        if thread.time_range is not None:
            start, end = thread.time_range
            span = format_offset(end - start)
            parts.append(Part.of(3, f"{format_full(start, self.tz)} {self.glyphs.arrow} {span}"))
        return parts

    def has_widget(self, widget_type: type) -> bool:
        return bool(self.query(widget_type))

    def _apply_split(self) -> None:
        tree = self.query_one(ThreadTree)
        detail = self.query_one(DetailPane)
        # Breakpoint classes are set on the screen, not the app.
        narrow = self.screen.has_class("-narrow")
        zoom = self.has_class("-zoom")
        if narrow or zoom:
            tree.styles.width = "100%"
            detail.styles.width = "100%"
        else:
            tree.styles.width = f"{self.tree_width}%"
            detail.styles.width = "1fr"
        # Stacked, the tree has its share of the height; alone, it has all of it.
        tree.styles.height = "1fr" if zoom else None

    def on_resize(self) -> None:
        self.call_after_refresh(self._apply_split)

    # --- messages -------------------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            # Every key as it arrives, before a widget takes it (a key typed into a field
            # never bubbles up to `_on_key`): builds beside the UI give way to it from now
            # (threadtui.pacing, via the query controller), and idle collections wait.
            self._last_key = time.monotonic()
            # Answered in steps the loop may interleave with a frame (and the pane's
            # build after it): while one is, the cursor is not where it will rest.
            self._keys_answering += 1
            try:
                await super().on_event(event)
            finally:
                self._keys_answering -= 1
            return
        await super().on_event(event)

    async def _on_key(self, event: events.Key) -> None:
        # Textual hands a key to the widget focused when it arrives. Keys arriving together
        # (typed fast, pasted, or in one read over a slow SSH link) all go to the tree
        # before "/" opens the search field: "/lev" would run l, e and v as tree keys and
        # the field would stay empty. A text field eats every character typed into it,
        # so a character that reaches the app while one has the focus was queued before
        # the focus moved: it goes to the field, not to the app's bindings ("f", "a"...).
        # (Textual runs App._on_key after this one unless the default is prevented.)
        focused = self.focused
        if isinstance(focused, Input) and event.is_printable:
            event.stop()
            event.prevent_default()
            focused.post_message(events.Key(event.key, event.character))

    def _show_post(self, index: int | None) -> None:
        if not self._detail_follows:
            self._show_detail()
            return
        # The cursor's move is drawn first, alone; the detail pane, which costs most of a
        # key's frame (a whole pane of new lines), in the frame after it. A key shows at
        # once, and keys pressed faster than frames (a held j) rebuild the pane once a
        # frame at most, for the post the cursor is on by then, not once a key.
        if not self._detail_pending:
            self._detail_pending = True
            self._detail_deferred = 0
            self._detail_seen = index
            # A callback "after refresh" runs at the screen's next idle when it has nothing
            # to paint, and the tree's repaint reaches the screen only at the tree's own
            # idle, later: the pane was built (and its lines drawn) before the cursor's
            # frame, delaying it. The screen learns of the repaint now.
            tree = self.query_one(ThreadTree)
            tree.screen.post_message(messages.Update(tree))
            self.call_after_refresh(self._detail_due)

    def _detail_due(self) -> None:
        """The frame after a cursor move: the pane shows the cursor's post, unless the
        cursor is still moving."""
        index = self.query_one(ThreadTree).highlighted
        moving = index != self._detail_seen or self._key_waiting()
        if moving and self._detail_deferred < DETAIL_DEFER_MAX:
            # Keys typed or held faster than the app answers them (the cursor moved again
            # since the last frame, or a key waits): building the pane, a whole pane of
            # new lines, for a post the cursor is leaving would only delay the keys' own
            # frames. It is built once the cursor rests for a frame, for the post it
            # rests on. Bounded: keys that never pause still see it follow every few
            # frames.
            self._detail_deferred += 1
            self._detail_seen = index
            self.call_after_refresh(self._detail_due)
            return
        self._show_detail()

    def _show_detail(self) -> None:
        self._detail_pending = False
        index = self.query_one(ThreadTree).highlighted
        self.query_one(DetailPane).show(index)
        self._post_shown(index)
        if self.queries.search is not None:
            self.refresh_status()

    def _key_waiting(self) -> bool:
        """Whether a key is being answered by the app (whose bindings run the widgets'
        actions), or waits for it or for the focused widget it is handed to. Textual
        offers no view of a pump's pending messages: its queue (`textual._queue.Queue`)
        keeps them in `values`, and the one it looked ahead at in `_pending_message`,
        which this reads (textual is pinned; the tests of a burst of keys fail if they
        move)."""
        if self._keys_answering:
            return True
        for pump in (self, self.focused):
            if pump is None:
                continue
            if isinstance(pump._pending_message, events.Key):
                return True
            queued: Iterable[object] = pump._message_queue.values
            if any(isinstance(message, events.Key) for message in queued):
                return True
        return False

    def _first_frame_drawn(self) -> None:
        # The first frame shows the post under the cursor with the tree, in one frame.
        self._detail_follows = True
        self.set_timer(HELP_PREPARE_AFTER, self._prepare_help, name="prepare help")

    # --- search and filter ----------------------------------------------------------------

    def action_search(self) -> None:
        self._search_origin = self.query_one(ThreadTree).cursor_post
        self.query_one(QueryBar).open("search", self.queries.search_text)
        self._cover_tree()

    def action_filter(self) -> None:
        self.query_one(QueryBar).open("filter", self.queries.filter_text)
        self._cover_tree()

    def _cover_tree(self) -> None:
        # The bar lies over the panes: the tree keeps its cursor above it.
        tree = self.query_one(ThreadTree)
        bar = self.query_one(QueryBar)
        tree.covered = max(0, tree.region.bottom - bar.top) if bar.is_open else 0
        tree.reveal_cursor()

    def action_leave_search(self) -> None:
        if self.fetching is not None and not self._fetch_quiet:
            # While a fetch runs, Escape stops it first (the loading line says so); the
            # next Escape leaves the search.
            self.action_stop_fetch()
            return
        # Escape in the panes leaves a search kept with Enter: highlights and counter go.
        if self.queries.search is None and not self.queries.search_text:
            return
        self.queries.clear_search()
        self._search_done(None)

    def action_clear(self) -> None:
        self.queries.clear_search()
        self._search_done(None)
        self.queries.run_filter("", self._filter_done)

    def action_next_match(self, step: int) -> None:
        tree = self.query_one(ThreadTree)
        if self.queries.search is None:
            # A key name from the user's key map ("[" is one): text, never markup.
            key = self.key_for("app.search")
            self.notify_content(Content(f"No search: press {key} to search"), timeout=3)
            return
        found = self.queries.next_match(tree.cursor_post, step, tree.is_visible_in_view)
        if found is None:
            self.notify("No match is shown (the filter hides them)", timeout=3)
            return
        tree.move_to_post(found)

    def action_pick_authors(self) -> None:
        # The marks come from the filter as it stands, however it was made.
        from threadtui.ui.pickers import AuthorPicker

        current = self.queries.filter
        chosen: set[str] = set() if current is None else set(current.query.authors)
        self.push_screen(AuthorPicker(self.thread, chosen), self._authors_picked)

    def _authors_picked(self, chosen: list[AuthorChoice] | None) -> None:
        from threadtui.query import format_from, replace_filters
        from threadtui.ui.pickers import UNKNOWN

        if chosen is None:
            return
        names = ["?" if c.key == UNKNOWN else c.handle or c.key for c in chosen]
        self._set_filter(replace_filters(self.queries.filter_text, {"from"}, format_from(names)))

    def action_pick_time(self) -> None:
        from threadtui.ui.pickers import TimePicker

        if self.thread.time_range is None:
            self.notify("No post in this thread has a time", severity="warning", timeout=3)
            return
        query = self.queries.filter.query if self.queries.filter is not None else None
        self.push_screen(
            TimePicker(
                self.thread,
                glyphs=self.glyphs,
                ascii_bars=self.settings.ascii,
                tz=self.tz,
                after=getattr(query, "after", None),
                before=getattr(query, "before", None),
            ),
            self._time_picked,
        )

    def _time_picked(self, picked: tuple[float | None, float | None] | None) -> None:
        from threadtui.query import format_time_range, replace_filters

        if picked is None:
            return
        after, before = picked
        assert self.thread.time_range is not None
        addition = format_time_range(
            after, before, tz=self.tz, relative_to=self.thread.time_range[0]
        )
        self._set_filter(replace_filters(self.queries.filter_text, {"after", "before"}, addition))

    def _set_filter(self, text: str) -> None:
        self.queries.run_filter(text, self._filter_done)
        bar = self.query_one(QueryBar)
        if bar.is_open and bar.mode == "filter":
            bar.open("filter", text)

    @on(QueryBar.Changed)
    def _query_changed(self, message: QueryBar.Changed) -> None:
        if message.mode == "search":
            self.queries.run_search(message.text, self._search_done)
        else:
            self.queries.run_filter(message.text, self._filter_done)

    @on(QueryBar.Closed)
    def _query_closed(self, message: QueryBar.Closed) -> None:
        if message.mode == "search" and not message.keep:
            # Escape leaves search; the cursor stays where the search took it. With no
            # search there is nothing to clear (and the panes nothing to redraw).
            if self.queries.search is not None or self.queries.search_text:
                self.queries.clear_search()
                self._search_done(None)
        elif message.mode == "filter" and not message.keep:
            # Escape on a filter that does not parse keeps the filter in force; a late
            # error for the abandoned text must not open the bar again.
            current = self.queries.filter
            if current is None or current.text.strip() != message.text.strip():
                self.queries.filter_text = "" if current is None else current.text
        # At once, for the same reason as QueryBar.open.
        self.screen.set_focus(self.query_one(ThreadTree))
        self._cover_tree()

    def _search_done(self, outcome: SearchState | Failed | None) -> None:
        bar = self.query_one(QueryBar)
        tree = self.query_one(ThreadTree)
        detail = self.query_one(DetailPane)
        if isinstance(outcome, Failed):
            self._show_failure("search", outcome)
            return
        if outcome is None:
            tree.set_highlight(None, None)
            detail.set_highlight(None)
            bar.show_status("")
        else:
            tree.set_highlight(outcome.spans, outcome.result.member, outcome.below)
            detail.set_highlight(outcome.spans)
            if outcome.refines:
                # The exact count after the window already shown: the cursor stays.
                cursor = tree.cursor_post
                if cursor is not None:
                    bar.show_status(outcome.result.counter(cursor))
                else:
                    bar.show_status(f"-/{outcome.result.count}")
                self.refresh_status()
                return
            origin = self._search_origin
            target = None
            if origin is not None and outcome.result.member[origin]:
                target = origin
            elif outcome.result.count:
                target = self.queries.next_match(origin, 1, tree.is_visible_in_view)
            before = tree.cursor_post
            if target is not None:
                tree.move_to_post(target)
            count = outcome.result.count
            bar.show_status(outcome.result.counter(target) if target is not None else f"0/{count}")
            if tree.cursor_post != before:
                # The cursor moved: the new post's detail is shown with the new highlights.
                self.refresh_status()
                return
        self.refresh_status()
        detail.show(detail.index, keep_selection=True)

    def _filter_done(self, outcome: FilterState | Failed | None) -> None:
        bar = self.query_one(QueryBar)
        tree = self.query_one(ThreadTree)
        if isinstance(outcome, Failed):
            self._show_failure("filter", outcome)
            return
        tree.set_filter(None if outcome is None else outcome.layout)
        bar.show_status("" if outcome is None else outcome.view.status())
        self.refresh_status()

    def _show_failure(self, mode: Literal["search", "filter"], failed: Failed) -> None:
        bar = self.query_one(QueryBar)
        if not bar.is_open or bar.mode != mode:
            # Enter closed the bar before the error came back: open it again to say why.
            bar.open(mode, failed.text)
            self._cover_tree()
        bar.show_status(failed.error.message, error=True, failed=failed.text)

    @on(DetailPane.JumpTo)
    def _jump(self, message: DetailPane.JumpTo) -> None:
        tree = self.query_one(ThreadTree)
        if tree.move_to_post(message.index):
            tree.focus()
        else:
            self.notify("That post is hidden by the current filter", severity="warning", timeout=4)

    # --- what is new since the last visit (threadtui.state) -------------------------------

    @property
    def shows_new(self) -> bool:
        """Whether some post is marked new. Not on a first visit: every post is new then,
        and a mark on every row says nothing."""
        state = self.read_state
        return state is not None and not state.first_visit and state.new_count > 0

    def _restore_read_state(self, tree: ThreadTree) -> None:
        state = self.read_state
        if state is not None:
            state.on_error = self._state_error_from_thread
            if not state.ready:
                # Hashing every post for the marks is O(posts): after the first frame, in
                # a worker; the marks, the count and the jumps come a moment later (#15).
                state.defer()
                self.call_after_refresh(self._prepare_read_state)
            if not state.first_visit:
                tree.set_new_marks(state.is_new)
                self.query_one(DetailPane).is_new = state.is_new
        # The post a URL links to (reopened from the cache) takes the cursor here, before
        # anything is drawn: the detail pane is built once, for it, and the remembered
        # cursor is not placed (found, its branch shown, its post drawn) only to be moved.
        if self._go_to_anchor() or state is None:
            return
        # The file says where the cursor's post was: one hash finds it, not all of them.
        cursor = state.cursor
        # A search given on the command line places the cursor itself.
        if cursor is not None and not self.initial_search:
            tree.move_to_post(cursor)

    def _prepare_read_state(self) -> None:
        self.run_worker(self._read_state_worker, thread=True, group="read-state", name="marks")

    def _read_state_worker(self) -> None:
        state = self.read_state
        if state is None:
            return
        state.prepare_beside_ui()
        # RuntimeError: the app has stopped, and there is nothing to draw.
        with contextlib.suppress(RuntimeError):
            self.call_from_thread(self._read_state_ready)

    def _read_state_ready(self) -> None:
        """The marks are worked out: the rows, the detail's header, the status line and the
        footer's jumps take them in."""
        state = self.read_state
        if state is None or self.return_code is not None:
            # Quit while the worker hashed (q at once on a big thread): the widgets to
            # draw the marks on are gone, and the state is saved on the way out.
            return
        if self.shows_new:
            self.query_one(ThreadTree).set_new_marks(state.is_new)
            detail = self.query_one(DetailPane)
            detail.is_new = state.is_new
            if detail.index is not None:
                detail.show(detail.index, keep_selection=True)
        self.refresh_status()
        self.refresh_bindings()
        if state.dirty:
            state.save_soon()

    def _post_shown(self, index: int | None) -> None:
        """Its detail is on screen: the post is read, and the cursor is remembered there."""
        state = self.read_state
        if state is None or index is None:
            return
        state.mark_read(index)
        state.cursor = index
        if state.dirty:
            # Reading fast through posts writes once, off the UI thread.
            state.save_soon()

    def _read_state_status(self) -> Part | None:
        state = self.read_state
        words = "" if state is None else state.summary(self.tz)
        if not words:
            return None
        style = "bold $text-success" if self.shows_new else "$text-muted"
        return Part.of(1, Content.styled(words, style))

    def action_next_new(self) -> None:
        self._jump_to_new(1)

    def action_previous_new(self) -> None:
        self._jump_to_new(-1)

    def _jump_to_new(self, step: int) -> None:
        state = self.read_state
        if state is None or not self.shows_new:
            return
        tree = self.query_one(ThreadTree)
        start = position = tree.cursor_post
        for _ in range(state.new_count):
            found = state.next_new(position) if step > 0 else state.previous_new(position)
            if found is None:
                break
            if tree.is_visible_in_view(found):
                # Folded branches on the way open (TreeRows.move_to reveals).
                tree.move_to_post(found)
                self._say_if_wrapped(start, found, step)
                return
            position = found
        self.notify("No new post is shown (the filter hides them)", timeout=3)

    def _say_if_wrapped(self, start: int | None, found: int, step: int) -> None:
        if start is None or start == found:
            return
        rank = self.thread.rank
        if (rank[found] - rank[start]) * step < 0:
            where = "first" if step > 0 else "last"
            self.notify(f"Back to the {where} new post", timeout=2)

    def action_mark_all_read(self) -> None:
        state = self.read_state
        if state is None:
            return
        count = state.mark_all_read()
        state.save_soon()
        # Drawn again with no marks; the detail pane's header loses its "new".
        self.query_one(ThreadTree).set_new_marks(state.is_new)
        detail = self.query_one(DetailPane)
        detail.show(detail.index, keep_selection=True)
        current = self.queries.filter
        if current is not None and current.query.is_new is not None:
            # is:new kept what was new: nothing is now.
            self.queries.run_filter(self.queries.filter_text, self._filter_done)
        self.refresh_bindings()
        self.refresh_status()
        unread = f" ({count:,} not read yet)" if count else ""
        self.notify(f"Every post is marked read{unread}", timeout=3)

    def _state_error_from_thread(self, message: str) -> None:
        # Called on save_soon's timer thread.
        try:
            self.call_from_thread(self._state_error, message)
        except RuntimeError:
            # The app has stopped: say it once the terminal is back.
            self.exit_messages.append(message)

    def _state_error(self, message: str) -> None:
        # The message holds a path from the environment: text, never markup.
        self.notify(Content(message), title="Not saved", severity="error", timeout=8)  # type: ignore[arg-type]  # Content: shown as is, never read as markup

    def _open_read_state(self) -> None:
        """A thread fetched in the app knows what it is only once posts came: its read
        state opens then (marks from an earlier visit included)."""
        from threadtui.state import open_state

        state, warnings = open_state(self.thread)
        self.read_state = state
        if warnings:
            self.notify_content(Content("; ".join(warnings)), severity="warning", timeout=8)
        state.on_error = self._state_error_from_thread
        # Marks only: the cursor stays on the post the URL links to.
        if self.shows_new:
            self.query_one(ThreadTree).set_new_marks(state.is_new)
            self.query_one(DetailPane).is_new = state.is_new
        self.refresh_bindings()

    def on_posts_added(self, message: PostsAdded) -> None:
        """The thread grew: the read state follows it by post id (what arrived is new
        unless it was read before), and the marks and the status line with it."""
        state = self.read_state
        if state is None:
            return
        state.rebind(self.thread)
        if self.shows_new:
            self.query_one(ThreadTree).set_new_marks(state.is_new)
            self.query_one(DetailPane).is_new = state.is_new
        self._base_status = None
        self.refresh_status()
        self.refresh_bindings()

    def save_read_state(self) -> None:
        """Write what was read now (at exit); a failure is told on stderr after exit."""
        from threadtui.state import StateError, save_error

        state = self.read_state
        if state is None:
            return
        try:
            state.flush()
        except (OSError, StateError) as error:
            message = save_error(state.path, error)
            if message not in self.exit_messages:
                self.exit_messages.append(message)

    async def action_quit(self) -> None:
        # The file watch's thread must end with the app: the process waits for it.
        self.stop_following(quiet=True)
        if self.fetching is not None:
            # The worker thread must not outlive the app's loop (its messages would have
            # nowhere to go): stop it, then quit.
            self.fetching.cancel()
        self.save_read_state()
        await super().action_quit()

    def on_unmount(self) -> None:
        self.stop_following(quiet=True)
        # However the app ends (quit, an error, a signal), what was read is kept.
        self.save_read_state()

    # --- a thread fetched while the app is up, and refreshed in place ----------------------
    # Kept apart from the rest: the fetch feeds the thread through Thread.add, and the tree,
    # the detail pane, the status line and the queries take in what changed.

    def _mount_fetch(self) -> None:
        for notice in self._notices:
            # Where the thread came from is news, not a problem (a warning would say so).
            # After the first frame: a toast is a widget to import and mount, and a URL
            # from the cache must cost no more than its saved file (issue #12).
            self.call_after_refresh(self.notify_content, Content(notice), timeout=6)
        if self._fetch_on_start:
            early, self._early_fetch = self._early_fetch, None
            self._start_fetch(refresh=False, early=early)
        # A thread opened whole (from the cache) had its anchor placed with the read state.

    def _start_fetch(
        self, *, refresh: bool, quiet: bool = False, early: EarlyFetch | None = None
    ) -> None:
        """`quiet`: no loading line (a refresh while following: the status line says it
        runs, and the panes do not lose a line every minute). `early`: the fetch is
        running already (cli started it); what it held until now is handed over."""
        from threadtui.fetch.run import FetchOptions

        assert self.url is not None
        options = self.fetch_options or FetchOptions()
        if refresh:
            options = options._replace(refresh=True, offline=False)
        fetch = LiveFetch(self, self.url, options) if early is None else early.fetch
        self.fetching = fetch
        self._refreshing = refresh
        self._arrived = []
        self._fetch_changed = False
        self._fetch_quiet = quiet
        if self.schedule is not None:
            self.schedule.began()
        if refresh and self.schedule is None:
            self.new_posts = set()
        elif refresh:
            # Following: counted afresh once a refresh brings a post, so that the line
            # keeps saying what the last news was through the empty refreshes after it.
            self._new_reset = True
        if not quiet:
            line = self.query_one(LoadingLine)
            line.stop_key = self.key_for("app.leave-search")
            line.start(fetch, "Refreshing" if refresh else "Fetching")
        if early is None:
            self.run_worker(fetch.run, thread=True, group="fetch", name="fetch")
        else:
            early.sink.attach(ToApp(self))
        self.refresh_bindings()

    def action_stop_fetch(self) -> None:
        if self.fetching is not None:
            self.fetching.cancel()

    def action_refresh_thread(self) -> None:
        if self.url is None:
            self.notify("Only a thread opened from a URL can be refreshed", timeout=3)
            return
        if self.fetching is None:
            self._anchor_done = True
            self._start_fetch(refresh=True)

    @on(FetchProgress)
    def _fetch_progress(self, message: FetchProgress) -> None:
        if self.fetching is None:
            return
        self.fetching.progress = message.progress
        self.query_one(LoadingLine).update_line()

    @on(PostsArrived)
    def _posts_arrived(self, message: PostsArrived) -> None:
        if self.fetching is None:
            return
        batch = self.fetching.take()
        self._anchor = self._anchor or batch.anchor
        # Read and checked in the worker: here only linked (see LiveFetch._prepare).
        arrived = batch.one()
        if arrived is not None:
            self._grow(arrived)
        self._go_to_anchor()

    @on(FetchFinished)
    def _fetch_finished(self, message: FetchFinished) -> None:
        from threadtui.fetch.cache import age_text

        fetch, self.fetching = self.fetching, None
        self.query_one(LoadingLine).stop()
        self.refresh_bindings()
        if fetch is None:
            return
        # Whatever the worker read and the UI did not take yet.
        rest = fetch.take()
        self._anchor = self._anchor or rest.anchor
        if rest.documents:
            self._grow(merged(rest.documents))
        result = message.result
        if message.final is not None:
            self._grow(message.final)
        if result is not None:
            self._settle(result, message.ids or set())
            self._anchor = self._anchor or result.anchor
            self._go_to_anchor()
            for line in [*result.warnings, *([result.missing] if result.missing else [])]:
                self.notify_content(Content(line), severity="warning", timeout=8)
            if result.cached_age is not None:
                self.notify_content(
                    Content(f"From the cache, fetched {age_text(result.cached_age)}")
                )
        count = self.thread.real_post_count
        repeated = self.schedule is not None and message.error == self._follow_error
        self._follow_error = message.error
        if message.error is not None and not repeated:
            # Following, the same failure every few minutes is said once.
            kept = f" (kept the {count:,} posts that came)" if count else ""
            self.notify_content(Content(message.error + kept), severity="error", timeout=10)
        elif message.cancelled:
            self.notify_content(
                Content(f"Fetch stopped: kept the {count:,} posts that came"), timeout=5
            )
        ended = self.follow_clock()
        self._fetch_ended = ended
        if message.retry_after:
            # Kept apart from the schedule: following turned on (again) later honours it.
            self._not_before = max(self._not_before, ended + message.retry_after)
        if self._refreshing and result is not None:
            self._refreshed_at = self._clock_text(ended)
            self.follow.last = ended
        if self.schedule is not None:
            self.schedule.record(
                ended,
                # The first fetch ending is the thread arriving: the base interval follows.
                changed=self._fetch_changed or not self._refreshing,
                requests=max(1, result.requests if result is not None else 1),
                retry_after=message.retry_after,
            )
        if self.read_state is None and self.thread.real_post_count:
            self._open_read_state()
        self._base_status = None
        self.refresh_status()
        # The fetch is over: the thread stays as it is now, and search can index it.
        self.queries.start_index()

    def _grow(self, document: object) -> Change | None:
        """Merge posts into the open thread and show them where they belong."""
        from threadtui.model import ThreadFileError

        try:
            change = self.thread.add(document)
        except ThreadFileError as error:
            self.notify_content(Content(error.message), severity="warning", timeout=6)
            return None
        self._counts.update(self.thread, change)
        if change.empty:
            return change
        self._fetch_changed = True
        tree = self.query_one(ThreadTree)
        # Splice even with nothing added: changed posts (metrics, text) draw again.
        tree.splice(change.added, entered=change.entered)
        detail = self.query_one(DetailPane)
        # A post shown can read differently, or have new replies or another parent.
        touched = {*change.changed, *change.gained_children, *change.moved}
        if detail.index is not None and detail.index in touched:
            detail.show(detail.index, keep_selection=True)
        elif detail.index is None:
            tree.highlighted = tree.cursor_post
        self.query_one("#title", Static).update(self._header())
        self._base_status = None
        self.queries.grown()
        # The filter and search describe the thread before: they run again on it.
        if self.queries.filter_text.strip():
            self.queries.run_filter(self.queries.filter_text, self._filter_done)
        if self.queries.search_text.strip():
            self.queries.run_search(self.queries.search_text, self._search_done)
        real = [i for i in change.added if not self.thread.posts[i].synthetic]
        if real:
            self._arrived.extend(real)
            if self._refreshing:
                if self._new_reset:
                    self.new_posts, self._new_reset = set(), False
                self.new_posts.update(self.thread.posts[i].id for i in real)
            self.post_message(PostsAdded(real, new=self._refreshing))
        self.refresh_status()
        return change

    def _settle(self, result: object, ids: set[str]) -> None:
        """After a whole fetch: the thread's own description, and posts gone upstream."""
        from threadtui.fetch.run import FetchResult

        assert isinstance(result, FetchResult)
        fetched = result.thread
        thread = self.thread
        for name in ("title", "summary", "url", "root_id", "details", "raw_details", "source"):
            value = getattr(fetched, name)
            if value:
                setattr(thread, name, value)
        self.query_one("#title", Static).update(self._header())
        if not self._refreshing or result.missing or not ids:
            # A fetch that stopped partway says nothing about what it did not reach.
            return
        gone = [
            i
            for i, post in enumerate(thread.posts)
            if not post.synthetic and post.id not in ids and post.status == "ok"
        ]
        if gone:
            self._mark_deleted(gone)

    def _mark_deleted(self, indexes: list[int]) -> None:
        """Posts the platform no longer returns stay, marked deleted: never silently gone."""
        import msgspec

        thread = self.thread
        self._fetch_changed = True
        for i in indexes:
            thread.posts[i] = msgspec.structs.replace(thread.posts[i], status="deleted")
        thread.invalidate()
        self.query_one(ThreadTree).splice([])
        detail = self.query_one(DetailPane)
        if detail.index in set(indexes):
            detail.show(detail.index, keep_selection=True)
        self.queries.grown()

    def _go_to_anchor(self) -> bool:
        """Put the cursor on the linked post, once; whether it did."""
        anchor = self._anchor
        if anchor is None or self._anchor_done:
            return False
        index = self.thread.by_id.get(anchor)
        if index is None:
            return False
        # Once: after that the cursor is the user's (a refresh never moves it).
        self._anchor_done = True
        self.query_one(ThreadTree).move_to_post(index)
        return True

    def _fetch_status(self) -> list[Part]:
        if self.schedule is not None:
            return [self.follow.status()]
        if not self._refreshing or self._refreshed_at is None:
            return []
        new = len(self.new_posts)
        text = f"refreshed {self._refreshed_at} {self.glyphs.separator.strip()} {new:,} new"
        return [Part.of(0, Content.styled(text, "$text-success"))]

    def _clock_text(self, when: float) -> str:
        return datetime.fromtimestamp(when, self.tz).strftime("%H:%M")

    # --- following a thread as it grows (--follow, F) -------------------------------------
    # The schedule, the file watch and the timers are ui/following.py's (self.follow); here
    # are only the key, the messages and what the rest of the app asks.

    # On the app, not the controller: a subclass (the tests') sets its own.
    FOLLOW_TICK: ClassVar[float] = 1.0
    """Seconds between looks at the schedule: a comparison, no drawing unless due."""
    FILE_POLL: ClassVar[float] = 1.0
    """Seconds between looks at a followed file's stat."""

    @property
    def schedule(self) -> Schedule | None:
        """While following: when the next refresh is due; None when not following."""
        return self.follow.schedule

    # The tests wait on the watch's thread through these two.
    @property
    def _file_watch(self) -> FileWatch | None:
        return self.follow.file_watch

    @property
    def _follower(self) -> Follower | None:
        return self.follow.follower

    @property
    def can_follow(self) -> bool:
        return self.follow.can_follow

    @property
    def following(self) -> bool:
        return self.follow.following

    def action_toggle_follow(self) -> None:
        self.follow.toggle()

    def start_following(self, *, quiet: bool = False) -> None:
        self.follow.start(quiet=quiet)

    def stop_following(self, *, quiet: bool = False) -> None:
        self.follow.stop(quiet=quiet)

    def _follow_tick(self) -> None:
        self.follow.tick()

    def _app_focus_changed(self, focused: bool) -> None:
        self.follow.focus_changed(focused)

    @on(FileNews)
    def _file_news(self, message: FileNews) -> None:
        self.follow.file_news(message.event)

    # --- actions --------------------------------------------------------------------------

    def action_switch_pane(self) -> None:
        tree = self.query_one(ThreadTree)
        detail = self.query_one(DetailPane)
        target = detail if tree.has_focus else tree
        if self.has_class("-zoom"):
            self._zoom_to(target)
        target.focus()

    def _zoom_to(self, target: ThreadTree | DetailPane) -> None:
        tree = self.query_one(ThreadTree)
        detail = self.query_one(DetailPane)
        tree.display = target is tree
        detail.display = target is detail

    def action_zoom(self) -> None:
        zoom = not self.has_class("-zoom")
        self.set_class(zoom, "-zoom")
        tree = self.query_one(ThreadTree)
        detail = self.query_one(DetailPane)
        if zoom:
            self._zoom_to(detail if detail.has_focus else tree)
        else:
            tree.display = True
            detail.display = True
        # The pane left alone takes the whole width (and, stacked, the whole height).
        self._apply_split()

    def action_resize(self, step: int) -> None:
        self.tree_width = max(15, min(85, self.tree_width + step))
        self._apply_split()

    def action_toggle_time(self) -> None:
        tree = self.query_one(ThreadTree)
        tree.time_display = "absolute" if tree.time_display == "relative" else "relative"
        self.notify(f"Times shown as {tree.time_display}", timeout=2)

    def _focused_post(self) -> int | None:
        detail = self.query_one(DetailPane)
        if detail.has_focus:
            return detail.selected_post()
        return self.query_one(ThreadTree).cursor_post

    def post_link(self, index: int) -> str | None:
        # The loader keeps only http(s) URLs without spaces or control characters.
        return self.thread.posts[index].url

    def action_copy(self) -> None:
        index = self._focused_post()
        if index is None:
            return
        post = self.thread.posts[index]
        text = post.text or ""
        link = self.post_link(index)
        payload = f"{text}\n\n{link}" if link else text
        if not payload:
            self.notify("Nothing to copy: this post has no text", severity="warning", timeout=3)
            return
        self.copy_to_clipboard(payload)
        what = "text and link" if link and text else ("link" if link else "text")
        self.notify(f"Copied the post's {what} ({len(payload):,} characters)", timeout=3)

    def action_open_link(self) -> None:
        index = self._focused_post()
        if index is None:
            return
        links = post_links(self.thread.posts[index])
        if not links:
            self.notify("This post has no links", timeout=3)
        elif len(links) == 1:
            self.open_link(links[0])
        else:
            self.push_screen(LinkPicker(links), self._picked_link)

    def _picked_link(self, url: str | None) -> None:
        if url:
            self.open_link(url)

    def open_link(self, url: str) -> None:
        if can_open_browser():
            self.open_url(url)
            opening = Content.assemble("Opening ", Content(url))
            self.notify(opening, timeout=3)  # type: ignore[arg-type]  # Content: shown as is, never read as markup
        else:
            # Over SSH a browser would start on the remote machine (or take over this
            # terminal): hand the link to the user's own clipboard instead.
            self.copy_to_clipboard(url)
            copied = Content.assemble("No browser here; copied ", Content(url))
            self.notify(copied, timeout=4)  # type: ignore[arg-type]  # Content: shown as is, never read as markup

    def _help_screen(self) -> HelpScreen:
        """The help page, built once and kept (installed): composing, styling and wrapping
        it was most of what `?` cost. Only the thread's dates can change since."""
        from threadtui.ui.help import (
            HelpScreen,
            binding_rows,
            extra_keys,
            language_rows,
            symbol_rows,
        )

        keymap = dict(self.settings.keymap)
        sections = [
            ("Tree", binding_rows(ThreadTree.BINDINGS, keymap)),
            ("Tree symbols", symbol_rows(self.glyphs)),
            ("Detail pane (Tab to focus)", binding_rows(DetailPane.BINDINGS, keymap)),
            # With --no-mouse (or mouse = false) a click does nothing: not offered.
            (
                "Anywhere",
                binding_rows(self.BINDINGS, keymap)
                + (extra_keys(self.glyphs) if self.settings.mouse else []),
            ),
            ("Search (/) and filter (f) language", language_rows(self.thread, self.tz)),
        ]
        if self.is_screen_installed(HELP_SCREEN):
            help_screen = self.get_screen(HELP_SCREEN)
            assert isinstance(help_screen, HelpScreen)
            help_screen.set_sections(sections)
        else:
            help_screen = HelpScreen(sections)
            self.install_screen(help_screen, name=HELP_SCREEN)
        return help_screen

    async def _prepare_help(self) -> None:
        """Compose and lay out the help page in a quiet moment after the first frame, so
        that the first `?` only shows it: composing, mounting and the first layout (which
        lays the screen below out again as the page learns its size) were most of that
        key."""
        if self.is_screen_installed(HELP_SCREEN):
            return
        if time.monotonic() - self._last_key < HELP_PREPARE_QUIET:
            # Keys are coming: not now, not in their way.
            self.set_timer(HELP_PREPARE_QUIET, self._prepare_help, name="prepare help")
            return
        # What push_screen does before it shows a screen (Textual's own steps, private:
        # textual is pinned): start it, which composes and mounts it, then lay it out at
        # the terminal's size. Shown later, it is laid out again only if the size changed.
        screen, mounted = self._get_screen(self._help_screen())
        await mounted
        if screen is not self.screen:
            screen._refresh_layout(self.size)

    def action_help(self) -> None:
        from threadtui.ui.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(self._help_screen())

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        tree = self.query_one(ThreadTree)
        yield SystemCommand("Help: all keys", "Show every key threadtui knows", self.action_help)
        yield SystemCommand(
            "Warnings",
            f"Read the {self.warning_count:,} warnings about this thread and the settings",
            self.action_warnings,
        )
        yield SystemCommand("Expand all", "Unfold every branch", tree.action_expand_all)
        yield SystemCommand(
            "Collapse to roots",
            "Fold everything below the first level",
            lambda: tree.action_collapse_depth(1),
        )
        yield SystemCommand(
            "Toggle time display", "Relative (+21m) or absolute times", self.action_toggle_time
        )
        yield SystemCommand("Copy post", "Copy the post's text and link", self.action_copy)
        yield SystemCommand("Open link", "Open a link of the post", self.action_open_link)
        yield SystemCommand("One pane/two panes", "Show only the focused pane", self.action_zoom)
        if self.shows_new:
            yield SystemCommand(
                "Next new post",
                "Jump to the next post new since your last visit",
                self.action_next_new,
            )
            yield SystemCommand(
                "Previous new post",
                "Jump to the previous post new since your last visit",
                self.action_previous_new,
            )
        if self.read_state is not None:
            yield SystemCommand(
                "Mark all read", "Count every post as read: none is new", self.action_mark_all_read
            )
        if self.url is not None and self.fetching is None:
            yield SystemCommand(
                "Refresh", "Fetch the thread again and mark what is new", self.action_refresh_thread
            )
        if self.can_follow:
            yield SystemCommand(
                "Stop following" if self.following else "Follow",
                "Stop refreshing as the thread grows"
                if self.following
                else "Refresh as the thread grows (a file: read it again when it changes)",
                self.action_toggle_follow,
            )


def _import_all() -> None:
    """Import what the app imports only when first used, so that it is in memory."""
    for name in LATER:
        pacing.pause()  # between imports, off the interpreter while keys come (issue #16)
        importlib.import_module(name)


def run_app(app: ThreadApp, *, mouse: bool = True) -> None:
    app.run(mouse=mouse)
    for message in app.exit_messages:
        print(f"threadtui: {message}", file=sys.stderr)
    if app.return_code:
        sys.exit(app.return_code)


__all__ = ["ThreadApp", "run_app"]

"""Search and filter state for the app, and the workers that compute it.

Per keystroke the UI thread only posts a job; parsing and matching run in a thread worker
(exclusive per kind, so a newer keystroke cancels an older search, which checks for that
as it goes, even inside a long regex call). Results come back to the UI thread, which
repaints only what is on screen.

A search or filter comes back in two steps when the thread is big: first the matches
around the cursor (`query.window.first_matches`: its cost follows the matches on
screen, not the posts held), shown at once with "≥50 matches…" (a filter shows just
those, with their context); then, in the same worker, the full pass for the exact count,
`n`/`N` and the filtered rows beyond the window (`refines`: a search keeps its cursor; a
filter keeps its cursor's post, which the full result still shows). A newer keystroke
cancels the full pass like any other.

A job never dies of an error: whatever the query layer raises comes back as `Failed`,
shown in the query bar, because an exception in a worker would end the app
(`WorkerFailed`) over one odd query.
"""

from __future__ import annotations

import queue
import sys
import threading
import time
import weakref
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo
from functools import partial
from itertools import compress
from typing import TYPE_CHECKING, Any, Literal

from textual.worker import get_current_worker

from threadtui import gcpolicy, pacing
from threadtui.model import Thread
from threadtui.model.thread import MarkedBelow
from threadtui.rows import FilterLayout, visible_of

if TYPE_CHECKING:
    # The query package is imported by the workers that first need it, after the first
    # frame: at startup its 25 ms are a tenth of the time to draw a 100,000-post thread.
    from threadtui.query import FilterView, MatchResult, Query, QueryError, SearchIndex
    from threadtui.ui.app import ThreadApp

Kind = Literal["search", "filter"]

FULL_PASS_DELAY = 0.15
"""Seconds between showing a search's window and starting its full pass."""
NARROW_ENOUGH = 2_048
"""Matches of the last search under which narrowing it costs no more than a window."""


@dataclass(frozen=True, slots=True)
class SearchState:
    text: str
    query: Query
    result: MatchResult
    below: MarkedBelow
    """Per post, how many matches its subtree hides when folded."""
    refines: bool = False
    """The full result after a window of the same search was shown: the cursor stays."""

    def spans(self, text: str) -> list[tuple[int, int]]:
        from threadtui.query import highlight_spans

        # Called while drawing, on the UI thread: a failure here must cost a highlight,
        # not the app.
        try:
            return highlight_spans(self.query, text)
        except Exception:
            return []


@dataclass(frozen=True, slots=True)
class FilterState:
    text: str
    query: Query
    layout: FilterLayout
    """The filter as the tree shows it; the tree keeps this same object while it shows it."""
    refines: bool = False
    """The full result after a window of the same filter was shown."""

    @property
    def view(self) -> FilterView:
        return self.layout.view


@dataclass(frozen=True, slots=True)
class Failed:
    text: str
    error: QueryError


class QueryController:
    """Owns the search index and the current search and filter of one thread."""

    def __init__(self, app: ThreadApp, thread: Thread, tz: tzinfo) -> None:
        self.app = app
        self.thread = thread
        self.tz = tz
        self._index: SearchIndex | None = None
        self._index_error: str | None = None
        self._ready = threading.Event()
        self.search: SearchState | None = None
        self.filter: FilterState | None = None
        self.search_text = ""
        self.filter_text = ""
        self._last: dict[Kind, MatchResult] = {}
        self.new_marks: Callable[[], bytes | None] = lambda: None
        self.search_origin: Callable[[], int | None] = lambda: None
        """The post the cursor was on when the search opened: its window comes first."""
        self.filter_origin: Callable[[], int | None] = lambda: None
        """The post under the cursor (read on the UI thread): a filter's window starts there."""
        """What `is:new` keeps (`ReadState.new_marks`); None: every post is new."""
        self._local = threading.local()
        """`early`: how the running job shows a window before its full result."""
        self._unbuilt = False
        """The thread grew and no index is being built for it yet."""
        # Builds beside the UI give way to it while it answers a key. The app is held
        # weakly: this module-wide clock must not keep a closed app alive.
        if app is not None:  # (tests drive a controller without an app)
            app_ref = weakref.ref(app)
            pacing.follow(lambda: getattr(app_ref(), "_last_key", 0.0))

    # --- the index ------------------------------------------------------------------------

    def start_index(self) -> None:
        self._unbuilt = False
        ready = self._ready
        self.app.run_worker(
            partial(self._build_index, ready), thread=True, group="index", name="index"
        )

    def grown(self) -> None:
        """The thread gained or changed posts (a fetch, a refresh): the index is stale, and
        so is any result computed before. A new index is built now if a search or filter
        will run again, else when the next one starts."""
        old: list[object] = [self._index, self._last]
        self._index = None
        self._index_error = None
        stale, self._ready = self._ready, threading.Event()
        # Whoever waits on the old index wakes, and goes on to wait for the new one.
        stale.set()
        self._last = {}
        self._unbuilt = True
        if old[0] is not None or old[1]:
            # Freeing a 100,000-post index is tens of ms of deallocation: on the UI thread
            # it delayed the merged posts' frame (issue #15).
            release_elsewhere(old)
        if self.search_text.strip() or self.filter_text.strip():
            self.start_index()

    def _build_index(self, ready: threading.Event) -> None:
        # Seconds of pure Python at a million posts, while the user reads and presses keys:
        # in slices, giving way to the UI between them (`threadtui.pacing`).
        with pacing.beside_ui():
            self._build_index_paced(ready)

    def _build_index_paced(self, ready: threading.Event) -> None:
        from threadtui.query import QueryCancelled, SearchIndex

        def stale() -> bool:
            pacing.pause()
            return ready is not self._ready

        # Ready before a merge needs it to free this index (see `_Releaser`).
        _releaser.start()
        index: SearchIndex | None = None
        error_text: str | None = None
        try:
            index = SearchIndex(self.thread, cancel=stale)
        except QueryCancelled:
            # The thread grew meanwhile: a newer build is under way.
            return
        except Exception as error:
            # Jobs wait for the index: tell them it is not coming, or they wait forever.
            error_text = _describe(error)
        if ready is not self._ready:
            # The thread grew while this was built (it may have read it half-changed):
            # a newer build is under way.
            return
        self._index, self._index_error = index, error_text
        ready.set()
        if index is None:
            return
        # Folding, filters and search read these (O(posts) each to build): build them
        # here, before anyone waits on them. Metrics stay raw JSON until first read.
        thread = self.thread
        thread.derive_in_steps(pacing.pause)
        posts = thread.posts
        for start in range(0, len(posts), METRICS_SLICE):
            pacing.pause()
            for post in posts[start : start + METRICS_SLICE]:
                _ = post.metrics
        from threadtui.query import TreeText

        try:
            # Until this is set, a window scans its slices post by post: right, but slower.
            index.tree_text = TreeText(index, cancel=stale)
        except QueryCancelled:
            return
        from threadtui.ui.pickers import prepare

        # What `a` and `t` show, before they are asked (seconds at a million posts).
        prepare(thread, pause=pacing.pause)
        # The index lives as long as the thread.
        gcpolicy.lasting()

    def index(self) -> SearchIndex:
        """The index, waiting for the worker that builds it (only ever from a worker);
        raises QueryError if that worker failed."""
        from threadtui.query import QueryError

        ready = self._ready
        ready.wait()
        while ready is not self._ready:
            # The thread grew while this waited: the newer index.
            ready = self._ready
            ready.wait()
        if self._index is None:
            raise QueryError(f"search is unavailable: {self._index_error or 'no index'}")
        return self._index

    # --- jobs -----------------------------------------------------------------------------

    def run_search(self, text: str, done: Callable[[SearchState | Failed | None], None]) -> None:
        self.search_text = text
        self._start("search", text, done)

    def run_filter(self, text: str, done: Callable[[FilterState | Failed | None], None]) -> None:
        self.filter_text = text
        self._start("filter", text, done)

    def _start(self, kind: Kind, text: str, done: Callable[[Any], None]) -> None:
        if self._unbuilt:
            self.start_index()
        origin = self.search_origin() if kind == "search" else self.filter_origin()
        # Exclusive per kind: a newer keystroke cancels the search or filter still running.
        self.app.run_worker(
            partial(self._job, kind, text, done, self.thread.version, origin),
            thread=True,
            exclusive=True,
            group=kind,
            name=kind,
        )

    def _job(
        self,
        kind: Kind,
        text: str,
        done: Callable[[Any], None],
        version: int,
        origin: int | None = None,
    ) -> None:
        from threadtui.query import QueryCancelled, QueryError

        worker = get_current_worker()
        outcome: SearchState | FilterState | Failed | None = None
        if text.strip():

            def early(state: SearchState | FilterState) -> None:
                if not worker.is_cancelled:
                    self.app.call_from_thread(self._deliver, kind, state, done, version)

            # Per thread: an older job of the same kind may still be finishing in another.
            self._local.early = early
            self._local.origin = origin
            try:
                outcome = self._compute(kind, text, lambda: worker.is_cancelled)
            except QueryCancelled:
                return
            except QueryError as error:
                outcome = Failed(text, error)
            except Exception as error:
                outcome = Failed(text, QueryError(f"{kind} failed: {_describe(error)}"))
        if not worker.is_cancelled:
            self.app.call_from_thread(self._deliver, kind, outcome, done, version)

    def _compute(
        self,
        kind: Kind,
        text: str,
        cancel: Callable[[], bool],
    ) -> SearchState | FilterState:
        from threadtui.query import (
            QueryCancelled,
            first_matches,
            narrows,
            parse_query,
        )

        query = parse_query(text, self.thread, tz=self.tz, new=self.new_marks())
        index = self.index()
        last = self._last.get(kind)
        refines = False
        if not (
            last is not None
            and last.index is index
            and last.count <= NARROW_ENOUGH
            and narrows(query, last.query)
        ):
            # Unless the last result is small and this narrows it, the window first, so
            # the screen follows the keystroke whatever the thread's size.
            origin: int | None = getattr(self._local, "origin", None)
            window = first_matches(query, index, start=origin, cancel=cancel)
            state = self._state(kind, text, query, window)
            if window.complete:
                self._last[kind] = window
                return state
            early: Callable[[SearchState | FilterState], None] = getattr(
                self._local, "early", _ignore
            )
            early(state)
            refines = True
            # While typing goes on, the next keystroke cancels this job: waiting a moment
            # before the full pass leaves the interpreter to the UI thread meanwhile.
            deadline = time.monotonic() + FULL_PASS_DELAY
            while time.monotonic() < deadline:
                if cancel():
                    raise QueryCancelled
                time.sleep(0.01)
        if refines:
            # The full pass after a window is background work (up to a second at a
            # million posts): it gives way to the keys, the next keystroke's above all,
            # which would otherwise wait for the interpreter behind it.
            with pacing.beside_ui():
                return self._full(kind, text, query, index, _paced(cancel), refines)
        return self._full(kind, text, query, index, cancel, refines)

    def _full(
        self,
        kind: Kind,
        text: str,
        query: Query,
        index: SearchIndex,
        cancel: Callable[[], bool],
        refines: bool,
    ) -> SearchState | FilterState:
        from threadtui.query import run_query

        result = run_query(
            query,
            index,
            cancel=cancel,
            # Typing on at the end of a word narrows the last result: only its
            # matches need testing (run_query checks that the new query narrows).
            within=self._last.get(kind),
        )
        self._last[kind] = result
        return self._state(kind, text, query, result, refines, cancel)

    def _state(
        self,
        kind: Kind,
        text: str,
        query: Query,
        result: MatchResult,
        refines: bool = False,
        cancel: Callable[[], bool] | None = None,
    ) -> SearchState | FilterState:
        """What the UI thread shows of `result`: everything O(posts) is built here, in the
        worker, not on the UI thread."""
        from threadtui.query import FilterView

        if kind == "search":
            # The rank table the 3/17 counter reads, and the folded rows' counts.
            below = RankedBelow(self.thread, result.member, result.match_ranks(cancel=cancel))
            return SearchState(text, query, result, below, refines)
        view = FilterView.build(result, cancel=cancel)
        return FilterState(text, query, _layout(self.thread, view, cancel), refines)

    def _deliver(
        self,
        kind: Kind,
        outcome: SearchState | FilterState | Failed | None,
        done: Callable[[Any], None],
        version: int,
    ) -> None:
        # A result that arrives after a newer keystroke was typed is stale: drop it.
        current = self.search_text if kind == "search" else self.filter_text
        text = "" if outcome is None else outcome.text
        if text.strip() != current.strip():
            return
        if version != self.thread.version and text.strip():
            # The thread grew while this ran: it describes the thread before. Again.
            self._start(kind, text, done)
            return
        if kind == "search":
            if not isinstance(outcome, FilterState | Failed):
                self.search = outcome
        elif not isinstance(outcome, SearchState | Failed):
            self.filter = outcome
        done(outcome)

    def clear_search(self) -> None:
        self.search = None
        self.search_text = ""
        # Escape: a search still running (a slow regex) is pointless now; it stops at
        # its next cancel check instead of spending the rest of its budget.
        self.app.workers.cancel_group(self.app, "search")

    # --- navigation -----------------------------------------------------------------------

    def next_match(
        self, current: int | None, step: int, visible: Callable[[int], bool]
    ) -> int | None:
        """The next (step 1) or previous (-1) search match in tree order that is shown."""
        if self.search is None or not self.search.result.count:
            return None
        result = self.search.result
        position = current
        for _ in range(result.count):
            found = result.next_match(position) if step > 0 else result.previous_match(position)
            if found is None:
                return None
            if visible(found):
                return found
            position = found
        return None


METRICS_SLICE = 4_096
"""Posts whose metrics are decoded between two pauses for the UI (a few ms)."""
LAYOUT_CHUNK = 65_536
"""Posts of the tree order between two cancel checks while laying out a filter's rows."""


def _layout(thread: Thread, view: FilterView, cancel: Callable[[], bool] | None) -> FilterLayout:
    """`FilterLayout.build`, with the rows taken from the view when it has them (a window's
    few matches: no pass over the tree) and otherwise gathered in chunks between cancel
    checks (the pass over a million posts takes a few hundred ms on a loaded machine)."""
    from threadtui.query import QueryCancelled

    visible = visible_of(view)
    if view.shown is not None:
        rows = view.shown
    else:
        order = thread.preorder
        rows = []
        for start in range(0, len(order), LAYOUT_CHUNK):
            if cancel is not None and cancel():
                raise QueryCancelled
            chunk = order[start : start + LAYOUT_CHUNK]
            rows += compress(chunk, map(visible.__getitem__, chunk))
    rank = thread.rank
    ranks: list[int] = []
    for start in range(0, len(rows), LAYOUT_CHUNK):
        if cancel is not None and cancel():
            raise QueryCancelled
        ranks += map(rank.__getitem__, rows[start : start + LAYOUT_CHUNK])
    return FilterLayout(view, visible, rows, RankedBelow(thread, visible, ranks))


class RankedBelow(MarkedBelow):
    """`MarkedBelow` counted by bisection in the marked posts' sorted ranks: O(log marks) a
    read and nothing to sum first. MarkedBelow sums a prefix over the whole tree order on
    its first read, on the UI thread (a folded row asks): 0.1-0.4 s at a million posts."""

    __slots__ = ("_ranks",)

    def __init__(self, thread: Thread, marks: bytes | bytearray, ranks: list[int]) -> None:
        super().__init__(thread, marks)
        self._ranks = ranks
        """The ranks of the marked posts, ascending."""

    def __getitem__(self, index: int) -> int:
        thread = self._thread
        # The subtree below post `index` is ranks (r, r + size] of the tree order.
        first = thread.rank[index]
        return bisect_right(self._ranks, first + thread.subtree_sizes[index]) - bisect_right(
            self._ranks, first
        )


def _ignore(state: SearchState | FilterState) -> None:
    pass


def _paced(cancel: Callable[[], bool]) -> Callable[[], bool]:
    """`cancel`, read after giving way to the UI (`pacing.pause`): the checks between
    chunks of a pass are where it lets a key in."""

    def paced() -> bool:
        pacing.pause()
        return cancel()

    return paced


class _Releaser:
    """One daemon thread that frees what it is handed. Started once, ahead of need (by
    the index's worker): `Thread.start` waits for the new thread to run, and a thread
    started to free a big index took the GIL at once, so starting one per merge kept the
    UI thread as long as freeing there did."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[list[object]] | None = None

    def start(self) -> queue.SimpleQueue[list[object]]:
        with self._lock:
            if self._queue is None:
                self._queue = queue.SimpleQueue()
                threading.Thread(
                    target=self._run, args=(self._queue,), name="release", daemon=True
                ).start()
            return self._queue

    @staticmethod
    def _run(boxes: queue.SimpleQueue[list[object]]) -> None:
        while True:
            box = boxes.get()
            while box:
                _free_in_steps(box.pop())
            del box


_releaser = _Releaser()
FREE_STEP = 4_096
"""Items of a list freed at a time before the UI thread may take the GIL back."""


def _free_in_steps(held: object) -> None:
    """Free `held`, its big lists a step at a time. Freeing a list is one C call that
    holds the GIL throughout: a 100,000-post index freed at once on any thread stopped
    the UI thread as long as on its own. Only what nothing else refers to is emptied (a
    job may still be reading the old index): the reference counts say so."""
    # getrefcount counts its own argument: 2 is `held` here and that argument (the
    # caller passes `pop()`'s result on). Anything more is someone else's reference.
    if sys.getrefcount(held) > 2:
        return
    names = getattr(type(held), "__slots__", ())
    for name in (names,) if isinstance(names, str) else names:
        value = getattr(held, name, None)
        if not isinstance(value, list):
            continue
        setattr(held, name, None)
        if sys.getrefcount(value) == 2:  # the local and the argument: ours alone
            while value:
                del value[-FREE_STEP:]
                time.sleep(0)  # lets the UI thread have the GIL between steps
        del value


def release_elsewhere(box: list[object]) -> None:
    """Free what `box` holds on the releasing thread, by emptying it there. The caller
    keeps no other reference to the items (the list itself may stay: it is what is handed
    over, so no race decides which thread drops the last reference)."""
    _releaser.start().put(box)


def _describe(error: BaseException) -> str:
    """An unexpected error in one line for the query bar."""
    detail = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {detail}" if detail else type(error).__name__

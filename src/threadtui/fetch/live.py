"""A fetch whose posts join an open thread as they arrive: the worker-thread side.

The worker reads each response through the importers (the costly part), reads and checks
its posts for the open thread (`grow.prepare`) and hands them on; the UI thread only links
them (`Thread.add`). Documents that arrive while the UI thread is busy wait in one `Batch`
and are merged into one before they are added, so a fetch of thousands of small responses
costs a handful of merges, not thousands.

No Textual here: `threadtui URL` starts this fetch before Textual is even imported (the
app's import, set-up and first frame would otherwise all come before the first request).
What the worker has to say goes to a `Sink` as plain events; the app's sink turns them
into its messages (ui/loading.py), and an `EarlySink` holds them until the app is up.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from threadtui.fetch.base import Fetched
    from threadtui.fetch.progress import Progress
    from threadtui.fetch.run import FetchOptions, FetchResult
    from threadtui.model import Thread
    from threadtui.model.grow import Prepared


@dataclass(slots=True)
class Batch:
    """Documents read by the worker since the UI thread last took them."""

    documents: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    anchor: str | None = None
    prepared: list[Prepared | None] = field(default_factory=list)
    """Per document, its posts read for the open thread in the worker (`grow.prepare`),
    so the UI thread only links them; None where that could not be done there."""

    def one(self) -> Prepared | dict[str, Any] | None:
        """What to add to the thread: the one prepared batch, else the documents merged
        (several are merged by the merge rule first, which a batch each would not give)."""
        if not self.documents:
            return None
        if len(self.documents) == 1 and self.prepared and self.prepared[0] is not None:
            return self.prepared[0]
        return merged(self.documents)


@dataclass(frozen=True, slots=True)
class Progressed:
    progress: Progress


@dataclass(frozen=True, slots=True)
class Arrived:
    """Documents are waiting in `LiveFetch.take()`."""


@dataclass(frozen=True, slots=True)
class Ended:
    """The fetch ended: `result` when it came back, `error` (one line) when it failed,
    neither when it was cancelled. `final` is what the partial documents did not already
    hold (None: nothing), `ids` every post id of the whole fetch. `retry_after`: the
    seconds a 429 asked for, when that is why it failed."""

    result: FetchResult | None = None
    final: dict[str, Any] | None = None
    ids: set[str] | None = None
    error: str | None = None
    retry_after: float | None = None


Event = Progressed | Arrived | Ended


class Sink(Protocol):
    """Where a fetch's events go; `thread` is the open thread its posts are read for
    (None: not known, the UI thread reads them)."""

    @property
    def thread(self) -> Thread | None: ...

    def send(self, event: Event) -> None: ...


class EarlySink:
    """Holds a fetch's events until the app is up to take them (`attach`), then passes
    each on as it comes. Only the last progress is kept: the app shows only that."""

    def __init__(self, thread: Thread) -> None:
        self._thread = thread
        self._lock = threading.Lock()
        self._held: list[Event] = []
        self._to: Sink | None = None

    @property
    def thread(self) -> Thread | None:
        return self._thread

    @property
    def held(self) -> list[Event]:
        with self._lock:
            return list(self._held)

    def send(self, event: Event) -> None:
        with self._lock:
            to = self._to
            if to is None:
                last = self._held[-1] if self._held else None
                if isinstance(event, Progressed) and isinstance(last, Progressed):
                    self._held[-1] = event
                else:
                    self._held.append(event)
                return
        # The worker is the only sender, and attach handed over all it held before `_to`
        # was set: the order of events is kept.
        to.send(event)

    def attach(self, to: Sink) -> None:
        with self._lock:
            for event in self._held:
                to.send(event)
            self._held = []
            self._to = to


class LiveFetch:
    """One fetch of `url`, run by `run` in a thread of its own; events go to `sink`."""

    def __init__(
        self,
        sink: Sink,
        url: str,
        options: FetchOptions,
        *,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sink = sink
        self.url = url
        self.options = options
        self.started = now()
        self._now = now
        self.progress: Progress | None = None
        self._lock = threading.Lock()
        self._batch = Batch()
        self._posted = False
        self._delivered: dict[str, Any] = {}
        """Post id → the post object as delivered, so the end sends only what differs."""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[FetchResult] | None = None
        self.cancel_requested = False
        self.thread: threading.Thread | None = None
        """The thread `start` ran it in (None: whoever runs it owns its thread)."""

    @property
    def elapsed(self) -> float:
        return max(0.0, self._now() - self.started)

    def start(self) -> None:
        """Run the fetch in a thread of its own, now (the early start, before the app).
        A daemon: a process that fails before its app runs must not wait on the network."""
        self.thread = threading.Thread(target=self.run, name="threadtui fetch", daemon=True)
        self.thread.start()

    # --- in the worker thread ---------------------------------------------------------------

    def run(self) -> None:
        from threadtui.fetch.errors import FetchError

        send = self.sink.send
        try:
            result = asyncio.run(self._main())
        except (asyncio.CancelledError, KeyboardInterrupt):
            send(Ended())
            return
        except FetchError as error:
            retry_after = getattr(error, "retry_after", None)
            send(Ended(error=str(error), retry_after=retry_after))
            return
        except Exception as error:  # a worker's exception would end the app
            send(Ended(error=f"{self.url}: the fetch failed: {type(error).__name__}"))
            return
        final, ids = self._rest(result)
        send(Ended(result=result, final=final, ids=ids))

    async def _main(self) -> FetchResult:
        from threadtui.fetch.run import fetch_thread_async

        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()
        if self.cancel_requested:
            raise asyncio.CancelledError
        return await fetch_thread_async(
            self.url, self.options, progress=self._progress, on_response=self._response
        )

    def _progress(self, progress: Progress) -> None:
        self.sink.send(Progressed(progress))

    def _response(self, name: str, body: bytes, fetched: Fetched | None) -> None:
        from threadtui.fetch.run import anchor_of
        from threadtui.model import ThreadFileError
        from threadtui.opener import merge_data

        try:
            document, _ = merge_data([(name, body)])
        except ThreadFileError:
            # The end reports it, with the whole fetch's context.
            return
        anchor = anchor_of(document, fetched) if fetched is not None else None
        self._remember(document)
        prepared = self._prepare(document)
        with self._lock:
            self._batch.documents.append((name, document))
            self._batch.prepared.append(prepared)
            if anchor is not None:
                self._batch.anchor = anchor
            if self._posted:
                return
            self._posted = True
        self.sink.send(Arrived())

    def _prepare(self, document: dict[str, Any]) -> Prepared | None:
        """The document's posts read and checked for the open thread, here in the worker:
        the UI thread then only links them (`Thread.add` of a `Prepared`)."""
        from threadtui.model import Thread, ThreadFileError
        from threadtui.model.grow import prepare

        thread = self.sink.thread
        if not isinstance(thread, Thread):
            return None
        try:
            return prepare(thread, document)
        except ThreadFileError:
            # The UI thread reads it again and says what is wrong.
            return None

    def _remember(self, document: dict[str, Any]) -> None:
        for post in document.get("posts") or ():
            if isinstance(post, dict) and isinstance(post.get("id"), str):
                self._delivered[post["id"]] = post

    def _rest(self, result: FetchResult) -> tuple[dict[str, Any] | None, set[str]]:
        """The whole fetch's document reduced to the posts the partial ones did not hold as
        they are now (merging settles disagreements across responses), and all its ids."""
        import orjson

        document = orjson.loads(result.data)
        posts = [p for p in document.get("posts") or () if isinstance(p, dict)]
        ids = {p["id"] for p in posts if isinstance(p.get("id"), str)}
        differ = [p for p in posts if self._delivered.get(str(p.get("id"))) != p]
        if not differ:
            return None, ids
        document["posts"] = differ
        return document, ids

    # --- on the UI thread ------------------------------------------------------------------

    def take(self) -> Batch:
        with self._lock:
            batch, self._batch = self._batch, Batch()
            self._posted = False
        return batch

    def cancel(self) -> None:
        self.cancel_requested = True
        loop, task = self._loop, self._task
        if loop is not None and task is not None:
            # A closed loop: the fetch has ended already.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(task.cancel)

    def join(self, timeout: float) -> None:
        """Wait a little for `start`'s thread to end (after `cancel`)."""
        if self.thread is not None:
            self.thread.join(timeout)


def merged(documents: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """One document for several (the order of arrival kept: later copies win)."""
    if len(documents) == 1:
        return documents[0][1]
    from threadtui.model.merge import merge_documents

    document, _ = merge_documents(documents)
    return document


@dataclass(frozen=True, slots=True)
class EarlyFetch:
    """A fetch started before the app: its events wait in `sink` for the app to attach."""

    fetch: LiveFetch
    sink: EarlySink


def start_early(thread: Thread, url: str, options: FetchOptions) -> EarlyFetch:
    """Start fetching `url` for `thread` now, before there is an app to show it."""
    sink = EarlySink(thread)
    fetch = LiveFetch(sink, url, options)
    fetch.start()
    return EarlyFetch(fetch, sink)


def empty_thread(url: str) -> Thread:
    """The thread a fetch fills: no posts yet, the URL for a title until the real one comes."""
    from threadtui.model import clean_line, load_document
    from threadtui.model.format import SCHEMA, SCHEMA_VERSION

    document = {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "thread": {"title": clean_line(url)},
        "source": {},
        "authors": {},
        "posts": [],
    }
    return load_document(document, name=url)

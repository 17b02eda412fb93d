"""A thread fetched while the app is up: the fetch runs in a worker thread, its posts join
the open thread as they arrive, and a line above the footer says how it is going.

The worker reads each response through the importers (the costly part), reads and checks
its posts for the open thread (`grow.prepare`) and hands them to the UI thread, which only
links them (`Thread.add`, which links only what arrived when nothing else moves) and
splices the tree's rows. Documents
that arrive while the UI thread is busy are merged into one before they are added, so a
fetch of thousands of small responses costs a handful of merges, not thousands.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from threadtui.model import clean_line

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


class FetchProgress(Message):
    def __init__(self, progress: Progress) -> None:
        super().__init__()
        self.progress = progress


class PostsArrived(Message):
    """Documents are waiting in `LiveFetch.take()`."""


class FetchFinished(Message):
    """The fetch ended: `result` when it came back, `error` (one line) when it failed,
    neither when it was cancelled. `final` is what the partial documents did not already
    hold (None: nothing), `ids` every post id of the whole fetch. `retry_after`: the
    seconds a 429 asked for, when that is why it failed (following waits that long)."""

    def __init__(
        self,
        *,
        result: FetchResult | None = None,
        final: dict[str, Any] | None = None,
        ids: set[str] | None = None,
        error: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__()
        self.result = result
        self.final = final
        self.ids = ids
        self.error = error
        self.retry_after = retry_after

    @property
    def cancelled(self) -> bool:
        return self.result is None and self.error is None


class PostsAdded(Message):
    """Posts joined the open thread (a fetch still running, or a refresh). The hook for
    whoever keeps read state: `indexes` are the new posts, `new` says whether they count
    as new to the reader (a refresh) or are the thread arriving (the first fetch)."""

    def __init__(self, indexes: list[int], *, new: bool) -> None:
        super().__init__()
        self.indexes = indexes
        self.new = new


class LiveFetch:
    """One fetch of `url` running in a thread; messages go to `target` (the app)."""

    def __init__(
        self,
        target: Any,
        url: str,
        options: FetchOptions,
        *,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.target = target
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

    @property
    def elapsed(self) -> float:
        return max(0.0, self._now() - self.started)

    # --- in the worker thread ---------------------------------------------------------------

    def run(self) -> None:
        from threadtui.fetch.errors import FetchError

        try:
            result = asyncio.run(self._main())
        except (asyncio.CancelledError, KeyboardInterrupt):
            self.target.post_message(FetchFinished())
            return
        except FetchError as error:
            retry_after = getattr(error, "retry_after", None)
            self.target.post_message(FetchFinished(error=str(error), retry_after=retry_after))
            return
        except Exception as error:  # a worker's exception would end the app
            self.target.post_message(
                FetchFinished(error=f"{self.url}: the fetch failed: {type(error).__name__}")
            )
            return
        final, ids = self._rest(result)
        self.target.post_message(FetchFinished(result=result, final=final, ids=ids))

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
        self.target.post_message(FetchProgress(progress))

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
        self.target.post_message(PostsArrived())

    def _prepare(self, document: dict[str, Any]) -> Prepared | None:
        """The document's posts read and checked for the open thread, here in the worker:
        the UI thread then only links them (`Thread.add` of a `Prepared`)."""
        from threadtui.model import Thread, ThreadFileError
        from threadtui.model.grow import prepare

        thread = getattr(self.target, "thread", None)
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
            loop.call_soon_threadsafe(task.cancel)


def merged(documents: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """One document for several (the order of arrival kept: later copies win)."""
    if len(documents) == 1:
        return documents[0][1]
    from threadtui.model.merge import merge_documents

    document, _ = merge_documents(documents)
    return document


def progress_text(progress: Progress | None, elapsed: float) -> str:
    minutes, seconds = divmod(int(elapsed), 60)
    clock = f"{minutes}:{seconds:02d}"
    if progress is None:
        return f"connecting {clock}"
    of = f" of about {progress.expected:,}" if progress.expected else ""
    parts = [
        f"{progress.posts:,}{of} post{'s' if progress.posts != 1 else ''}",
        f"{progress.requests:,} request{'s' if progress.requests != 1 else ''}",
    ]
    if progress.waiting:
        parts.append(f"waiting {progress.waiting:.0f}s")
    parts.append(clock)
    text = " · ".join(parts)
    # The note may quote the server (an error's reason): one clean line, never markup.
    return clean_line(f"{text} · {progress.note}") if progress.note else text


class LoadingLine(Static):
    """'Fetching: 340 posts · 12 requests · waiting 5s · 0:12 · Esc stops' above the footer."""

    DEFAULT_CSS = """
    LoadingLine {
        height: 1;
        padding: 0 1;
        background: $boost;
        color: $text-muted;
        display: none;
    }
    LoadingLine.-active {
        display: block;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.fetch: LiveFetch | None = None
        self.verb = "Fetching"
        self.stop_key = "Esc"

    def on_mount(self) -> None:
        self.set_interval(1.0, self.update_line)

    def start(self, fetch: LiveFetch, verb: str) -> None:
        self.fetch = fetch
        self.verb = verb
        self.add_class("-active")
        self.update_line()

    def stop(self) -> None:
        self.fetch = None
        self.remove_class("-active")

    def update_line(self) -> None:
        fetch = self.fetch
        if fetch is None:
            return
        # Built from parts: the note comes from the network, so it is never markup.
        self.update(
            Content.assemble(
                Content.styled(f"{self.verb}: ", "bold"),
                Content(progress_text(fetch.progress, fetch.elapsed)),
                Content.styled(f" · {self.stop_key} stops, keeps what came", "$text-muted"),
            )
        )


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

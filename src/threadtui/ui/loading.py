"""A thread fetched while the app is up: the fetch runs in a worker thread (fetch/live.py),
its posts join the open thread as they arrive, and a line above the footer says how it is
going. Here the fetch's events become the app's messages.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.message import Message
from textual.message_pump import MessagePump
from textual.widgets import Static

from threadtui.fetch.live import Arrived, Batch, Event, Progressed, empty_thread, merged
from threadtui.fetch.live import LiveFetch as Fetch
from threadtui.model import clean_line

if TYPE_CHECKING:
    from threadtui.fetch.progress import Progress
    from threadtui.fetch.run import FetchOptions, FetchResult
    from threadtui.model import Thread

__all__ = ["Batch", "Fetch", "empty_thread", "merged"]


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


class ToApp:
    """A fetch's events as the app's messages (posted: safe from the worker thread)."""

    def __init__(self, app: MessagePump) -> None:
        self.app = app

    @property
    def thread(self) -> Thread | None:
        from threadtui.model import Thread

        thread = getattr(self.app, "thread", None)
        return thread if isinstance(thread, Thread) else None

    def send(self, event: Event) -> None:
        self.app.post_message(as_message(event))


def as_message(event: Event) -> Message:
    if isinstance(event, Progressed):
        return FetchProgress(event.progress)
    if isinstance(event, Arrived):
        return PostsArrived()
    return FetchFinished(
        result=event.result,
        final=event.final,
        ids=event.ids,
        error=event.error,
        retry_after=event.retry_after,
    )


class LiveFetch(Fetch):
    """A fetch the app starts itself (a refresh, following, or a test's): its events go
    straight to the app as messages. `threadtui URL` starts its first fetch earlier, in
    cli, with an `EarlySink` (fetch/live.py)."""

    def __init__(
        self,
        app: MessagePump,
        url: str,
        options: FetchOptions,
        *,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(ToApp(app), url, options, now=now)


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
        self.fetch: Fetch | None = None
        self.verb = "Fetching"
        self.stop_key = "Esc"

    def on_mount(self) -> None:
        self.set_interval(1.0, self.update_line)

    def start(self, fetch: Fetch, verb: str) -> None:
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

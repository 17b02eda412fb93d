"""Following a thread opened from files, as `tail -f` follows a log: plain Python, no Textual.

`FileWatch.poll()` looks at each input's size, modification time and inode (a stat: cheap
enough to do every second) and reads the inputs again only when one of them changed. What
it reads goes through the same reader and merge as the command line's files
(`opener.merge_data`), and only the posts that are new or read differently than last time
are handed on, so the UI thread merges a handful of posts (`Thread.add`), not the file.

Writers are not atomic: a program writing its JSON out again, or a story text being
appended to, is caught half-way. A read that fails is tried again when the file changes
next, and is reported only when the file stays unreadable for `settle` seconds. A file that
vanishes is reported once and what was read stays; the file coming back (a rename over
it, a new inode) is read like any change.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

from threadtui.model import ThreadFileError
from threadtui.model.load import _clean_id

Signature = tuple[int, int, int]
"""(size, mtime_ns, inode): any change means the file may read differently."""

SETTLE = 5.0
"""Seconds a file may stay unreadable (a writer busy with it) before it is reported."""


def signature(path: str) -> Signature | None:
    """None when there is no file (or no access) to look at."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def signatures(paths: Sequence[str]) -> dict[str, Signature | None]:
    return {path: signature(path) for path in paths}


@dataclass(slots=True)
class Changed:
    """The inputs read differently: `document` holds the posts new or changed since the
    last read (None: none, though the file was written), `ids` every post id they hold
    now (posts absent from it are gone from the file)."""

    document: dict[str, Any] | None
    ids: set[str]
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Gone:
    """An input vanished (or cannot be listed): what was read stays."""

    name: str
    message: str


@dataclass(slots=True)
class Unreadable:
    """An input has not read as a thread for `settle` seconds."""

    name: str
    message: str


@dataclass(slots=True)
class Readable:
    """An input reported unreadable or gone reads again."""

    name: str


Event = Changed | Gone | Unreadable | Readable


class FileWatch:
    """The inputs of one thread, watched. `poll` is called from one thread at a time."""

    def __init__(
        self,
        paths: Sequence[str],
        *,
        source: str | None = None,
        tz: tzinfo | None = None,
        initial: dict[str, Signature | None] | None = None,
        now: Callable[[], float] = time.monotonic,
        settle: float = SETTLE,
    ) -> None:
        self.paths = [os.fspath(p) for p in paths]
        self.source = source
        self.tz = tz
        self._now = now
        self.settle = settle
        self._seen: dict[str, Signature | None] = dict(initial or {})
        """The signatures the shown thread was read at (initial: before the first read)."""
        self._delivered: dict[str, Any] = {}
        """Post id → the post as last read, so a change hands on only what differs."""
        self._started = False
        self._bad_since: float | None = None
        self._bad_told = False
        self._last_error: ThreadFileError | None = None
        self._gone_told: set[str] = set()

    # --- reading -------------------------------------------------------------------------

    def files(self) -> list[str]:
        """The files the inputs stand for now (a directory's listing may change)."""
        from threadtui.opener import expand_inputs

        return expand_inputs(self.paths)

    def read(self, files: Sequence[str]) -> tuple[dict[str, Any], list[str]]:
        from threadtui.model.load import read_input
        from threadtui.opener import merge_data

        return merge_data(
            ((file, read_input(file)) for file in files), source=self.source, tz=self.tz
        )

    def start(self) -> list[Event]:
        """Read the inputs as they are now. When they changed since the thread was shown
        (the signatures given as `initial`), everything read is handed on: `Thread.add`
        keeps what it already has."""
        self._started = True
        try:
            files = self.files()
        except ThreadFileError:
            return []
        now = signatures(files)
        changed = bool(self._seen) and now != self._seen
        try:
            document, warnings = self.read(files)
        except ThreadFileError:
            # Half-written: the next poll reads it whole, and hands on all of it.
            self._seen = {}
            return []
        self._seen = now
        posts = _posts(document)
        self._delivered = {_post_id(p): p for p in posts}
        if not changed:
            return []
        return [Changed(document, set(self._delivered), warnings)]

    def poll(self) -> list[Event]:
        """One look. Reads only when a signature changed (or an input came or went)."""
        if not self._started:
            return self.start()
        events: list[Event] = []
        try:
            files = self.files()
        except ThreadFileError as error:
            return self._gone(self.paths[0] if len(self.paths) == 1 else error.name, error)
        now = signatures(files)
        missing = [f for f, s in now.items() if s is None]
        if missing:
            return self._gone(missing[0], None)
        for name in list(self._gone_told):
            self._gone_told.discard(name)
            events.append(Readable(name))
        if now == self._seen:
            if self._bad_since is not None and not self._bad_told:
                events += self._still_bad(None)
            return events
        try:
            document, warnings = self.read(files)
        except ThreadFileError as error:
            # Another change may finish it; the bytes read are not remembered, so the
            # same signature is not read again while the timer runs.
            self._seen = now
            if self._bad_since is None:
                self._bad_since = self._now()
            return events + self._still_bad(error)
        self._seen = now
        if self._bad_told:
            events.append(Readable(files[0] if len(files) == 1 else self.paths[0]))
        self._bad_since = None
        self._bad_told = False
        events.append(self._changes(document, warnings))
        return events

    def _changes(self, document: dict[str, Any], warnings: list[str]) -> Changed:
        posts = _posts(document)
        current = {_post_id(p): p for p in posts}
        differ = [p for p in posts if self._delivered.get(_post_id(p)) != p]
        self._delivered = current
        if not differ:
            return Changed(None, set(current), warnings)
        document["posts"] = differ
        return Changed(document, set(current), warnings)

    def _still_bad(self, error: ThreadFileError | None) -> list[Event]:
        if error is not None:
            self._last_error = error
        started = self._bad_since
        if started is None or self._bad_told or self._now() - started < self.settle:
            return []
        self._bad_told = True
        last = self._last_error
        name = last.name if last is not None else self.paths[0]
        message = last.message if last is not None else "cannot be read"
        return [Unreadable(name, message)]

    def _gone(self, name: str, error: ThreadFileError | None) -> list[Event]:
        if name in self._gone_told:
            return []
        self._gone_told.add(name)
        # Read when it is back, whatever its signature (a copy may keep size and time).
        self._seen = {}
        message = error.message if error is not None else "no such file"
        return [Gone(name, message)]


def _posts(document: dict[str, Any]) -> list[dict[str, Any]]:
    posts = document.get("posts")
    return [p for p in posts if isinstance(p, dict)] if isinstance(posts, list) else []


def _post_id(post: dict[str, Any]) -> str:
    # As the loader keeps it, so the ids compare with the thread's.
    value = post.get("id")
    return _clean_id(value) if isinstance(value, str) else ""


class Follower:
    """A FileWatch run in a thread: `poll` every `interval` seconds until `stop()`, each
    event handed to `deliver` (which must be safe to call from another thread)."""

    def __init__(
        self, watch: FileWatch, deliver: Callable[[Event], None], *, interval: float
    ) -> None:
        self.watch = watch
        self.deliver = deliver
        self.interval = interval
        self._stop = threading.Event()
        self.paused = threading.Event()
        """Set: no look at the files (the terminal is away)."""

    def run(self) -> None:
        first = True
        while first or not self._stop.wait(self.interval):
            first = False
            if self.paused.is_set():
                continue
            for event in self.watch.poll():
                if self._stop.is_set():
                    return
                self.deliver(event)

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

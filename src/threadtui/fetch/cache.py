"""Fetched threads, kept in the user's cache directory so a URL reopens at once.

`$XDG_CACHE_HOME/threadtui/<platform>/<post key>.json` (`~/.cache` when the variable is
unset or not absolute, as the XDG spec says). Each entry is a normalised thread file,
exactly what `threadtui import URL -o FILE` writes, so reopening costs what opening that
file costs. Written atomically (a temporary file renamed over the entry); an entry that
does not load is ignored with a warning and fetched anew; the oldest entries go once the
whole cache passes its size bound. Nothing secret is in an entry: tokens travel only in
request headers.

`from_cache` (`thread_from` for a URL already recognised) is the whole of reopening a URL
from here: it needs this module, the URL's recognition and the model, never the client or
the runner (asyncio, the HTTP stack), which opening the saved file does not import either.
"""

import contextlib
import hashlib
import os
import tempfile
import time
from pathlib import Path
from typing import Final, Protocol

from threadtui.atomicfile import prune_oldest
from threadtui.fetch.urls import Target, recognise
from threadtui.inputfile import RefusedInput, read_regular_file
from threadtui.model import Thread

MAX_CACHE_BYTES: Final = 512 * 1024**2
MAX_ENTRY_BYTES: Final = 1024**3
_SAFE: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")
"""What an entry's name keeps of its key; each run of anything else becomes one `_`."""


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "threadtui"


def entry_path(target: Target) -> Path:
    key = target.cache_key
    # Readable where it can be, and a hash so two keys that clean to the same name differ.
    readable = _readable(key).strip("._")[:80] or "post"
    digest = hashlib.sha256(f"{target.platform}\0{key}".encode()).hexdigest()[:16]
    return cache_dir() / target.platform / f"{readable}-{digest}.json"


def _readable(key: str) -> str:
    """`re.sub(r"[^A-Za-z0-9._-]+", "_", key)` without the pattern: compiling it was 0.04 ms
    of every URL's opening from the cache, which the saved file never pays (issue #12);
    this takes 2 µs for a key (a post's id and the like: a few dozen characters)."""
    if _SAFE.issuperset(key):
        return key
    out: list[str] = []
    unsafe_run = False
    for char in key:
        if char in _SAFE:
            out.append(char)
            unsafe_run = False
        elif not unsafe_run:
            out.append("_")
            unsafe_run = True
    return "".join(out)


# Entry and Hit are plain slotted classes, neither NamedTuples (each 0.06-0.1 ms to define,
# its `__new__` made by `exec`) nor frozen dataclasses (0.4 ms): defining them is work
# on every URL's opening from the cache that the saved file never does (issue #12).
class Entry:
    __slots__ = ("age", "data", "path")

    def __init__(self, path: Path, data: bytes, age: float) -> None:
        self.path = path
        self.data = data
        self.age = age
        """Seconds since the entry was written."""


def read(target: Target, now: float) -> tuple[Entry | None, str | None]:
    """The cached entry and None, or None and why it could not be read (None, None: absent).

    The caller loads the bytes; a load failure is also damage (see `damaged`)."""
    path = entry_path(target)
    try:
        data = read_regular_file(path, limit=MAX_ENTRY_BYTES)
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        return None, None
    except (OSError, RefusedInput) as error:
        return None, damaged(path, str(getattr(error, "strerror", None) or error))
    return Entry(path, data, max(0.0, now - mtime)), None


def damaged(path: Path, reason: str) -> str:
    return f"the cached copy {path} is damaged ({reason}): ignored"


def write(target: Target, data: bytes, *, bound: int = MAX_CACHE_BYTES) -> Path:
    """Store `data` for `target` atomically, then keep the cache within `bound`. OSError
    when the cache cannot be written (the caller warns; the thread still opens)."""
    path = entry_path(target)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Not atomicfile.write_file_atomically: it writes through a symlink to its target and
    # into a FIFO or device in place, as `import -o FILE` should for a name the user gave.
    # An entry is threadtui's own name: whatever sits there is replaced, never written
    # through (a FIFO would block the write for ever), and the entry is private (mkstemp's
    # 0600), whatever the mode of what it replaces.
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".entry.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    prune(bound, keep=path)
    return path


def prune(bound: int, *, keep: Path | None = None) -> None:
    """Remove the least recently written entries until the cache is within `bound` bytes."""
    prune_oldest(cache_dir().glob("*/*.json"), bound=bound, keep=keep)


class Hit:
    """A thread reopened from the cache."""

    __slots__ = ("age", "anchor", "data", "missing", "thread")

    def __init__(
        self,
        thread: Thread,
        anchor: str | None,
        missing: str | None,
        age: float,
        data: bytes | None,
    ) -> None:
        self.thread = thread
        self.anchor = anchor
        """The id of the post the URL links to: the UI starts its cursor there."""
        self.missing = missing
        """How much is missing, when the fetch that wrote the entry stopped partway."""
        self.age = age
        """Seconds since the entry was written."""
        self.data = data
        """The entry's bytes; None when the thread came from the load cache's copy (a
        `LoadCache`'s hit), which never reads them."""


class LoadCache(Protocol):
    """The app's load cache for an entry (cli): an entry is a thread file, so it reopens
    from its parsed copy as a saved file does, and without being read."""

    def thread(self, path: Path, info: os.stat_result) -> Thread | None:
        """The thread from the copy of the entry at `path` (`info` its `stat`); None when
        there is none (or it is stale, or turned off): the entry is read and parsed."""
        ...

    def read(self, path: Path, data: bytes) -> None:
        """The entry at `path` was read as `data` (and is parsed next): what its copy is
        written from, after the first frame."""
        ...


def from_cache(
    url: str, now: float | None = None, *, loaded: LoadCache | None = None
) -> tuple[Hit | None, list[str]]:
    """The thread for `url` from the cache, or None; and warnings (a damaged entry).
    Costs what opening the saved file costs, the load cache included (`loaded`): the app
    opens with it at once. FetchError when `url` names nothing fetchable."""
    warnings: list[str] = []
    hit = thread_from(recognise(url), time.time() if now is None else now, warnings, loaded=loaded)
    return hit, warnings


def thread_from(
    target: Target,
    now: float,
    warnings: list[str],
    *,
    loaded: LoadCache | None = None,
) -> Hit | None:
    """The cached thread for `target`, or None (absent, or damaged: `warnings` says)."""
    from threadtui.model import ThreadFileError, load_bytes

    thread: Thread | None = None
    age, data = 0.0, None
    if loaded is not None:
        path = entry_path(target)
        try:
            info: os.stat_result | None = os.stat(path)
        except OSError:
            info = None  # absent, or unreadable: `read` says which
        if info is not None:
            # Before reading the entry: a copy's hit never needs its bytes.
            thread = loaded.thread(path, info)
            age = max(0.0, now - info.st_mtime)
    if thread is None:
        entry, problem = read(target, now)
        if problem is not None:
            warnings.append(problem)
        if entry is None:
            return None
        if loaded is not None:
            loaded.read(entry.path, entry.data)
        try:
            thread = load_bytes(entry.data, name=str(entry.path))
        except ThreadFileError as error:
            warnings.append(damaged(entry.path, error.message))
            return None
        age, data = entry.age, entry.data
    # Named by the URL, as a fresh fetch names it: the entry's file name (a hash) is
    # nothing the user gave, and it was the header of a thread without a title.
    thread.name = target.url
    fetch_note = thread.source.get("fetch") if isinstance(thread.source, dict) else None
    fetch_note = fetch_note if isinstance(fetch_note, dict) else {}
    anchor = fetch_note.get("anchor")
    missing = fetch_note.get("missing")
    return Hit(
        thread,
        anchor if isinstance(anchor, str) else None,
        missing if isinstance(missing, str) else None,
        age,
        data,
    )


def age_text(seconds: float) -> str:
    if seconds < 90:
        return "just now"
    minutes = seconds / 60
    if minutes < 90:
        return f"{minutes:.0f} minutes ago"
    hours = minutes / 60
    if hours < 36:
        return f"{hours:.0f} hours ago"
    return f"{hours / 24:.0f} days ago"

"""Where the read state lives and how one thread's file is read and written (no Textual).

One file a thread in `$XDG_STATE_HOME/threadtui/` (`~/.local/state/threadtui/` when the
variable is unset or not absolute, as the XDG spec says), named `<32 hex digits>.read`:
the first 128 bits of a SHA-256 of the thread's identity (`thread_identity`). Nothing a
post, a server or a file name says reaches a path; the name is a hash, and only names of
that exact form are ever read, pruned or forgotten, so nothing else in the folder is touched.

A file holds the ids seen, each as a 64-bit hash of the post id (`hash_ids`; an id may be
a 70-character AT URI: 8 bytes keep 100,000 posts under 1 MB, and no id is written out),
oldest first; when it was last opened and saved; and the cursor's post, hashed the same
way. It is MessagePack (msgspec), written atomically (temporary file, fsync, rename), so
a crash or a full disk leaves the previous file whole.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import sys
import zlib
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import repeat
from operator import getitem
from pathlib import Path
from typing import Final, cast

import msgspec

from threadtui.atomicfile import prune_oldest, write_file_atomically
from threadtui.inputfile import RefusedInput, read_regular_file
from threadtui.model import Thread

FORMAT: Final = "threadtui.read"
VERSION: Final = 1
SUFFIX: Final = ".read"
MAX_IDS: Final = 1_000_000
"""Ids one file keeps (8 MB); past it the oldest seen are dropped. A million is the
largest thread the benchmarks open."""
MAX_FILE_BYTES: Final = MAX_IDS * 8 + 64 * 1024
MAX_TOTAL_BYTES: Final = 256 * 1024**2
"""All state files together; the least recently saved go first past it."""
MAX_FILES: Final = 2_000
"""Files kept, whatever their size: past it the least recently saved go."""

_NAME: Final = re.compile(r"[0-9a-f]{32}\.read")
_BACKWARDS: Final = slice(None, None, -1)


class StateError(Exception):
    """A state file that cannot be used; the message names it and says why."""


def state_dir() -> Path:
    """`$XDG_STATE_HOME/threadtui`, or `~/.local/state/threadtui`. RuntimeError when
    neither the variable nor a home directory is there."""
    base = os.environ.get("XDG_STATE_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".local" / "state"
    return root / "threadtui"


def thread_identity(thread: Thread) -> str | None:
    """What makes two openings the same thread, or None for a thread with no posts.

    The platform (`source.platform`) and the root post: the thread's declared root, else
    its first root in time order. A URL and a saved API file of the same conversation
    share it, and so does a file that grew (a plain content hash would change with every
    new post, when the new posts are the point). A thread with no platform adds its root's
    author and time, so two hand-made files whose roots are both called "1" stay apart.
    """
    root_id = thread.root_id
    if not root_id:
        if not thread.roots:
            return None
        root_id = thread.posts[thread.roots[0]].id
    platform = thread.source.get("platform") if isinstance(thread.source, dict) else None
    if isinstance(platform, str) and platform:
        return f"platform\0{platform}\0{root_id}"
    root = thread.post(root_id)
    author = root.author.id if root is not None and root.author is not None else ""
    created = root.created_at if root is not None and root.created_at else ""
    return f"local\0{root_id}\0{author}\0{created}"


def thread_key(identity: str) -> str:
    """The file name's hash for an identity: 32 hex digits."""
    return hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def state_path(key: str, directory: Path | None = None) -> Path:
    return (directory or state_dir()) / f"{key}{SUFFIX}"


def _encoded(ids: Iterable[str]) -> list[bytes]:
    ids = list(ids)
    try:
        return list(map(str.encode, ids))
    except UnicodeEncodeError:
        # A lone surrogate (JSON allows "\ud800"): hashed as written, never refused.
        return [i.encode("utf-8", "surrogatepass") for i in ids]


def hash_ids(ids: Iterable[str]) -> array[int]:
    """The 64-bit hash of each id: the CRC-32 of its UTF-8 bytes, then of the same bytes
    backwards. Two ids collide by chance about once in 2**64 (the two CRCs are
    independent linear maps); BLAKE2b would also resist an id made to collide on purpose,
    whose worst effect is one post not marked new, but costs 75 ms at 100,000 posts where
    this costs 15 (C-level passes only)."""
    data = _encoded(ids)
    forward = array("I", map(zlib.crc32, data))
    # The cast: typeshed's getitem picks its int overload for a slice of bytes.
    reversed_ids = cast("Iterator[bytes]", map(getitem, data, repeat(_BACKWARDS)))
    backward = array("I", map(zlib.crc32, reversed_ids))
    # Each hash is forward | backward << 32, laid side by side as 32-bit words: shifting
    # and or-ing Python ints took as long as the two CRCs.
    words = bytearray(8 * len(data))
    view = memoryview(words).cast("I")
    low, high = (0, 1) if sys.byteorder == "little" else (1, 0)
    view[low::2] = forward
    view[high::2] = backward
    view.release()
    hashes = array("Q")
    hashes.frombytes(words)
    return hashes


def hash_id(post_id: str) -> int:
    return hash_ids([post_id])[0]


class _File(msgspec.Struct, forbid_unknown_fields=False):
    format: str
    version: int
    thread: str
    """The key (the file's name without suffix), so a file copied under another name is
    recognised as not this thread's."""
    opened: float
    """When the visit that last saved began (epoch seconds)."""
    saved: float
    cursor: int | None
    seen: bytes
    """Little-endian unsigned 64-bit hashes, oldest first."""
    cursor_at: int | None = None
    """The cursor's post's index when saved: checked with one hash on opening, so the
    cursor is back without hashing every post. Absent in older files (and ignored by
    older versions, which read unknown fields as absent)."""


@dataclass(slots=True)
class Stored:
    """One thread's file as read."""

    key: str
    opened: float
    saved: float
    cursor: int | None
    seen: array[int]
    cursor_at: int | None = None


def encode(stored: Stored) -> bytes:
    seen = stored.seen
    if len(seen) > MAX_IDS:
        seen = seen[len(seen) - MAX_IDS :]
    if sys.byteorder == "big":
        seen = array("Q", seen)
        seen.byteswap()
    record = _File(
        FORMAT,
        VERSION,
        stored.key,
        stored.opened,
        stored.saved,
        stored.cursor,
        seen.tobytes(),
        stored.cursor_at,
    )
    return msgspec.msgpack.encode(record)


class NewerFormat(StateError):
    """A file a later threadtui wrote: read as absent, and left as it is."""


def decode(data: bytes, key: str, path: Path) -> Stored:
    """The file's content, or StateError naming `path` and what is wrong."""
    try:
        record = msgspec.msgpack.decode(data, type=_File)
    except msgspec.DecodeError as error:
        raise StateError(_damaged(path, f"unreadable: {error}")) from None
    if record.format != FORMAT:
        raise StateError(_damaged(path, "not a threadtui read state"))
    if record.version > VERSION:
        raise NewerFormat(
            f"{path}: read state written by a newer threadtui (version {record.version}):"
            " ignored and left as it is"
        )
    if record.version < 1:
        raise StateError(_damaged(path, f"unknown version {record.version}"))
    if record.thread != key:
        raise StateError(_damaged(path, "it belongs to another thread"))
    if len(record.seen) % 8 or len(record.seen) > MAX_IDS * 8:
        raise StateError(_damaged(path, "its list of posts seen is cut short"))
    if not (math.isfinite(record.opened) and math.isfinite(record.saved)):
        raise StateError(_damaged(path, "its times are not times"))
    if record.cursor is not None and not 0 <= record.cursor < 2**64:
        raise StateError(_damaged(path, "its cursor is out of range"))
    if record.cursor_at is not None and not 0 <= record.cursor_at < 2**63:
        raise StateError(_damaged(path, "its cursor's place is out of range"))
    seen = array("Q")
    seen.frombytes(record.seen)
    if sys.byteorder == "big":
        seen.byteswap()
    return Stored(key, record.opened, record.saved, record.cursor, seen, record.cursor_at)


def _damaged(path: Path, reason: str) -> str:
    return f"{path}: read state damaged ({reason}): ignored, the thread opens as if new"


def read(path: Path, key: str) -> Stored | None:
    """The state in `path`, or None if there is none; StateError if it cannot be used."""
    try:
        data = read_regular_file(path, limit=MAX_FILE_BYTES)
    except FileNotFoundError:
        return None
    except RefusedInput as error:
        raise StateError(_damaged(path, str(error))) from None
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise StateError(
            f"{path}: cannot read the read state ({reason}): ignored, the thread opens as if new"
        ) from None
    return decode(data, key, path)


def write(path: Path, data: bytes, *, bound: int = MAX_TOTAL_BYTES) -> None:
    """Store `data` at `path` atomically, then keep the folder within its bounds. OSError
    when it cannot be written; the previous file is then as it was."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # What a user read is their business: the file is theirs alone, whatever the umask.
    write_file_atomically(path, data, mode=0o600)
    prune(path.parent, bound=bound, keep=path)


def state_files(directory: Path) -> list[Path]:
    """The read-state files in `directory` (names of our exact form only)."""
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    return [directory / name for name in names if _NAME.fullmatch(name)]


def prune(
    directory: Path, *, bound: int = MAX_TOTAL_BYTES, files: int = MAX_FILES, keep: Path | None
) -> None:
    """Remove the least recently saved files until at most `files` of them, of at most
    `bound` bytes in all, are left; `keep` stays whatever its age."""
    prune_oldest(state_files(directory), bound=bound, files=files, keep=keep)


def forget(path: Path) -> bool:
    """Remove one thread's state; True if there was one. OSError if it cannot be removed."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def forget_all(directory: Path | None = None) -> int:
    """Remove every read-state file; how many were removed. OSError for the first that
    cannot be."""
    removed = 0
    for path in state_files(directory or state_dir()):
        if forget(path):
            removed += 1
    return removed

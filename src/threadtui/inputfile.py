"""Read a file the user named, refusing what cannot be a thread or a config file.

`Path.read_bytes()` on a FIFO with no writer blocks forever, and on /dev/zero or a
huge sparse file it runs until memory is gone. Every input threadtui reads comes
through here: its kind and size are checked before a byte is read.
"""

from __future__ import annotations

import errno
import os
import stat

MAX_INPUT_BYTES = 2 * 1024**3
"""The largest thread or source file read: a generated million-post thread is about
0.5 GiB, so this leaves room while refusing what would exhaust memory."""


class RefusedInput(Exception):
    """A file that exists but is not a regular file of a readable size; the message
    says what it is, without the file name (the caller adds it)."""


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        kind = "a named pipe (FIFO)"
    elif stat.S_ISSOCK(mode):
        kind = "a socket"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "a device"
    else:
        kind = "special"
    return f"is {kind}, not a regular file"


def _size(count: int) -> str:
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if count >= scale:
            return f"{count / scale:g} {unit}"
    return f"{count} bytes"


def _check(path: str | os.PathLike[str], info: os.stat_result, limit: int) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), os.fspath(path))
    if not stat.S_ISREG(info.st_mode):
        raise RefusedInput(_kind(info.st_mode))
    if info.st_size > limit:
        raise RefusedInput(f"is larger than {_size(limit)}, the most threadtui reads")


def read_regular_file(path: str | os.PathLike[str], *, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of `path`, a regular file of at most `limit` bytes.

    Raises IsADirectoryError for a directory, RefusedInput for anything else that is not
    a regular file or is too big, and OSError (FileNotFoundError, PermissionError, ...)
    as opening or reading raises it.
    """
    # stat first: opening some devices has effects, and a FIFO is never opened at all.
    _check(path, os.stat(path), limit)
    # O_NONBLOCK: should the name become a FIFO between stat and open, open still returns
    # at once and fstat refuses it.
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags)
    # Buffered: its read(n) loops until n bytes or the end (one read(2) stops near 2 GiB).
    with open(fd, "rb", closefd=True) as file:
        info = os.fstat(fd)
        _check(path, info, limit)
        # One read of the known size (plus one byte, to see whether it grew) keeps the
        # common case to a single allocation without a copy.
        data = file.read(info.st_size + 1)
        if len(data) <= info.st_size:
            return data
        # It grew while we read (or reports size 0, as /proc files do): read on, bounded.
        chunks = [data]
        total = len(data)
        while total <= limit:
            chunk = file.read(min(1024**2, limit + 1 - total))
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            total += len(chunk)
        raise RefusedInput(f"grew beyond {_size(limit)} while being read")

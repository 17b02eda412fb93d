"""Writing files so that a crash or a full disk never leaves half of one behind, and
keeping a folder of such files within bounds.

Shared by `threadtui import -o` (cli.py), the read state (state/store.py) and the fetch
cache (fetch/cache.py); no Textual.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO


def write_all(stream: IO[bytes], data: bytes | memoryview) -> None:
    """Write every byte of `data` or raise OSError.

    A buffered stream's write() may return a short count without raising: when a pipe's
    reader leaves mid-write, or when a disk fills up part-way through a large write (the
    error only comes with the next call). Taken at its word, that ends with a truncated
    file and status 0.
    """
    view = memoryview(data)
    while view:
        written = stream.write(view)
        if not written:
            raise OSError(errno.EIO, "nothing written")
        view = view[written:]


def write_file_atomically(
    path: str | os.PathLike[str],
    data: bytes | list[bytes | memoryview],
    *,
    mode: int | None = None,
) -> None:
    """Replace `path` with `data` (or its pieces, in order: a large file need not be
    joined into one buffer first) all at once: a failed write (a full disk) leaves the
    old file as it was. `mode` is a new file's permissions (default: 0o666 less the
    umask); a file replaced keeps its own. Raises OSError."""
    path = os.fspath(path)
    pieces = [data] if isinstance(data, bytes) else data
    try:
        info: os.stat_result | None = os.stat(path)
    except FileNotFoundError:
        info = None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
    if info is not None and not stat.S_ISREG(info.st_mode):
        # /dev/null, /dev/stdout, a pipe: there is no file to replace, and renaming over a
        # device node would swap the device itself away.
        with open(path, "wb") as file:
            for piece in pieces:
                write_all(file, piece)
        return
    # Beside the real file, so a symlink to it stays a symlink and the rename stays on
    # one file system.
    target = os.path.realpath(path)
    fd, temporary = tempfile.mkstemp(
        dir=os.path.dirname(target), prefix=f".{os.path.basename(target)[:40]}.", suffix=".tmp"
    )
    try:
        with os.fdopen(fd, "wb") as file:
            for piece in pieces:
                write_all(file, piece)
            file.flush()
            os.fsync(file.fileno())
        if info is not None:
            new_mode = stat.S_IMODE(info.st_mode)
        elif mode is not None:
            new_mode = mode
        else:
            umask = os.umask(0)
            os.umask(umask)
            new_mode = 0o666 & ~umask
        os.chmod(temporary, new_mode)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def prune_oldest(
    paths: Iterable[Path], *, bound: int, files: int | None = None, keep: Path | None = None
) -> None:
    """Remove the least recently written of `paths` until they come to at most `bound`
    bytes (and at most `files` of them, if given); `keep` stays whatever its age. A file
    that vanishes or cannot be removed meanwhile is passed over: another process may be
    pruning the same folder."""
    entries: list[tuple[float, int, Path]] = []
    for path in paths:
        with contextlib.suppress(OSError):
            # lstat: a link's size is its own, and removing it leaves its target alone.
            info = path.lstat()
            entries.append((info.st_mtime, info.st_size, path))
    total = sum(size for _, size, _ in entries)
    count = len(entries)
    most = count if files is None else files
    for _, size, path in sorted(entries):
        if total <= bound and count <= most:
            break
        if path == keep:
            continue
        with contextlib.suppress(OSError):
            path.unlink()
            total -= size
            count -= 1

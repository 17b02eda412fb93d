"""A loaded thread kept in the user's cache directory, so the same file opens again faster
than it can be parsed (issue #16). No Textual.

One entry a file opened: `$XDG_CACHE_HOME/threadtui/opened/<32 hex digits>.cache`, the
name a hash of the file's real path; the header names the path and what else decides how
it is read (`--source`, `--source-tz`), so an opening with other options is a miss that
replaces the entry. An entry is MessagePack (msgspec), after a magic line and a small
header:

- the header says which file it was built from: size, `st_mtime_ns`, and the SHA-256 of
  the bytes the loader read, so a file replaced by another with the same size and time is
  still told apart; with the body's length, and a MAC of both;
- the body is the thread as the loader left it: posts already cleaned and linked.

How it is trusted (`read`):

1. The header is read first; a different size or time, or another reader (the entry's
   key names the installed model and importers, `reader_stamp`: a fixed loading rule
   must not be handed an older reading) means stale: the file is loaded as usual and
   the entry rebuilt, silently.
2. Otherwise the file is hashed (SHA-256) and the entry authenticated (HMAC-SHA-256)
   in a second thread (hashlib lets go of the GIL on large buffers) while this one
   decodes the body into typed msgspec structs (types and literals checked in C). The
   thread is used only if all three agree. Nothing from an entry is shown before that:
   a stale entry can never put another version's posts on screen, even for one frame.
3. The MAC's key (32 random bytes) is made on first use, in the cache folder, readable
   only by the user, and used only if the user owns it and the folder and no one else
   can write there. So an entry can only come from this program's own writer, which
   writes what the loader made of the file (cleaned, linked, checked); an entry crafted
   or changed by anyone else, damaged or cut short, or of another format version, is
   ignored with a one-line warning and rebuilt. This is what makes reading cheap: checking
   every string and tree link again cost as much as decoding (0.5 s of 1 s at 100,000
   posts). Free-form parts (source notes, details, unknown keys) are kept as JSON text
   and cleaned again when read, as the loader cleans them (small).

Written (`write`) after the first frame, in a thread of its own, atomically (temporary
file, fsync, rename: `atomicfile`), so a crash or two writers at once leave one whole
entry. The folder is kept under a size bound by removing the least recently used entries
(a hit touches its entry).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import mmap
import operator
import os
import re
import secrets
import stat
import struct
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain, compress, repeat
from pathlib import Path
from typing import Annotated, Any, Final

import msgspec
import orjson

from threadtui import pacing
from threadtui.atomicfile import prune_oldest, write_file_atomically
from threadtui.model.format import Status
from threadtui.model.sanitize import clean_json, clean_line
from threadtui.model.thread import Author, Metrics, Post, Thread

FORMAT: Final = "threadtui.opened"
VERSION: Final = 1
"""Bumped whenever what an entry holds or means changes: an entry of another version is
rebuilt (with a warning, as it may also be a newer threadtui's)."""
MAGIC: Final = b"threadtui.opened\n"
SUFFIX: Final = ".cache"
DEFAULT_BOUND_MB: Final = 1024
"""All entries together, by default; a million-post thread's entry is about 300 MB."""
MAX_HEADER: Final = 64 * 1024
_LENGTH: Final = struct.Struct(">I")
_NAME: Final = re.compile(r"[0-9a-f]{32}\.cache")
_CHUNK: Final = 1024
"""Posts encoded per call when writing: the writer lets go of the GIL between chunks, so
the UI thread is never held for long while a large thread is written. A chunk of 4,096
posts was 15-60 ms of work between two pauses at a million posts (building the rows,
then one `msgpack.encode`), a stretch a held key waited through; 1,024 is a few ms."""
_SCAN: Final = 16_384
"""Posts or authors looked at between two pauses when no row is built (about 1-3 ms)."""
_KEY_NAME: Final = "key"
_KEY_SIZE: Final = 32
_STALE_TEMPORARY: Final = 3600.0
"""Seconds after which a writer's temporary file is taken as left by a process that died."""


def cache_root() -> Path:
    """`$XDG_CACHE_HOME/threadtui` (`~/.cache/threadtui`), as the fetch cache has it."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "threadtui"


def cache_dir() -> Path:
    return cache_root() / "opened"


# --- what an entry holds --------------------------------------------------------------------


class _Header(msgspec.Struct, array_like=True, forbid_unknown_fields=True):
    format: str
    version: int
    key: str
    """What the entry is for (`entry_key`): an entry copied under another name is foreign."""
    size: int
    mtime_ns: int
    digest: bytes
    """SHA-256 of the bytes the loader read."""
    body_size: int
    mac: bytes
    """HMAC-SHA-256 of this header (with `mac` empty) and the body."""


class _Author(msgspec.Struct, array_like=True, forbid_unknown_fields=True, gc=False):
    key: str
    """The key in `Thread.authors`: the id as the file wrote it (`id` is cleaned)."""
    id: str
    handle: str | None
    display_name: str | None
    post_count: int
    extra: str | None
    """JSON text, cleaned again when read."""
    declared: bool
    url: str | None


_Wide = Annotated[int, msgspec.Meta(ge=0)]


class _Metrics(Metrics, forbid_unknown_fields=True, gc=False):
    """The checking path keeps counts past int64 (up to uint64, which MessagePack holds);
    `Post.metrics` turns this into a plain Metrics on first read."""

    views: _Wide | None = None
    likes: _Wide | None = None
    reposts: _Wide | None = None
    replies: _Wide | None = None
    quotes: _Wide | None = None


class _Post(Post, array_like=True, forbid_unknown_fields=True):
    """A post as an entry holds it. A subclass of Post, so decoding builds the very
    objects the thread keeps (in C); only the author (an index into the authors) is put
    right after. The other overrides narrow what a file may hold to what the loader
    makes, so a wrong type or status fails the decoding."""

    author: int | None  # type: ignore[assignment]
    raw_metrics: _Metrics
    status: Status
    extra: None = None
    """Unknown keys of a post are in `_Body.extras` (JSON text, cleaned when read)."""


class _Body(msgspec.Struct, array_like=True, forbid_unknown_fields=True):
    title: str | None
    summary: str | None
    url: str | None
    root_id: str | None
    details: dict[str, str]
    free: str
    """JSON text of the free-form parts: source, extra, raw_details, meta_extra."""
    warnings: list[str]
    authors: list[_Author]
    chunks: list[msgspec.Raw]
    """Each a MessagePack list of `_Post`, decoded one by one: between two the GIL can go
    to the thread hashing the file."""
    extras: str
    """JSON text: {post index: unknown keys}."""
    roots: list[int]
    time_range: tuple[float, float] | None
    max_depth: int
    tree_size: int
    order: list[int] | None


_HEADER_DECODER: Final = msgspec.msgpack.Decoder(_Header)
_BODY_DECODER: Final = msgspec.msgpack.Decoder(_Body)
_POSTS_DECODER: Final = msgspec.msgpack.Decoder(list[_Post])


class _Unusable(Exception):
    """An entry that cannot be used; the message says why (for the warning)."""


# --- where ----------------------------------------------------------------------------------


def entry_key(path: str | os.PathLike[str], variant: str = "") -> str:
    """What an entry stands for: the file's real path, then how it is read (`variant`:
    `--source`, `--source-tz`), then which reader made it (`reader_stamp`). Kept in the
    entry's header: an entry for anything else is a silent miss, replaced on writing."""
    real = os.path.realpath(os.fspath(path))
    return f"{real}\0{variant}\0{reader_stamp()}"


@functools.cache
def reader_stamp() -> str:
    """The code that turns a file into a thread, as installed: the version and every
    module of the model and the importers by name, size and time. An entry holds what
    that code made of the file, so a threadtui whose loading or cleaning rules changed
    (an upgrade, or a fix in a checkout without a new version number) must not be handed
    an older reading. About 30 `stat` calls; nothing is read."""
    import threadtui

    here = Path(__file__).parent
    # By path: the model never imports the importers (and importing them costs startup).
    return code_stamp(threadtui.__version__, [here, here.parent / "importers"])


def code_stamp(version: str, packages: list[Path]) -> str:
    parts = [version]
    for package in packages:
        try:
            entries = sorted(os.scandir(package), key=operator.attrgetter("name"))
        except OSError:
            continue
        for entry in entries:
            if entry.name.endswith(".py"):
                with contextlib.suppress(OSError):
                    info = entry.stat()
                    parts.append(f"{entry.name}:{info.st_size}:{info.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def entry_path(key: str, directory: Path | None = None) -> Path:
    """One entry a file, named by its real path alone: an opening with other options
    replaces it, and forgetting a file needs no options."""
    real = key.partition("\0")[0]
    digest = hashlib.sha256(real.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return (directory or cache_dir()) / f"{digest}{SUFFIX}"


@dataclass(frozen=True, slots=True)
class Stamp:
    """What the file was when it was read."""

    size: int
    mtime_ns: int


def stamp(path: str | os.PathLike[str]) -> Stamp | None:
    """The file's size and time, or None when it is not a regular file (nothing cached)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return Stamp(info.st_size, info.st_mtime_ns)


# --- reading --------------------------------------------------------------------------------


def damaged(path: Path, reason: str) -> str:
    return f"the cached copy of this file ({path}) could not be used ({reason}); read the file"


def read(
    path: str | os.PathLike[str],
    key: str,
    *,
    name: str,
    directory: Path | None = None,
) -> tuple[Thread | None, str | None]:
    """The thread cached for the file at `path` and None; or None and a warning when an
    entry was there but unusable (None, None: no entry, or a stale one)."""
    now = stamp(path)
    if now is None:
        return None, None
    folder = directory or cache_dir()
    where = entry_path(key, folder)
    try:
        with open(where, "rb") as file:
            header = _read_header(file, key)
            if header is None or header.size != now.size or header.mtime_ns != now.mtime_ns:
                return None, None
            secret = _secret(folder, create=False)
            if secret is None:
                raise _Unusable("not written by this threadtui")
            checks = _Checks(path)
            try:
                body = file.read(header.body_size + 1)
                checks.authenticate(secret, header, body)
                decoded = _decode(body) if len(body) == header.body_size else None
            finally:
                # Joined whatever happens: the thread must not outlive a failed read.
                digest, mac = checks.result()
    except (FileNotFoundError, NotADirectoryError):
        return None, None
    except _Unusable as error:
        return None, damaged(where, str(error))
    except OSError as error:
        return None, damaged(where, error.strerror or type(error).__name__)
    if digest != header.digest:
        return None, None  # the file changed under the same size and time
    try:
        if mac is None or not hmac.compare_digest(mac, header.mac):
            raise _Unusable("damaged, cut short, or not written by this threadtui")
        if decoded is None:
            raise _Unusable("cut short")
        thread = _thread(decoded, name)
    except _Unusable as error:
        return None, damaged(where, str(error))
    # The least recently used go first when the folder is over its bound.
    with contextlib.suppress(OSError):
        os.utime(where)
    return thread, None


def _read_header(file: Any, key: str) -> _Header | None:
    magic = file.read(len(MAGIC))
    if magic != MAGIC:
        raise _Unusable("not a threadtui cache file")
    length_bytes = file.read(_LENGTH.size)
    if len(length_bytes) != _LENGTH.size:
        raise _Unusable("truncated")
    (length,) = _LENGTH.unpack(length_bytes)
    if length > MAX_HEADER:
        raise _Unusable("damaged header")
    raw = file.read(length)
    try:
        header = _HEADER_DECODER.decode(raw)
    except msgspec.MsgspecError:
        raise _Unusable("damaged header") from None
    if header.format != FORMAT or header.version != VERSION:
        raise _Unusable(f"format version {header.version}, this threadtui reads {VERSION}")
    if header.key != key:
        return None  # another file's entry under this name: replaced on writing
    return header


class _Checks:
    """The file's SHA-256 and the entry's MAC, computed in a thread while the caller
    reads and decodes the entry."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._digest: bytes | None = None
        self._mac: bytes | None = None
        self._entry = threading.Event()
        self._secret = b""
        self._header = b""
        self._body = b""
        self._thread = threading.Thread(target=self._run, args=(path,), daemon=True)
        self._thread.start()

    def authenticate(self, secret: bytes, header: _Header, body: bytes) -> None:
        self._secret = secret
        self._header = _mac_input(header)
        self._body = body
        self._entry.set()

    def _run(self, path: str | os.PathLike[str]) -> None:
        # One call over the whole file, mapped: hashlib holds no GIL for it, where a loop
        # of reads would need the GIL for each and wait on the decoding for it.
        try:
            with open(path, "rb") as file:
                if os.fstat(file.fileno()).st_size == 0:
                    self._digest = hashlib.sha256(b"").digest()
                else:
                    with mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                        self._digest = hashlib.sha256(mapped).digest()
        except (OSError, ValueError):
            self._digest = None
        self._entry.wait()
        if self._secret:
            self._mac = _mac(self._secret, self._header, self._body)

    def result(self) -> tuple[bytes | None, bytes | None]:
        self._entry.set()
        self._thread.join()
        return self._digest, self._mac


def _mac_input(header: _Header) -> bytes:
    return msgspec.msgpack.encode(msgspec.structs.replace(header, mac=b""))


def _mac(secret: bytes, header: bytes, body: bytes | list[Piece]) -> bytes:
    """HMAC-SHA-256 (SHA-256 has CPU instructions where BLAKE2b has none: 2 GB/s here)
    of the header and the body (whole, or in the pieces `encode_pieces` made)."""
    mac = hmac.new(secret, digestmod="sha256")
    mac.update(_LENGTH.pack(len(header)))
    mac.update(header)
    for piece in [body] if isinstance(body, bytes) else body:
        mac.update(piece)
    return mac.digest()


# --- the key --------------------------------------------------------------------------------


def _secret(folder: Path, *, create: bool) -> bytes | None:
    """The MAC key kept in `folder`, made when `create` and absent; None when there is
    none. _Unusable when the key or the folder could be another user's doing."""
    path = folder / _KEY_NAME
    try:
        secret = _read_secret(folder, path)
    except FileNotFoundError:
        if not create:
            return None
        _make_secret(folder, path)
        secret = _read_secret(folder, path)
    return secret


def _private(info: os.stat_result, *, writable_by_others_only: bool = False) -> bool:
    getuid = getattr(os, "getuid", None)
    if getuid is not None and info.st_uid != getuid():
        return False
    mask = 0o022 if writable_by_others_only else 0o077
    return not info.st_mode & mask


def _read_secret(folder: Path, path: Path) -> bytes:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or not _private(info):
            raise _Unusable(f"its key {path} is not the user's alone")
        secret = os.read(fd, _KEY_SIZE + 1)
    finally:
        os.close(fd)
    if not _private(os.stat(folder), writable_by_others_only=True):
        raise _Unusable(f"others can write in {folder}")
    if len(secret) != _KEY_SIZE:
        raise _Unusable(f"its key {path} is damaged")
    return secret


def _make_secret(folder: Path, path: Path) -> None:
    """A new key, made whole under a temporary name and linked into place: two processes
    making one at once both end up with the first (the second link fails)."""
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".key.", suffix=".tmp")
    try:
        os.write(fd, secrets.token_bytes(_KEY_SIZE))
        os.fsync(fd)
        os.close(fd)
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


_ID: Final = operator.attrgetter("id")
_AUTHOR: Final = operator.attrgetter("author")


def _decode(body: bytes) -> _Body:
    try:
        return _BODY_DECODER.decode(body)
    except (msgspec.MsgspecError, ValueError, RecursionError) as error:
        raise _Unusable(f"does not decode: {str(error)[:80]}") from None


def _thread(decoded: _Body, name: str) -> Thread:
    """The thread an authenticated entry holds. What the writer cannot have written
    (an author or a post id twice, an index out of range) still raises _Unusable."""
    decode = _POSTS_DECODER.decode
    try:
        posts: list[Post] = list(chain.from_iterable(map(decode, decoded.chunks)))
    except (msgspec.MsgspecError, ValueError, RecursionError) as error:
        raise _Unusable(f"does not decode: {str(error)[:80]}") from None
    n = len(posts)
    authors_list = [
        Author(
            a.id,
            a.handle,
            a.display_name,
            a.post_count,
            _free(a.extra),
            a.declared,
            a.url,
        )
        for a in decoded.authors
    ]
    authors = dict(zip((a.key for a in decoded.authors), authors_list, strict=True))
    if len(authors) != len(authors_list):
        raise _Unusable("an author twice")
    by_id = dict(zip(map(_ID, posts), range(n), strict=True))
    if len(by_id) != n:
        raise _Unusable("a post id twice")
    # Each post gets its author object back, by C-level passes (a Python loop took 0.3 s
    # at a million posts).
    with_author = list(compress(posts, map(operator.is_not, map(_AUTHOR, posts), repeat(None))))
    try:
        objects = list(map(authors_list.__getitem__, map(_AUTHOR, with_author)))
    except (IndexError, TypeError):
        raise _Unusable("an author out of range") from None
    for _ in map(setattr, with_author, repeat("author"), objects):
        pass
    extras = _free(decoded.extras) or {}
    if type(extras) is not dict:
        raise _Unusable("damaged extras")
    for index, extra in extras.items():
        try:
            post = posts[int(index)]
        except (ValueError, IndexError):
            raise _Unusable("damaged extras") from None
        if type(extra) is not dict:
            raise _Unusable("damaged extras")
        post.extra = extra
    free = _free(decoded.free)
    if type(free) is not list or len(free) != 4 or type(free[0]) is not dict:
        raise _Unusable("damaged free-form parts")
    source, extra, raw_details, meta_extra = free
    thread = Thread(
        name=clean_line(name),
        title=_line(decoded.title),
        summary=_line(decoded.summary),
        url=_line(decoded.url),
        root_id=decoded.root_id,
        details={clean_line(k): clean_line(v) for k, v in decoded.details.items()},
        source=source,
        authors=authors,
        posts=posts,
        by_id=by_id,
        roots=decoded.roots,
        warnings=[clean_line(w) for w in decoded.warnings],
        time_range=decoded.time_range,
        max_depth=decoded.max_depth,
        tree_size=decoded.tree_size,
        extra=extra,
        raw_details=raw_details,
        meta_extra=meta_extra,
    )
    thread._order = decoded.order
    return thread


def _line(value: str | None) -> str | None:
    return None if value is None else clean_line(value)


def _free(text: str | None) -> Any:
    """Free-form JSON as an entry keeps it, read and cleaned as the loader cleans it."""
    if text is None:
        return None
    try:
        return clean_json(orjson.loads(text))
    except orjson.JSONDecodeError:
        raise _Unusable("damaged free-form parts") from None


# --- writing --------------------------------------------------------------------------------


def digest_of(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


class Source:
    """What an opening read, kept to write its entry: the file's stamp before reading and
    the hash of the bytes read (computed in a thread as the loader works: hashlib lets go
    of the GIL on large buffers)."""

    def __init__(self, key: str, before: Stamp, data: bytes) -> None:
        self.key = key
        self.stamp = before
        self._digest: bytes | None = None
        self._thread = threading.Thread(target=self._hash, args=(data,), daemon=True)
        self._thread.start()

    def _hash(self, data: bytes) -> None:
        self._digest = digest_of(data)

    def digest(self) -> bytes | None:
        self._thread.join()
        return self._digest


def cacheable(thread: Thread, *, pause: Callable[[], None] | None = None) -> bool:
    """Whether an entry can hold `thread` as it is: metrics the format does not define
    stay in their JSON object, which an entry does not keep (such a file is loaded).
    `pause` between runs of posts: at a million posts the walk is 40-60 ms of Python,
    the writer's first stretch, just after the first frame."""
    posts = thread.posts
    for start in range(0, len(posts), _SCAN):
        run = posts[start : start + _SCAN]
        if not all(p.unknown_metrics is None for p in run if type(p.raw_metrics) is dict):
            return False
        if pause is not None:
            pause()
    return True


def encode(
    thread: Thread, source: Source, secret: bytes, *, pause: Callable[[], None] | None = None
) -> bytes:
    """The entry for `thread`, read from `source`. `pause` is called between chunks of
    posts (a writer thread sleeps there, so the UI keeps the GIL most of the time)."""
    return b"".join(encode_pieces(thread, source, secret, pause=pause))


Piece = bytes | memoryview


def encode_pieces(
    thread: Thread, source: Source, secret: bytes, *, pause: Callable[[], None] | None = None
) -> list[Piece]:
    """`encode`'s bytes in the pieces they were made in, never copied into one buffer:
    at a million posts, joining 300 MB held the GIL for 70-300 ms (the new buffer's pages
    faulted in under the lock), a stall for the UI; the MAC and the file take the pieces
    one by one (hashing and writing let go of the GIL)."""
    every = list(thread.authors.items())
    index_of: dict[int, int] = {}
    authors: list[_Author] = []
    # In runs with pauses: 125,000 authors at a million posts, 50-100 ms of Python at once.
    for start in range(0, len(every), _SCAN):
        for key, a in every[start : start + _SCAN]:
            index_of[id(a)] = len(authors)
            authors.append(
                _Author(
                    key,
                    a.id,
                    a.handle,
                    a.display_name,
                    a.post_count,
                    None if a.extra is None else orjson.dumps(a.extra).decode(),
                    a.declared,
                    a.url,
                )
            )
        if pause is not None:
            pause()
    chunks: list[msgspec.Raw] = []
    extras: dict[str, Any] = {}
    posts = thread.posts
    for start in range(0, len(posts), _CHUNK):
        rows = []
        for p in posts[start : start + _CHUNK]:
            if p.extra is not None:
                extras[str(p.index)] = p.extra
            rows.append(
                _Post(
                    p.index,
                    p.id,
                    None if p.author is None else index_of[id(p.author)],
                    p.text,
                    p.created_at,
                    p.created,
                    p.reply_to,
                    p.quotes,
                    # Encoded as the same map: decoding makes it a _Metrics.
                    p.metrics,  # type: ignore[arg-type]
                    p.status,  # type: ignore[arg-type]
                    None,
                    p.synthetic,
                    p.parent,
                    p.parent_is_quote,
                    p.depth,
                    p.children,
                    p.quoted_by,
                    p.fields,
                )
            )
        chunks.append(msgspec.Raw(msgspec.msgpack.encode(rows)))
        if pause is not None:
            pause()
    body = _body_pieces(
        _Body(
            thread.title,
            thread.summary,
            thread.url,
            thread.root_id,
            thread.details,
            orjson.dumps(
                [thread.source, thread.extra, thread.raw_details, thread.meta_extra]
            ).decode(),
            thread.warnings,
            authors,
            chunks,
            orjson.dumps(extras).decode(),
            thread.roots,
            thread.time_range,
            thread.max_depth,
            thread.tree_size,
            thread._order,
        ),
        pause,
    )
    digest = source.digest()
    if digest is None:
        raise OSError("the file could not be hashed")
    fields = _Header(
        FORMAT,
        VERSION,
        source.key,
        source.stamp.size,
        source.stamp.mtime_ns,
        digest,
        sum(map(len, body)),
        b"",
    )
    fields.mac = _mac(secret, _mac_input(fields), body)
    header = msgspec.msgpack.encode(fields)
    return [MAGIC, _LENGTH.pack(len(header)), header, *body]


def _body_pieces(body: _Body, pause: Callable[[], None] | None) -> list[Piece]:
    """`msgspec.msgpack.encode(body)`, the same bytes, in pieces made a field at a time:
    as one call it held the GIL for a quarter of a second at a million posts (the posts'
    chunks copied into one 300 MB buffer). Each field is encoded on its own (an array-like
    struct is the array of its fields); the posts' chunks are not copied at all."""
    names = body.__struct_fields__
    pieces: list[Piece] = [_array_header(len(names))]
    for name in names:
        value = getattr(body, name)
        if name == "chunks":
            pieces.append(_array_header(len(value)))
            pieces += map(memoryview, value)
        elif isinstance(value, list) and len(value) > _CHUNK:
            # The tree order, the authors: a million items in one call held the GIL for
            # tens of ms. A list is its header and its items: encoded a run at a time.
            pieces.append(_array_header(len(value)))
            for start in range(0, len(value), _CHUNK):
                run = value[start : start + _CHUNK]
                encoded = msgspec.msgpack.encode(run)
                pieces.append(memoryview(encoded)[len(_array_header(len(run))) :])
                if pause is not None:
                    pause()
        else:
            pieces.append(msgspec.msgpack.encode(value))
        if pause is not None:
            pause()
    return pieces


def _array_header(length: int) -> bytes:
    """The MessagePack header of an array of `length` items (empty Raw items encode to
    nothing, so only the header is left)."""
    return msgspec.msgpack.encode([msgspec.Raw(b"")] * length)


def write(
    thread: Thread,
    source: Source,
    *,
    bound: int = DEFAULT_BOUND_MB * 1024**2,
    directory: Path | None = None,
    pause: Callable[[], None] | None = None,
) -> Path | None:
    """Store the entry for `thread` atomically, then keep the folder within `bound`
    bytes. None when the thread is not cached (`cacheable`, or larger than `bound`).
    Raises OSError when the cache cannot be written."""
    if not cacheable(thread, pause=pause):
        return None
    folder = directory or cache_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        secret = _secret(folder, create=True)
    except _Unusable as error:
        raise OSError(f"the cache folder {folder} is not safe to use: {error}") from None
    assert secret is not None
    data = encode_pieces(thread, source, secret, pause=pause)
    if sum(map(len, data)) > bound:
        return None
    path = entry_path(source.key, folder)
    write_file_atomically(path, data, mode=0o600)
    prune(bound, folder, keep=path)
    return path


def prune(bound: int, directory: Path | None = None, *, keep: Path | None = None) -> None:
    """Remove the least recently used entries until the folder is within `bound` bytes,
    and temporary files writers that died left behind. Only names of an entry's exact form
    are ever removed."""
    folder = directory or cache_dir()
    try:
        names = os.listdir(folder)
    except OSError:
        return
    now = time.time()
    for name in names:
        if name.startswith(".") and name.endswith(".tmp") and _NAME.fullmatch(name[1:39]):
            with contextlib.suppress(OSError):
                if now - os.lstat(folder / name).st_mtime > _STALE_TEMPORARY:
                    os.unlink(folder / name)
    prune_oldest((folder / name for name in names if _NAME.fullmatch(name)), bound=bound, keep=keep)


def forget(key: str, directory: Path | None = None) -> bool:
    """Remove the entry for `key`; whether there was one."""
    try:
        entry_path(key, directory).unlink()
    except FileNotFoundError:
        return False
    return True


def forget_all(directory: Path | None = None) -> int:
    """Remove every entry; how many there were."""
    folder = directory or cache_dir()
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return 0
    removed = 0
    for name in names:
        if _NAME.fullmatch(name):
            with contextlib.suppress(FileNotFoundError):
                (folder / name).unlink()
                removed += 1
    return removed


def write_later(
    thread: Thread,
    source: Source,
    *,
    bound: int,
    on_error: Callable[[str], None] | None = None,
) -> threading.Thread:
    """`write` in a daemon thread of its own, pausing between chunks of posts (`_Pacer`)
    so the UI thread gets the GIL. A failure is passed to `on_error` as one line (or dropped): the
    thread is open already, and the next opening simply parses the file again."""

    def run() -> None:
        try:
            with pacing.beside_ui():
                write(thread, source, bound=bound, pause=_Pacer())
        except Exception as error:
            # A traceback from this thread would be printed over the app's screen; the
            # thread is open whatever happened here (no home directory is a RuntimeError).
            if on_error is not None:
                reason = getattr(error, "strerror", None) or str(error)
                on_error(f"could not cache this file for a faster next opening: {reason}")

    writer = threading.Thread(target=run, name="threadtui cache writer", daemon=True)
    writer.start()
    return writer


class _Pacer:
    """Sleeps after each chunk as long as the chunk took: the writer holds the GIL at most
    half the time, so the app's keys and its index worker keep most of it; and while the
    app answers a key, it keeps off the GIL altogether (`threadtui.pacing.pause`)."""

    def __init__(self) -> None:
        self._since = time.monotonic()

    def __call__(self) -> None:
        worked = time.monotonic() - self._since
        time.sleep(min(max(worked, 0.001), 0.05))
        pacing.pause()
        self._since = time.monotonic()


__all__ = [
    "DEFAULT_BOUND_MB",
    "Source",
    "cache_dir",
    "entry_key",
    "entry_path",
    "forget",
    "forget_all",
    "prune",
    "read",
    "stamp",
    "write",
    "write_later",
]

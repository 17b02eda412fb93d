"""A loaded thread kept in the user's cache directory, so the same file opens again faster
than it can be parsed (issue #16). No Textual.

One entry a file opened: `$XDG_CACHE_HOME/threadtui/opened/<32 hex digits>.cache`, the
name a hash of the file's real path and of what else decides how it is read (`--source`,
`--source-tz`). An entry is MessagePack (msgspec), after a magic line and a small header:

- the header says which file it was built from: size, `st_mtime_ns`, and the SHA-256 of
  the bytes the loader read, so a file replaced by another with the same size and time is
  still told apart; with the length and CRC-32 of the body, to catch damage;
- the body is the thread as the loader left it: posts already cleaned and linked.

How it is trusted (`read`):

1. The header is read first; a different size or time means stale: the file is loaded
   as usual and the entry rebuilt, silently.
2. Otherwise the file is hashed in a second thread (hashlib releases the GIL on large
   buffers) while this one decodes the body; the thread is used only if both agree.
   Nothing from the entry is shown before its hash is known: a stale entry can never
   put another version's posts on screen, even for one frame.
3. The body is decoded into typed msgspec structs (types and literals checked in C),
   then checked as the loader would have left it: every post id, time and reference
   printable, every text free of what `sanitize.py` removes, every tree link consistent
   (so no walk can loop). Free-form parts (source notes, details, unknown keys) are kept
   as JSON text and cleaned again when read. An entry that fails any of this, or does not
   decode, or has another format version, is ignored with a one-line warning and rebuilt.

Written (`write`) after the first frame, in a thread of its own, atomically (temporary
file, fsync, rename: `atomicfile`), so a crash or two writers at once leave one whole
entry. The folder is kept under a size bound by removing the least recently used entries
(a hit touches its entry).
"""

from __future__ import annotations

import contextlib
import hashlib
import operator
import os
import re
import stat
import struct
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain, compress, filterfalse, repeat
from pathlib import Path
from typing import Annotated, Any, Final, cast

import msgspec
import orjson

from threadtui.atomicfile import prune_oldest, write_file_atomically
from threadtui.model.format import Status
from threadtui.model.sanitize import _UNSAFE, clean_json, clean_line
from threadtui.model.thread import NO_PARENT, Author, Metrics, Post, Thread

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
_CHUNK: Final = 4096
"""Posts encoded per call when writing: the writer lets go of the GIL between chunks, so
the UI thread is never held for long while a large thread is written."""
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
    body_crc: int


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
    chunks: list[list[_Post]]
    extras: str
    """JSON text: {post index: unknown keys}."""
    roots: list[int]
    time_range: tuple[float, float] | None
    max_depth: int
    tree_size: int
    order: list[int] | None


_HEADER_DECODER: Final = msgspec.msgpack.Decoder(_Header)
_BODY_DECODER: Final = msgspec.msgpack.Decoder(_Body)


class _Unusable(Exception):
    """An entry that cannot be used; the message says why (for the warning)."""


# --- where ----------------------------------------------------------------------------------


def entry_key(path: str | os.PathLike[str], variant: str = "") -> str:
    """What an entry stands for: the file's real path, then how it is read (`variant`:
    `--source`, `--source-tz`). Kept in the entry's header."""
    real = os.path.realpath(os.fspath(path))
    return f"{real}\0{variant}"


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
    where = entry_path(key, directory)
    try:
        with open(where, "rb") as file:
            header = _read_header(file, key)
            if header is None or header.size != now.size or header.mtime_ns != now.mtime_ns:
                return None, None
            hashed = _Hasher(path)
            try:
                body = file.read(header.body_size + 1)
            finally:
                # Joined whatever happens: the thread must not outlive a failed read.
                digest = hashed.result()
    except (FileNotFoundError, NotADirectoryError):
        return None, None
    except _Unusable as error:
        return None, damaged(where, str(error))
    except OSError as error:
        return None, damaged(where, error.strerror or type(error).__name__)
    if digest != header.digest:
        return None, None  # the file changed under the same size and time
    try:
        if len(body) != header.body_size or zlib.crc32(body) != header.body_crc:
            raise _Unusable("damaged or truncated")
        thread = _thread(body, name)
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


class _Hasher:
    """The SHA-256 of a file, computed in a thread while the caller decodes."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._digest: bytes | None = None
        self._thread = threading.Thread(target=self._run, args=(path,), daemon=True)
        self._thread.start()

    def _run(self, path: str | os.PathLike[str]) -> None:
        try:
            with open(path, "rb") as file:
                self._digest = hashlib.file_digest(file, "sha256").digest()
        except OSError:
            self._digest = None

    def result(self) -> bytes | None:
        self._thread.join()
        return self._digest


_ID: Final = operator.attrgetter("id")
_TEXT: Final = operator.attrgetter("text")
_CREATED_AT: Final = operator.attrgetter("created_at")
_REPLY_TO: Final = operator.attrgetter("reply_to")
_QUOTES: Final = operator.attrgetter("quotes")
_INDEX: Final = operator.attrgetter("index")
_PARENT: Final = operator.attrgetter("parent")
_DEPTH: Final = operator.attrgetter("depth")
_CHILDREN: Final = operator.attrgetter("children")
_QUOTED_BY: Final = operator.attrgetter("quoted_by")
_FIELDS: Final = operator.attrgetter("fields")
_AUTHOR: Final = operator.attrgetter("author")
# What `sanitize.py` removes, as msgspec's JSON writes it: C0 controls escaped (\b \f \r
# \u00XX; \n and \t are allowed in texts), DEL, C1 and the bidi controls as UTF-8. An
# escaped backslash before a b, f or r matches too: refused, the file is simply reloaded.
_UNSAFE_JSON: Final = re.compile(
    rb"\\u00[01][0-9a-fA-F]|\\u007[fF]|\\[bfr]|\x7f|\xc2[\x80-\x9f]"
    rb"|\xd8\x9c|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]"
)


def _printable(strings: Any) -> bool:
    """Whether the strings are as `clean_line` leaves them; isprintable() first (C, 1.5 ns
    a character), the regex only when some character is not (a joiner in an emoji)."""
    joined = "".join(strings)
    return joined.isprintable() or (
        _UNSAFE.search(joined) is None and "\n" not in joined and "\t" not in joined
    )


def _thread(body: bytes, name: str) -> Thread:
    try:
        decoded = _BODY_DECODER.decode(body)
    except (msgspec.MsgspecError, ValueError, RecursionError) as error:
        raise _Unusable(f"does not decode: {str(error)[:80]}") from None
    posts: list[Post] = list(chain.from_iterable(decoded.chunks))
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
    _check_strings(decoded, posts)
    ids = list(map(_ID, posts))
    by_id = dict(zip(ids, range(n), strict=True))
    if len(by_id) != n:
        raise _Unusable("a post id twice")
    if list(map(_INDEX, posts)) != list(range(n)):
        raise _Unusable("posts out of place")
    _check_links(decoded, posts)
    # The one Python pass over the posts: each gets its author object back.
    try:
        for post in compress(posts, map(operator.is_not, map(_AUTHOR, posts), repeat(None))):
            post.author = authors_list[cast("int", post.author)]
    except (IndexError, TypeError):
        raise _Unusable("an author out of range") from None
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


def _check_strings(decoded: _Body, posts: list[Post]) -> None:
    """Every string the posts hold is as the loader leaves it: ids, times, references and
    names on one line without what the loader removes, texts without what it removes. Passes
    in C over the strings joined; the regex only reads the texts that hold a line break
    or an unusual space."""
    if decoded.root_id is not None and not decoded.root_id.isprintable():
        raise _Unusable("unclean text")
    if not (
        _printable(map(_ID, posts))
        and _printable(filter(None, map(_CREATED_AT, posts)))
        and _printable(filter(None, map(_REPLY_TO, posts)))
        and _printable(chain.from_iterable(map(_QUOTES, posts)))
        and _printable(
            filter(
                None,
                chain.from_iterable(
                    (a.id, a.handle, a.display_name, a.url) for a in decoded.authors
                ),
            )
        )
    ):
        raise _Unusable("unclean text")
    texts = filter(None, map(_TEXT, posts))
    if any(map(_UNSAFE.search, filterfalse(str.isprintable, texts))):
        raise _Unusable("unclean text")
    fields = list(filter(None, map(_FIELDS, posts)))
    if fields and _UNSAFE_JSON.search(msgspec.json.encode(fields)) is not None:
        raise _Unusable("unclean text")


def _check_links(decoded: _Body, posts: list[Post]) -> None:
    """The tree links are a forest every walk finishes: each post with a parent is listed
    once among that parent's children, one level deeper; roots have no parent; every index
    is in range. Then depth falls along every parent chain and rises along every walk down,
    so neither can loop. C-level passes (map, compress, chain)."""
    n = len(posts)
    parents = list(map(_PARENT, posts))
    depths = list(map(_DEPTH, posts))
    kids = list(map(_CHILDREN, posts))
    listed = list(chain.from_iterable(filter(None, kids)))
    owners = list(
        chain.from_iterable(map(repeat, compress(range(n), kids), map(len, filter(None, kids))))
    )
    roots = decoded.roots
    try:
        if n and (min(parents) < NO_PARENT or max(parents) >= n):
            raise _Unusable("a parent out of range")
        if list(map(parents.__getitem__, listed)) != owners:
            raise _Unusable("children and parents disagree")
        if len(set(listed)) != len(listed) or n - parents.count(NO_PARENT) != len(listed):
            raise _Unusable("children and parents disagree")
        if list(map(depths.__getitem__, listed)) != list(
            map(operator.add, map(depths.__getitem__, owners), repeat(1))
        ):
            raise _Unusable("depths disagree")
        if roots and min(roots) < 0:
            raise _Unusable("a root out of range")
        if list(map(parents.__getitem__, roots)).count(NO_PARENT) != len(roots):
            raise _Unusable("a root with a parent")
        quoted = list(chain.from_iterable(filter(None, map(_QUOTED_BY, posts))))
        if quoted and (min(quoted) < 0 or max(quoted) >= n):
            raise _Unusable("a quote out of range")
        order = decoded.order
        if order is not None and (
            len(set(order)) != len(order) or (order and (min(order) < 0 or max(order) >= n))
        ):
            raise _Unusable("an order out of range")
    except IndexError:
        raise _Unusable("an index out of range") from None
    # Every post with children and no parent is a root, so the tree holds every listed
    # child: its size is the roots and them.
    heads = {o for o in set(owners) if parents[o] == NO_PARENT}
    if not heads <= set(roots) or decoded.tree_size != len(roots) + len(listed):
        raise _Unusable("the tree's size disagrees")
    if decoded.max_depth != (max(depths) if depths else 0):
        raise _Unusable("depths disagree")


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


def cacheable(thread: Thread) -> bool:
    """Whether an entry can hold `thread` as it is: metrics the format does not define
    stay in their JSON object, which an entry does not keep (such a file is loaded)."""
    return all(p.unknown_metrics is None for p in thread.posts if type(p.raw_metrics) is dict)


def encode(thread: Thread, source: Source, *, pause: Callable[[], None] | None = None) -> bytes:
    """The entry for `thread`, read from `source`. `pause` is called between chunks of
    posts (a writer thread sleeps there, so the UI keeps the GIL most of the time)."""
    index_of = {id(a): i for i, a in enumerate(thread.authors.values())}
    authors = [
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
        for key, a in thread.authors.items()
    ]
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
    body = msgspec.msgpack.encode(
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
            chunks,  # type: ignore[arg-type]
            orjson.dumps(extras).decode(),
            thread.roots,
            thread.time_range,
            thread.max_depth,
            thread.tree_size,
            thread._order,
        )
    )
    digest = source.digest()
    if digest is None:
        raise OSError("the file could not be hashed")
    header = msgspec.msgpack.encode(
        _Header(
            FORMAT,
            VERSION,
            source.key,
            source.stamp.size,
            source.stamp.mtime_ns,
            digest,
            len(body),
            zlib.crc32(body),
        )
    )
    return b"".join((MAGIC, _LENGTH.pack(len(header)), header, body))


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
    if not cacheable(thread):
        return None
    data = encode(thread, source, pause=pause)
    if len(data) > bound:
        return None
    folder = directory or cache_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
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
        if name.startswith(".") and name.endswith(".tmp") and _NAME.fullmatch(name[1:45]):
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
    """`write` in a daemon thread of its own, sleeping between chunks of posts so the UI
    thread gets the GIL. A failure is passed to `on_error` as one line (or dropped): the
    thread is open already, and the next opening simply parses the file again."""

    def run() -> None:
        try:
            write(thread, source, bound=bound, pause=_yield)
        except (OSError, msgspec.MsgspecError, ValueError, TypeError) as error:
            if on_error is not None:
                reason = getattr(error, "strerror", None) or str(error)
                on_error(f"could not cache this file for a faster next opening: {reason}")

    writer = threading.Thread(target=run, name="threadtui cache writer", daemon=True)
    writer.start()
    return writer


def _yield() -> None:
    time.sleep(0.001)


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

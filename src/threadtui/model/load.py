"""Read a normalised thread file (docs/format.md) into a `Thread`, or say exactly what is wrong.

A well-formed file, or an importer's well-formed document, is read by load_fast.py (typed
in C); anything else comes here, to the checking path, which repairs what it can, keeps
what it does not know, and names the place of anything it cannot read. One pass validates
and builds the posts, a second (shared by both paths) resolves references and builds the
indexes. Both are plain loops over flat lists with no recursion: a 100,000-post thread must
load in about the time `orjson.loads` takes to parse it, and a 100,000-deep reply chain
must not touch the recursion limit.
"""

from __future__ import annotations

import json
import operator
import os
import re
import sys
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final, NoReturn

import orjson

from threadtui import gcpolicy
from threadtui.inputfile import MAX_INPUT_BYTES, RefusedInput, read_regular_file
from threadtui.model import format as fmt
from threadtui.model.fields import read_author_url, read_fields
from threadtui.model.format import METRIC_NAMES, SCHEMA, SCHEMA_VERSION, TIME_EXPECTED
from threadtui.model.link import finish, link
from threadtui.model.load_fast import Parts, read_parsed, read_wellformed
from threadtui.model.sanitize import _UNSAFE, clean_json, clean_line, clean_text, describe
from threadtui.model.thread import NO_METRICS, STATUSES, Author, Metrics, Post, Thread

_METRIC_SET: Final = frozenset(METRIC_NAMES)
_OPTIONAL: Final = frozenset(fmt.OPTIONAL_POST_KEYS)
POST_KEYS: Final = frozenset(fmt.POST_KEYS) | _OPTIONAL
"""Every key the format defines for a post: the others are the file's own, kept."""
TOP_KEYS: Final = frozenset(fmt.TOP_KEYS)
THREAD_KEYS: Final = frozenset(fmt.THREAD_KEYS)
AUTHOR_KEYS: Final = frozenset(fmt.AUTHOR_KEYS)

_MISSING: Final = object()
_FETCH: Final = operator.itemgetter(*fmt.POST_KEYS)
_CORE: Final = len(fmt.POST_KEYS)
_TIME = fmt.TIME
_BOM = b"\xef\xbb\xbf"


class ThreadFileError(Exception):
    """Input a user can fix: the message names the file and the place."""

    def __init__(
        self,
        name: str,
        message: str,
        *,
        where: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        # A downloaded file's name is a stranger's text too, and this line goes to a terminal.
        self.name = clean_line(name)
        self.message = message
        self.where = where
        self.line = line
        self.column = column

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.name}:{self.line}:{self.column or 1}: {self.message}"
        if self.where is not None:
            return f"{self.name}: {self.where}: {self.message}"
        return f"{self.name}: {self.message}"


def load_path(path: str | os.PathLike[str]) -> Thread:
    name = os.fspath(path)
    return load_bytes(read_input(path), name=name)


def read_input(path: str | os.PathLike[str], *, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of a file the user named; anything that is not a regular file of at most
    `limit` bytes, and every OS error, becomes a one-line ThreadFileError naming it."""
    name = os.fspath(path)
    try:
        return read_regular_file(path, limit=limit)
    except RefusedInput as error:
        raise ThreadFileError(name, str(error)) from None
    except IsADirectoryError:
        raise ThreadFileError(name, "is a directory, not a thread file") from None
    except FileNotFoundError:
        raise ThreadFileError(name, "no such file") from None
    except PermissionError:
        raise ThreadFileError(name, "permission denied") from None
    except OSError as error:
        raise ThreadFileError(name, f"cannot read: {error.strerror or error}") from None
    except MemoryError:
        raise ThreadFileError(name, "too large for the memory available") from None


def load_bytes(data: bytes, *, name: str = "<thread>") -> Thread:
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    # isspace() stops at the first byte of a real file; strip() would copy all of it.
    if not data or data.isspace():
        raise ThreadFileError(name, "the file is empty")
    with gcpolicy.paused():
        parts = read_wellformed(data)
        if parts is not None:
            return _build_parts(name, parts)
        # Something to repair, keep or explain: the checking path reads the file again.
        try:
            document = orjson.loads(data)
        except orjson.JSONDecodeError as error:
            if "UTF-8" in error.msg:
                raise _not_utf8(name, data) from None
            raise ThreadFileError(
                name, f"invalid JSON: {error.msg}", line=error.lineno, column=error.colno
            ) from None
        repeated = _repeated_key(data, name)
        if repeated is not None:
            raise repeated
        return load_document(document, name=name)


_KEY_SEGMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# One token of JSON text: a string, a structural character, or a run of anything else (a
# number or a literal), after any whitespace. The string pattern is unrolled, so the regex
# engine never recurses however long the string.
_TOKEN = re.compile(
    rb'[ \t\n\r]*(?:("[^"\\]*(?:\\.[^"\\]*)*")|([{}\[\],:])|[^"{}\[\],: \t\n\r]+)', re.S
)


def _repeated_key(data: bytes, name: str) -> ThreadFileError | None:
    """A key that an object of the file holds twice, as an error naming where; else None.

    orjson (like msgspec) keeps the last of two equal keys without a word, so the file is
    read once more by the standard library's C scanner, which hands every object's pairs to
    a hook before making a dict of them: with `list.append` as the hook the pairs are only
    collected, and comparing each object's pair count with its dict's size finds a repeat
    in C. Only then is the file walked in Python to name the place.
    """
    pairs: list[list[tuple[str, Any]]] = []
    limit = sys.getrecursionlimit()
    try:
        # orjson reads 1024 levels of nesting; the C scanner counts each as a recursion.
        sys.setrecursionlimit(max(limit, 4000))
        json.loads(data, object_pairs_hook=pairs.append)
    except (ValueError, RecursionError):
        return None  # orjson read it: nothing json refuses besides can hold a key twice
    finally:
        sys.setrecursionlimit(limit)
    if list(map(len, pairs)) == list(map(len, map(dict, pairs))):
        return None
    return _locate_repeated_key(data, name)


class _Frame:
    __slots__ = ("index", "is_object", "key", "path", "seen", "want_key")

    def __init__(self, is_object: bool, path: str) -> None:
        self.is_object = is_object
        self.path = path
        self.seen: dict[str, int] = {}
        self.key: str | None = None
        self.want_key = is_object
        self.index = 0

    def child_path(self) -> str:
        if not self.is_object:
            return f"{self.path}[{self.index}]"
        key = self.key or ""
        return self.path + (f".{key}" if _KEY_SEGMENT.fullmatch(key) else f"[{describe(key)}]")


def _locate_repeated_key(data: bytes, name: str) -> ThreadFileError:
    """The first repeated key of `data` (well-formed JSON), by JSON path, line and column."""
    stack: list[_Frame] = []
    for match in _TOKEN.finditer(data):
        string, mark = match.group(1), match.group(2)
        top = stack[-1] if stack else None
        if mark == b"{" or mark == b"[":
            stack.append(_Frame(mark == b"{", "$" if top is None else top.child_path()))
        elif mark == b"}" or mark == b"]":
            stack.pop()
        elif top is None:
            continue
        elif mark == b",":
            top.want_key = top.is_object
            top.index += 1
        elif mark == b":":
            top.want_key = False
        elif string is not None and top.want_key:
            key = json.loads(string)
            offset = match.start(1)
            first = top.seen.setdefault(key, offset)
            if first != offset:
                line, column = _line_col(data, offset)
                first_line, first_column = _line_col(data, first)
                return ThreadFileError(
                    name,
                    f"{top.path}: duplicate key {describe(key)}"
                    f" (first at {first_line}:{first_column})",
                    line=line,
                    column=column,
                )
            top.key = key
    return ThreadFileError(name, "an object holds the same key twice")


def _line_col(data: bytes, offset: int) -> tuple[int, int]:
    before = data[:offset]
    return before.count(b"\n") + 1, offset - (before.rfind(b"\n") + 1) + 1


def _not_utf8(name: str, data: bytes) -> ThreadFileError:
    # orjson reports bad UTF-8 at 1:1; find the real place so the user can look at it.
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        return ThreadFileError(
            name, f"not UTF-8 text (byte 0x{data[error.start]:02x})", line=line, column=column
        )
    return ThreadFileError(name, "not valid UTF-8 text (lone surrogate escape)")


class _Reader:
    """Validation helpers that carry the file name for messages."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, where: str, message: str) -> NoReturn:
        raise ThreadFileError(self.name, message, where=where)

    def expected(self, where: str, what: str, value: Any) -> NoReturn:
        self.fail(where, f"expected {what}, got {describe(value)}")

    def object(self, value: Any, where: str) -> dict[str, Any]:
        if type(value) is not dict:
            self.expected(where, "an object", value)
        return value

    def optional_object(self, value: Any, where: str) -> dict[str, Any]:
        return {} if value is None else self.object(value, where)

    def opt_line(self, value: Any, where: str) -> str | None:
        if value is None:
            return None
        if type(value) is not str:
            self.expected(where, "a string or null", value)
        return clean_line(value)


def load_document(document: Any, *, name: str = "<thread>") -> Thread:
    """Validate an already-parsed document and build the thread with its indexes.

    An importer's output (or merged inputs) that needs no repair is converted in C by the
    fast path (load_fast.read_parsed), as a well-formed file is; anything else is read
    here, with the same warnings and errors as the file would get.
    """
    with gcpolicy.paused():
        parts = read_parsed(document)
        if parts is not None:
            return _build_parts(name, parts)
        return _load_document(document, name)


def check_document(document: Any, *, name: str = "<thread>") -> Thread:
    """The checking path alone, whatever the document: the reference the tests hold both
    fast paths to."""
    with gcpolicy.paused():
        return _load_document(document, name)


def _build_parts(name: str, parts: Parts) -> Thread:
    """The thread from what the fast path read: nothing to warn about, nothing of its own
    at the top level (it would have been kept by the checking path)."""
    return _build(
        clean_line(name),
        parts.title,
        parts.summary,
        parts.url,
        parts.root_id,
        parts.details,
        parts.source,
        parts.authors,
        parts.posts,
        parts.by_id,
        parts.warnings,
        None,
        parts.meta_extra,
    )


def _load_document(document: Any, name: str) -> Thread:
    # The UI shows the file name when the thread has no title.
    name = clean_line(name)
    r = _Reader(name)
    top = r.object(document, "$")
    schema = top.get("schema")
    if schema != SCHEMA:
        if "schema" not in top:
            r.fail("$", f'not a threadtui thread: no "schema": "{SCHEMA}" key')
        r.expected("$.schema", f'"{SCHEMA}"', schema)
    version = top.get("schema_version")
    if type(version) is not int:
        r.expected("$.schema_version", "an integer", version)
    if version != SCHEMA_VERSION:
        r.fail(
            "$.schema_version",
            f"version {version} is not supported (this threadtui reads version {SCHEMA_VERSION})",
        )
    if "posts" not in top:
        r.fail("$", 'missing "posts"')
    raw_posts = top["posts"]
    if type(raw_posts) is not list:
        r.expected("$.posts", "an array", raw_posts)

    meta = r.optional_object(top.get("thread"), "$.thread")
    source = r.optional_object(top.get("source"), "$.source")
    title = r.opt_line(meta.get("title"), "$.thread.title")
    summary = r.opt_line(meta.get("summary"), "$.thread.summary")
    url = r.opt_line(meta.get("url"), "$.thread.url")
    root_id = meta.get("root")
    if root_id is not None:
        if type(root_id) is not str or not root_id:
            r.expected("$.thread.root", "a post id or null", root_id)
        root_id = _clean_id(root_id)
    details = r.optional_object(meta.get("details"), "$.thread.details")
    meta_extra = {k: v for k, v in meta.items() if k not in THREAD_KEYS} or None

    warnings: list[str] = []
    claimed: dict[str, str] = {}
    authors = _read_authors(
        r, r.optional_object(top.get("authors"), "$.authors"), claimed, warnings
    )
    by_id: dict[str, int] = {}
    posts = _read_posts(r, raw_posts, authors, by_id, warnings, claimed)
    extra = {k: v for k, v in top.items() if k not in TOP_KEYS} or None
    return _build(
        name,
        title,
        summary,
        url,
        root_id,
        details,
        source,
        authors,
        posts,
        by_id,
        warnings,
        extra,
        meta_extra,
    )


def _build(
    name: str,
    title: str | None,
    summary: str | None,
    url: str | None,
    root_id: str | None,
    details: dict[str, Any],
    source: dict[str, Any],
    authors: dict[str, Author],
    posts: list[Post],
    by_id: dict[str, int],
    warnings: list[str],
    extra: dict[str, Any] | None,
    meta_extra: dict[str, Any] | None,
) -> Thread:
    """The thread from what either path read; free-form parts are cleaned here, for both."""
    thread = Thread(
        name=name,
        title=title,
        summary=summary,
        url=url,
        root_id=root_id,
        details=_details(details),
        source=clean_json(source),
        authors=authors,
        posts=posts,
        by_id=by_id,
        roots=[],
        warnings=warnings,
        extra=clean_json(extra),
        raw_details=clean_json(details) or None,
        meta_extra=clean_json(meta_extra),
    )
    finish(thread, link(posts, by_id))
    return thread


def _details(raw: dict[str, Any]) -> dict[str, str]:
    # Details are free-form source notes; show scalars, skip structures rather than fail.
    return {
        clean_line(key): clean_line(str(value))
        for key, value in raw.items()
        if isinstance(value, str | int | float) and not isinstance(value, bool)
    }


def _shown_key(key: str) -> str:
    """An author id as a JSON path shows it: control characters as escapes (inert ASCII),
    so two ids that clean to the same text can still be told apart."""
    shown = repr(key if len(key) <= 40 else key[:37] + "...")
    return shown if shown.isprintable() else describe(key)


def _claim_author_id(r: _Reader, clean_id: str, where: str, claimed: dict[str, str]) -> None:
    """Refuse a second author whose id is the same as another's once cleaned.

    Ids are cleaned like any shown text, so two ids that differ only in control characters
    would become one author to `--from`, the picker and the JSON export: refused like post
    ids that collide the same way.
    """
    first = claimed.setdefault(clean_id, where)
    if first != where:
        r.fail(where, f"duplicate author id {describe(clean_id)} (first at {first})")


def _read_authors(
    r: _Reader, raw: dict[str, Any], claimed: dict[str, str], warnings: list[str]
) -> dict[str, Author]:
    authors: dict[str, Author] = {}
    unsafe = _UNSAFE.search
    for author_id, entry in raw.items():
        if not author_id:
            r.fail("$.authors", "an author id is empty")
        if type(entry) is not dict:
            r.expected(f"$.authors[{describe(author_id)}]", "an object", entry)
        get = entry.get
        handle = get("handle")
        name = get("display_name")
        # Names are short and almost always clean; only unusual ones take the slow path
        # that names the JSON path of a problem.
        if handle is not None and (type(handle) is not str or unsafe(handle) is not None):
            handle = r.opt_line(handle, f"$.authors[{describe(author_id)}].handle")
        if name is not None and (type(name) is not str or unsafe(name) is not None):
            name = r.opt_line(name, f"$.authors[{describe(author_id)}].display_name")
        extra = url = None
        if not entry.keys() <= AUTHOR_KEYS:
            extra = clean_json({k: v for k, v in entry.items() if k not in AUTHOR_KEYS})
        clean_id = author_id if author_id.isprintable() else clean_line(author_id)
        where = f"$.authors[{_shown_key(author_id)}]"
        _claim_author_id(r, clean_id, where, claimed)
        if "url" in entry:
            url = read_author_url(entry["url"], f"{where}.url", warnings)
        authors[author_id] = Author(clean_id, handle, name, 0, extra, True, url)
    return authors


def _read_posts(
    r: _Reader,
    raw_posts: list[Any],
    authors: dict[str, Author],
    by_id: dict[str, int],
    warnings: list[str],
    claimed: dict[str, str],
) -> list[Post]:
    # The hot loop of loading (a 100,000-post file runs it 100,000 times): locals instead of
    # globals, one C call to fetch the fields, no function call on the happy path. Anything
    # unusual falls through to the slow checks that name the JSON path.
    posts: list[Post] = []
    append = posts.append
    time_match = _TIME.fullmatch
    fromiso = datetime.fromisoformat
    unsafe = _UNSAFE.search
    times: dict[str, float] = {}
    fetch = _FETCH
    statuses = STATUSES
    str_ = str
    int_ = int
    dict_ = dict
    list_ = list
    tuple_ = tuple
    no_metrics = NO_METRICS
    metric_set = _METRIC_SET
    new_post = Post
    claim = by_id.setdefault
    missing = _MISSING
    core = _CORE
    optional = _OPTIONAL

    for i, d in enumerate(raw_posts):
        if type(d) is not dict_:
            r.expected(f"$.posts[{i}]", "a post object", d)
        try:
            # Writers emit all eight keys: one C call fetches them, and a length of eight
            # then also proves there is nothing more to read or keep.
            pid, author_id, text, created_at, reply_to, quotes, raw_metrics, status = fetch(d)
            more_keys = len(d) != core
            extra = _extra(d) if more_keys else None
        except KeyError:
            # Some of the eight are left out, so the key count proves nothing: eight keys
            # may well hold optional fields.
            more_keys = True
            get = d.get
            pid = get("id")
            text = get("text", missing)
            author_id = get("author")
            created_at = get("created_at")
            reply_to = get("reply_to")
            quotes = get("quotes")
            raw_metrics = get("metrics")
            status = get("status")
            extra = _extra(d)
        if type(pid) is not str_ or not pid:
            r.expected(f"$.posts[{i}].id", "a non-empty string", pid)
        if not pid.isprintable():
            pid = _clean_id(pid)
        first = claim(pid, i)
        if first != i:
            r.fail(
                f"$.posts[{i}].id",
                f"duplicate post id {describe(pid)} (first at $.posts[{first}].id)",
            )

        if status is None:
            status = "ok"
        elif type(status) is not str_ or status not in statuses:
            r.expected(f"$.posts[{i}].status", "one of " + ", ".join(sorted(statuses)), status)

        if type(text) is str_:
            if not text.isprintable() and unsafe(text) is not None:  # needs_cleaning()
                text = clean_text(text)
        elif text is missing:
            r.fail(f"$.posts[{i}]", 'missing "text"')
        elif text is not None or status == "ok":
            r.expected(f"$.posts[{i}].text", "a string", text)

        author = None
        if author_id is not None:
            author = authors.get(author_id) if type(author_id) is str_ else None
            if author is None:
                author = _unknown_author(r, i, author_id, authors, warnings, claimed)
            author.post_count += 1

        created = None
        if created_at is not None:
            created = times.get(created_at) if type(created_at) is str_ else None
            if created is None:
                if type(created_at) is not str_ or time_match(created_at) is None:
                    r.expected(f"$.posts[{i}].created_at", TIME_EXPECTED, created_at)
                try:
                    created = fromiso(created_at).timestamp()
                except ValueError as error:
                    r.fail(f"$.posts[{i}].created_at", f"not a real time: {error}")
                times[created_at] = created

        if reply_to is not None:
            if type(reply_to) is not str_ or not reply_to:
                r.expected(f"$.posts[{i}].reply_to", "a post id or null", reply_to)
            if not reply_to.isprintable():
                reply_to = _clean_id(reply_to)

        if not quotes:
            if quotes is not None and quotes != []:
                r.expected(f"$.posts[{i}].quotes", "an array of post ids", quotes)
            quotes = ()
        else:
            if type(quotes) is not list_:
                r.expected(f"$.posts[{i}].quotes", "an array of post ids", quotes)
            printable = True
            for k, q in enumerate(quotes):
                if type(q) is not str_ or not q:
                    r.expected(f"$.posts[{i}].quotes[{k}]", "a post id", q)
                if not q.isprintable():
                    printable = False
            quotes = tuple_(quotes) if printable else tuple_(_clean_id(q) for q in quotes)

        metrics: Metrics | dict[str, Any] = no_metrics
        if raw_metrics:
            if type(raw_metrics) is not dict_:
                r.expected(f"$.posts[{i}].metrics", "an object", raw_metrics)
            for value in raw_metrics.values():
                if value is not None and (type(value) is not int_ or value < 0):
                    _check_counts(r, i, raw_metrics)
                    break
            # Validated; kept as parsed and turned into Metrics when first read (the UI
            # reads a screenful, not 100,000). Metrics it does not define are kept too.
            metrics = raw_metrics if raw_metrics.keys() <= metric_set else clean_json(raw_metrics)
        elif raw_metrics is not None and raw_metrics != {}:
            r.expected(f"$.posts[{i}].metrics", "an object", raw_metrics)

        post = new_post(
            i, pid, author, text, created_at, created, reply_to, quotes, metrics, status, extra
        )
        if more_keys and not optional.isdisjoint(d):
            post.fields = read_fields(d, f"$.posts[{i}]", warnings)
        append(post)
    return posts


def _clean_id(value: str) -> str:
    """A post id or reference made inert: a placeholder shows the id it stands for.

    Ids and the references to them are cleaned alike, so references still resolve (two ids
    that differ only in control characters become a duplicate). Every unsafe character is
    a Cc or Cf one, which isprintable() rejects: a fast C check for the common case.
    """
    return value if value.isprintable() else clean_line(value)


def _extra(d: dict[str, Any]) -> dict[str, Any] | None:
    """Keys the format does not define: kept, so a tool's own data survives a round trip."""
    if d.keys() <= POST_KEYS:
        return None
    extra: dict[str, Any] = clean_json({k: v for k, v in d.items() if k not in POST_KEYS})
    return extra


def _unknown_author(
    r: _Reader,
    i: int,
    author_id: Any,
    authors: dict[str, Author],
    warnings: list[str],
    claimed: dict[str, str],
) -> Author:
    where = f"$.posts[{i}].author"
    if type(author_id) is not str:
        r.expected(where, "an author id or null", author_id)
    clean_id = clean_line(author_id)
    _claim_author_id(r, clean_id, where, claimed)
    warnings.append(f"{where}: unknown author id {describe(author_id)}; shown without a name")
    author = authors[author_id] = Author(clean_id, None, None, declared=False)
    return author


def _check_counts(r: _Reader, i: int, raw_metrics: dict[str, Any]) -> None:
    """Fail on a bad count; a metric the format does not define is the file's own business.

    Like unknown keys anywhere, it is kept and not shown, whatever its value: refusing it
    refused a whole file the schema accepts, and put the key's text in the error message.
    """
    for key in METRIC_NAMES:
        value = raw_metrics.get(key)
        if value is not None and (type(value) is not int or value < 0):
            r.expected(f"$.posts[{i}].metrics.{key}", "a whole number ≥ 0 or null", value)


def is_thread_document(value: Mapping[str, Any]) -> bool:
    return value.get("schema") == SCHEMA


__all__ = [
    "METRIC_NAMES",
    "SCHEMA",
    "SCHEMA_VERSION",
    "ThreadFileError",
    "load_bytes",
    "load_document",
    "load_path",
    "read_input",
]

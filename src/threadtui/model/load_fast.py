"""The fast path for well-formed thread files: one typed decode in C, then one short loop.

Almost every file threadtui opens was written by a tool (an importer, an exporter, a
scraper) and is well-formed. For those, msgspec parses the JSON and checks every field's
type in one C pass straight into small structs, about twice as fast as `orjson.loads` builds
dicts, and leaves one Python loop what a type cannot say (time values, duplicate ids,
authors, cleaning) and the linking of each post under its parent. That is what lets a
100,000-post thread reach its first frame within twice the time of merely parsing it
(issue #5).

It only ever answers for files it can read exactly as `load.py` would: anything else (an
unknown field to keep, an unknown author to warn about, a value to repair or an error to
explain) returns None, and `load.py`'s checking path reads the file instead and says what is
wrong. A test holds the two paths to building the same thread from every file both read.

It takes only files that spell out every key of the format (every writer we know does), and
proves that no object holds a key twice: msgspec, like orjson, silently keeps the last of
two equal keys (msgspec issue #648), so the file's quote characters are counted against what
was decoded (`_Tally.proves_no_repeated_key`).
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Annotated, Any, Final, Literal

import msgspec
import orjson
from msgspec import UNSET, UnsetType

from threadtui.model.link import Links, add_quote
from threadtui.model.sanitize import _UNSAFE, clean_line, clean_text
from threadtui.model.thread import NO_METRICS, NO_PARENT, Author, Post, _Count

_Id = Annotated[str, msgspec.Meta(min_length=1)]
_Status = Literal["ok", "not_found", "deleted", "removed", "blocked", "not_fetched"]


# A Raw field is any JSON value kept as its text (`Raw | None` would accept only null).
_NULL: Final = msgspec.Raw(b"null")


# A key the file leaves out decodes as UNSET, not None: the count of keys that proves no key
# repeats (`_Tally`) must know which keys each object spelled out.
_Unset = UnsetType
_MetricName = Literal["views", "likes", "reposts", "replies", "quotes"]


class _Post(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    id: _Id
    # Kept as written, and decoded for all posts at once (`_texts`): the quote characters
    # of the texts' own bytes are then countable apart from the rest of the file's.
    text: msgspec.Raw
    author: str | _Unset | None = UNSET
    created_at: str | _Unset | None = UNSET
    reply_to: _Id | _Unset | None = UNSET
    quotes: tuple[_Id, ...] | _Unset | None = UNSET
    # A dict, as the checking path keeps it (Post.metrics reads it): its size is the
    # number of keys the file wrote.
    metrics: dict[_MetricName, _Count | None] | _Unset | None = UNSET
    status: _Status | _Unset | None = UNSET


_POST_KEYS: Final = len(_Post.__struct_fields__)


class _Author(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    handle: str | _Unset | None = UNSET
    display_name: str | _Unset | None = UNSET


class _Meta(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    title: str | _Unset | None = UNSET
    summary: str | _Unset | None = UNSET
    url: str | _Unset | None = UNSET
    root: _Id | _Unset | None = UNSET
    # Free-form values: orjson reads them, so they come out exactly as the checking path's.
    details: msgspec.Raw | _Unset = UNSET


class _Document(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    schema: Literal["threadtui.thread"]
    schema_version: Literal[1]
    posts: list[_Post]
    thread: _Meta | _Unset | None = UNSET
    source: msgspec.Raw | _Unset = UNSET
    authors: dict[str, _Author] | _Unset | None = UNSET


def _spelled(struct: msgspec.Struct) -> int:
    """How many of its keys the file wrote for `struct`."""
    return len(struct.__struct_fields__) - msgspec.structs.astuple(struct).count(UNSET)


def _given(value: Any) -> Any:
    """None for a key left out, as for one written null."""
    return None if value is UNSET else value


_DECODER: Final = msgspec.json.Decoder(_Document)
_TEXTS: Final = msgspec.json.Decoder(str | None)
_TEXT_OF: Final = attrgetter("text")
_BATCH: Final = 2048


class Parts(msgspec.Struct, gc=False):
    """What the fast path read, ready for `load.py` to index into a Thread."""

    title: str | None
    summary: str | None
    url: str | None
    root_id: str | None
    details: dict[str, Any]
    source: dict[str, Any]
    authors: dict[str, Author]
    posts: list[Post]
    by_id: dict[str, int]
    links: Links | None
    """Made while the posts were built; None leaves them to link()."""


def read_wellformed(data: bytes, time_value: Callable[[str], float | None]) -> Parts | None:
    """Read `data` if it is a well-formed thread file that needs no repair, else None.

    `time_value(text)` returns a `created_at` string's epoch seconds, or None when the
    string is not a valid time (the checking path owns the rules and the message).
    """
    try:
        document = _DECODER.decode(data)
    except (msgspec.MsgspecError, ValueError, RecursionError):
        # Malformed, mistyped, not UTF-8 (a ValueError), or nested too deep.
        return None
    raw = document.posts
    ids = [p.id for p in raw]
    by_id = dict(zip(ids, range(len(ids)), strict=True))
    joined_ids = "".join(ids)
    # A duplicate is an error to explain; an unprintable id needs cleaning (load.py).
    if len(by_id) != len(ids) or not joined_ids.isprintable() or '"' in joined_ids:
        return None
    texts = _texts(raw)
    if texts is None:
        return None
    text_list, text_quotes = texts
    raw_authors = _given(document.authors)
    authors = _authors(raw_authors)
    if authors is None:
        return None
    built = _posts(raw, text_list, authors, by_id, time_value)
    if built is None:
        return None
    posts, links, tally = built

    meta = _given(document.thread) or _Meta()
    title, summary, url, root = (_given(v) for v in (meta.title, meta.summary, meta.url, meta.root))
    details = _object(_given(meta.details) or _NULL)
    source = _object(_given(document.source) or _NULL)
    if details is None or source is None:
        return None
    if root is not None and not root.isprintable():
        return None
    # The objects and strings decoded besides the posts' own (counted in the loop).
    tally.keys += _spelled(document)
    if document.thread:
        tally.keys += _spelled(meta)
    tally.add_strings("threadtui.thread", title, summary, url, root)
    tally.add_free(details)
    tally.add_free(source)
    tally.strings += len(ids)
    if raw_authors:
        for author_id, entry in raw_authors.items():
            # The id is a key here and a string in each of its author's posts.
            tally.keys += 1 + _spelled(entry)
            if '"' in author_id:
                tally.quoted = True
            tally.add_strings(_given(entry.handle), _given(entry.display_name))
    # Each post's author is a string too (its quote characters were looked at above).
    tally.strings += sum(author.post_count for author in authors.values())
    if not tally.proves_no_repeated_key(data, text_quotes):
        return None
    return Parts(
        title=_line(title),
        summary=_line(summary),
        url=_line(url),
        root_id=root,
        details=details,
        source=source,
        authors=authors,
        posts=posts,
        by_id=by_id,
        links=links,
    )


class _Tally:
    """What was decoded besides the texts, counted to prove that no key repeats.

    JSON writes every key and every string between two quote characters, and a quote
    character inside one as \\" (one more) or \\u0022 (none). A key written twice adds its
    two quotes, and whatever its lost value held, to the file but not to what was decoded.
    The texts are decoded apart, from their own bytes, so their quotes are counted in those
    bytes as written. Every other string decoded must hold no quote character (else the
    checking path reads the file: a \\u0022 could balance a repeated key); then the file's
    quotes outside the texts number exactly twice the keys and strings decoded unless some
    key repeats. Two C passes over the bytes; tokenising them in Python would cost more
    than the whole load.
    """

    __slots__ = ("keys", "quoted", "strings")

    def __init__(self, keys: int, strings: int) -> None:
        self.keys = keys
        self.strings = strings
        self.quoted = False
        """Some string decoded (not a text) holds a quote character."""

    def add_strings(self, *values: str | None) -> None:
        for value in values:
            if value is not None:
                self.strings += 1
                if '"' in value:
                    self.quoted = True

    def add_free(self, value: dict[str, Any]) -> None:
        """A free-form object as orjson read it (so already without repeated keys)."""
        stack: list[Any] = [value]
        while stack:
            item = stack.pop()
            if type(item) is dict:
                self.keys += len(item)
                for key in item:
                    if '"' in key:
                        self.quoted = True
                stack.extend(item.values())
            elif type(item) is list:
                stack.extend(item)
            elif type(item) is str:
                self.add_strings(item)

    def proves_no_repeated_key(self, data: bytes, text_quotes: int) -> bool:
        if self.quoted:
            return False
        return data.count(b'"') - text_quotes == 2 * (self.keys + self.strings)


def _texts(raw: list[_Post]) -> tuple[list[str | None], int] | None:
    """Every post's text, decoded a few thousand at a time from their own bytes (one line
    each: a JSON string or null never spans two), and the quote characters those bytes
    hold. Small batches: one buffer the size of all the texts cost more in page faults
    than the decoding."""
    texts: list[str | None] = []
    quotes = 0
    decode = _TEXTS.decode_lines
    join = b"\n".join
    try:
        for start in range(0, len(raw), _BATCH):
            chunk = join(map(_TEXT_OF, raw[start : start + _BATCH]))
            texts += decode(chunk)
            quotes += chunk.count(b'"')
    except (msgspec.MsgspecError, ValueError):
        return None
    # A text that is no string could have spanned lines (an object): then the counts differ.
    return (texts, quotes) if len(texts) == len(raw) else None


def _object(raw: msgspec.Raw) -> dict[str, Any] | None:
    """A free-form JSON object (or null) as orjson reads it; None if it is neither."""
    try:
        value = orjson.loads(memoryview(raw))
    except orjson.JSONDecodeError:
        return None
    if value is None:
        return {}
    return value if type(value) is dict else None


def _line(value: str | None) -> str | None:
    return None if value is None else clean_line(value)


def _authors(raw: dict[str, _Author] | None) -> dict[str, Author] | None:
    authors: dict[str, Author] = {}
    if not raw:
        return authors
    unsafe = _UNSAFE.search
    for author_id, entry in raw.items():
        if not author_id:
            return None
        handle = _given(entry.handle)
        name = _given(entry.display_name)
        if handle is not None and unsafe(handle) is not None:
            handle = clean_line(handle)
        if name is not None and unsafe(name) is not None:
            name = clean_line(name)
        if not author_id.isprintable():
            # Cleaning could make it another author's id: the checking path refuses that.
            return None
        authors[author_id] = Author(author_id, handle, name, 0, None)
    return authors


def _posts(
    raw: list[_Post],
    texts: list[str | None],
    authors: dict[str, Author],
    by_id: dict[str, int],
    time_value: Callable[[str], float | None],
) -> tuple[list[Post], Links | None, _Tally] | None:
    """Build the posts, linking each under its parent as it is built, and count what they
    hold for `_no_duplicate_keys` (the post ids and authors are counted by the caller).

    Returns None for anything the checking path must see. Linking here covers the usual
    file, where every post comes after the posts it replies to and quotes; quotes of posts
    the file lacks get their placeholders after the loop, in the order link() would make
    them. Anything else (a reply to an absent post, a reference forward or to itself)
    leaves the links to link() (Links None).
    """
    # The one Python loop of the fast path, run once per post: locals, no calls but the
    # constructor on the happy path, and a way out for anything unusual.
    posts: list[Post] = []
    append = posts.append
    unsafe = _UNSAFE.search
    find_author = authors.get
    find = by_id.get
    times: dict[str, float] = {}
    new_post = Post
    roots: list[int] = []
    absent: list[tuple[int, str]] = []
    max_depth = 0
    linked = True
    # Counted in the branches the loop takes anyway; the usual branch mostly adds nothing.
    unset = UNSET
    strings = 0
    # Keys written null or left out (string fields), and keys left out (the others).
    nulls = 0
    left_out = 0
    metric_keys = 0
    for i, p in enumerate(raw):
        text = texts[i]
        status = p.status
        if status is None or status is unset:
            left_out += status is unset
            status = "ok"
            nulls += 1
        if text is None:
            if status == "ok":
                return None
        elif not text.isprintable() and unsafe(text) is not None:  # needs_cleaning()
            text = clean_text(text)

        author = None
        author_id = p.author
        if author_id is unset:
            left_out += 1
        elif author_id is not None:
            author = find_author(author_id)
            if author is None:
                return None
            author.post_count += 1

        created_at = p.created_at
        created = None
        if created_at is None or created_at is unset:
            left_out += created_at is unset
            created_at = None
            nulls += 1
        else:
            created = times.get(created_at)
            if created is None:
                created = time_value(created_at)
                if created is None:
                    return None
                times[created_at] = created

        reply_to = p.reply_to
        if reply_to is None or reply_to is unset:
            left_out += reply_to is unset
            reply_to = None
            nulls += 1
        elif not reply_to.isprintable():
            return None
        quotes = p.quotes
        if not quotes:
            left_out += quotes is unset
            quotes = ()
        else:
            joined = "".join(quotes)
            if not joined.isprintable() or '"' in joined:
                return None
            strings += len(quotes)
        metrics = p.metrics
        if metrics is None or metrics is unset:
            left_out += metrics is unset
            metrics = NO_METRICS
        else:
            metric_keys += len(metrics)

        parent = NO_PARENT
        depth = 0
        by_quote = False
        if linked:
            if reply_to is not None:
                # Absent, itself or later in the file all read as "not before": link() does it.
                parent = find(reply_to, i)
                if parent >= i:
                    linked = False
            if quotes and linked:
                for q in quotes:
                    target = find(q, -1)
                    if target < 0:
                        absent.append((i, q))
                        continue
                    if target >= i:
                        linked = False
                        break
                    add_quote(posts, by_id, i, q)
                    # As in link(): the first quoted post of the thread is the tree parent.
                    if parent == NO_PARENT and reply_to is None:
                        parent = target
                        by_quote = True
            if not linked:
                parent = NO_PARENT
                by_quote = False
            elif parent == NO_PARENT:
                roots.append(i)
            else:
                above = posts[parent]
                siblings = above.children
                if siblings is None:
                    above.children = [i]
                else:
                    siblings.append(i)
                depth = above.depth + 1
                if depth > max_depth:
                    max_depth = depth

        append(
            new_post(
                i,
                p.id,
                author,
                text,
                created_at,
                created,
                reply_to,
                quotes,
                metrics,
                status,
                None,
                False,
                parent,
                by_quote,
                depth,
            )
        )
    # created_at, reply_to and status are strings unless null; texts are counted in their
    # own bytes, ids and authors by the caller.
    strings += 3 * len(raw) - nulls
    tally = _Tally(_POST_KEYS * len(raw) - left_out + metric_keys, strings)
    if not linked or absent:
        # A reply_to that names an earlier post is a post id (without a quote character,
        # the caller saw to that); any other may hold one.
        for p in raw:
            if type(p.reply_to) is str and '"' in p.reply_to:
                tally.quoted = True
                break
    if not linked:
        _unlink(posts)
        return posts, None, tally
    missing_quote = 0
    for i, q in absent:
        missing_quote += add_quote(posts, by_id, i, q)[1]
    return posts, Links(len(raw), roots, 0, missing_quote, False, max_depth), tally


def _unlink(posts: list[Post]) -> None:
    """Undo the links made before the loop met something only link() handles."""
    for post in posts:
        post.parent = NO_PARENT
        post.parent_is_quote = False
        post.depth = 0
        post.children = None
        post.quoted_by = None

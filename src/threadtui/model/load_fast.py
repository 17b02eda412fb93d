"""The fast path for well-formed thread files: one typed decode in C, then one short loop.

Almost every file threadtui opens was written by a tool (an importer, an exporter, a
scraper) and is well-formed. For those, msgspec parses the JSON and checks every field's
type in one C pass straight into small structs, about twice as fast as `orjson.loads` builds
dicts, and leaves one Python loop what a type cannot say (time values, duplicate ids,
authors, cleaning). Linking is link.py's, as for the checking path. That is what lets a
100,000-post thread reach its first frame within twice the time of merely parsing it
(issue #5).

Fields a file carries of its own (an `id` inside each author, keys of its own in `source`
or `thread`) and the format's optional post fields stay on this path: the free-form objects
are read by orjson (they are a small part of a file), the optional fields are typed.

It only ever answers for files it can read exactly as `load.py` would: anything else (a
key of a post's own or a top-level one to keep, an unknown author or an unusable optional
value to warn about, an id to clean or an error to explain) returns None, and `load.py`'s
checking path reads the file instead and says what is wrong. A test holds the two paths to
building the same thread from every file both read.

It proves that no object holds a key twice: msgspec, like orjson, silently keeps the last of
two equal keys (msgspec issue #648), so the file's quote characters are counted against what
was decoded (`_Tally.proves_no_repeated_key`).

A document already parsed (what an importer hands over, merged inputs) takes the same path
(`read_parsed`): msgspec converts its dicts into the same structs in C, and a dict cannot
hold a key twice, so there is nothing to count. There, a post with an optional value the
checking path would drop is read by that path's own code, with its warning.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Annotated, Any, Final

import msgspec
import orjson
from msgspec import UNSET, UnsetType

from threadtui.model import format as fmt
from threadtui.model.fields import read_fields
from threadtui.model.format import (
    Count,
    Edit,
    Link,
    Media,
    Mention,
    MetricName,
    More,
    PostFields,
    SchemaName,
    SchemaVersion,
    Status,
    are_web_urls,
    epoch_of,
    is_web_url,
    post_fields,
)
from threadtui.model.sanitize import _UNSAFE, clean_json, clean_line, clean_text
from threadtui.model.thread import NO_METRICS, Author, Post

_Id = Annotated[str, msgspec.Meta(min_length=1)]


# A Raw field is any JSON value kept as its text (`Raw | None` would accept only null).
_NULL: Final = msgspec.Raw(b"null")


# A key the file leaves out decodes as UNSET, not None: the count of keys that proves no key
# repeats (`_Tally`) must know which keys each object spelled out.
_Unset = UnsetType


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
    metrics: dict[MetricName, Count | None] | _Unset | None = UNSET
    status: Status | _Unset | None = UNSET
    # The optional fields (format.OPTIONAL_POST_KEYS), in that order.
    url: str | _Unset | None = UNSET
    native_id: str | _Unset | None = UNSET
    edited_at: str | _Unset | None = UNSET
    content_warning: str | _Unset | None = UNSET
    media: tuple[Media, ...] | _Unset | None = UNSET
    links: tuple[Link, ...] | _Unset | None = UNSET
    mentions: tuple[Mention, ...] | _Unset | None = UNSET
    more: More | _Unset | None = UNSET
    edit_history: tuple[Edit, ...] | _Unset | None = UNSET
    quote_state: str | _Unset | None = UNSET


_POST_KEYS: Final = len(fmt.POST_KEYS)
_OPTIONAL: Final = attrgetter(*fmt.OPTIONAL_POST_KEYS)
_NONE_GIVEN: Final = (UNSET,) * len(fmt.OPTIONAL_POST_KEYS)
assert set(_Post.__struct_fields__) == {*fmt.POST_KEYS, *fmt.OPTIONAL_POST_KEYS}
assert _Post.__struct_fields__[-len(fmt.OPTIONAL_POST_KEYS) :] == fmt.OPTIONAL_POST_KEYS


class _Document(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    schema: SchemaName
    schema_version: SchemaVersion
    posts: list[_Post]
    # Free-form, or holding keys of the file's own: orjson reads them, so they come out
    # exactly as the checking path's.
    thread: msgspec.Raw | _Unset = UNSET
    source: msgspec.Raw | _Unset = UNSET
    authors: msgspec.Raw | _Unset = UNSET


class _ParsedPost(_Post, forbid_unknown_fields=True, gc=False):
    # A parsed document's texts are strings already; there are no bytes to count in. A
    # subclass, so both share every other field (and `_posts` reads both alike); mypy
    # would have a field keep its type.
    text: str | None  # type: ignore[assignment]


class _Parsed(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """A document already parsed (an importer's output): the same keys, converted in C.
    The free-form parts are taken as they are and checked as the bytes path checks them."""

    schema: SchemaName
    schema_version: SchemaVersion
    posts: list[_ParsedPost]
    thread: Any = UNSET
    source: Any = UNSET
    authors: Any = UNSET


def _spelled(struct: msgspec.Struct) -> int:
    """How many of its keys the file wrote for `struct`."""
    return len(struct.__struct_fields__) - msgspec.structs.astuple(struct).count(UNSET)


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
    meta_extra: dict[str, Any] | None
    source: dict[str, Any]
    authors: dict[str, Author]
    posts: list[Post]
    by_id: dict[str, int]
    warnings: list[str]
    """What the checking path says about the optional fields of a parsed document's posts
    (read by its own code, post by post); always empty for a file's bytes."""


def read_wellformed(data: bytes) -> Parts | None:
    """Read `data` if it is a well-formed thread file that needs no repair, else None."""
    try:
        document = _DECODER.decode(data)
    except (msgspec.MsgspecError, ValueError, RecursionError):
        # Malformed, mistyped, not UTF-8 (a ValueError), or nested too deep.
        return None
    raw = document.posts
    by_id = _ids(raw)
    # A quote character in an id would upset the count that proves no key repeats.
    if by_id is None or '"' in "".join(by_id):
        return None
    texts = _texts(raw)
    if texts is None:
        return None
    text_list, text_quotes = texts
    meta = _object(document.thread)
    source = _object(document.source)
    raw_authors = _object(document.authors)
    if meta is None or source is None or raw_authors is None:
        return None
    authors = _authors(raw_authors)
    if authors is None:
        return None
    built = _posts(raw, text_list, authors)
    if built is None:
        return None
    posts, tally = built
    head = _head(meta)
    if head is None:
        return None

    # The objects and strings decoded besides the posts' own (counted in the loop).
    tally.keys += _spelled(document)
    tally.add_strings(fmt.SCHEMA)
    tally.add_free(meta)
    tally.add_free(source)
    tally.add_free(raw_authors)
    tally.strings += len(by_id)
    # Each post's author is a string too (its quote characters were looked at above).
    tally.strings += sum(author.post_count for author in authors.values())
    if not tally.proves_no_repeated_key(data, text_quotes):
        # Keys not counted yet: the optional fields of some posts, or a key written twice.
        rich = _optional_fields(raw, posts)
        if rich is None or not rich.keys:
            return None
        tally.keys += rich.keys
        tally.strings += rich.strings
        if rich.quoted:
            tally.quoted = True
        if not tally.proves_no_repeated_key(data, text_quotes):
            return None
    return _parts(head, source, authors, posts, by_id)


def read_parsed(document: Any) -> Parts | None:
    """What `read_wellformed` reads, from a document already parsed: an importer's output,
    or merged inputs. The same answers for the same JSON data (dicts, lists, strings,
    numbers, booleans and None, as orjson gives them), at the cost of a typed conversion
    in C instead of a parse. No key can be written twice in a dict, so there is nothing to
    count; the rest (ids, times, authors, cleaning, the optional fields) is the same code.
    """
    if type(document) is not dict:
        return None
    try:
        parsed = msgspec.convert(document, _Parsed)
    except (msgspec.MsgspecError, ValueError, TypeError, RecursionError):
        return None
    raw = parsed.posts
    by_id = _ids(raw)
    if by_id is None:
        return None
    meta = _given(parsed.thread)
    source = _given(parsed.source)
    raw_authors = _given(parsed.authors)
    if meta is None or source is None or raw_authors is None:
        return None
    authors = _authors(raw_authors)
    if authors is None:
        return None
    built = _posts(raw, list(map(_TEXT_OF, raw)), authors)
    if built is None:
        return None
    posts = built[0]
    head = _head(meta)
    if head is None:
        return None
    warnings: list[str] = []
    if _optional_fields(raw, posts, (document["posts"], warnings)) is None:
        return None
    return _parts(head, source, authors, posts, by_id, warnings)


def _ids(raw: list[_Post] | list[_ParsedPost]) -> dict[str, int] | None:
    """Post id → index; None if an id repeats (an error to explain) or needs cleaning."""
    ids = [p.id for p in raw]
    by_id = dict(zip(ids, range(len(ids)), strict=True))
    if len(by_id) != len(ids) or not "".join(ids).isprintable():
        return None
    return by_id


_Head = tuple[str | None, str | None, str | None, str | None, dict[str, Any], dict[str, Any]]
"""title, summary, url, root, details, and the thread's keys of its own."""


def _head(meta: dict[str, Any]) -> _Head | None:
    """The thread object read as the checking path reads it; None if it must look."""
    title, summary, url, root = (meta.get(key) for key in ("title", "summary", "url", "root"))
    details = meta.get("details")
    for value in (title, summary, url, root):
        if value is not None and type(value) is not str:
            return None
    if root is not None and (not root or not root.isprintable()):
        return None
    if details is None:
        details = {}
    elif type(details) is not dict:
        return None
    extra = {k: v for k, v in meta.items() if k not in fmt.THREAD_KEYS}
    return title, summary, url, root, details, extra


def _parts(
    head: _Head,
    source: dict[str, Any],
    authors: dict[str, Author],
    posts: list[Post],
    by_id: dict[str, int],
    warnings: list[str] | None = None,
) -> Parts:
    title, summary, url, root, details, extra = head
    return Parts(
        title=_line(title),
        summary=_line(summary),
        url=_line(url),
        root_id=root,
        details=details,
        meta_extra=extra or None,
        source=source,
        authors=authors,
        posts=posts,
        by_id=by_id,
        warnings=warnings or [],
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


def _object(raw: msgspec.Raw | _Unset) -> dict[str, Any] | None:
    """A free-form JSON object (or null, or left out) as orjson reads it; None if neither."""
    if raw is UNSET:
        return {}
    try:
        value = orjson.loads(memoryview(raw))
    except orjson.JSONDecodeError:
        return None
    if value is None:
        return {}
    return value if type(value) is dict else None


def _given(value: Any) -> dict[str, Any] | None:
    """A free-form object of a parsed document (or null, or left out); None if neither."""
    if value is None or value is UNSET:
        return {}
    return value if type(value) is dict else None


def _line(value: str | None) -> str | None:
    return None if value is None else clean_line(value)


def _authors(raw: dict[str, Any]) -> dict[str, Author] | None:
    authors: dict[str, Author] = {}
    unsafe = _UNSAFE.search
    author_keys = frozenset(fmt.AUTHOR_KEYS)
    for author_id, entry in raw.items():
        if not author_id or type(entry) is not dict:
            return None
        get = entry.get
        handle = get("handle")
        name = get("display_name")
        url = get("url")
        for value in (handle, name, url):
            if value is not None and type(value) is not str:
                return None
        if handle is not None and unsafe(handle) is not None:
            handle = clean_line(handle)
        if name is not None and unsafe(name) is not None:
            name = clean_line(name)
        if url is not None and not is_web_url(url):
            return None  # dropped with a warning by the checking path
        if not author_id.isprintable():
            # Cleaning could make it another author's id: the checking path refuses that.
            return None
        extra = None
        if not entry.keys() <= author_keys:
            extra = clean_json({k: v for k, v in entry.items() if k not in author_keys}) or None
        authors[author_id] = Author(author_id, handle, name, 0, extra, True, url)
    return authors


def _posts(
    raw: list[_Post] | list[_ParsedPost], texts: list[str | None], authors: dict[str, Author]
) -> tuple[list[Post], _Tally] | None:
    """Build the posts, and count what they hold for `_Tally` (the post ids and authors
    are counted by the caller). Returns None for anything the checking path must see."""
    # The one Python loop of the fast path, run once per post: locals, no calls but the
    # constructor on the happy path, and a way out for anything unusual.
    posts: list[Post] = []
    append = posts.append
    unsafe = _UNSAFE.search
    find_author = authors.get
    times: dict[str, float] = {}
    new_post = Post
    no_metrics = NO_METRICS
    # Counted in the branches the loop takes anyway; the usual branch mostly adds nothing.
    unset = UNSET
    strings = 0
    # Keys written null or left out (string fields), and keys left out (the others).
    nulls = 0
    left_out = 0
    metric_keys = 0
    reply_quoted = False
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
                created = epoch_of(created_at)
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
        elif '"' in reply_to:
            reply_quoted = True
        quotes = p.quotes
        if not quotes:
            left_out += quotes is unset
            quotes = ()
        else:
            joined = "".join(quotes)
            if not joined.isprintable() or '"' in joined:
                return None
            strings += len(quotes)
        # Any: the struct types its keys as MetricName, Post takes the JSON object as read.
        metrics: Any = p.metrics
        if metrics is None or metrics is unset:
            left_out += metrics is unset
            metrics = no_metrics
        else:
            metric_keys += len(metrics)

        append(
            new_post(i, p.id, author, text, created_at, created, reply_to, quotes, metrics, status)
        )
    # created_at, reply_to and status are strings unless null; texts are counted in their
    # own bytes, ids and authors by the caller.
    strings += 3 * len(raw) - nulls
    tally = _Tally(_POST_KEYS * len(raw) - left_out + metric_keys, strings)
    # A reply_to may name a post the file lacks: then it is no post id already looked at.
    tally.quoted = reply_quoted
    return posts, tally


def _optional_fields(
    raw: list[_Post] | list[_ParsedPost],
    posts: list[Post],
    parsed: tuple[list[dict[str, Any]], list[str]] | None = None,
) -> _Rich | None:
    """Read the optional fields of the posts that have some: what was read (its `keys`
    count is 0 when no post has any), or None if the checking path must read one.

    A file's bytes come here only when the tally shows more keys than were counted: that
    spares a file without optional fields (most large ones) a look at each of its posts.
    For a parsed document (`parsed`: its posts, and the warnings to add to), a post with a
    value to drop is read by the checking path's own code (fields.read_fields), which
    warns: a source's odd value in one post in a thousand costs that post, not the file.
    """
    rich = _Rich({})
    none_given = _NONE_GIVEN
    only_two = _NONE_GIVEN[2:]
    unset = UNSET
    urls = rich.urls
    lines = rich.lines
    new_fields = PostFields
    keys = 0
    try:
        for post, given in zip(posts, map(_OPTIONAL, raw), strict=True):
            if given == none_given:
                continue
            if given[2:] != only_two:
                try:
                    post.fields = rich.read(given)
                except _Repair:
                    if parsed is None:
                        raise
                    where = f"$.posts[{post.index}]"
                    post.fields = read_fields(parsed[0][post.index], where, parsed[1])
                continue
            # A url and a native_id only: what most imported posts carry. Read as `read`
            # reads them, inline; the URLs are checked all at once in `clean`.
            url, native_id = given[0], given[1]
            if url is unset:
                url = None
            else:
                keys += 1
                if url is not None:
                    urls.append(url)
            if native_id is unset:
                native_id = None
            else:
                keys += 1
                if native_id is not None:
                    lines.append(native_id)
            if url is not None or native_id is not None:
                post.fields = new_fields(url, native_id)
    except _Repair:
        return None
    rich.keys += keys
    if not rich.clean():
        return None  # something to clean: the checking path does it, and says where
    return rich


class _Repair(Exception):
    """A value the checking path would change or warn about."""


class _Rich:
    """Reads the optional fields of the posts that have some: what the checking path
    would keep unchanged, or None. Collects their strings, for `_Tally` and to check that
    none needs cleaning, and counts their keys."""

    __slots__ = ("keys", "lines", "texts", "times", "urls")

    def __init__(self, times: dict[str, float]) -> None:
        self.keys = 0
        self.lines: list[str] = []
        """One-line strings (cleaned with clean_line by the checking path)."""
        self.texts: list[str] = []
        """Strings that may hold line breaks (clean_text)."""
        self.urls: list[str] = []
        """The posts' own URLs, each to be a web URL (which needs no cleaning)."""
        self.times = times

    @property
    def strings(self) -> int:
        return len(self.lines) + len(self.texts) + len(self.urls)

    def time(self, value: str) -> float | None:
        epoch = self.times.get(value)
        if epoch is None:
            epoch = epoch_of(value)
            if epoch is not None:
                self.times[value] = epoch
        return epoch

    def clean(self) -> bool:
        """Whether every string read is as the checking path would leave it."""
        if not are_web_urls(self.urls):
            return False  # dropped with a warning by the checking path
        lines = "".join(self.lines)
        if not lines.isprintable() and (
            _UNSAFE.search(lines) is not None or "\n" in lines or "\t" in lines
        ):
            return False
        texts = "".join(self.texts)
        return texts.isprintable() or _UNSAFE.search(texts) is None

    @property
    def quoted(self) -> bool:
        return any('"' in "".join(values) for values in (self.lines, self.texts, self.urls))

    def read(self, given: tuple[Any, ...]) -> PostFields | None:
        """The fields as the checking path reads them; raises _Repair if that path would
        change or warn about something."""
        url, native_id, edited_at, warning, media, links, mentions, more, history, state = (
            None if value is UNSET else value for value in given
        )
        self.keys += len(given) - given.count(UNSET)
        lines = self.lines
        _add(lines, native_id, edited_at, warning, state)
        if url is not None:
            self.urls.append(url)
        edited = None
        if edited_at is not None:
            edited = self.time(edited_at)
            if edited is None:
                raise _Repair
        for item in media or ():
            self.keys += 3
            if item.url is not None and not is_web_url(item.url):
                raise _Repair
            _add(lines, item.kind, item.url, item.alt)
        for link in links or ():
            self.keys += 2
            if link.url is not None and not is_web_url(link.url):
                raise _Repair
            _add(lines, link.url, link.text)
        for mention in mentions or ():
            self.keys += 3
            if mention.url is not None and not is_web_url(mention.url):
                raise _Repair
            _add(lines, mention.handle, mention.id, mention.url)
        if more is not None:
            self.keys += 2
            lines += more.ids
        for edit in history or ():
            self.keys += 3
            if edit.created_at is not None and self.time(edit.created_at) is None:
                raise _Repair
            _add(lines, edit.id, edit.created_at)
            _add(self.texts, edit.text)
        return post_fields(
            url,
            native_id,
            edited_at,
            edited,
            warning,
            media or (),
            links or (),
            mentions or (),
            more,
            history or (),
            state,
        )


def _add(strings: list[str], *values: str | None) -> None:
    for value in values:
        if value is not None:
            strings.append(value)

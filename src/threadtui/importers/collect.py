"""What the JSON importers share: reading typed values with a warning that names the JSON
path, normalising times and counts, and gathering posts and authors into one document.

A field of the wrong type is not a reason to refuse a thread. It becomes null (or is left
out) and a warning says where, in the form
`$.descendants[2].favourites_count: expected a whole number ≥ 0, got '12'; count unknown`.
Values quoted in warnings go through `describe`, and whole warnings through `clean_line`,
so hostile text in the input never reaches the terminal as control characters.

API responses repeat themselves (an X tweet in `data` and again in `includes`, a Bluesky
post in the thread and again as a quoted card), and each copy may carry a different part
of the post. `Collector.post` keeps one post per id by the one merge rule
(`threadtui.model.merge`, also used to merge several inputs), so an importer can add every
copy it meets and never decide which one is best.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Any, Final

import orjson

from threadtui import __version__
from threadtui.importers.base import ImportFormatError, ImportResult, ImportWarning, parse_json
from threadtui.model.format import SCHEMA, SCHEMA_VERSION
from threadtui.model.merge import add_copy
from threadtui.model.sanitize import clean_line, describe

__all__ = [
    "Collector",
    "Reader",
    "count",
    "decode_entities",
    "epoch_utc",
    "iso_utc",
    "load_json",
    "metrics",
    "new_post",
    "text_or_none",
]

OK: Final = "ok"
MAX_COUNT: Final = 2**63 - 1
"""orjson writes integers up to 64 bits; a larger "count" is not one."""

# What the format calls a UTC time (the loader's own pattern): values already in this form
# are kept as written, so a fraction keeps its digits and a re-import is byte-identical.
_ISO_Z = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d{1,9})?)?Z", re.ASCII)
_ENTITY = re.compile(r"&(?:amp|lt|gt|quot|#39|apos);")
_ENTITIES: Final = {
    "&amp;": "&",
    "&lt;": "<",
    "&gt;": ">",
    "&quot;": '"',
    "&#39;": "'",
    "&apos;": "'",
}


# --- the input ------------------------------------------------------------------------------


def load_json(text: str) -> Any:
    """The input parsed as one JSON value, or an ImportFormatError saying where it breaks."""
    data = parse_json(text)
    if data is not None or text.strip() == "null":
        return data
    if not text.strip():
        raise ImportFormatError("the input is empty", path="$")
    try:
        orjson.loads(text)
    except orjson.JSONDecodeError as error:
        # The same words as the loader's: the CLI puts the line and column before them.
        raise ImportFormatError(
            f"invalid JSON: {error.msg}", line=error.lineno, column=error.colno
        ) from None
    except RecursionError:
        pass
    raise ImportFormatError("invalid JSON: nested too deeply", path="$")


# --- values -----------------------------------------------------------------------------------


def iso_utc(value: Any) -> str | None:
    """An RFC 3339 time as ISO UTC ending in Z; None when it is not one or has no zone."""
    if type(value) is not str or len(value) > 64:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    # A time without a zone is a guess at best: the caller falls back or leaves it unknown.
    if moment.tzinfo is None:
        return None
    if _ISO_Z.fullmatch(value):
        return value
    try:
        moment = moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    return _format(moment)


def epoch_utc(value: Any) -> str | None:
    """Epoch seconds (int or float) as ISO UTC ending in Z; None when it is not one."""
    if type(value) is not int and type(value) is not float:
        return None
    if not math.isfinite(value):
        return None
    try:
        moment = datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return _format(moment)


def _format(moment: datetime) -> str:
    # isoformat (one C call) already writes four-digit years and the loader's pattern
    # (…T12:00:00.5Z once the zero tail goes); only the offset after the time is cut.
    text = moment.isoformat()
    if moment.microsecond:
        return text[:26].rstrip("0") + "Z"
    return text[:19] + "Z"


def count(value: Any) -> int | None:
    """A metric: a whole number ≥ 0, else None (unknown). Never 0 for a missing value."""
    if type(value) is int and 0 <= value <= MAX_COUNT:
        return value
    return None


def text_or_none(value: Any) -> str | None:
    """A string value, or None for anything else (the source's empty string included)."""
    return value if type(value) is str and value else None


def decode_entities(text: str) -> str:
    """Undo the HTML escaping X and Reddit apply to plain text (&amp; &lt; &gt; …).

    Only the entities they write: a user who typed "&copy" meant those five characters,
    and html.unescape would turn them into ©.
    """
    if "&" not in text:
        return text
    return _ENTITY.sub(lambda match: _ENTITIES[match.group()], text)


def metrics(
    views: int | None = None,
    likes: int | None = None,
    reposts: int | None = None,
    replies: int | None = None,
    quotes: int | None = None,
) -> dict[str, int | None]:
    """The format's five counts; None is unknown, never 0."""
    return {
        "views": views,
        "likes": likes,
        "reposts": reposts,
        "replies": replies,
        "quotes": quotes,
    }


def new_post(
    post_id: str,
    *,
    author: str | None = None,
    text: str | None = None,
    created_at: str | None = None,
    reply_to: str | None = None,
    quotes: list[str] | None = None,
    counts: dict[str, int | None] | None = None,
    status: str = OK,
) -> dict[str, Any]:
    """A post with the format's eight keys in the order docs/format.md lists them."""
    return {
        "id": post_id,
        "author": author,
        "text": text,
        "created_at": created_at,
        "reply_to": reply_to,
        "quotes": quotes if quotes is not None else [],
        "metrics": counts if counts is not None else metrics(),
        "status": status,
    }


# --- typed reads ----------------------------------------------------------------------------


class Reader:
    """Typed reads that warn (naming the JSON path) instead of failing.

    Each read returns None (or []) both when the key is absent or null, which is the
    source not saying, and when the value is not of its kind, which is also a warning
    naming the path, what was expected and what comes of it (`wrong`). `line` is the
    1-based input line, for sources with a value per line (JSONL).
    """

    def __init__(self) -> None:
        self.warnings: list[ImportWarning] = []

    def warn(self, path: str, message: str, line: int | None = None) -> None:
        # Paths and messages can hold the input's own keys and values: inert before they
        # reach a terminal.
        self.warnings.append(ImportWarning(line, clean_line(f"{path}: {message}")))

    def wrong(
        self, path: str, expected: str, value: Any, outcome: str, line: int | None = None
    ) -> None:
        self.warn(path, f"expected {expected}, got {describe(value)}; {outcome}", line)

    def string(
        self,
        obj: dict[str, Any],
        key: str,
        path: str,
        *,
        empty: bool = True,
        line: int | None = None,
    ) -> str | None:
        """obj[key] when it is a string (a non-empty one unless `empty`); else None."""
        value = obj.get(key)
        if value is None:
            return None
        if type(value) is str:
            return value if value or empty else None
        self._unread(value, path, key, "a string", "left out", line)
        return None

    def count(
        self, obj: dict[str, Any], key: str, path: str, line: int | None = None
    ) -> int | None:
        """A metric: an integer ≥ 0, or None (unknown)."""
        value = obj.get(key)
        if type(value) is int and 0 <= value <= MAX_COUNT:
            return value
        if value is None:
            return None
        self._unread(value, path, key, "a whole number ≥ 0", "count unknown", line)
        return None

    def time(self, obj: dict[str, Any], key: str, path: str, line: int | None = None) -> str | None:
        """An ISO 8601 time with a zone, as UTC Z."""
        value = obj.get(key)
        found = iso_utc(value)
        if found is not None:
            return found
        expected = "an ISO 8601 time with a zone"
        self._unread(value, path, key, expected, "time unknown", line)
        return None

    def epoch(
        self, obj: dict[str, Any], key: str, path: str, line: int | None = None
    ) -> str | None:
        """A Unix-seconds field as ISO UTC Z."""
        value = obj.get(key)
        found = epoch_utc(value)
        if found is not None:
            return found
        self._unread(value, path, key, "Unix seconds", "time unknown", line)
        return None

    def items(self, obj: dict[str, Any], key: str, path: str, line: int | None = None) -> list[Any]:
        """obj[key] when it is an array, else []."""
        value = obj.get(key)
        if type(value) is list:
            return value
        if value is not None:
            self._unread(value, path, key, "an array", "left out", line)
        return []

    def object(
        self, obj: dict[str, Any], key: str, path: str, line: int | None = None
    ) -> dict[str, Any] | None:
        """obj[key] when it is an object, else None."""
        value = obj.get(key)
        if type(value) is dict:
            return value
        self._unread(value, path, key, "an object", "left out", line)
        return None

    def _unread(
        self, value: Any, path: str, key: str, expected: str, outcome: str, line: int | None
    ) -> None:
        # Reads check the usual cases (the right type, absent) inline and come here for the
        # rest: a value read a hundred thousand times is worth one call less.
        if value is not None:
            self.wrong(f"{path}.{key}", expected, value, outcome, line)


# --- the document -----------------------------------------------------------------------------


class Collector(Reader):
    """One document's posts and authors, and the warnings met while reading the input."""

    def __init__(self, platform: str, kind: str, module: str) -> None:
        super().__init__()
        self.platform = platform
        self.kind = kind
        self.importer = f"threadtui.importers.{module} {__version__}"
        self.posts: dict[str, dict[str, Any]] = {}
        self.authors: dict[str, dict[str, Any]] = {}
        self.post_seen_at: dict[str, str] = {}
        """Where each post was first read: named when a later copy disagrees with it."""
        self.author_seen_at: dict[str, str] = {}
        """Where each author was first read."""

    def post(self, post: dict[str, Any], path: str, line: int | None = None) -> dict[str, Any]:
        """Add a post read at `path`, or merge it into the copy already read (one rule for
        every merge: `threadtui.model.merge`); the post as kept."""
        post_id = post["id"]
        if post_id not in self.posts:
            # The usual case, inline: most posts are seen once.
            self.posts[post_id] = post
            self.post_seen_at[post_id] = path
            return post
        message = add_copy(self.posts, self.post_seen_at, "post", post_id, post, path)
        if message is not None:
            self.warn(path, message, line)
        return self.posts[post_id]

    def author(
        self, author_id: str, entry: dict[str, Any], path: str, line: int | None = None
    ) -> str:
        """Add an author read at `path`, or merge it into the copy already read; its id."""
        if self.authors.get(author_id) != entry:
            # Not the usual case (an author seen before, alike): add or merge.
            table, seen = self.authors, self.author_seen_at
            message = add_copy(table, seen, "author", author_id, entry, path)
            if message is not None:
                self.warn(path, message, line)
        return author_id

    def result(
        self,
        *,
        title: str | None = None,
        url: str | None = None,
        root: str | None = None,
        details: dict[str, Any] | None = None,
        retrieved_at: str | None = None,
    ) -> ImportResult:
        document = {
            "schema": SCHEMA,
            "schema_version": SCHEMA_VERSION,
            "thread": {
                "title": title,
                "summary": None,
                "url": url,
                "root": root,
                "details": details or {},
            },
            "source": {
                "platform": self.platform,
                "kind": self.kind,
                "importer": self.importer,
                "retrieved_at": retrieved_at,
            },
            "authors": self.authors,
            "posts": list(self.posts.values()),
        }
        return ImportResult(document, self.warnings)

"""What the JSON importers share: gathering posts and authors, merging a post seen twice,
normalising times and counts, and warnings that name the JSON path they come from.

API responses repeat themselves (an X tweet in `data` and again in `includes`, a Bluesky
post in the thread and again as a quoted card), and each copy may carry a different part
of the post. `Collector.post` keeps one post per id and fills what one copy lacks from the
other, so an importer can add every copy it meets and never decide which one is best.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Any, Final

import orjson

from threadtui import __version__
from threadtui.importers.base import ImportFormatError, ImportResult, ImportWarning, parse_json
from threadtui.model.sanitize import clean_line

OK: Final = "ok"
MAX_COUNT: Final = 2**63 - 1
"""orjson writes integers up to 64 bits; a larger "count" is not one."""
METRICS: Final = ("views", "likes", "reposts", "replies", "quotes")

# What the format calls a UTC time (the loader's own pattern): values already in this form
# are kept as written, so a fraction keeps its digits.
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
# Keys whose value is a list: the longer list is the richer one.
_LISTS: Final = ("quotes", "media", "links", "mentions")
_SCALARS_TO_CHECK: Final = ("author", "text", "created_at", "reply_to")


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
    text = (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
        f"T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    )
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    return text + "Z"


def count(value: Any) -> int | None:
    """A metric: a whole number ≥ 0, else None (unknown). Never 0 for a missing value."""
    if type(value) is int and 0 <= value <= MAX_COUNT:
        return value
    return None


def bad_count(value: Any) -> bool:
    """Present but not a count: worth a warning (None means the source did not say)."""
    return value is not None and count(value) is None


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


def short(value: Any, limit: int = 40) -> str:
    """A value for a warning, in JSON's words and cut, so a megabyte string stays one line."""
    if isinstance(value, str):
        return '"' + (value if len(value) <= limit else value[: limit - 1] + "…") + '"'
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        text = repr(value)
        return text if len(text) <= limit else "a number"
    return "an object" if isinstance(value, dict) else "an array"


def metrics(
    views: int | None = None,
    likes: int | None = None,
    reposts: int | None = None,
    replies: int | None = None,
    quotes: int | None = None,
) -> dict[str, int | None]:
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


def _richness(post: dict[str, Any]) -> tuple[int, int]:
    """An ok post beats a placeholder; then the copy that says more."""
    known = sum(1 for value in post.values() if value not in (None, [], {}))
    known += sum(1 for value in post["metrics"].values() if value is not None)
    return (post["status"] == OK, known)


class Collector:
    """One document's posts and authors, and the warnings met while reading the input."""

    def __init__(self, platform: str, kind: str, module: str) -> None:
        self.platform = platform
        self.kind = kind
        self.importer = f"threadtui.importers.{module} {__version__}"
        self.posts: dict[str, dict[str, Any]] = {}
        self.authors: dict[str, dict[str, Any]] = {}
        self.warnings: list[ImportWarning] = []
        self.seen_at: dict[str, str] = {}
        """Where each post was first read: named when a later copy disagrees with it."""

    def warn(self, path: str, message: str, line: int | None = None) -> None:
        # Messages quote ids and values from the input, and warnings go to a terminal.
        self.warnings.append(ImportWarning(line, clean_line(f"{path}: {message}")))

    def author(self, author_id: str, entry: dict[str, Any]) -> None:
        """Add an author; a second sighting fills what the first lacked."""
        old = self.authors.get(author_id)
        if old is None:
            self.authors[author_id] = entry
            return
        for key, value in entry.items():
            if value is not None and old.get(key) is None:
                old[key] = value

    def post(self, post: dict[str, Any], path: str, line: int | None = None) -> None:
        """Add a post, or merge it into the copy already read: the richer copy wins and
        fills its gaps from the other; a disagreement on what is shown is a warning."""
        post_id = post["id"]
        old = self.posts.get(post_id)
        if old is None:
            self.posts[post_id] = post
            self.seen_at[post_id] = path
            return
        first, second = (post, old) if _richness(post) > _richness(old) else (old, post)
        if old["status"] != OK and post["status"] != OK and old["status"] != post["status"]:
            self.warn(
                path,
                f"post {post_id} is {post['status'].replace('_', ' ')} here but"
                f" {old['status'].replace('_', ' ')} at {self.seen_at[post_id]}:"
                f" kept {old['status'].replace('_', ' ')}",
                line,
            )
            first, second = old, post
        if old["status"] == OK and post["status"] == OK:
            for key in _SCALARS_TO_CHECK:
                a, b = old[key], post[key]
                if a is not None and b is not None and a != b:
                    kept = "earlier" if first is old else "later"
                    self.warn(
                        path,
                        f"post {post_id}: {key} differs from the copy at"
                        f" {self.seen_at[post_id]}: kept the {kept} one",
                        line,
                    )
        merged = dict(first)
        for key, value in second.items():
            if key in _LISTS:
                if len(value) > len(merged.get(key) or ()):
                    merged[key] = value
            elif key == "metrics":
                merged["metrics"] = {
                    name: (mine if mine is not None else value.get(name))
                    for name, mine in first["metrics"].items()
                }
            elif merged.get(key) is None and value is not None and key != "status":
                merged[key] = value
        self.posts[post_id] = merged

    def result(
        self,
        *,
        title: str | None = None,
        url: str | None = None,
        root: str | None = None,
        details: dict[str, str] | None = None,
        retrieved_at: str | None = None,
    ) -> ImportResult:
        document = {
            "schema": "threadtui.thread",
            "schema_version": 1,
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
        raise ImportFormatError(
            f"invalid JSON at line {error.lineno} column {error.colno}: {error.msg}",
            line=error.lineno,
        ) from None
    except RecursionError:
        pass
    raise ImportFormatError("invalid JSON: nested too deeply", path="$")

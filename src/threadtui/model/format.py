"""The normalised thread format (docs/format.md), defined once.

Names, keys, statuses, metric names, the time rule and the small value types of the
optional post fields live here and nowhere else: both loaders, the linker, the exporters,
the importers, the JSON Schema (a test compares it with this module) and the tests read
them from here. Plain Python and msgspec: no Textual, no other threadtui module.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Final, Literal, get_args

import msgspec

SchemaName = Literal["threadtui.thread"]
SchemaVersion = Literal[1]
SCHEMA: Final[str] = get_args(SchemaName)[0]
SCHEMA_VERSION: Final[int] = get_args(SchemaVersion)[0]

TOP_KEYS: Final = ("schema", "schema_version", "thread", "source", "authors", "posts")
THREAD_KEYS: Final = ("title", "summary", "url", "root", "details")
SOURCE_KEYS: Final = ("platform", "kind", "importer", "retrieved_at")
AUTHOR_KEYS: Final = ("handle", "display_name", "url")

POST_KEYS: Final = (
    "id",
    "author",
    "text",
    "created_at",
    "reply_to",
    "quotes",
    "metrics",
    "status",
)
"""Every writer spells these out; a post holds them in this order."""

OPTIONAL_POST_KEYS: Final = (
    "url",
    "native_id",
    "edited_at",
    "content_warning",
    "media",
    "links",
    "mentions",
    "more",
    "edit_history",
    "quote_state",
)
"""Added in version 1 without a version bump: every one may be left out, so files written
before they existed stay valid, and readers that predate them kept them as unknown keys."""

Status = Literal["ok", "not_found", "deleted", "removed", "blocked", "not_fetched"]
STATUSES: Final[tuple[str, ...]] = get_args(Status)
MetricName = Literal["views", "likes", "reposts", "replies", "quotes"]
METRIC_NAMES: Final[tuple[str, ...]] = get_args(MetricName)
MediaKind = Literal["image", "video", "gifv", "audio", "link", "poll", "other"]
MEDIA_LABELS: Final[dict[str, str]] = {"gifv": "gif"}
"""A media kind as it is named where it is shown (the detail pane, `--print`); the rest as
they are."""
MEDIA_KINDS: Final[tuple[str, ...]] = get_args(MediaKind)

Count = Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)]
"""A count as the fast loader accepts it. orjson reads integers past 64 bits as floats,
which the checking path then refuses as counts; msgspec would read them exactly. Leaving
them (and, as msgspec's bounds must fit an int64, the rest of the unsigned range) to the
checking path keeps both paths alike."""

TIME_PATTERN: Final = r"\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d{1,9})?)?Z"
"""ISO 8601 in UTC ending in Z, seconds and up to nine fraction digits optional."""
TIME: Final = re.compile(TIME_PATTERN, re.ASCII)
TIME_EXPECTED: Final = "an ISO 8601 UTC time ending in Z (like 2026-05-28T23:57:00Z) or null"


def epoch_of(text: str) -> float | None:
    """A format time as epoch seconds; None if `text` breaks the time rule."""
    if TIME.fullmatch(text) is None:
        return None
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        return None


_WEB: Final = re.compile(r"https?://[^\s\x00-\x1f\x7f-\x9f]+", re.ASCII | re.IGNORECASE)


def is_web_url(text: str) -> bool:
    """Whether `text` is an http(s) URL without spaces or control characters: the only
    kind of URL the UI may offer to open or copy (no `javascript:`, `file:`, …)."""
    return _WEB.fullmatch(text) is not None and text.isprintable()


_WEB_LINES: Final = re.compile(rf"{_WEB.pattern}(?:\n{_WEB.pattern})*", _WEB.flags)


def are_web_urls(texts: list[str]) -> bool:
    """Whether every one of `texts` is_web_url: two C calls for all of them."""
    # A web URL holds no line break, so the lines of the joined text are the URLs.
    return not texts or (
        _WEB_LINES.fullmatch("\n".join(texts)) is not None and "".join(texts).isprintable()
    )


# The small value types of the optional post fields. The fast loader decodes a file's
# objects straight into them, so they have no defaults: an object that leaves a key out,
# or holds one they do not define, is read by the checking path, which fills the first
# with null and warns about the second. Every writer spells out every key.


class Media(msgspec.Struct, forbid_unknown_fields=True, frozen=True, gc=False):
    """An attachment, named and never fetched: shown as `[image: alt text]`."""

    kind: MediaKind
    url: str | None
    alt: str | None


class Link(msgspec.Struct, forbid_unknown_fields=True, frozen=True, gc=False):
    url: str | None
    text: str | None
    """The link's text as the post shows it."""


class Mention(msgspec.Struct, forbid_unknown_fields=True, frozen=True, gc=False):
    handle: str | None
    id: str | None
    """An author id, when the source says whom the mention names."""
    url: str | None


class More(msgspec.Struct, forbid_unknown_fields=True, frozen=True, gc=False):
    """What a `not_fetched` placeholder stands for: `count` comments the source left out
    (Reddit's "load more"), of which it named `ids`."""

    count: Count | None
    ids: tuple[str, ...]


class Edit(msgspec.Struct, forbid_unknown_fields=True, frozen=True, gc=False):
    """An earlier version of an edited post."""

    id: str | None
    created_at: str | None
    text: str | None


ValueKind = Literal["line", "text", "url", "time", "media_kind", "count", "ids"]
"""How a value is read and cleaned: `line` one line of text, `text` text with line breaks,
`url` an http(s) URL (see `is_web_url`), `time` the time rule, `media_kind` one of
MEDIA_KINDS, `count` a whole number >= 0, `ids` an array of strings; each may be null."""

VALUE_KEYS: Final[dict[type[msgspec.Struct], dict[str, ValueKind]]] = {
    Media: {"kind": "media_kind", "url": "url", "alt": "line"},
    Link: {"url": "url", "text": "line"},
    Mention: {"handle": "line", "id": "line", "url": "url"},
    More: {"count": "count", "ids": "ids"},
    Edit: {"id": "line", "created_at": "time", "text": "text"},
}
"""The keys of each value type, in order, and how each is read."""

FIELD_KINDS: Final[dict[str, ValueKind | tuple[str, type[msgspec.Struct]]]] = {
    "url": "url",
    "native_id": "line",
    "edited_at": "time",
    "content_warning": "line",
    "media": ("list", Media),
    "links": ("list", Link),
    "mentions": ("list", Mention),
    "more": ("object", More),
    "edit_history": ("list", Edit),
    "quote_state": "line",
}
"""How each optional post field is read: a value kind, or an object / a list of objects."""
assert tuple(FIELD_KINDS) == OPTIONAL_POST_KEYS


class PostFields(msgspec.Struct, gc=False):
    """A post's optional fields, typed and cleaned; held apart so that a post without any
    (most of a large file) pays one slot for all of them."""

    url: str | None = None
    native_id: str | None = None
    """The source's own id where it differs from `id`."""
    edited_at: str | None = None
    edited: float | None = None
    """`edited_at` as epoch seconds."""
    content_warning: str | None = None
    media: tuple[Media, ...] = ()
    links: tuple[Link, ...] = ()
    mentions: tuple[Mention, ...] = ()
    more: More | None = None
    edit_history: tuple[Edit, ...] = ()
    quote_state: str | None = None

    def to_json(self) -> dict[str, object]:
        """The fields as a file holds them, in the format's order; empty ones left out."""
        out: dict[str, object] = {}
        for key in OPTIONAL_POST_KEYS:
            value = getattr(self, key)
            if value is None or value == ():
                continue
            out[key] = msgspec.to_builtins(value)
        return out


def post_fields(
    url: str | None,
    native_id: str | None,
    edited_at: str | None,
    edited: float | None,
    content_warning: str | None,
    media: tuple[Media, ...],
    links: tuple[Link, ...],
    mentions: tuple[Mention, ...],
    more: More | None,
    edit_history: tuple[Edit, ...],
    quote_state: str | None,
) -> PostFields | None:
    """The fields as a post holds them: None when every one is null or empty."""
    if (
        url is None
        and native_id is None
        and edited_at is None
        and content_warning is None
        and more is None
        and quote_state is None
        and not (media or links or mentions or edit_history)
    ):
        return None
    return PostFields(
        url,
        native_id,
        edited_at,
        edited,
        content_warning,
        media,
        links,
        mentions,
        more,
        edit_history,
        quote_state,
    )

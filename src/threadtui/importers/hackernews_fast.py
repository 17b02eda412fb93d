"""The Hacker News importer's fast path: items read by msgspec into typed structs, in C.

At 100,000 items the general reader (hackernews.py) spends most of its time in Python
checking each field's type so that it can warn about a wrong one. Real files have none:
msgspec checks every field of every item while it parses, and when it accepts the whole
file the conversion below needs no check and can give no warning.

It covers the usual input only: stories, jobs and comments, ids as numbers, times as
whole Unix seconds, each item once, and (Algolia) every item nested under its declared
parent. Anything else, down to one item, raises `Refused` and the caller converts the
whole input with the general reader, so its warnings and JSON paths are what they always
were. Both give the same document for what this accepts (tests/unit/test_import_hn_fast.py
compares them on mutated fixtures).

`read` takes the text itself: it tells the shape (Algolia or Firebase; a list, an object of
items or one item) from the decoded structs, so a usual file is parsed once, by msgspec,
never into dicts first. It answers only when the shape is the one the general reader would
see (`hackernews._Importer.shape`); anything it cannot confirm goes to the general reader.
When orjson has parsed the text already (the opener's sniffs), `convert_firebase` and
`convert_algolia` read that value instead, in about half the time of a second parse.

What is left is Python's own work per item (about 6 µs an item at 100,000, of which the
post's dicts take about 1 µs): tried and measured, neither columns of fields nor the
texts joined for one pass of the HTML rules cost less (docs/performance.md, round 4).
"""

from __future__ import annotations

import re
from collections.abc import Container, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Final, Literal

import msgspec
from msgspec import UNSET

from threadtui.importers.collect import iso_utc
from threadtui.importers.html import Anchor, text_and_links

__all__ = [
    "AlgoliaItem",
    "Converter",
    "FirebaseItem",
    "Refused",
    "convert_algolia",
    "convert_firebase",
    "decode_algolia",
    "decode_firebase",
    "read",
]

PLATFORM: Final = "hackernews"
ITEM_URL: Final = "https://news.ycombinator.com/item?id="
USER_URL: Final = "https://news.ycombinator.com/user?id="
_PREFIX: Final = PLATFORM + ":"

# orjson reads an integer past 64 bits as a float (1e20, not 100000000000000000000), which
# the general reader takes for no id, time or count, with a warning; msgspec reads every
# integer as one. Bounded (to 64 signed bits: msgspec's bounds go no further), anything
# larger is refused here and read by the general reader.
_Int = Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]
_Id = Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)]
_Count = Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)]
_FAST_TYPES: Final = frozenset({"story", "comment", "job"})
"""Polls and their options are left to the general reader (options, parts, votes)."""
_Kind = Literal["story", "comment", "job"]
"""_FAST_TYPES for msgspec, which answers each with the one string object: no copy of
"comment" made, hashed and freed per item."""
_HEADED: Final = frozenset({"story", "job"})
_SECONDS: Final = tuple(f"{second:02d}Z" for second in range(60))
ALGOLIA: Final = "hackernews.algolia.item"
FIREBASE: Final = "hackernews.firebase.item"
_JSON_NON_SPACE: Final = re.compile(r"[^ \t\r\n]")
_FIRST_KEY: Final = re.compile(r'\{[ \t\r\n]*"([^"\\]*)"')
_ALGOLIA_KEYS: Final = ('"children"', '"created_at_i"', '"story_id"')
"""Keys only Algolia items have: near the start of a file, a guess at its API."""
_HEAD: Final = 4096


class Refused(Exception):
    """The input holds something only the general reader handles (and may warn about)."""


class FirebaseItem(msgspec.Struct, gc=False):
    id: _Id
    type: _Kind | None = None
    by: str | None = None
    time: _Int | None = None
    text: str | None = None
    title: str | None = None
    url: str | None = None
    score: _Count | None = None
    parent: _Id | None = None
    kids: list[_Id] | None = None
    descendants: _Int | None = None
    deleted: bool | None = None
    dead: bool | None = None
    # Present only on polls and their options: any value sends the input to the general
    # reader, which knows what they mean.
    poll: Any = None
    parts: Any = None
    # Whether the item has it, no more: the general reader takes a first item with
    # `children` for an Algolia item (it ignores the key on the others).
    children: msgspec.Raw = UNSET  # type: ignore[assignment]


class AlgoliaItem(msgspec.Struct, gc=False):
    id: _Id
    created_at_i: _Int | None = None
    created_at: str | None = None
    type: _Kind | None = None
    author: str | None = None
    title: str | None = None
    url: str | None = None
    text: str | None = None
    points: _Count | None = None
    parent_id: _Id | None = None
    story_id: Any = UNSET
    """Only whether it is there: one of the keys that make an item Algolia's."""
    descendants: _Int | None = None
    options: list[Any] | None = None
    children: list[AlgoliaItem] | None = None


class _FirebaseValue(FirebaseItem, gc=False):
    """A Firebase item converted from orjson's value (msgspec converts no value into a
    Raw): the same fields."""

    children: Any = UNSET


_FIREBASE_VALUES: Final[dict[str, Any]] = {
    "list": list[_FirebaseValue],
    "object": dict[str, _FirebaseValue],
    "item": _FirebaseValue,
}
_ALGOLIA_VALUES: Final[dict[str, Any]] = {"list": list[AlgoliaItem], "item": AlgoliaItem}


_FIREBASE_DECODERS: Final[dict[str, msgspec.json.Decoder[Any]]] = {
    "list": msgspec.json.Decoder(list[FirebaseItem]),
    "object": msgspec.json.Decoder(dict[str, FirebaseItem]),
    "item": msgspec.json.Decoder(FirebaseItem),
}
_ALGOLIA_DECODERS: Final[dict[str, msgspec.json.Decoder[Any]]] = {
    "list": msgspec.json.Decoder(list[AlgoliaItem]),
    "item": msgspec.json.Decoder(AlgoliaItem),
}
_DECODERS: Final = {FIREBASE: _FIREBASE_DECODERS, ALGOLIA: _ALGOLIA_DECODERS}
_ITEM_KEYS: Final = frozenset(FirebaseItem.__struct_fields__)


def _decode(decoder: msgspec.json.Decoder[Any], text: str) -> Any:
    try:
        return decoder.decode(text)
    except (msgspec.ValidationError, msgspec.DecodeError, RecursionError) as error:
        raise Refused(str(error)) from None


def decode_firebase(text: str, shape: str) -> list[FirebaseItem]:
    """Every item of a Firebase file (`shape`: "list", "object" of items, or one "item")."""
    return _firebase_items(shape, _decode(_FIREBASE_DECODERS[shape], text))


def decode_algolia(text: str, shape: str) -> list[AlgoliaItem]:
    """The top items of an Algolia file (`shape`: "list" or one "item")."""
    value = _decode(_ALGOLIA_DECODERS[shape], text)
    return value if shape == "list" else [value]


def _convert(value: Any, kind: Any) -> Any:
    try:
        return msgspec.convert(value, kind)
    except (msgspec.ValidationError, RecursionError) as error:
        raise Refused(str(error)) from None


def convert_firebase(value: Any, shape: str) -> list[FirebaseItem]:
    """`decode_firebase` for the value orjson parsed (what the opener's sniffs parsed
    already): msgspec converts its dicts in C, in about half the time of a decode."""
    return _firebase_items(shape, _convert(value, _FIREBASE_VALUES[shape]))


def convert_algolia(value: Any, shape: str) -> list[AlgoliaItem]:
    """`decode_algolia` for the value orjson parsed."""
    items = _convert(value, _ALGOLIA_VALUES[shape])
    return items if shape == "list" else [items]


def read(text: str) -> tuple[str, Converter | None] | None:
    """The whole input by the fast path, parsed once: (the kind the general reader names
    it, the converted items or None when an item is one the fast path leaves to the
    general reader). None when msgspec refuses the text, or the shape the general reader
    would see is not plain from the structs: the general reader decides then."""
    start = _JSON_NON_SPACE.search(text)
    if start is None:
        return None
    head = text[start.start() : start.start() + _HEAD]
    algolia_first = any(key in head for key in _ALGOLIA_KEYS)
    if head[0] == "[":
        shape = "list"
    elif head[0] == "{":
        # One item, or an object of items keyed by id or URL: the first key tells.
        key = _FIRST_KEY.match(head)
        shape = "item" if algolia_first or key is None or key.group(1) in _ITEM_KEYS else "object"
    else:
        return None
    kind = ALGOLIA if algolia_first and shape != "object" else FIREBASE
    for _ in range(2):
        try:
            value = _decode(_DECODERS[kind][shape], text)
        except Refused:
            return None
        verdict = _is_shape(kind, shape, value)
        if verdict is None:
            return None
        if verdict:
            converter = Converter()
            try:
                if kind == ALGOLIA:
                    converter.algolia(value if shape == "list" else [value])
                else:
                    converter.firebase(_firebase_items(shape, value))
            except Refused:
                return kind, None
            return kind, converter if converter.posts else None
        # The other API's items (a dict that is no Algolia item has an "id": one item).
        kind = FIREBASE if kind == ALGOLIA else ALGOLIA
        if shape == "object":
            return None
    return None


def _firebase_items(shape: str, value: Any) -> list[FirebaseItem]:
    if shape == "list":
        return value  # type: ignore[no-any-return]
    if shape == "object":
        return list(value.values())
    return [value]


def _is_shape(kind: str, shape: str, value: Any) -> bool | None:
    """Whether the general reader (`hackernews._Importer.shape`) reads the decoded value as
    `kind` and `shape`: True, False (it reads it as the other API's), or None (not plain
    from the structs, or an input it refuses)."""
    if shape == "object":
        # Never an Algolia item: that has an "id"; with "id" or "type" it is one item.
        return (bool(value) and "id" not in value and "type" not in value) or None
    if shape == "list":
        if not value:
            return None
        value = value[0]  # msgspec took no null: the first item is the first non-null one
    if kind == FIREBASE:
        return value.children is UNSET
    if value.children is None:
        return False  # not an Algolia item: a Firebase item has an "id" and no "children"
    if value.created_at_i is not None or value.story_id is not UNSET or value.parent_id is not None:
        return True
    return None  # the keys may be there, as nulls


class Converter:
    """Posts and authors of the accepted items, in the general reader's order and form."""

    def __init__(self) -> None:
        self.posts: dict[str, dict[str, Any]] = {}
        self.authors: dict[str, dict[str, Any]] = {}
        self.headed: dict[int, tuple[str | None, str | None, int | None]] = {}
        self._minutes: dict[int, str] = {}
        """Minute (epoch // 60) → its time up to the seconds: items come in bursts."""
        self._author_ids: dict[str, str] = {}
        """Name → author id: one string a name, not one an item."""

    def epoch(self, seconds: int) -> str:
        """collect.epoch_utc for whole seconds, a datetime made once a minute."""
        minute = seconds // 60
        head = self._minutes.get(minute)
        if head is None:
            head = self._minute(minute)
        return head + _SECONDS[seconds - minute * 60]

    def _minute(self, minute: int) -> str:
        try:
            moment = datetime.fromtimestamp(minute * 60, UTC)
        except (OverflowError, OSError, ValueError):
            raise Refused("time out of range") from None
        head = self._minutes[minute] = moment.isoformat()[:17]
        return head

    def add(
        self,
        item_id: int,
        kind: str | None,
        name: str | None,
        created: str | None,
        title: str | None,
        link: str | None,
        body: str | None,
        likes: int | None,
        parent: int | None,
        replies: int,
        deleted: bool,
        dead: bool,
        descendants: int | None,
    ) -> None:
        """hackernews._Importer.item for an item with every field of its type."""
        if kind is not None and kind not in _FAST_TYPES:
            raise Refused("item type")
        number = str(item_id)
        post_id = _PREFIX + number
        posts = self.posts
        if post_id in posts:
            raise Refused("an item twice")  # copies are merged, with warnings
        author_id = None
        if name:
            author_id = self._author_ids.get(name)
            if author_id is None:
                author_id = self._author_ids[name] = _PREFIX + name
                self.authors[author_id] = {
                    "handle": name,
                    "display_name": None,
                    "url": USER_URL + name,
                }
        title = title or None
        links: Sequence[Anchor] = ()
        if deleted:
            text = None
        elif body:
            text, links = text_and_links(body)
            if title:
                text = f"{title}\n\n{text}" if text else title
        else:
            text = title or ""
        post: dict[str, Any] = {
            "id": post_id,
            "author": author_id,
            "text": text,
            "created_at": created,
            "reply_to": None if parent is None else f"{_PREFIX}{parent}",
            "quotes": [],
            "metrics": {
                "views": None,
                "likes": likes,
                "reposts": None,
                "replies": replies,
                "quotes": None,
            },
            "status": "deleted" if deleted else "removed" if dead else "ok",
            "url": ITEM_URL + number,
        }
        if not deleted:
            if link:
                post["media"] = [{"kind": "link", "url": link, "alt": title}]
            if links:
                post["links"] = [{"url": a.url, "text": a.text} for a in links]
        if parent is None and kind in _HEADED and item_id not in self.headed:
            if descendants is not None and descendants < 0:
                descendants = None
            self.headed[item_id] = (title, link or None, descendants)
        posts[post_id] = post

    def firebase(self, items: list[FirebaseItem]) -> None:
        by_id = {item.id: item for item in items}
        if len(by_id) != len(items):
            raise Refused("an item twice")  # copies are merged, with warnings
        # `add`, inline for the 100,000 items of a big file: no call an item, and no check
        # for a post id seen twice (the ids were just found unique).
        posts = self.posts
        authors = self.authors
        author_ids = self._author_ids
        find_author = author_ids.get
        headed = self.headed
        minutes = self._minutes
        prefix, item_url, user_url = _PREFIX, ITEM_URL, USER_URL
        for item in _ranked(items, by_id):
            if item.poll is not None or item.parts is not None:
                raise Refused("a poll")
            seconds = item.time
            created = None
            if seconds is not None:
                minute = seconds // 60
                head = minutes.get(minute)
                if head is None:
                    head = self._minute(minute)
                created = head + _SECONDS[seconds - minute * 60]
            kids = item.kids
            item_id = item.id
            number = str(item_id)
            post_id = prefix + number
            name = item.by
            author_id = None
            if name:
                author_id = find_author(name)
                if author_id is None:
                    author_id = author_ids[name] = prefix + name
                    authors[author_id] = {
                        "handle": name,
                        "display_name": None,
                        "url": user_url + name,
                    }
            title = item.title or None
            body = item.text
            deleted = item.deleted is True
            links: Sequence[Anchor] = ()
            if deleted:
                text = None
            elif body:
                text, links = text_and_links(body)
                if title:
                    text = f"{title}\n\n{text}" if text else title
            else:
                text = title or ""
            parent = item.parent
            post: dict[str, Any] = {
                "id": post_id,
                "author": author_id,
                "text": text,
                "created_at": created,
                "reply_to": None if parent is None else f"{prefix}{parent}",
                "quotes": [],
                "metrics": {
                    "views": None,
                    "likes": item.score,
                    "reposts": None,
                    "replies": 0 if kids is None else len(kids),
                    "quotes": None,
                },
                "status": "deleted" if deleted else "removed" if item.dead is True else "ok",
                "url": item_url + number,
            }
            link = item.url
            if not deleted:
                if link:
                    post["media"] = [{"kind": "link", "url": link, "alt": title}]
                if links:
                    post["links"] = [{"url": a.url, "text": a.text} for a in links]
            if parent is None and item.type in _HEADED and item_id not in headed:
                descendants = item.descendants
                if descendants is not None and descendants < 0:
                    descendants = None
                headed[item_id] = (title, link or None, descendants)
            posts[post_id] = post

    def algolia(self, items: list[AlgoliaItem]) -> None:
        # Depth first, children in their order, with an explicit stack (a deep reply
        # chain must not reach Python's recursion limit), as the general reader walks.
        stack: list[tuple[AlgoliaItem, int | None]] = [(item, None) for item in reversed(items)]
        add = self.add
        while stack:
            node, above = stack.pop()
            if node.options:
                raise Refused("a poll")
            parent = node.parent_id
            if parent is None:
                parent = above
            elif above is not None and parent != above:
                raise Refused("nested under another item than its parent")  # a warning
            seconds = node.created_at_i
            created: str | None = None
            if seconds is not None:
                created = self.epoch(seconds)
            else:
                created = iso_utc(node.created_at)
                if created is None and node.created_at is not None:
                    raise Refused("not a time")  # a warning
            children = node.children or []
            name, body, kind = node.author, node.text, node.type
            add(
                node.id,
                kind,
                name,
                created,
                node.title,
                node.url,
                body,
                node.points,
                parent,
                len(children),
                name is None and body is None and (kind == "comment" or node.title is None),
                False,
                node.descendants,
            )
            if children:
                own = node.id
                stack += [(child, own) for child in reversed(children)]


def _ranked(items: list[FirebaseItem], by_id: dict[int, FirebaseItem]) -> list[FirebaseItem]:
    """`depth_first` for the typed items: depth first along `kids` from each item whose
    parent the file lacks, then from each item that missed, in input order."""
    left = by_id.copy()
    """The items not placed yet: one dict.pop says both "known" and "not seen"."""
    ranked: list[FirebaseItem] = []
    append = ranked.append
    for start in [item for item in items if item.parent not in by_id] + items:
        if start.id not in left:
            continue
        stack = [start.id]
        while stack:
            item = left.pop(stack.pop(), None)
            if item is not None:
                append(item)
                kids = item.kids
                if kids:
                    stack += kids[::-1]
        if not left:
            break  # the usual file: every item under its story
    return ranked


def depth_first(
    starts: list[int], known: Container[int], kids_of: dict[int, list[int]]
) -> list[int]:
    """Items in the order Hacker News ranks them: depth first along each item's kids
    (`kids_of`, in their order) from each start in turn, each item once, ids that are
    not `known` passed over. The general reader's; `_ranked` is the same for the typed
    items (test_import_hn_fast.py holds them to the same order)."""
    ranked: list[int] = []
    seen: set[int] = set()
    none: list[int] = []
    for start in starts:
        stack = [start]
        while stack:
            item_id = stack.pop()
            if item_id in seen or item_id not in known:
                continue
            seen.add(item_id)
            ranked.append(item_id)
            stack.extend(reversed(kids_of.get(item_id, none)))
    return ranked

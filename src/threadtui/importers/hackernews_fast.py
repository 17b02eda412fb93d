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
"""

from __future__ import annotations

from collections.abc import Container
from datetime import UTC, datetime
from typing import Annotated, Any, Final

import msgspec

from threadtui.importers.collect import iso_utc
from threadtui.importers.html import to_text

__all__ = ["AlgoliaItem", "FirebaseItem", "Refused", "decode_algolia", "decode_firebase"]

PLATFORM: Final = "hackernews"
ITEM_URL: Final = "https://news.ycombinator.com/item?id="
USER_URL: Final = "https://news.ycombinator.com/user?id="

_Id = Annotated[int, msgspec.Meta(ge=0)]
_Count = Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)]
_FAST_TYPES: Final = frozenset({"story", "comment", "job"})
"""Polls and their options are left to the general reader (options, parts, votes)."""
_HEADED: Final = frozenset({"story", "job"})
_SECONDS: Final = tuple(f"{second:02d}Z" for second in range(60))


class Refused(Exception):
    """The input holds something only the general reader handles (and may warn about)."""


class FirebaseItem(msgspec.Struct, gc=False):
    id: _Id
    type: str | None = None
    by: str | None = None
    time: int | None = None
    text: str | None = None
    title: str | None = None
    url: str | None = None
    score: _Count | None = None
    parent: _Id | None = None
    kids: list[_Id] | None = None
    descendants: int | None = None
    deleted: bool | None = None
    dead: bool | None = None
    # Present only on polls and their options: any value sends the input to the general
    # reader, which knows what they mean.
    poll: Any = None
    parts: Any = None


class AlgoliaItem(msgspec.Struct, gc=False):
    id: _Id
    created_at_i: int | None = None
    created_at: str | None = None
    type: str | None = None
    author: str | None = None
    title: str | None = None
    url: str | None = None
    text: str | None = None
    points: _Count | None = None
    parent_id: _Id | None = None
    descendants: int | None = None
    options: list[Any] | None = None
    children: list[AlgoliaItem] | None = None


_FIREBASE_DECODERS: Final[dict[str, msgspec.json.Decoder[Any]]] = {
    "list": msgspec.json.Decoder(list[FirebaseItem]),
    "object": msgspec.json.Decoder(dict[str, FirebaseItem]),
    "item": msgspec.json.Decoder(FirebaseItem),
}
_ALGOLIA_DECODERS: Final[dict[str, msgspec.json.Decoder[Any]]] = {
    "list": msgspec.json.Decoder(list[AlgoliaItem]),
    "item": msgspec.json.Decoder(AlgoliaItem),
}


def _decode(decoder: msgspec.json.Decoder[Any], text: str) -> Any:
    try:
        return decoder.decode(text)
    except (msgspec.ValidationError, msgspec.DecodeError, RecursionError) as error:
        raise Refused(str(error)) from None


def decode_firebase(text: str, shape: str) -> list[FirebaseItem]:
    """Every item of a Firebase file (`shape`: "list", "object" of items, or one "item")."""
    value = _decode(_FIREBASE_DECODERS[shape], text)
    if shape == "list":
        return value  # type: ignore[no-any-return]
    if shape == "object":
        return list(value.values())
    return [value]


def decode_algolia(text: str, shape: str) -> list[AlgoliaItem]:
    """The top items of an Algolia file (`shape`: "list" or one "item")."""
    value = _decode(_ALGOLIA_DECODERS[shape], text)
    return value if shape == "list" else [value]


class Converter:
    """Posts and authors of the accepted items, in the general reader's order and form."""

    def __init__(self) -> None:
        self.posts: dict[str, dict[str, Any]] = {}
        self.authors: dict[str, dict[str, Any]] = {}
        self.headed: dict[int, tuple[str | None, str | None, int | None]] = {}
        self._minutes: dict[int, str] = {}
        """Minute (epoch // 60) → its time up to the seconds: items come in bursts."""

    def epoch(self, seconds: int) -> str:
        """collect.epoch_utc for whole seconds, a datetime made once a minute."""
        minute, second = divmod(seconds, 60)
        head = self._minutes.get(minute)
        if head is None:
            try:
                moment = datetime.fromtimestamp(minute * 60, UTC)
            except (OverflowError, OSError, ValueError):
                raise Refused("time out of range") from None
            head = self._minutes[minute] = moment.isoformat()[:17]
        return head + _SECONDS[second]

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
        post_id = f"{PLATFORM}:{item_id}"
        if post_id in self.posts:
            raise Refused("an item twice")  # copies are merged, with warnings
        author_id = None
        if name:
            author_id = f"{PLATFORM}:{name}"
            if author_id not in self.authors:
                self.authors[author_id] = {
                    "handle": name,
                    "display_name": None,
                    "url": USER_URL + name,
                }
        title = title or None
        link = link or None
        converted = to_text(body) if body else None
        text = None
        if not deleted:
            if converted is not None and converted.text:
                text = f"{title}\n\n{converted.text}" if title else converted.text
            else:
                text = title or ""
        post: dict[str, Any] = {
            "id": post_id,
            "author": author_id,
            "text": text,
            "created_at": created,
            "reply_to": None if parent is None else f"{PLATFORM}:{parent}",
            "quotes": [],
            "metrics": {
                "views": None,
                "likes": likes,
                "reposts": None,
                "replies": replies,
                "quotes": None,
            },
            "status": "deleted" if deleted else "removed" if dead else "ok",
            "url": f"{ITEM_URL}{item_id}",
        }
        if not deleted:
            if link is not None:
                post["media"] = [{"kind": "link", "url": link, "alt": title}]
            if converted is not None and converted.links:
                post["links"] = [{"url": a.url, "text": a.text} for a in converted.links]
        if kind in _HEADED and parent is None and item_id not in self.headed:
            if descendants is not None and descendants < 0:
                descendants = None
            self.headed[item_id] = (title, link, descendants)
        self.posts[post_id] = post

    def firebase(self, items: list[FirebaseItem]) -> None:
        by_id: dict[int, FirebaseItem] = {}
        kids_of: dict[int, list[int]] = {}
        for item in items:
            if item.id in by_id:
                raise Refused("an item twice")
            if item.poll is not None or item.parts is not None:
                raise Refused("a poll")
            by_id[item.id] = item
            if item.kids:
                kids_of[item.id] = item.kids
        for item_id in _rank_order(items, by_id, kids_of):
            item = by_id[item_id]
            seconds = item.time
            kids = item.kids
            self.add(
                item_id,
                item.type,
                item.by,
                None if seconds is None else self.epoch(seconds),
                item.title,
                item.url,
                item.text,
                item.score,
                item.parent,
                0 if kids is None else len(kids),
                item.deleted is True,
                item.dead is True,
                item.descendants,
            )

    def algolia(self, items: list[AlgoliaItem]) -> None:
        # Depth first, children in their order, with an explicit stack (a deep reply
        # chain must not reach Python's recursion limit), as the general reader walks.
        stack: list[tuple[AlgoliaItem, int | None]] = [(item, None) for item in reversed(items)]
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
            self.add(
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
            own = node.id
            stack.extend([(child, own) for child in reversed(children)])


def _rank_order(
    items: list[FirebaseItem], by_id: dict[int, FirebaseItem], kids_of: dict[int, list[int]]
) -> list[int]:
    """hackernews._Importer.rank_order: depth first along `kids` from each item whose
    parent the file lacks, then whatever that missed, in input order."""
    starts = [item.id for item in items if item.parent not in by_id]
    starts += by_id
    return depth_first(starts, by_id, kids_of)


def depth_first(
    starts: list[int], known: Container[int], kids_of: dict[int, list[int]]
) -> list[int]:
    """Items in the order Hacker News ranks them: depth first along each item's kids
    (`kids_of`, in their order) from each start in turn, each item once, ids that are
    not `known` passed over. Both readers of Firebase items share it."""
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

"""Import Hacker News API items: Algolia's nested tree, or Firebase items.

Shapes read (shared/notes/formats.md, section 3):

- Algolia, `GET https://hn.algolia.com/api/v1/items/:id`: one item with its replies
  nested in `children` (and a poll's options in `options`), to any depth;
- Firebase, `GET https://hacker-news.firebaseio.com/v0/item/:id.json`: one item, a list of
  items, or an object whose values are items (keyed by id or by item URL). The client
  walks `kids` itself, so a file holds whatever it fetched.

Decisions:

- Post ids are `hackernews:<item id>`, authors `hackernews:<username>`; the post's `url`
  is its discussion page, https://news.ycombinator.com/item?id=N.
- A story, job or poll shows its title as the first paragraph of its text, then its own
  text (Ask HN); its link is a `media` entry of kind "link" (alt: the title). The thread
  takes the root's title, and its link (or, for a text post, its discussion page).
- Deleted items (Firebase `deleted: true`; Algolia: author and text both null) are
  placeholders with status `deleted` and no text. Dead items (Firebase `dead: true`,
  killed by moderators or the spam filter) have status `removed` and **keep their text**:
  HN itself still shows it to readers who ask ("showdead"), so nothing is hidden that the
  source gives away.
- Poll options are posts of their own, replies to their poll (text: the option, likes:
  its votes), so every item of the input is a post. The poll also gets a `media` entry
  of kind "poll" whose alt lists the options the input holds.
- `score`/`points` → likes; `replies` is how many replies the item lists (`kids`, or
  Algolia's `children`), 0 when it lists none; a story's `descendants` (all comments) goes
  to the thread's details. HN has no views, reposts or quotes.
- Firebase posts are written in HN's own order: depth-first along `kids` (ranked) from
  each item whose parent is not in the file; items no `kids` reach follow in input order.
"""

from __future__ import annotations

from typing import Any, Final

import orjson

from threadtui.importers import hackernews_fast
from threadtui.importers.base import NOT_KEPT, ImportFormatError, ImportResult, parse_json
from threadtui.importers.collect import Collector, load_json, metrics, new_post
from threadtui.importers.html import to_text
from threadtui.model.sanitize import clean_line, describe

__all__ = ["DESCRIPTION", "NAME", "run", "sniff"]

NAME: Final = "hackernews"
DESCRIPTION: Final = "Hacker News API JSON: an Algolia item tree, or Firebase items"
PLATFORM: Final = "hackernews"
ITEM_URL: Final = "https://news.ycombinator.com/item?id="
USER_URL: Final = "https://news.ycombinator.com/user?id="

_TYPES: Final = frozenset({"story", "comment", "job", "poll", "pollopt"})
_HEADED: Final = frozenset({"story", "job", "poll"})
"""Items with a title: the ones that can be a thread's root."""


def _known_type(value: Any) -> bool:
    return type(value) is str and value in _TYPES


def _is_firebase(value: Any) -> bool:
    return (
        type(value) is dict
        and type(value.get("id")) is int
        and _known_type(value.get("type"))
        and "children" not in value
        and "created_at_i" not in value
    )


def _is_algolia(value: Any) -> bool:
    return (
        type(value) is dict
        and "id" in value
        and type(value.get("children")) is list
        and ("created_at_i" in value or "story_id" in value or "parent_id" in value)
    )


def _first_item(values: Any) -> Any:
    for value in values:
        if value is not None:
            return value
    return None


def sniff(text: str) -> bool:
    value = parse_json(text)
    if type(value) is dict:
        if _is_algolia(value) or _is_firebase(value):
            return True
        return bool(value) and _is_firebase(_first_item(value.values()))
    if type(value) is list and value:
        first = _first_item(value)
        return _is_firebase(first) or _is_algolia(first)
    return False


def run(text: str) -> ImportResult:
    value = parse_json.kept(text)
    if value is not NOT_KEPT and value is not None:
        # Parsed already (the opener's sniffs did): its typed conversion, no second parse.
        return _Importer().run(value, text)
    read = hackernews_fast.read(text)
    if read is not None and read[1] is not None:
        # The usual file: parsed once, by msgspec, never into dicts first.
        importer = _Importer()
        importer.take(read[0], read[1])
        return importer.document()
    # With a shape confirmed and refused (read[1] is None), no second typed decode.
    return _Importer(fast=read is None).run(load_json(text), text)


def _item_id(value: Any) -> int | None:
    if type(value) is int and value >= 0:
        return value
    if type(value) is str and value.isascii() and value.isdigit() and len(value) < 20:
        return int(value)
    return None


def _key_path(key: str) -> str:
    return clean_line(f"$[{orjson.dumps(key).decode()}]")


class _Importer:
    def __init__(self, *, fast: bool = True) -> None:
        self.fast = fast
        """Try hackernews_fast first (tests turn it off to compare the two)."""
        self.shape_name = "item"
        """"list", "object" (of items) or one "item": what hackernews_fast decodes."""
        self.r = Collector(PLATFORM, "", "hackernews")
        self.headed: dict[int, tuple[str | None, str | None, int | None]] = {}
        """Every story, job and poll with no parent: id → (title, link, descendants)."""
        self.poll_parts: dict[int, list[int]] = {}
        """Poll id → its options' ids, in the poll's order."""
        self.poll_options: dict[int, dict[int, str]] = {}
        """Poll id → option id → option text, for the options the input holds."""

    def run(self, value: Any, text: str) -> ImportResult:
        """`value` is the input parsed (orjson's value of `text`)."""
        self.tell_shape(value)
        if self.fast and self.typed(value):
            return self.document()
        items = self.shape(value)
        if self.r.kind == "hackernews.algolia.item":
            self.algolia(items)
        else:
            self.firebase(items)
        if not self.r.posts:
            raise ImportFormatError("no Hacker News item with an id to import", path="$")
        self.polls()
        return self.document()

    def typed(self, value: Any) -> bool:
        """The whole input read by the fast path; False (nothing read) when it refuses."""
        converter = hackernews_fast.Converter()
        try:
            if self.r.kind == "hackernews.algolia.item":
                converter.algolia(hackernews_fast.convert_algolia(value, self.shape_name))
            else:
                converter.firebase(hackernews_fast.convert_firebase(value, self.shape_name))
        except hackernews_fast.Refused:
            return False
        if not converter.posts:
            return False
        self.take(self.r.kind, converter)
        return True

    def take(self, kind: str, converter: hackernews_fast.Converter) -> None:
        """What the fast path read, as this importer's own."""
        self.r.kind = kind
        self.r.posts, self.r.authors = converter.posts, converter.authors
        self.headed = converter.headed

    def shape(self, value: Any) -> list[tuple[str, Any]]:
        """The items of `value`, each with its JSON path."""
        self.tell_shape(value)
        if self.shape_name == "list":
            return [(f"$[{i}]", item) for i, item in enumerate(value)]
        if self.shape_name == "object":
            return [(_key_path(key), item) for key, item in value.items()]
        return [("$", value)]

    def tell_shape(self, value: Any) -> None:
        """Which API's items (`r.kind`) and how they are held (`shape_name`); raises for a
        value that holds no item."""
        if type(value) is dict and _is_algolia(value):
            self.r.kind = "hackernews.algolia.item"
            return
        if type(value) is dict and ("id" in value or "type" in value):
            self.r.kind = "hackernews.firebase.item"
            return
        if type(value) is list:
            if not value:
                raise ImportFormatError("the list holds no item", path="$")
            first = _first_item(value)
            self.shape_name = "list"
            self.r.kind = (
                "hackernews.algolia.item" if _is_algolia(first) else "hackernews.firebase.item"
            )
            return
        if type(value) is dict:
            if not value:
                raise ImportFormatError("the object holds no item", path="$")
            self.r.kind = "hackernews.firebase.item"
            self.shape_name = "object"
            return
        raise ImportFormatError(
            f"expected a Hacker News item, a list of items or an object of items,"
            f" got {describe(value)}",
            path="$",
        )

    # -- one item --------------------------------------------------------------------------

    def author(self, name: str | None, path: str) -> str | None:
        if name is None:
            return None
        author_id = f"{PLATFORM}:{name}"
        if author_id not in self.r.authors:
            # An HN author is a name and nothing more: a second sighting adds nothing.
            entry = {"handle": name, "display_name": None, "url": USER_URL + name}
            self.r.author(author_id, entry, path)
        return author_id

    def item(
        self,
        path: str,
        item: dict[str, Any],
        *,
        by: str,
        created: str | None,
        likes: str,
        parent: int | None,
        replies: int,
        deleted: bool,
        dead: bool,
    ) -> dict[str, Any] | None:
        """The post for one item (either API); None when it has no usable id."""
        r = self.r
        get = item.get
        item_id = get("id")
        if type(item_id) is not int or item_id < 0:
            item_id = _item_id(item_id)
            if item_id is None:
                r.wrong(f"{path}.id", "an item id", get("id"), "item left out")
                return None
        kind = get("type")
        if kind is not None and not _known_type(kind):
            r.wrong(f"{path}.type", "an item type", kind, "read as a comment")
            kind = None
        # The usual values (a non-empty string, or absent) inline; the Reader for the rest.
        title = get("title")
        if title is not None and (type(title) is not str or not title):
            title = r.string(item, "title", path, empty=False)
        link = get("url")
        if link is not None and (type(link) is not str or not link):
            link = r.string(item, "url", path, empty=False)
        body = get("text")
        if body is not None and type(body) is not str:
            body = r.string(item, "text", path)
        name = get(by)
        if name is not None and (type(name) is not str or not name):
            name = r.string(item, by, path, empty=False)
        converted = to_text(body) if body else None

        status = "deleted" if deleted else "removed" if dead else "ok"
        text: str | None = None
        if not deleted:
            paragraphs = [title] if title else []
            if converted is not None and converted.text:
                paragraphs.append(converted.text)
            text = "\n\n".join(paragraphs)
        post = new_post(
            f"{PLATFORM}:{item_id}",
            author=self.author(name, path),
            text=text,
            created_at=created,
            reply_to=None if parent is None else f"{PLATFORM}:{parent}",
            counts=metrics(likes=r.count(item, likes, path), replies=replies),
            status=status,
        )
        post["url"] = f"{ITEM_URL}{item_id}"
        if link is not None and not deleted:
            post["media"] = [{"kind": "link", "url": link, "alt": title}]
        if converted is not None and converted.links and not deleted:
            post["links"] = [{"url": a.url, "text": a.text} for a in converted.links]
        if kind in _HEADED and parent is None and item_id not in self.headed:
            descendants = item.get("descendants")
            if type(descendants) is not int or descendants < 0:
                descendants = None
            self.headed[item_id] = (title, link, descendants)
        if kind == "pollopt" and parent is not None and text and not deleted:
            self.poll_options.setdefault(parent, {}).setdefault(item_id, text)
        return self.r.post(post, path)

    def polls(self) -> None:
        """Each poll's options, as far as the input holds them, as one media entry."""
        for poll_id in {**self.poll_parts, **self.poll_options}:
            post = self.r.posts.get(f"{PLATFORM}:{poll_id}")
            if post is None or post["status"] != "ok":
                continue
            options = self.poll_options.get(poll_id, {})
            rank = {option: i for i, option in enumerate(self.poll_parts.get(poll_id, []))}
            ordered = sorted(options, key=lambda option: (rank.get(option, len(rank)), option))
            texts = " / ".join(options[option] for option in ordered) or None
            post.setdefault("media", []).append({"kind": "poll", "url": None, "alt": texts})

    # -- Algolia ---------------------------------------------------------------------------

    def algolia(self, items: list[tuple[str, Any]]) -> None:
        r = self.r
        # Depth first, children in their order, with an explicit stack: a deep reply chain
        # must not reach Python's recursion limit.
        stack: list[tuple[str, Any, int | None]] = [
            (path, item, None) for path, item in reversed(items)
        ]
        while stack:
            path, node, above = stack.pop()
            if type(node) is not dict:
                r.wrong(path, "an item object", node, "left out")
                continue
            children = r.items(node, "children", path)
            options = r.items(node, "options", path)
            declared = node.get("parent_id")
            parent = _item_id(declared)
            if declared is not None and parent is None:
                r.wrong(f"{path}.parent_id", "an item id", declared, "parent from the nesting")
            if parent is None:
                parent = above
            elif above is not None and parent != above:
                r.warn(
                    f"{path}.parent_id",
                    f"says {parent} but the item is nested under {above}: kept {parent}",
                )
            created = r.epoch(node, "created_at_i", path) if "created_at_i" in node else None
            if created is None:
                created = r.time(node, "created_at", path)
            deleted = (
                node.get("author") is None
                and node.get("text") is None
                and (node.get("type") == "comment" or node.get("title") is None)
            )
            post = self.item(
                path,
                node,
                by="author",
                created=created,
                likes="points",
                parent=parent,
                replies=len(children),
                deleted=deleted,
                dead=False,
            )
            own = _item_id(node.get("id"))
            if post is not None and own is not None and options:
                self.poll_parts[own] = [
                    option_id
                    for option in options
                    if type(option) is dict
                    and (option_id := _item_id(option.get("id"))) is not None
                ]
            below = [(f"{path}.options[{i}]", o, own) for i, o in enumerate(options)]
            below += [(f"{path}.children[{i}]", c, own) for i, c in enumerate(children)]
            stack.extend(reversed(below))

    # -- Firebase --------------------------------------------------------------------------

    def firebase(self, items: list[tuple[str, Any]]) -> None:
        r = self.r
        by_id: dict[int, tuple[str, dict[str, Any]]] = {}
        order: list[int] = []
        copies: list[tuple[str, dict[str, Any]]] = []
        for path, item in items:
            if item is None:
                # The API answers null for an item that does not exist.
                r.warn(path, "null (no such item): left out")
                continue
            if type(item) is not dict:
                r.wrong(path, "an item object", item, "left out")
                continue
            item_id = _item_id(item.get("id"))
            if item_id is None:
                r.wrong(f"{path}.id", "an item id", item.get("id"), "item left out")
                continue
            if item_id not in by_id:
                order.append(item_id)
                by_id[item_id] = (path, item)
            else:
                copies.append((path, item))
        for item_id in self.rank_order(order, by_id):
            self.convert(*by_id[item_id])
        for path, item in copies:
            self.convert(path, item)  # merged into the first copy

    def kids(self, path: str, item: dict[str, Any], key: str) -> list[int]:
        value = item.get(key)
        if value is None:
            return []
        if type(value) is list:
            # The usual list (ids as numbers) in one pass; anything else item by item.
            found = [kid for kid in value if type(kid) is int and kid >= 0]
            if len(found) == len(value):
                return found
        found = []
        for i, kid in enumerate(self.r.items(item, key, path)):
            kid_id = _item_id(kid)
            if kid_id is None:
                self.r.wrong(f"{path}.{key}[{i}]", "an item id", kid, "left out")
            else:
                found.append(kid_id)
        return found

    def rank_order(
        self, order: list[int], by_id: dict[int, tuple[str, dict[str, Any]]]
    ) -> list[int]:
        starts: list[int] = []
        kids_of: dict[int, list[int]] = {}
        # One pass over the items: whether each starts a tree, and its kids (a poll's
        # options before the replies to it).
        for item_id in order:
            item = by_id[item_id][1]
            parent = item.get("parent", item.get("poll"))
            if type(parent) is not int or parent < 0:
                parent = _item_id(parent)
            if parent not in by_id:
                starts.append(item_id)
            kids = item.get("kids")
            parts = item.get("parts")
            found = [k for k in parts if type(k) is int] if type(parts) is list else []
            if type(kids) is list:
                found += [k for k in kids if type(k) is int]
            if found:
                kids_of[item_id] = found
        # Then the rest (a reply whose parent does not list it, or a cycle), in input order.
        starts += order
        return hackernews_fast.depth_first(starts, by_id, kids_of)

    def convert(self, path: str, item: dict[str, Any]) -> None:
        r = self.r
        kids = self.kids(path, item, "kids")
        parts = self.kids(path, item, "parts")
        parent_key = "poll" if item.get("type") == "pollopt" and "poll" in item else "parent"
        parent = item.get(parent_key)
        if parent is not None and (type(parent) is not int or parent < 0):
            parent = _item_id(item[parent_key])
            if parent is None:
                r.wrong(f"{path}.{parent_key}", "an item id", item[parent_key], "parent unknown")
        post = self.item(
            path,
            item,
            by="by",
            created=r.epoch(item, "time", path),
            likes="score",
            parent=parent,
            replies=len(kids),
            deleted=item.get("deleted") is True,
            dead=item.get("dead") is True,
        )
        if post is not None and parts:
            self.poll_parts.setdefault(_item_id(item["id"]) or 0, parts)

    # -- the document ----------------------------------------------------------------------

    def document(self) -> ImportResult:
        root_id = next(iter(self.headed)) if len(self.headed) == 1 else None
        title = url = None
        details: dict[str, Any] = {}
        if root_id is not None:
            title, link, descendants = self.headed[root_id]
            url = link or f"{ITEM_URL}{root_id}"
            if descendants is not None:
                details["descendants"] = descendants
        return self.r.result(
            title=title,
            url=url,
            root=None if root_id is None else f"{PLATFORM}:{root_id}",
            details=details,
        )

"""Import Reddit's `/comments/<id>.json`: the two-listing array (the link, then its comment
tree), or a single listing of things (shapes: /work/shared/notes/formats.md section 4).

Comments nest through `replies` (an empty string when there are none); the tree is walked
with an explicit stack, so depth costs no Python frames. `more` stubs stand for comments
the response left out: each becomes one `not_fetched` placeholder that says how many, so
the reader sees the gap where it is. Bodies are Markdown with `&`, `<`, `>` escaped as HTML
entities: the entities are decoded, the Markdown is kept as written.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any, Final

from threadtui.importers.base import ImportFormatError, ImportResult, parse_json
from threadtui.importers.collect import (
    Collector,
    count,
    decode_entities,
    epoch_utc,
    load_json,
    metrics,
    new_post,
    text_or_none,
)
from threadtui.model.sanitize import describe

NAME: Final = "reddit"
DESCRIPTION: Final = "Reddit comments JSON (/comments/<id>.json)"
PLATFORM: Final = "reddit"
WEB: Final = "https://www.reddit.com"
KIND: Final = "reddit.comments.json"
_GONE: Final = {"[deleted]": "deleted", "[removed]": "removed"}


def _is_listing(value: Any) -> bool:
    return (
        type(value) is dict and value.get("kind") == "Listing" and type(value.get("data")) is dict
    )


def sniff(text: str) -> bool:
    """A Reddit Listing, or the array of two that /comments/<id>.json returns."""
    data = parse_json(text)
    if type(data) is list:
        return bool(data) and _is_listing(data[0])
    return _is_listing(data)


def run(text: str, *, tz: tzinfo | None = None) -> ImportResult:
    """Import one response. `tz` is accepted and unused: Reddit times are epoch seconds."""
    data = load_json(text)
    if type(data) is list:
        listings = [(item, f"$[{i}]") for i, item in enumerate(data)]
    elif type(data) is dict:
        listings = [(data, "$")]
    else:
        raise ImportFormatError(
            f"not a Reddit response: expected a Listing or an array of them, got {describe(data)}",
            path="$",
        )
    return _Reader().read(listings)


class _Reader:
    def __init__(self) -> None:
        self.c = Collector(PLATFORM, KIND, "reddit")
        self.link: dict[str, Any] | None = None
        """The submission (t3), which names the thread."""
        self.link_id: str | None = None
        self.more_numbers: dict[str, int] = {}

    def read(self, listings: list[tuple[Any, str]]) -> ImportResult:
        stack: list[tuple[Any, str, str | None]] = []
        for listing, path in reversed(listings):
            stack.extend(reversed(self.children(listing, path, None)))
        if not listings:
            raise ImportFormatError("not a Reddit response: the array is empty", path="$")
        while stack:
            thing, path, parent = stack.pop()
            thing_id, replies = self.thing(thing, path, parent)
            if replies is not None:
                stack.extend(reversed(self.children(replies, f"{path}.data.replies", thing_id)))
        if not self.c.posts:
            raise ImportFormatError("no post or comment in this Reddit response", path="$")
        return self.finish()

    def children(
        self, listing: Any, path: str, parent: str | None
    ) -> list[tuple[Any, str, str | None]]:
        if type(listing) is not dict:
            self.c.wrong(path, "a Listing", listing, "left out")
            return []
        data = listing.get("data")
        children = data.get("children") if type(data) is dict else None
        if type(children) is not list:
            self.c.wrong(f"{path}.data.children", "an array", children, "left out")
            return []
        return [(child, f"{path}.data.children[{i}]", parent) for i, child in enumerate(children)]

    def thing(self, thing: Any, path: str, parent: str | None) -> tuple[str | None, Any]:
        """Read one thing; its post id and its `replies` listing (None when it has none)."""
        if type(thing) is not dict:
            self.c.wrong(path, "a thing", thing, "left out")
            return None, None
        kind = thing.get("kind")
        data = thing.get("data")
        if type(data) is not dict:
            self.c.wrong(f"{path}.data", "an object", data, "left out")
            return None, None
        if kind == "more":
            self.more(data, path, parent)
            return None, None
        if kind not in ("t1", "t3"):
            self.c.warn(f"{path}.kind", f"not a comment or a post ({describe(kind)}): left out")
            # Its replies are still comments of the thread.
            replies = data.get("replies")
            return None, replies if replies else None
        name = data.get("name")
        native = data.get("id")
        if type(name) is str and name.startswith(kind + "_") and len(name) > 3:
            fullname = name
        elif type(native) is str and native:
            fullname = f"{kind}_{native}"
        else:
            self.c.wrong(f"{path}.data.id", "an id", native, "left out")
            replies = data.get("replies")
            return None, replies if replies else None
        post_id = f"{PLATFORM}:{fullname}"
        data_path = f"{path}.data"

        declared = data.get("parent_id")
        reply_to = parent
        if type(declared) is str and declared[:3] in ("t1_", "t3_") and len(declared) > 3:
            reply_to = f"{PLATFORM}:{declared}"
        elif declared is not None:
            self.c.wrong(
                f"{data_path}.parent_id", "a fullname", declared, "parent from the nesting"
            )

        author = self.author(data.get("author"), f"{data_path}.author")
        created_at = self.c.epoch(data, "created_utc", data_path)

        score = data.get("score")
        likes = None if data.get("score_hidden") is True else count(score)
        # A downvoted comment's score is below zero: a real score, not a count of likes.
        if score is not None and type(score) is not int:
            self.c.wrong(f"{data_path}.score", "a number", score, "likes unknown")

        title = None
        if kind == "t3":
            raw_title = text_or_none(data.get("title"))
            title = decode_entities(raw_title) if raw_title else None
            body = data.get("selftext")
            replies_count = self.c.count(data, "num_comments", data_path)
        else:
            body = data.get("body")
            replies_count = None
        status = "ok"
        text: str | None
        if type(body) is str and body in _GONE:
            status = _GONE[body]
            text = title  # a removed submission still shows its title
        else:
            if type(body) is not str:
                if body is not None or kind == "t1":
                    key = "selftext" if kind == "t3" else "body"
                    self.c.wrong(f"{data_path}.{key}", "text", body, "text left empty")
                body = ""
            body = decode_entities(body)
            # The submission's title is the first thing of it a reader sees.
            text = f"{title}\n\n{body}" if title and body else title or body

        post = new_post(
            post_id,
            author=author,
            text=text,
            created_at=created_at,
            reply_to=reply_to if kind == "t1" else None,
            counts=metrics(likes=likes, replies=replies_count),
            status=status,
        )
        if reply_to is not None and kind == "t3":
            self.c.warn(path, "a submission inside a comment tree: shown as a root")
        url = self.url(data, fullname)
        if url is not None:
            post["url"] = url
        edited = data.get("edited")
        if type(edited) in (int, float) and type(edited) is not bool:
            edited_at = epoch_utc(edited)
            if edited_at is not None:
                post["edited_at"] = edited_at
        if kind == "t3":
            link = text_or_none(data.get("url"))
            if data.get("is_self") is False and link is not None:
                post["media"] = [{"kind": "link", "url": link, "alt": title}]
            if self.link is None:
                self.link = data
                self.link_id = post_id
        self.c.post(post, path)
        replies = data.get("replies")
        if replies in ("", None):
            return post_id, None
        return post_id, replies

    def more(self, data: dict[str, Any], path: str, parent: str | None) -> None:
        """A stub for comments the response left out: one placeholder saying how many."""
        declared = data.get("parent_id")
        if type(declared) is str and declared[:3] in ("t1_", "t3_") and len(declared) > 3:
            parent = f"{PLATFORM}:{declared}"
        where = parent.partition(":")[2] if parent else "root"
        number = self.more_numbers.get(where, 0) + 1
        self.more_numbers[where] = number
        post_id = f"{PLATFORM}:more_{where}_{number}"
        raw_children = data.get("children")
        children = (
            [f"{PLATFORM}:t1_{c}" for c in raw_children if type(c) is str and c]
            if type(raw_children) is list
            else []
        )
        total = count(data.get("count"))
        if data.get("id") == "_" or (not total and not children):
            # Reddit's "continue this thread": the replies are on the comment's own page.
            text = "More replies on a deeper page (“continue this thread”)"
        else:
            number_of = total if total else len(children)
            text = f"{number_of} more comment{'s' if number_of != 1 else ''}"
        post = new_post(post_id, text=text, reply_to=parent, status="not_fetched")
        post["more"] = {"count": total, "ids": children}
        self.c.post(post, path)

    def author(self, name: Any, path: str) -> str | None:
        if name is None or (type(name) is str and name in _GONE):
            return None
        if type(name) is not str or not name:
            self.c.wrong(path, "a user name", name, "author unknown")
            return None
        entry = {"handle": name, "display_name": None, "url": f"{WEB}/user/{name}"}
        return self.c.author(f"{PLATFORM}:{name}", entry, path)

    def url(self, data: dict[str, Any], fullname: str) -> str | None:
        permalink = data.get("permalink")
        if type(permalink) is str and permalink.startswith("/"):
            return WEB + permalink
        if self.link is not None and fullname.startswith("t1_"):
            # Old responses give comments no permalink: theirs is the link's plus their id.
            base = self.link.get("permalink")
            if type(base) is str and base.startswith("/"):
                return f"{WEB}{base.rstrip('/')}/{fullname[3:]}/"
        return None

    def finish(self) -> ImportResult:
        link = self.link
        title = url = None
        details: dict[str, str] = {}
        root = self.link_id
        if link is not None:
            title = text_or_none(link.get("title"))
            title = decode_entities(title) if title else None
            permalink = link.get("permalink")
            url = WEB + permalink if type(permalink) is str and permalink.startswith("/") else None
            subreddit = text_or_none(link.get("subreddit_name_prefixed"))
            if subreddit:
                details["subreddit"] = subreddit
            comments = count(link.get("num_comments"))
            if comments is not None:
                details["comments"] = str(comments)
        else:
            roots = {
                post["reply_to"]
                for post in self.c.posts.values()
                if (post["reply_to"] or "").startswith(f"{PLATFORM}:t3_")
            }
            root = roots.pop() if len(roots) == 1 else None
        return self.c.result(title=title, url=url, root=root, details=details)

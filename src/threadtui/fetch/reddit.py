"""Reddit: the public `.json` of the comments page, then `morechildren` for the stubs.

The listing is fetched once; each `more` stub that lists comment ids is then asked of
`/api/morechildren` (at most 100 ids a request), and each "continue this thread" stub of
the parent comment's own page. The comments that come back are put where their stub was,
as Reddit's own clients do (PRAW's `replace_more`), so the result is one response of the
`/comments/<id>.json` shape: the importer reads it, and stubs left unasked (past
--max-posts, or after a refusal) stay as placeholders saying how many comments they hold.

Reddit often refuses anonymous clients (403, or 429 at once): then one line says how to
save the JSON from a browser instead.
"""

from __future__ import annotations

from typing import Any, Final, TypeGuard

import orjson

from threadtui.fetch.base import Fetched, api_base, partial
from threadtui.fetch.client import Client, FetchError, RateLimited, Refused
from threadtui.fetch.urls import Target

DEFAULT_API: Final = "https://www.reddit.com"
ENV: Final = "THREADTUI_REDDIT_API"
MORE_BATCH: Final = 100
"""Reddit's limit of ids per morechildren request."""
BROWSER_HINT: Final = (
    "open the thread in a browser, add .json to its address, save the page,"
    " and open the file: threadtui FILE"
)


async def fetch(client: Client, target: Target) -> Fetched:
    base = api_base(ENV, DEFAULT_API)
    client.allow(base)
    try:
        listing, _ = await client.get_json(
            base, f"/comments/{target.link}.json", {"limit": 500}, what="this thread"
        )
    except (Refused, RateLimited) as error:
        raise FetchError(
            f"Reddit refused this anonymous client ({_why(error)}); {BROWSER_HINT}"
        ) from None
    if not (
        isinstance(listing, list) and len(listing) == 2 and all(_is_listing(x) for x in listing)
    ):
        raise FetchError(f"{_host(base)} sent a comments page without its two listings")
    tree = _Tree(listing)
    expected = tree.declared()
    client.report("thread received", posts=tree.count, expected=expected)
    limit = client.limits.max_posts
    missing: str | None = None
    asked: set[int] = set()
    # The stubs asked stay referenced, so no new object can take over a freed one's id.
    kept: list[Any] = []
    try:
        while tree.count < limit:
            stub = next((s for s in tree.stubs() if id(s[1]) not in asked), None)
            if stub is None:
                break
            container, more = stub
            asked.add(id(more))
            kept.append(more)
            data = more["data"]
            ids = [c for c in data.get("children") or [] if isinstance(c, str) and c]
            if ids:
                batch, rest = ids[:MORE_BATCH], ids[MORE_BATCH:]
                value, _ = await client.get_json(
                    base,
                    "/api/morechildren.json",
                    {
                        "api_type": "json",
                        "link_id": f"t3_{target.link}",
                        "children": ",".join(batch),
                        "limit_children": "false",
                    },
                    what="more comments",
                )
                things = _things(value)
                if things is None:
                    raise FetchError(f"{_host(base)} sent a morechildren answer without things")
                tail = None
                if rest:
                    tail = {
                        "kind": "more",
                        "data": {
                            **data,
                            "children": rest,
                            "count": max(0, _int(data.get("count")) - len(batch)),
                        },
                    }
                tree.replace(container, more, things, tail)
            else:
                parent = data.get("parent_id")
                if not (isinstance(parent, str) and parent.startswith("t1_")):
                    continue
                page, _ = await client.get_json(
                    base,
                    f"/comments/{target.link}/_/{parent[3:]}.json",
                    {"limit": 500},
                    what="a deeper branch",
                )
                tree.replace(container, more, _branch_replies(page, parent), None)
            client.report(posts=tree.count)
    except (Refused, RateLimited) as error:
        missing = partial(tree.count, expected, "comments", f"Reddit {_why(error)}")
    except FetchError as error:
        missing = partial(tree.count, expected, "comments", str(error))
    if missing is None and tree.count >= limit and any(True for _ in tree.stubs()):
        missing = partial(tree.count, expected, "comments", f"--max-posts {limit} reached")
    anchor = f"reddit:{target.post}"
    return Fetched(
        responses=[(f"comments of {target.url}", orjson.dumps(listing))],
        anchor=anchor,
        missing=missing,
    )


def _why(error: FetchError) -> str:
    if isinstance(error, RateLimited):
        return "rate limited"
    if isinstance(error, Refused):
        return f"HTTP {error.status}"
    return str(error)


def _is_listing(value: Any) -> TypeGuard[dict[str, Any]]:
    return (
        isinstance(value, dict)
        and value.get("kind") == "Listing"
        and isinstance(value.get("data"), dict)
        and isinstance(value["data"].get("children"), list)
    )


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _things(value: Any) -> list[dict[str, Any]] | None:
    try:
        things = value["json"]["data"]["things"]
    except (KeyError, TypeError):
        return None
    if not isinstance(things, list):
        return None
    return [t for t in things if isinstance(t, dict) and isinstance(t.get("data"), dict)]


def _branch_replies(page: Any, parent: str) -> list[dict[str, Any]]:
    """The replies of comment `parent` on its own page (the page's second listing)."""
    if not (isinstance(page, list) and len(page) == 2 and _is_listing(page[1])):
        raise FetchError("Reddit sent a branch page without its two listings")
    for thing in page[1]["data"]["children"]:
        data = thing.get("data") if isinstance(thing, dict) else None
        if isinstance(data, dict) and data.get("name") == parent:
            replies = data.get("replies")
            if _is_listing(replies):
                return list(replies["data"]["children"])
    return []


class _Tree:
    """The comments listing, with an index of comments by fullname to hang replies on."""

    def __init__(self, listing: list[Any]) -> None:
        self.listing = listing
        self.by_name: dict[str, dict[str, Any]] = {}
        self.count = 0
        for _, thing in self._walk():
            self._index(thing)

    def declared(self) -> int | None:
        link = self.listing[0]["data"]["children"]
        if link and isinstance(link[0], dict) and isinstance(link[0].get("data"), dict):
            comments = link[0]["data"].get("num_comments")
            if isinstance(comments, int) and not isinstance(comments, bool):
                return comments
        return None

    def _index(self, thing: Any) -> None:
        if not isinstance(thing, dict) or thing.get("kind") not in ("t1", "t3"):
            return
        data = thing.get("data")
        if isinstance(data, dict) and isinstance(data.get("name"), str):
            if data["name"] not in self.by_name and thing["kind"] == "t1":
                self.count += 1
            self.by_name[data["name"]] = data

    def _walk(self) -> Any:
        """(the list a thing sits in, the thing), depth first, iteratively."""
        return _walk_children([x["data"]["children"] for x in reversed(self.listing)])

    def stubs(self) -> Any:
        for container, thing in self._walk():
            if (
                isinstance(thing, dict)
                and thing.get("kind") == "more"
                and isinstance(thing.get("data"), dict)
            ):
                yield container, thing

    def replace(
        self,
        container: list[Any],
        stub: dict[str, Any],
        things: list[dict[str, Any]],
        tail: dict[str, Any] | None,
    ) -> None:
        """Put `things` (flat, each naming its parent) where `stub` was, nesting each under
        its parent when the parent is a comment of the tree."""
        here: list[Any] = []
        stub_parent = stub["data"].get("parent_id")
        for thing in things:
            data = thing["data"]
            parent = data.get("parent_id")
            name = data.get("name")
            if isinstance(name, str) and name in self.by_name and thing.get("kind") == "t1":
                continue  # already in the tree: the same comment twice is one comment
            if parent != stub_parent and isinstance(parent, str) and parent in self.by_name:
                holder = self.by_name[parent]
                replies = holder.get("replies")
                if not _is_listing(replies):
                    replies = {"kind": "Listing", "data": {"children": []}}
                    holder["replies"] = replies
                replies["data"]["children"].append(thing)
            else:
                here.append(thing)
            self._index(thing)
            nested = data.get("replies")
            if _is_listing(nested):
                for _, inner in _walk_listing(nested):
                    self._index(inner)
        if tail is not None:
            here.append(tail)
        for index, item in enumerate(container):
            if item is stub:
                container[index : index + 1] = here
                return


def _walk_listing(listing: dict[str, Any]) -> Any:
    return _walk_children([listing["data"]["children"]])


def _walk_children(stack: list[list[Any]]) -> Any:
    """(the list a thing sits in, the thing) below each list of `stack`, the last list
    first, depth first, iteratively (a reply chain may be deeper than the recursion limit)."""
    while stack:
        container = stack.pop()
        for thing in container:
            yield container, thing
            data = thing.get("data") if isinstance(thing, dict) else None
            replies = data.get("replies") if isinstance(data, dict) else None
            if _is_listing(replies):
                stack.append(replies["data"]["children"])


def _host(base: str) -> str:
    return base.split("://", 1)[-1]

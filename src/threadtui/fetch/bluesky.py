"""Bluesky through the public AppView (no login): the whole thread around a post.

1. `com.atproto.identity.resolveHandle` when the URL names a handle, not a DID;
2. `app.bsky.feed.getPostThread`, 200 levels down and 500 up (see DEPTH), and the root's
   own thread when the parents stop short of it;
3. again, below each post whose `replyCount` is larger than the replies returned (a branch
   cut short by depth, or left out for size), until no such post is left unasked;
4. `app.bsky.feed.getQuotes` for each post that says it was quoted, every page.

Each response is kept as it came: the Bluesky importer reads all three kinds.
"""

from __future__ import annotations

import asyncio
from typing import Any, Final

from threadtui.fetch.base import Fetched, api_base, partial
from threadtui.fetch.client import Client, FetchError, NotFound
from threadtui.fetch.urls import Target

DEFAULT_API: Final = "https://public.api.bsky.app"
ENV: Final = "THREADTUI_BLUESKY_API"
DEPTH: Final = 200
PARENT_HEIGHT: Final = 500
"""Not the lexicon's maximum (1000 each): a reply nests two JSON levels deep and a parent
one, and JSON parsers stop at about 1,000 levels (orjson, which the importers use, at
1024), so a response asked at the maximum could not be read. Deeper branches come by the
cut-short rule, 200 levels a request; ancestors past 500 by asking for the root."""
QUOTES_PAGE: Final = 100


async def fetch(client: Client, target: Target) -> Fetched:
    base = api_base(ENV, DEFAULT_API)
    client.allow(base)
    did = target.actor
    if not did.startswith("did:"):
        value, _ = await client.get_json(
            base,
            "/xrpc/com.atproto.identity.resolveHandle",
            {"handle": did},
            what=f"the handle {did}",
        )
        resolved = value.get("did") if isinstance(value, dict) else None
        if not isinstance(resolved, str) or not resolved.startswith("did:"):
            raise FetchError(f"{_host(base)} did not resolve the handle {did} to a DID")
        did = resolved
    uri = f"at://{did}/app.bsky.feed.post/{target.post}"
    result = Fetched(anchor=f"bluesky:{uri}")
    value, body = await _thread(client, base, uri, DEPTH, "this post", parents=PARENT_HEIGHT)
    result.responses.append((f"getPostThread {uri}", body))
    seen: dict[str, int] = {}
    """Post uri → replies seen below it (over every response)."""
    counts: dict[str, tuple[int, int]] = {}
    """Post uri → (replyCount, quoteCount) as the AppView reported them."""
    parents: dict[str, str] = {}
    _walk(value.get("thread"), seen, counts, parents)
    root = _root_above(value.get("thread"))
    if root is not None and root not in counts:
        # The chain of parents was cut by parentHeight: the root's own thread comes down
        # to meet it (it says it has replies, and none are seen yet).
        counts[root] = (1, 0)
    client.report("thread received", posts=len(counts))
    asked = {uri}
    limit = client.limits.max_posts
    missing: str | None = None
    try:
        while len(counts) < limit:
            short = {
                post
                for post, (replies, _) in counts.items()
                if replies > seen.get(post, 0) and post not in asked
            }
            # Ask the topmost first: a parent's answer holds its whole subtree, so a
            # branch below it may come whole with it. (Parents above the linked post come
            # without their other replies, so the root is usually the first asked.)
            wanted = [post for post in short if not _below_any(post, short, parents)]
            if not wanted:
                break
            asked.update(wanted)
            branches = await asyncio.gather(*(_branch(client, base, post) for post in wanted))
            for post, branch in zip(wanted, branches, strict=True):
                if branch is None:
                    continue  # deleted since: the rest stands
                result.responses.append((f"getPostThread {post}", branch[1]))
                _walk(branch[0].get("thread"), seen, counts, parents)
            client.report("branches cut short, fetched", posts=len(counts))
        quoted = [post for post, (_, quotes) in counts.items() if quotes > 0]
        got = await asyncio.gather(*(_quotes(client, base, post, limit) for post in quoted))
        for post, pages in zip(quoted, got, strict=True):
            for number, page in enumerate(pages, 1):
                result.responses.append((f"getQuotes {post} page {number}", page))
    except FetchError as error:
        declared = sum(replies for replies, _ in counts.values())
        missing = partial(len(counts), declared + 1, "posts", str(error))
    if missing is None and len(counts) >= limit:
        missing = partial(len(counts), None, "posts", f"--max-posts {limit} reached")
    result.missing = missing
    return result


async def _thread(
    client: Client, base: str, uri: str, depth: int, what: str, *, parents: int
) -> tuple[dict[str, Any], bytes]:
    value, body = await client.get_json(
        base,
        "/xrpc/app.bsky.feed.getPostThread",
        {"uri": uri, "depth": depth, "parentHeight": parents},
        what=what,
    )
    if not isinstance(value, dict) or not isinstance(value.get("thread"), dict):
        raise FetchError(
            f"{_host(base)} sent a getPostThread response without a thread, which its API"
            " does not document; try again later"
        )
    return value, body


async def _branch(client: Client, base: str, uri: str) -> tuple[dict[str, Any], bytes] | None:
    try:
        return await _thread(client, base, uri, DEPTH, "a branch", parents=0)
    except NotFound:
        return None


def _below_any(post: str, others: set[str], parents: dict[str, str]) -> bool:
    seen: set[str] = set()
    step = parents.get(post)
    while step is not None and step not in seen:
        if step in others:
            return True
        seen.add(step)
        step = parents.get(step)
    return False


async def _quotes(client: Client, base: str, uri: str, limit: int) -> list[bytes]:
    pages: list[bytes] = []
    cursor: str | None = None
    total = 0
    while total < limit:
        params: dict[str, Any] = {"uri": uri, "limit": QUOTES_PAGE}
        if cursor:
            params["cursor"] = cursor
        value, body = await client.get_json(
            base, "/xrpc/app.bsky.feed.getQuotes", params, what="the quotes of a post"
        )
        posts = value.get("posts") if isinstance(value, dict) else None
        if not isinstance(posts, list):
            raise FetchError(f"{_host(base)} sent a getQuotes response without posts")
        if posts:
            pages.append(body)
        total += len(posts)
        next_cursor = value.get("cursor")
        if (
            not posts
            or not isinstance(next_cursor, str)
            or not next_cursor
            or next_cursor == cursor
        ):
            break
        cursor = next_cursor
    return pages


def _walk(
    node: Any,
    seen: dict[str, int],
    counts: dict[str, tuple[int, int]],
    parents: dict[str, str],
) -> None:
    """Count the posts of a thread view: each one's declared replies and quotes, the
    replies actually present under it, and its parent. Iterative: a parent chain can be
    1000 deep."""
    stack: list[tuple[Any, str | None]] = [(node, None)]
    while stack:
        item, child = stack.pop()
        if not isinstance(item, dict):
            continue
        post = item.get("post")
        if not isinstance(post, dict):
            continue
        uri = post.get("uri")
        if not isinstance(uri, str):
            continue
        replies = item.get("replies")
        present = [r for r in replies if isinstance(r, dict)] if isinstance(replies, list) else []
        # A parent comes without its replies, but the post below it is one of them.
        shown = len(present) if child is None else max(len(present), 1)
        seen[uri] = max(seen.get(uri, 0), shown)
        counts[uri] = (_count(post.get("replyCount")), _count(post.get("quoteCount")))
        if child is not None:
            parents[child] = uri
        for reply in present:
            reply_post = reply.get("post")
            if isinstance(reply_post, dict) and isinstance(reply_post.get("uri"), str):
                parents[reply_post["uri"]] = uri
            stack.append((reply, None))
        parent = item.get("parent")
        if isinstance(parent, dict):
            stack.append((parent, uri))


def _root_above(node: Any) -> str | None:
    """The root a thread view's topmost parent names (`record.reply.root`), if it names one."""
    top = node
    for _ in range(PARENT_HEIGHT + 1):
        parent = top.get("parent") if isinstance(top, dict) else None
        if not isinstance(parent, dict):
            break
        top = parent
    post = top.get("post") if isinstance(top, dict) else None
    record = post.get("record") if isinstance(post, dict) else None
    reply = record.get("reply") if isinstance(record, dict) else None
    root = reply.get("root") if isinstance(reply, dict) else None
    uri = root.get("uri") if isinstance(root, dict) else None
    return uri if isinstance(uri, str) and uri.startswith("at://") else None


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _host(base: str) -> str:
    return base.split("://", 1)[-1]


__all__ = ["DEFAULT_API", "ENV", "fetch"]

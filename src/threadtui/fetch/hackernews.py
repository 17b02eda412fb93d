"""Hacker News: Algolia's items endpoint (the whole tree in one request), else Firebase.

A comment link is opened in its story: Algolia's item names its `story_id`, and the story's
tree is asked for. When Algolia fails (down, a bad answer, or no such item yet: its index
lags new items), the official Firebase API is walked instead: up `parent` to the story,
then down `kids`, item by item, as many at once as the client allows per host. When the
failure may pass (5xx, a timeout), Algolia is asked once more beside the walk, and its
tree replaces the walk if it comes.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Any, Final

import orjson

from threadtui.fetch.base import LISTENER, Fetched, api_base, partial, preview
from threadtui.fetch.client import Client, FetchError, NotFound
from threadtui.fetch.errors import BadResponse, RateLimited
from threadtui.fetch.urls import Target

ALGOLIA_API: Final = "https://hn.algolia.com"
ALGOLIA_ENV: Final = "THREADTUI_HN_ALGOLIA_API"
FIREBASE_API: Final = "https://hacker-news.firebaseio.com"
FIREBASE_ENV: Final = "THREADTUI_HN_FIREBASE_API"
ALGOLIA_RETRIES: Final = 1
"""Times Algolia is asked again, beside the walk, after a failure that may pass: once
catches a blip; past that the walk, already on its way, is the faster way to the thread."""
MAX_PARENTS: Final = 10_000
"""Bound on the walk up `parent`: a hostile mirror's parent cycle must end."""
PREVIEW_EVERY: Final = 0.25
"""Seconds between the item walk's previews: often enough that posts keep arriving on
screen, rarely enough that reading them (in the fetch's thread) costs little."""


async def fetch(client: Client, target: Target) -> Fetched:
    algolia = api_base(ALGOLIA_ENV, ALGOLIA_API)
    firebase = api_base(FIREBASE_ENV, FIREBASE_API)
    client.allow(algolia)
    client.allow(firebase)
    result = Fetched(anchor=f"hackernews:{target.post}")
    try:
        body, posts = await _algolia(client, algolia, target.post)
    except FetchError as error:
        wait = _retry_wait(client, error)
        if wait is None:
            client.report(f"Algolia: {error}; walking the Firebase API item by item")
            return await _firebase(client, firebase, target, result)
        client.report(
            f"Algolia: {error}; walking the Firebase API item by item,"
            f" and asking Algolia again in {wait:.0f} s"
        )
        return await _race(client, algolia, firebase, target, result, wait)
    client.report("thread received", posts=posts)
    result.responses.append((f"Algolia item {target.post}", body))
    return result


def _retry_wait(client: Client, error: FetchError) -> float | None:
    """Seconds to wait before asking Algolia again, or None when asking again is no use.

    Plain FetchError is what the client raises for 5xx, timeouts and dropped connections:
    a blip that may pass. 404 (an item the index has not reached yet) and a bad answer
    stay as they are for longer than the walk takes."""
    retries = min(ALGOLIA_RETRIES, client.limits.retries)
    if retries < 1:
        return None
    wait = client.limits.backoff
    if isinstance(error, RateLimited):
        after = error.retry_after
        if after is not None and after > client.limits.max_retry_after:
            return None
        return max(wait, after or 0.0)
    return wait if type(error) is FetchError else None


async def _race(
    client: Client,
    algolia: str,
    firebase: str,
    target: Target,
    result: Fetched,
    wait: float,
) -> Fetched:
    """The Firebase walk at once, and Algolia once more after `wait` beside it.

    Algolia back after a blip gives the whole tree in one request, where the walk may
    need thousands; waiting for it before walking would keep the screen empty for the
    backoff. The walk previews as it goes, so what it showed before Algolia won stays on
    screen and merges with Algolia's tree by post id (both importers name posts
    `hackernews:<item id>`)."""

    async def again() -> tuple[bytes, int]:
        retries = min(ALGOLIA_RETRIES, client.limits.retries)
        for attempt in range(retries):
            await client.sleep(wait * 2**attempt)
            try:
                return await _algolia(client, algolia, target.post)
            except FetchError as error:
                if attempt + 1 == retries or _retry_wait(client, error) is None:
                    raise
        raise AssertionError("unreachable: _retry_wait returns None when retries < 1")

    walk = asyncio.ensure_future(_firebase(client, firebase, target, result))
    retry = asyncio.ensure_future(again())
    try:
        await asyncio.wait((walk, retry), return_when=asyncio.FIRST_COMPLETED)
        if walk.done() and walk.exception() is None:
            # The walk won (a small thread): its answer is whole or says what is missing.
            return walk.result()
        await asyncio.wait((retry,))
        try:
            body, posts = retry.result()
        except FetchError as error:
            if not walk.done():
                client.report(f"Algolia again: {error}; the Firebase walk goes on")
            return await walk
        walk.cancel()
        # Waited for, so no request of the walk's is still on its way when this returns.
        await asyncio.gather(walk, return_exceptions=True)
        client.report("Algolia answered: the Firebase walk stopped; thread received", posts=posts)
        result.responses.append((f"Algolia item {target.post}", body))
        return result
    finally:
        for task in (walk, retry):
            task.cancel()
        await asyncio.gather(walk, retry, return_exceptions=True)


async def _algolia(client: Client, base: str, item: str) -> tuple[bytes, int]:
    """Algolia's tree of `item`'s story, and how many posts it holds. No retry here: the
    caller asks again beside the Firebase walk rather than before it."""
    value, body = await client.get_json(
        base, f"/api/v1/items/{item}", what=f"item {item}", retries=0
    )
    if not isinstance(value, dict) or "id" not in value:
        raise BadResponse(f"{_host(base)} sent an item without an id")
    story = value.get("story_id")
    if isinstance(story, int) and not isinstance(story, bool) and str(story) != item:
        value, body = await client.get_json(
            base, f"/api/v1/items/{story}", what=f"the story {story}", retries=0
        )
        if not isinstance(value, dict) or "id" not in value:
            raise BadResponse(f"{_host(base)} sent an item without an id")
    return body, _count_tree(value)


async def _firebase(client: Client, base: str, target: Target, result: Fetched) -> Fetched:
    items: dict[int, dict[str, Any]] = {}
    item = await _item(client, base, int(target.post))
    if item is None:
        raise NotFound(f"{_host(base)} has no item {target.post} (deleted, or it never existed)")
    items[item["id"]] = item
    top = item
    for _ in range(MAX_PARENTS):
        parent = top.get("parent")
        if not isinstance(parent, int) or parent in items:
            break
        above = await _item(client, base, parent)
        if above is None:
            break
        items[above["id"]] = above
        top = above
    expected = top.get("descendants")
    client.report(
        "story found",
        posts=len(items),
        expected=expected + 1 if isinstance(expected, int) and expected >= 0 else None,
    )
    limit = client.limits.max_posts
    # Every item on the way up is in already; their other kids are not.
    pending = deque(
        kid for known in list(items.values())[::-1] for kid in _kids(known) if kid not in items
    )
    shown = _Preview(result, target.post)
    # The story and the linked item at once: the reader has something to look at while
    # the rest comes.
    shown.send(items)
    missing: str | None = None
    try:
        await _walk_down(client, base, items, pending, limit, shown)
    except FetchError as error:
        missing = partial(len(items), client.stats.expected, "items", str(error))
    if missing is None and pending:
        missing = partial(
            len(items), client.stats.expected, "items", f"--max-posts {limit} reached"
        )
    result.responses.append(
        (f"Firebase items of {target.post}", orjson.dumps(list(items.values())))
    )
    result.missing = missing
    return result


async def _walk_down(
    client: Client,
    base: str,
    items: dict[int, dict[str, Any]],
    pending: deque[int],
    limit: int,
    shown: _Preview,
) -> None:
    """Fetch `pending` and every kid below them into `items`, up to `limit` items in all.

    Each kid is asked as soon as its parent has arrived, not level by level: a level
    barrier leaves the per-host slots idle while the slowest item of a level is on its
    way, once per level. A few more tasks than the per-host limit keep its slots full
    without thousands of tasks waiting on the semaphore."""
    width = 2 * client.limits.per_host
    running: dict[asyncio.Task[dict[str, Any] | None], int] = {}
    asked: set[int] = set(items)
    try:
        while pending or running:
            while pending and len(running) < width and len(items) + len(running) < limit:
                kid = pending.popleft()
                if kid in asked:
                    continue
                asked.add(kid)
                running[asyncio.ensure_future(_item(client, base, kid))] = kid
            if not running:
                break
            done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            failure: FetchError | None = None
            for task in done:
                del running[task]
                try:
                    value = task.result()
                except FetchError as error:
                    # Keep what the other finished tasks brought before stopping.
                    failure = failure or error
                    continue
                if value is None or value["id"] in items:
                    continue
                items[value["id"]] = value
                pending.extend(k for k in _kids(value) if k not in asked)
            client.report(posts=len(items))
            shown.maybe_send(items)
            if failure is not None:
                raise failure
    finally:
        for task in running:
            task.cancel()
        if running:
            await asyncio.gather(*running, return_exceptions=True)


class _Preview:
    """The items that came since the last preview, handed to the listener now and then
    (`PREVIEW_EVERY`): the app shows posts as they arrive; the fetch keeps one response."""

    def __init__(self, result: Fetched, post: str) -> None:
        self.result = result
        self.name = f"Firebase items of {post} (so far)"
        self.sent = 0
        self.last = time.monotonic()

    def send(self, items: dict[int, dict[str, Any]]) -> None:
        if LISTENER.get() is None or len(items) == self.sent:
            return
        fresh = list(items.values())[self.sent :]
        self.sent = len(items)
        self.last = time.monotonic()
        preview(self.result, self.name, orjson.dumps(fresh))

    def maybe_send(self, items: dict[int, dict[str, Any]]) -> None:
        if time.monotonic() - self.last >= PREVIEW_EVERY:
            self.send(items)


async def _item(client: Client, base: str, item: int) -> dict[str, Any] | None:
    value, _ = await client.get_json(base, f"/v0/item/{item}.json", what=f"item {item}")
    if value is None:
        return None  # Firebase's answer for an id it does not have
    if not isinstance(value, dict) or value.get("id") != item:
        raise FetchError(f"{_host(base)} sent something other than item {item}")
    return value


def _kids(item: dict[str, Any]) -> list[int]:
    kids = item.get("kids")
    if not isinstance(kids, list):
        return []
    return [k for k in kids if isinstance(k, int) and not isinstance(k, bool)]


def _count_tree(value: Any) -> int:
    total = 0
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            total += 1
            children = node.get("children")
            if isinstance(children, list):
                stack.extend(children)
    return total


def _host(base: str) -> str:
    return base.split("://", 1)[-1]

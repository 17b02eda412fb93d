"""Mastodon (any server): the status, its context, and on past the context's limits.

An anonymous context stops at 40 ancestors and 60 descendants, 20 levels deep
(mastodon/mastodon#25892); with a token, at 4,096. When a context looks cut (it is at
the limit, or a status deep in it says it has replies not present), the contexts of the
statuses with replies missing are asked in turn, and of the topmost ancestor when the
ancestors were cut, until a round brings nothing new.

Every status comes from the one server the URL names, so their local ids agree: the
statuses are written out as one list (root first, each reply after its parent), the
Mastodon importer's "list of statuses" shape, which resolves `in_reply_to_id` within it.

A token (`THREADTUI_MASTODON_TOKEN`) is an account's credential on one server: it is sent
only when that server is named in `THREADTUI_MASTODON_SERVER`, never to whichever server
a pasted link names.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any, Final
from urllib.parse import urlsplit

import orjson

from threadtui.fetch.base import Fetched, partial
from threadtui.fetch.client import Client, FetchError
from threadtui.fetch.urls import Target

TOKEN_ENV: Final = "THREADTUI_MASTODON_TOKEN"
SERVER_ENV: Final = "THREADTUI_MASTODON_SERVER"
ANONYMOUS_LIMITS: Final = (40, 60)
TOKEN_LIMITS: Final = (4096, 4096)
MAX_DEPTH: Final = 20


def token_for(server: str) -> tuple[str | None, str | None]:
    """The token to send to `server`, and a note when one is set but not for it."""
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        return None, None
    named = os.environ.get(SERVER_ENV, "").strip().lower()
    host = urlsplit(server).netloc.lower()
    if named and (named == host or urlsplit(named).netloc.lower() == host):
        return token, None
    return None, (
        f"{TOKEN_ENV} is set but {SERVER_ENV} does not name {host}: fetched without it"
        " (a token is only ever sent to the server it was made on)"
    )


async def fetch(client: Client, target: Target) -> Fetched:
    server = target.server
    client.allow(server)
    token, note = token_for(server)
    if token is not None:
        client.token(server, token)
    if note:
        client.report(note)
    ancestors_limit, descendants_limit = TOKEN_LIMITS if token else ANONYMOUS_LIMITS
    status, _ = await client.get_json(server, f"/api/v1/statuses/{target.post}", what="this status")
    if not isinstance(status, dict) or not isinstance(status.get("id"), str):
        raise FetchError(f"{_host(server)} sent a status without an id")
    statuses: dict[str, dict[str, Any]] = {status["id"]: status}
    result = Fetched(anchor_native=status["id"])
    context = await _context(client, server, status["id"])
    missing: str | None = None
    ancestors = _add(context, "ancestors", statuses)
    descendants = _add(context, "descendants", statuses)
    client.report("context received", posts=len(statuses))
    asked = {status["id"]}
    limit = client.limits.max_posts
    cut = len(descendants) >= descendants_limit or _deep(status["id"], statuses)
    top_cut = len(ancestors) >= ancestors_limit
    try:
        while (cut or top_cut) and len(statuses) < limit:
            wanted: list[str] = []
            if top_cut:
                top = _topmost(statuses)
                if top is not None and top not in asked:
                    wanted.append(top)
            if cut:
                wanted.extend(
                    sid for sid in _short(statuses) if sid not in asked and sid not in wanted
                )
            if not wanted:
                break
            asked.update(wanted)
            before = len(statuses)
            contexts = await asyncio.gather(*(_context(client, server, sid) for sid in wanted))
            top_cut = False
            for context in contexts:
                more_ancestors = _add(context, "ancestors", statuses)
                _add(context, "descendants", statuses)
                top_cut = top_cut or len(more_ancestors) >= ancestors_limit
            client.report("walking on past the context's limit", posts=len(statuses))
            if len(statuses) == before:
                break
    except FetchError as error:
        # replies_count counts direct replies only: there is no total to say "of about".
        missing = partial(len(statuses), None, "statuses", str(error))
    if missing is None and len(statuses) >= limit:
        missing = partial(len(statuses), None, "statuses", f"--max-posts {limit} reached")
    result.responses.append((f"statuses of {target.url}", orjson.dumps(_in_thread_order(statuses))))
    result.missing = missing
    return result


async def _context(client: Client, server: str, sid: str) -> dict[str, Any]:
    value, _ = await client.get_json(
        server, f"/api/v1/statuses/{sid}/context", what="the status's context"
    )
    if not isinstance(value, dict):
        raise FetchError(f"{_host(server)} sent a context that is not an object")
    return value


def _add(context: dict[str, Any], key: str, statuses: dict[str, dict[str, Any]]) -> list[Any]:
    items = context.get(key)
    if not isinstance(items, list):
        return []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            statuses.setdefault(item["id"], item)
    return items


def _children(statuses: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    children: dict[str, list[str]] = {}
    for sid, status in statuses.items():
        parent = status.get("in_reply_to_id")
        if isinstance(parent, str) and parent in statuses:
            children.setdefault(parent, []).append(sid)
    return children


def _short(statuses: dict[str, dict[str, Any]]) -> list[str]:
    """Statuses that say they have more replies than are present."""
    children = _children(statuses)
    return [
        sid
        for sid, status in statuses.items()
        if _count(status.get("replies_count")) > len(children.get(sid, ()))
    ]


def _deep(anchor: str, statuses: dict[str, dict[str, Any]]) -> bool:
    """Whether a status MAX_DEPTH below the anchor has replies not present (the depth cut)."""
    children = _children(statuses)
    level = [anchor]
    for _ in range(MAX_DEPTH):
        level = [child for sid in level for child in children.get(sid, ())]
    return any(_count(statuses[sid].get("replies_count")) > 0 for sid in level)


def _topmost(statuses: dict[str, dict[str, Any]]) -> str | None:
    """A status whose parent is not present yet (the top of a cut ancestor chain)."""
    for sid, status in statuses.items():
        parent = status.get("in_reply_to_id")
        if isinstance(parent, str) and parent not in statuses:
            return sid
    return None


def _in_thread_order(statuses: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Root first, each status after its parent, siblings in the order they came."""
    children = _children(statuses)
    roots = [
        sid
        for sid, status in statuses.items()
        if not (
            isinstance(status.get("in_reply_to_id"), str) and status["in_reply_to_id"] in statuses
        )
    ]
    ordered: list[dict[str, Any]] = []
    placed: set[str] = set()
    stack = list(reversed(roots))
    while stack:
        sid = stack.pop()
        if sid in placed:
            continue
        placed.add(sid)
        ordered.append(statuses[sid])
        stack.extend(reversed(children.get(sid, ())))
    # A cycle of in_reply_to_ids (hostile server) has no root: keep those statuses too.
    ordered.extend(status for sid, status in statuses.items() if sid not in placed)
    return ordered


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _host(base: str) -> str:
    return base.split("://", 1)[-1]

"""Slow loopback APIs for bench_fetch.py: generated Hacker News and Bluesky threads served
on 127.0.0.1 with a fixed latency added to every response (issue #12, Measures).

    python benchmarks/fetch_sim.py --latency 0.05 --hn 2000 --bluesky 10000

prints one JSON line (`{"base": "http://127.0.0.1:PORT", ...}`) once it listens, then
serves until stdin closes or it is killed. Run in its own process so the fetch being
measured does not share a GIL with the server.

- **Hacker News**: Algolia's items endpoint fails (`--algolia 500`, every time) or lags
  (`--algolia 404`: not indexed yet), so the fetch walks the Firebase API item by item.
  The thread is a story with `--hn` comments: preferential attachment over earlier
  comments (popular comments draw replies), depth at most `HN_MAX_DEPTH`.
- **Bluesky**: a thread of `--bluesky` posts in all (root, replies, quote-posts):
  a bushy tree, one reply chain of `BSKY_CHAIN` posts (deeper than the 200 levels a
  getPostThread gives), and `BSKY_QUOTES` posts quoting the root (three getQuotes pages).
  getPostThread answers as the AppView does: `depth` levels of replies and `parentHeight`
  parents; a post at the depth limit comes without its replies (its `replyCount` says
  they exist). It also leaves out replies past `BSKY_RESPONSE_POSTS` posts a response,
  breadth first, a node's replies all or none, as the AppView trims big threads: every
  cut-short branch must be asked again.

Deterministic: the same arguments serve the same bytes. No Textual, no threadtui.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson

HN_STORY = 40_000_000
HN_MAX_DEPTH = 12
BSKY_DID = "did:plc:benchalice0000000000000"
BSKY_QUOTER = "did:plc:benchbob000000000000000"
BSKY_CHAIN = 450
BSKY_QUOTES = 250
BSKY_RESPONSE_POSTS = 1_000
WORDS = ("the", "a", "thread", "reply", "quote", "post", "answer", "why", "because", "data")

Answer = Callable[[dict[str, list[str]]], tuple[int, bytes]]


def _text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


# --- Hacker News ------------------------------------------------------------------------


def hn_items(comments: int, seed: int = 1) -> dict[int, dict[str, Any]]:
    """Story HN_STORY and `comments` comments below it, Firebase's item shape."""
    rng = random.Random(seed)
    story: dict[str, Any] = {
        "id": HN_STORY,
        "type": "story",
        "by": "op",
        "time": 1_700_000_000,
        "title": "A generated story",
        "score": 500,
        "descendants": comments,
        "kids": [],
    }
    items: dict[int, dict[str, Any]] = {HN_STORY: story}
    depth = {HN_STORY: 0}
    weights: list[int] = [HN_STORY] * 8  # the story draws top-level comments
    for n in range(1, comments + 1):
        item = HN_STORY + n
        parent = rng.choice(weights)
        if depth[parent] >= HN_MAX_DEPTH:
            parent = HN_STORY
        items[item] = {
            "id": item,
            "type": "comment",
            "by": f"user{rng.randrange(comments // 4 + 1)}",
            "time": 1_700_000_000 + n * 7,
            "parent": parent,
            "text": _text(rng, rng.randrange(5, 60)),
        }
        items[parent].setdefault("kids", []).append(item)
        depth[item] = depth[parent] + 1
        weights.append(item)
        weights.append(parent)
    return items


def hn_depth(items: dict[int, dict[str, Any]]) -> int:
    deepest = 0
    for item in items.values():
        d = 0
        step = item
        while "parent" in step:
            step = items[step["parent"]]
            d += 1
        deepest = max(deepest, d)
    return deepest


# --- Bluesky ----------------------------------------------------------------------------


@dataclass
class Bsky:
    posts: dict[str, dict[str, Any]] = field(default_factory=dict)
    """uri → post view (without replies)."""
    children: dict[str, list[str]] = field(default_factory=dict)
    parent: dict[str, str] = field(default_factory=dict)
    quotes: list[str] = field(default_factory=list)
    """uris of the posts quoting the root, newest first."""
    root: str = ""
    deepest: str = ""
    """The last post of the long chain (a URL can link it)."""


def _at(did: str, rkey: str) -> str:
    return f"at://{did}/app.bsky.feed.post/{rkey}"


def bsky_thread(total: int, seed: int = 1) -> Bsky:
    """`total` posts: the root, a chain of BSKY_CHAIN, BSKY_QUOTES quote-posts, and bushy
    replies for the rest."""
    rng = random.Random(seed)
    thread = Bsky()
    handles = {BSKY_DID: "alice.example", BSKY_QUOTER: "bob.example"}

    def add(rkey: str, parent: str | None, did: str = BSKY_DID, quoting: str | None = None) -> str:
        uri = _at(did, rkey)
        minute = len(thread.posts)
        record: dict[str, Any] = {
            "$type": "app.bsky.feed.post",
            "text": _text(rng, rng.randrange(3, 40)),
            "createdAt": f"2024-05-{1 + minute // 1440:02d}T"
            f"{minute // 60 % 24:02d}:{minute % 60:02d}:00.000Z",
        }
        if parent is not None:
            record["reply"] = {
                "root": {"uri": thread.root, "cid": "bafyroot"},
                "parent": {"uri": parent, "cid": "bafyparent"},
            }
            thread.parent[uri] = parent
            thread.children.setdefault(parent, []).append(uri)
        post: dict[str, Any] = {
            "uri": uri,
            "cid": f"bafy{rkey}",
            "author": {"did": did, "handle": handles[did]},
            "record": record,
            "replyCount": 0,
            "repostCount": 0,
            "likeCount": rng.randrange(5),
            "quoteCount": 0,
            "indexedAt": record["createdAt"],
        }
        if quoting is not None:
            record["embed"] = {
                "$type": "app.bsky.embed.record",
                "record": {"uri": quoting, "cid": "bafyroot"},
            }
        thread.posts[uri] = post
        if parent is not None:
            thread.posts[parent]["replyCount"] += 1
        return uri

    thread.root = add("root", None)
    below = thread.root
    for n in range(BSKY_CHAIN):
        below = add(f"chain{n}", below)
    thread.deepest = below
    for n in range(BSKY_QUOTES):
        thread.quotes.append(add(f"quote{n}", None, BSKY_QUOTER, quoting=thread.root))
    thread.posts[thread.root]["quoteCount"] = BSKY_QUOTES
    thread.quotes.reverse()
    pool = [thread.root] * 20 + list(thread.posts)[1 : BSKY_CHAIN + 1 : 10]
    n = 0
    while len(thread.posts) < total:
        uri = add(f"r{n}", rng.choice(pool))
        pool.append(uri)
        n += 1
    return thread


def bsky_view(thread: Bsky, uri: str, depth: int, height: int) -> dict[str, Any]:
    """getPostThread's answer: `depth` levels of replies (trimmed past the response budget,
    breadth first), `height` parents."""
    top: dict[str, Any] = {"$type": "app.bsky.feed.defs#threadViewPost", "post": thread.posts[uri]}
    budget = BSKY_RESPONSE_POSTS
    level = [(top, uri)]
    for _ in range(depth):
        following = []
        for node, at in level:
            kids = thread.children.get(at, [])
            if not kids or len(kids) > budget:
                continue
            budget -= len(kids)
            node["replies"] = []
            for kid in kids:
                child = {"$type": "app.bsky.feed.defs#threadViewPost", "post": thread.posts[kid]}
                node["replies"].append(child)
                following.append((child, kid))
        level = following
        if not level:
            break
    node = top
    at = uri
    for _ in range(height):
        above = thread.parent.get(at)
        if above is None:
            break
        parent = {"$type": "app.bsky.feed.defs#threadViewPost", "post": thread.posts[above]}
        node["parent"] = parent
        node, at = parent, above
    return {"thread": top}


# --- the server ---------------------------------------------------------------------------


def _json(value: Any) -> bytes:
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        # orjson writes at most 255 levels; a deep thread needs the standard library.
        return json.dumps(value).encode()


def routes(args: argparse.Namespace) -> dict[str, Answer]:
    table: dict[str, Answer] = {}
    if args.hn:
        items = hn_items(args.hn, args.seed)
        bodies = {item: orjson.dumps(value) for item, value in items.items()}

        def algolia(_: dict[str, list[str]]) -> tuple[int, bytes]:
            return args.algolia, b'{"error": "generated failure"}'

        table["/api/v1/items/"] = algolia

        def firebase(query: dict[str, list[str]]) -> tuple[int, bytes]:
            item = int(query["_id"][0])
            return 200, bodies.get(item, b"null")

        table["/v0/item/"] = firebase
    if args.bluesky:
        thread = bsky_thread(args.bluesky, args.seed)

        def resolve(_: dict[str, list[str]]) -> tuple[int, bytes]:
            return 200, _json({"did": BSKY_DID})

        def post_thread(query: dict[str, list[str]]) -> tuple[int, bytes]:
            uri = query["uri"][0]
            if uri not in thread.posts:
                return 400, _json({"error": "NotFound", "message": "Post not found"})
            depth = min(1000, int(query.get("depth", ["6"])[0]))
            height = min(1000, int(query.get("parentHeight", ["80"])[0]))
            return 200, _json(bsky_view(thread, uri, depth, height))

        def get_quotes(query: dict[str, list[str]]) -> tuple[int, bytes]:
            uri = query["uri"][0]
            quoting = thread.quotes if uri == thread.root else []
            start = int(query.get("cursor", ["0"])[0])
            limit = int(query.get("limit", ["50"])[0])
            page = quoting[start : start + limit]
            value: dict[str, Any] = {"uri": uri, "posts": [thread.posts[q] for q in page]}
            if start + limit < len(quoting):
                value["cursor"] = str(start + limit)
            return 200, _json(value)

        table["/xrpc/com.atproto.identity.resolveHandle"] = resolve
        table["/xrpc/app.bsky.feed.getPostThread"] = post_thread
        table["/xrpc/app.bsky.feed.getQuotes"] = get_quotes
    return table


def serve(args: argparse.Namespace) -> ThreadingHTTPServer:
    table = routes(args)
    latency = args.latency
    counts = {"requests": 0}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes: with Nagle's algorithm on, the body waits
        # for the client's delayed ACK of the headers (40 ms on Linux), which would swamp
        # the latency being simulated.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            path = parts.path
            if path.startswith("/v0/item/") and path.endswith(".json"):
                query["_id"] = [path[len("/v0/item/") : -len(".json")]]
                path = "/v0/item/"
            elif path.startswith("/api/v1/items/"):
                path = "/api/v1/items/"
            with lock:
                counts["requests"] += 1
            answer = table.get(path)
            status, body = (404, b'{"error": "no such route"}') if answer is None else answer(query)
            time.sleep(latency)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    httpd.daemon_threads = True
    httpd.counts = counts  # type: ignore[attr-defined]
    return httpd


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to each")
    parser.add_argument("--hn", type=int, default=0, help="comments in the HN thread")
    parser.add_argument("--algolia", type=int, default=500, help="Algolia's status (500, 404)")
    parser.add_argument("--bluesky", type=int, default=0, help="posts in the Bluesky thread")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    httpd = serve(args)
    host, port = httpd.server_address[:2]
    info: dict[str, Any] = {"base": f"http://{host}:{port}"}
    if args.hn:
        info["hn_url"] = f"https://news.ycombinator.com/item?id={HN_STORY}"
    if args.bluesky:
        info["bluesky_url"] = "https://bsky.app/profile/alice.example/post/root"
        deepest = f"chain{BSKY_CHAIN - 1}"
        info["bluesky_deep_url"] = f"https://bsky.app/profile/alice.example/post/{deepest}"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    print(json.dumps(info), flush=True)
    # Until the parent closes our stdin (or dies): then stop.
    sys.stdin.read()
    httpd.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())

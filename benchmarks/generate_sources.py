"""Big threads in each platform's own shape, for timing the importers (issue #11, Measures).

    python benchmarks/generate_sources.py --posts 100000            # every platform, $TMPDIR
    python benchmarks/generate_sources.py --posts 1000 --platforms bluesky,reddit -d /tmp/x

Each file is `generate.generate(n, "bushy", seed)` (the same thread as the normalised
benchmark file: tree, authors, texts, times, quotes, metrics, deleted posts) written the
way the platform's API returns it, field for field as in the fixtures under
tests/data/sources/ (the same keys, nesting and encodings: HTML content with entities,
Bluesky facets with UTF-8 byte offsets, Reddit's escaped markdown, epoch seconds):

- bluesky: one `app.bsky.feed.getPostThread` response, the tree nested through `replies`
  (bushy: depth ~25 at most, as a real thread; a 100k chain would be no thread anyone
  fetches with `depth` ≤ 1000); quotes as `app.bsky.embed.record#view`; deleted leaves as
  `notFoundPost`;
- mastodon: the root's `/context` (`ancestors` empty, every other status in
  `descendants`, depth first, each with its whole `account`); the root itself is not in it,
  as the API leaves the anchor out, so the importer makes it a placeholder;
- hn-algolia: one `/api/v1/items/<id>` tree (`children`); hn-firebase: a list of items
  with `kids`, `parent`, `deleted`;
- reddit: the two-listing `/comments/<id>.json` array, replies nested as Listings;
- x-api: twarc-style JSONL, one search response of 100 tweets a line, with
  `includes.users` and the referenced tweets in `includes.tweets`; deleted tweets as
  `errors` entries naming the missing parent.

Quote-only posts (roots of their own in the normalised file) become replies to the root.
A deleted post with replies stays a post with empty text where the platform cannot nest
replies under a placeholder (Bluesky): nothing in the source thread is lost.

The same (platform, n, seed) gives byte-identical files. Files go to a temporary directory
by default: they are big and never committed.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from generate import generate, parse_size, size_label

SOURCES_VERSION = 2
PLATFORMS = ("bluesky", "mastodon", "hn-algolia", "hn-firebase", "reddit", "x-api")
SUFFIX = {"x-api": "jsonl"}
DEFAULT_DIR = Path(tempfile.gettempdir()) / "threadtui-bench-sources"

URL = re.compile(r"https?://[^\s<>\"]+")
MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_]{1,30})")

Doc = dict[str, Any]
Post = dict[str, Any]


class _Thread:
    """The generated thread with what every shape needs: children, epochs, authors."""

    def __init__(self, n: int, seed: int) -> None:
        doc = generate(n, "bushy", seed)
        self.doc = doc
        root = doc["posts"][0]["id"]
        # Quote-only posts are roots of their own in the normalised file; a platform's
        # thread response has one root, so they join it as replies.
        self.posts: list[Post] = [
            p if i == 0 or p["reply_to"] is not None else {**p, "reply_to": root}
            for i, p in enumerate(doc["posts"])
        ]
        self.index = {p["id"]: i for i, p in enumerate(self.posts)}
        self.children: list[list[int]] = [[] for _ in self.posts]
        for i, p in enumerate(self.posts):
            parent = p["reply_to"]
            if parent is not None:
                self.children[self.index[parent]].append(i)
        self.authors: dict[str, dict[str, Any]] = doc["authors"]
        self.title: str = doc["thread"]["title"]
        self.seed = seed

    def epoch(self, i: int) -> int:
        stamp = self.posts[i]["created_at"].replace("Z", "+00:00")
        return int(datetime.fromisoformat(stamp).timestamp())

    def handle(self, i: int) -> str:
        author = self.posts[i]["author"]
        return self.authors[author]["handle"] if author else "deleted"

    def display(self, i: int) -> str:
        author = self.posts[i]["author"]
        return (self.authors[author].get("display_name") or "") if author else ""

    def deleted(self, i: int) -> bool:
        return self.posts[i]["status"] != "ok"

    def text(self, i: int) -> str:
        return self.posts[i]["text"] or ""

    def metric(self, i: int, name: str) -> int:
        return self.posts[i]["metrics"].get(name) or 0

    def quoted(self, i: int) -> int | None:
        """The index of the post `i` quotes; -1 when it quotes a post absent from the file."""
        quotes = self.posts[i]["quotes"]
        if not quotes:
            return None
        return self.index.get(quotes[0], -1)


def _digits(i: int, seed: int, width: int) -> str:
    """A stable, spread-out numeric id (platform ids are not 0, 1, 2...)."""
    h = hashlib.blake2b(f"{seed}:{i}".encode(), digest_size=8).digest()
    return str(int.from_bytes(h, "big"))[:width].rjust(width, "1")


def _b32(i: int, seed: int, length: int) -> str:
    h = hashlib.blake2b(f"{seed}:{i}".encode(), digest_size=16).digest()
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    number = int.from_bytes(h, "big")
    out = []
    for _ in range(length):
        number, r = divmod(number, 32)
        out.append(alphabet[r])
    return "".join(out)


def _paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n\n") if p] or [""]


def _html_links(escaped: str, anchor: Callable[[str], str]) -> str:
    return URL.sub(lambda m: anchor(html.unescape(m.group(0))), escaped)


# --- Bluesky -----------------------------------------------------------------------------


def _bluesky(t: _Thread) -> Doc:
    dids = {aid: f"did:plc:{_b32(hash_id, t.seed, 24)}" for hash_id, aid in enumerate(t.authors)}
    rkeys = [_b32(i + 10**7, t.seed, 13) for i in range(len(t.posts))]

    def did(i: int) -> str:
        author = t.posts[i]["author"]
        return dids[author] if author else f"did:plc:{_b32(i + 2 * 10**7, t.seed, 24)}"

    def uri(i: int) -> str:
        return f"at://{did(i)}/app.bsky.feed.post/{rkeys[i]}"

    def cid(i: int) -> str:
        return "bafyrei" + _b32(i + 3 * 10**7, t.seed, 52)

    def author(i: int) -> dict[str, Any]:
        return {
            "did": did(i),
            "handle": f"{t.handle(i).lower()}.bsky.social",
            "displayName": t.display(i),
            "avatar": f"https://cdn.bsky.app/img/avatar/plain/{did(i)}/bafkrei{cid(i)[7:40]}@jpeg",
            "viewer": {"muted": False, "blockedBy": False},
            "labels": [],
            "createdAt": "2023-04-20T10:00:00.000Z",
        }

    def facets(text: str) -> list[dict[str, Any]]:
        out = []
        data = text.encode()
        for m in URL.finditer(text):
            start = len(text[: m.start()].encode())
            end = start + len(m.group(0).encode())
            assert data[start:end].decode() == m.group(0)
            out.append(
                {
                    "$type": "app.bsky.richtext.facet",
                    "index": {"byteStart": start, "byteEnd": end},
                    "features": [{"$type": "app.bsky.richtext.facet#link", "uri": m.group(0)}],
                }
            )
        return out

    def stamp(i: int) -> str:
        return t.posts[i]["created_at"].replace("Z", ".000Z")

    def record(i: int) -> dict[str, Any]:
        text = t.text(i)
        rec: dict[str, Any] = {"$type": "app.bsky.feed.post", "createdAt": stamp(i), "text": text}
        found = facets(text)
        if found:
            rec["facets"] = found
        parent = t.posts[i]["reply_to"]
        if parent is not None:
            p = t.index[parent]
            rec["reply"] = {
                "root": {"cid": cid(0), "uri": uri(0)},
                "parent": {"cid": cid(p), "uri": uri(p)},
            }
        rec["langs"] = ["en"]
        return rec

    def embed(i: int, rec: dict[str, Any]) -> dict[str, Any] | None:
        q = t.quoted(i)
        if q is None:
            return None
        if q < 0 or t.deleted(q):
            target = f"at://did:plc:{_b32(i + 4 * 10**7, t.seed, 24)}/app.bsky.feed.post/gone"
            rec["embed"] = {
                "$type": "app.bsky.embed.record",
                "record": {"cid": cid(i)[::-1], "uri": target},
            }
            return {
                "$type": "app.bsky.embed.record#view",
                "record": {
                    "$type": "app.bsky.embed.record#viewNotFound",
                    "uri": target,
                    "notFound": True,
                },
            }
        rec["embed"] = {"$type": "app.bsky.embed.record", "record": {"cid": cid(q), "uri": uri(q)}}
        return {
            "$type": "app.bsky.embed.record#view",
            "record": {
                "$type": "app.bsky.embed.record#viewRecord",
                "uri": uri(q),
                "cid": cid(q),
                "author": author(q),
                "value": record(q),
                "labels": [],
                "indexedAt": stamp(q),
                "likeCount": t.metric(q, "likes"),
                "replyCount": t.metric(q, "replies"),
                "repostCount": t.metric(q, "reposts"),
                "quoteCount": t.metric(q, "quotes"),
                "embeds": [],
            },
        }

    def node(i: int, depth: int) -> dict[str, Any]:
        kids = t.children[i]
        if t.deleted(i) and not kids:
            return {"$type": "app.bsky.feed.defs#notFoundPost", "uri": uri(i), "notFound": True}
        # A deleted post with replies: they need a node to hang from, so it stays a post
        # without text (and without an author: `deleted.bsky.social`, a did of its own).
        rec = record(i)
        view = embed(i, rec)
        post: dict[str, Any] = {
            "uri": uri(i),
            "cid": cid(i),
            "author": author(i),
            "record": rec,
        }
        if view is not None:
            post["embed"] = view
        post |= {
            "replyCount": t.metric(i, "replies"),
            "repostCount": t.metric(i, "reposts"),
            "likeCount": t.metric(i, "likes"),
            "quoteCount": t.metric(i, "quotes"),
            "indexedAt": stamp(i),
            "viewer": {},
            "labels": [],
        }
        out: dict[str, Any] = {"$type": "app.bsky.feed.defs#threadViewPost", "post": post}
        out["replies"] = [node(k, depth + 1) for k in kids]
        return out

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    return {"thread": node(0, 0)}


# --- Mastodon ----------------------------------------------------------------------------

MASTODON_HOST = "mastodon.example"


def _mastodon_html(text: str) -> str:
    def anchor(url: str) -> str:
        scheme, _, rest = url.partition("://")
        shown = html.escape(rest[:30], quote=False)
        hidden = html.escape(rest[30:], quote=False)
        ellipsis = " ellipsis" if hidden else ""
        return (
            f'<a href="{html.escape(url)}" target="_blank" rel="nofollow noopener"'
            f' translate="no"><span class="invisible">{scheme}://</span>'
            f'<span class="{ellipsis.strip()}">{shown}</span>'
            f'<span class="invisible">{hidden}</span></a>'
        )

    def mention(m: re.Match[str]) -> str:
        name = m.group(1)
        return (
            f'<span class="h-card" translate="no"><a href="https://{MASTODON_HOST}/@{name}"'
            f' class="u-url mention">@<span>{name}</span></a></span>'
        )

    out = []
    for paragraph in _paragraphs(text):
        escaped = html.escape(paragraph, quote=False)
        escaped = _html_links(escaped, anchor)
        escaped = MENTION.sub(mention, escaped)
        out.append("<p>" + escaped.replace("\n", "<br />") + "</p>")
    return "".join(out)


def _mastodon(t: _Thread) -> Doc:
    ids = [_digits(i, t.seed, 18) for i in range(len(t.posts))]
    account_ids = {aid: str(100 + k) for k, aid in enumerate(t.authors)}

    def account(i: int) -> dict[str, Any]:
        aid = t.posts[i]["author"]
        handle = t.handle(i)
        number = account_ids[aid]
        avatar = f"https://files.{MASTODON_HOST}/accounts/avatars/000/{number}/original/a.jpg"
        return {
            "id": number,
            "username": handle,
            "acct": handle,
            "display_name": t.display(i),
            "locked": False,
            "bot": False,
            "discoverable": True,
            "indexable": True,
            "group": False,
            "created_at": "2022-11-01T00:00:00.000Z",
            "note": "<p>Posting about policy, software and whatever else.</p>",
            "url": f"https://{MASTODON_HOST}/@{handle}",
            "uri": f"https://{MASTODON_HOST}/users/{handle}",
            "avatar": avatar,
            "avatar_static": avatar,
            "header": f"https://{MASTODON_HOST}/headers/original/missing.png",
            "header_static": f"https://{MASTODON_HOST}/headers/original/missing.png",
            "followers_count": 120 + int(number),
            "following_count": 35,
            "statuses_count": 988,
            "last_status_at": "2026-05-29",
            "hide_collections": False,
            "noindex": False,
            "emojis": [],
            "roles": [],
            "fields": [],
        }

    def status(i: int, with_quote: bool = True) -> dict[str, Any]:
        parent = t.posts[i]["reply_to"]
        p = t.index[parent] if parent is not None else None
        handle = t.handle(i)
        text = t.text(i)
        mentioned = sorted(set(MENTION.findall(text)))
        out: dict[str, Any] = {
            "id": ids[i],
            "created_at": t.posts[i]["created_at"].replace("Z", ".000Z"),
            "in_reply_to_id": ids[p] if p is not None else None,
            "in_reply_to_account_id": (
                account_ids.get(t.posts[p]["author"] or "") if p is not None else None
            ),
            "sensitive": False,
            "spoiler_text": "",
            "visibility": "public",
            "language": "en",
            "uri": f"https://{MASTODON_HOST}/users/{handle}/statuses/{ids[i]}",
            "url": f"https://{MASTODON_HOST}/@{handle}/{ids[i]}",
            "replies_count": t.metric(i, "replies"),
            "reblogs_count": t.metric(i, "reposts"),
            "favourites_count": t.metric(i, "likes"),
            "quotes_count": t.metric(i, "quotes"),
            "edited_at": None,
            "favourited": False,
            "reblogged": False,
            "muted": False,
            "bookmarked": False,
            "pinned": False,
            "content": _mastodon_html(text),
            "filtered": [],
            "reblog": None,
            "application": {"name": "Web", "website": None},
            "account": account(i),
            "media_attachments": [],
            "mentions": [
                {
                    "id": "1",
                    "username": name,
                    "url": f"https://{MASTODON_HOST}/@{name}",
                    "acct": name,
                }
                for name in mentioned
            ],
            "tags": [],
            "emojis": [],
            "quote": None,
            "card": None,
            "poll": None,
        }
        q = t.quoted(i)
        if q is not None and with_quote:
            if q < 0 or t.deleted(q):
                out["quote"] = {"state": "deleted", "quoted_status": None}
            else:
                out["quote"] = {"state": "accepted", "quoted_status": status(q, False)}
        return out

    def depth_first(i: int) -> Iterator[int]:
        stack = [i]
        while stack:
            j = stack.pop()
            yield j
            stack.extend(reversed(t.children[j]))

    descendants = []
    for i in depth_first(0):
        if i == 0:
            continue
        if t.deleted(i):
            # Mastodon drops deleted statuses; their replies point at an id not present.
            continue
        descendants.append(status(i))
    return {"ancestors": [], "descendants": descendants}


# --- Hacker News -------------------------------------------------------------------------


def _hn_html(text: str) -> str:
    def anchor(url: str) -> str:
        shown = url if len(url) <= 60 else url[:57] + "..."
        return (
            f'<a href="{html.escape(url).replace("/", "&#x2F;")}" rel="nofollow">'
            f"{html.escape(shown).replace('/', '&#x2F;')}</a>"
        )

    parts = []
    for paragraph in _paragraphs(text):
        escaped = html.escape(paragraph).replace("&#x27;", "&#x27;")
        parts.append(_html_links(escaped, anchor).replace("\n", " "))
    return "<p>".join(parts)


def _hn_ids(t: _Thread) -> list[int]:
    base = 30_000_000 + int(_digits(0, t.seed, 6))
    return [base + 3 * i for i in range(len(t.posts))]


def _hn_algolia(t: _Thread) -> Doc:
    ids = _hn_ids(t)

    def item(i: int) -> dict[str, Any]:
        parent = t.posts[i]["reply_to"]
        deleted = t.deleted(i)
        root = i == 0
        return {
            "id": ids[i],
            "created_at": t.posts[i]["created_at"].replace("Z", ".000Z"),
            "created_at_i": t.epoch(i),
            "type": "story" if root else "comment",
            "author": None if deleted else t.handle(i),
            "title": t.title if root else None,
            "url": "https://example.com/frontier-deployment" if root else None,
            "text": None if deleted else _hn_html(t.text(i)),
            "points": t.metric(i, "likes") if root else None,
            "parent_id": ids[t.index[parent]] if parent is not None else None,
            "story_id": ids[0] if not root else None,
            "options": [],
            "children": [item(k) for k in t.children[i]],
        }

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    return item(0)


def _hn_firebase(t: _Thread) -> list[dict[str, Any]]:
    ids = _hn_ids(t)
    out = []
    for i in range(len(t.posts)):
        parent = t.posts[i]["reply_to"]
        kids = [ids[k] for k in t.children[i]]
        if i == 0:
            item: dict[str, Any] = {
                "by": t.handle(i),
                "descendants": len(t.posts) - 1,
                "id": ids[0],
                "kids": kids,
                "score": t.metric(0, "likes"),
                "time": t.epoch(0),
                "title": t.title,
                "type": "story",
                "url": "https://example.com/frontier-deployment",
            }
        elif t.deleted(i):
            item = {"deleted": True, "id": ids[i], "parent": ids[t.index[parent]]}
            if kids:
                item["kids"] = kids
            item |= {"time": t.epoch(i), "type": "comment"}
        else:
            item = {"by": t.handle(i), "id": ids[i]}
            if kids:
                item["kids"] = kids
            item |= {
                "parent": ids[t.index[parent]],
                "text": _hn_html(t.text(i)),
                "time": t.epoch(i),
                "type": "comment",
            }
        out.append(item)
    return out


# --- Reddit ------------------------------------------------------------------------------


def _reddit_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _reddit_html(text: str) -> str:
    inner = "".join(
        f"<p>{html.escape(p, quote=False).replace(chr(10), '<br/>')}</p>\n"
        for p in _paragraphs(text)
    )
    return _reddit_escape(f'<div class="md">{inner}</div>')


def _reddit(t: _Thread) -> list[Doc]:
    ids = [_b32(i + 5 * 10**7, t.seed, 7) for i in range(len(t.posts))]
    link = ids[0]
    subreddit = "technology"

    def comment(i: int, depth: int) -> dict[str, Any]:
        parent = t.posts[i]["reply_to"]
        p = t.index[parent] if parent is not None else 0
        deleted = t.deleted(i)
        body = "[deleted]" if deleted else _reddit_escape(t.text(i))
        kids = t.children[i]
        replies: Any = ""
        if kids:
            replies = {
                "kind": "Listing",
                "data": {
                    "after": None,
                    "dist": None,
                    "modhash": "",
                    "geo_filter": "",
                    "children": [comment(k, depth + 1) for k in kids],
                    "before": None,
                },
            }
        score = t.metric(i, "likes")
        epoch = float(t.epoch(i))
        return {
            "kind": "t1",
            "data": {
                "subreddit_id": "t5_2qh16",
                "approved_at_utc": None,
                "author_is_blocked": False,
                "comment_type": None,
                "edited": False,
                "banned_by": None,
                "removal_reason": None,
                "link_id": f"t3_{link}",
                "author_flair_template_id": None,
                "likes": None,
                "replies": replies,
                "user_reports": [],
                "saved": False,
                "id": ids[i],
                "banned_at_utc": None,
                "gilded": 0,
                "archived": False,
                "collapsed_reason_code": None,
                "no_follow": True,
                "author": "[deleted]" if deleted else t.handle(i),
                "can_mod_post": False,
                "send_replies": True,
                "parent_id": f"t3_{link}" if p == 0 else f"t1_{ids[p]}",
                "score": score,
                "approved_by": None,
                "mod_note": None,
                "all_awardings": [],
                "collapsed": False,
                "body": body,
                "top_awarded_type": None,
                "author_flair_css_class": None,
                "name": f"t1_{ids[i]}",
                "is_submitter": t.posts[i]["author"] == t.posts[0]["author"],
                "downs": 0,
                "author_flair_richtext": [],
                "author_patreon_flair": False,
                "body_html": _reddit_html(body if deleted else t.text(i)),
                "gildings": {},
                "collapsed_reason": None,
                "distinguished": None,
                "associated_award": None,
                "stickied": False,
                "author_premium": False,
                "can_gild": False,
                "subreddit": subreddit,
                "author_flair_text_color": None,
                "score_hidden": False,
                "permalink": f"/r/{subreddit}/comments/{link}/thread/{ids[i]}/",
                "subreddit_type": "public",
                "locked": False,
                "report_reasons": None,
                "created": epoch,
                "author_flair_text": None,
                "treatment_tags": [],
                "created_utc": epoch,
                "subreddit_name_prefixed": f"r/{subreddit}",
                "controversiality": 0,
                "depth": depth,
                "author_flair_background_color": None,
                "collapsed_because_crowd_control": None,
                "mod_reports": [],
                "num_reports": None,
                "ups": score,
            },
        }

    post = {
        "kind": "t3",
        "data": {
            "subreddit": subreddit,
            "selftext": _reddit_escape(t.text(0)),
            "selftext_html": _reddit_html(t.text(0)),
            "author_fullname": "t2_abc",
            "title": t.title,
            "name": f"t3_{link}",
            "id": link,
            "score": t.metric(0, "likes"),
            "ups": t.metric(0, "likes"),
            "num_comments": len(t.posts) - 1,
            "is_self": True,
            "author": t.handle(0),
            "created": float(t.epoch(0)),
            "created_utc": float(t.epoch(0)),
            "permalink": f"/r/{subreddit}/comments/{link}/thread/",
            "url": f"https://www.reddit.com/r/{subreddit}/comments/{link}/thread/",
            "subreddit_name_prefixed": f"r/{subreddit}",
            "over_18": False,
            "spoiler": False,
            "locked": False,
            "stickied": False,
            "edited": False,
            "domain": f"self.{subreddit}",
        },
    }

    def listing(children: list[dict[str, Any]]) -> Doc:
        data = {"after": None, "dist": None, "modhash": "", "geo_filter": ""}
        return {"kind": "Listing", "data": {**data, "children": children, "before": None}}

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    return [listing([post]), listing([comment(k, 0) for k in t.children[0]])]


# --- X API v2 ----------------------------------------------------------------------------

X_PAGE = 100


def _xapi_lines(t: _Thread) -> Iterator[bytes]:
    base = 1_800_000_000_000_000_000
    ids = [str(base + int(_digits(i, t.seed, 15))) for i in range(len(t.posts))]
    user_ids = {aid: str(10**9 + k * 7919) for k, aid in enumerate(t.authors)}
    conversation = ids[0]

    def tweet(i: int) -> dict[str, Any]:
        parent = t.posts[i]["reply_to"]
        text = t.text(i)
        refs = []
        q = t.quoted(i)
        if q is not None and q >= 0:
            refs.append({"type": "quoted", "id": ids[q]})
        if parent is not None:
            refs.append({"type": "replied_to", "id": ids[t.index[parent]]})
        out: dict[str, Any] = {
            "created_at": t.posts[i]["created_at"].replace("Z", ".000Z"),
            "text": text,
            "public_metrics": {
                "retweet_count": t.metric(i, "reposts"),
                "reply_count": t.metric(i, "replies"),
                "like_count": t.metric(i, "likes"),
                "quote_count": t.metric(i, "quotes"),
                "bookmark_count": 0,
                "impression_count": t.metric(i, "views"),
            },
            "edit_history_tweet_ids": [ids[i]],
            "id": ids[i],
            "author_id": user_ids[t.posts[i]["author"]],
            "conversation_id": conversation,
            "lang": "en",
            "reply_settings": "everyone",
            "possibly_sensitive": False,
        }
        if parent is not None:
            p = t.index[parent]
            if not t.deleted(p):
                out["in_reply_to_user_id"] = user_ids[t.posts[p]["author"]]
        mentions = [
            {"start": m.start(), "end": m.end(), "username": m.group(1)}
            for m in MENTION.finditer(text)
        ]
        urls = [
            {
                "start": m.start(),
                "end": m.end(),
                "url": m.group(0),
                "expanded_url": m.group(0),
                "display_url": m.group(0).split("://", 1)[-1][:25],
            }
            for m in URL.finditer(text)
        ]
        if mentions or urls:
            out["entities"] = {k: v for k, v in (("mentions", mentions), ("urls", urls)) if v}
        if refs:
            out["referenced_tweets"] = refs
        return out

    def user(aid: str) -> dict[str, Any]:
        info = t.authors[aid]
        return {
            "id": user_ids[aid],
            "name": info.get("display_name") or info["handle"],
            "username": info["handle"],
            "created_at": "2019-02-17T04:30:55.000Z",
            "profile_image_url": f"https://pbs.twimg.com/profile_images/{user_ids[aid]}/a_normal.jpg",
            "description": "",
            "verified": False,
            "public_metrics": {
                "followers_count": 107,
                "following_count": 1387,
                "tweet_count": 27,
                "listed_count": 2,
            },
            "protected": False,
        }

    order = [i for i in range(len(t.posts)) if not t.deleted(i)]
    # Newest first, as the search endpoint pages through a conversation.
    order.reverse()
    for start in range(0, len(order), X_PAGE):
        page = order[start : start + X_PAGE]
        data = [tweet(i) for i in page]
        referenced: dict[int, None] = {}
        errors = []
        for i in page:
            parent = t.posts[i]["reply_to"]
            targets = [t.index[parent]] if parent is not None else []
            q = t.quoted(i)
            if q is not None and q >= 0:
                targets.append(q)
            for j in targets:
                if t.deleted(j):
                    detail = f"Could not find tweet with referenced_tweets.id: [{ids[j]}]."
                    errors.append(
                        {
                            "value": ids[j],
                            "detail": detail,
                            "title": "Not Found Error",
                            "resource_type": "tweet",
                            "parameter": "referenced_tweets.id",
                            "resource_id": ids[j],
                            "type": "https://api.twitter.com/2/problems/resource-not-found",
                        }
                    )
                else:
                    referenced[j] = None
        authors = dict.fromkeys(
            t.posts[i]["author"] for i in [*page, *referenced] if t.posts[i]["author"]
        )
        response: dict[str, Any] = {
            "data": data,
            "includes": {
                "users": [user(a) for a in authors],
                "tweets": [tweet(j) for j in referenced],
            },
        }
        if errors:
            response["errors"] = errors
        response["meta"] = {
            "newest_id": data[0]["id"],
            "oldest_id": data[-1]["id"],
            "result_count": len(data),
        }
        if start + X_PAGE < len(order):
            response["meta"]["next_token"] = _b32(start, t.seed, 16)
        response["__twarc"] = {
            "url": f"https://api.twitter.com/2/tweets/search/all?query=conversation_id%3A{conversation}",
            "version": "2.14.0",
            "retrieved_at": "2026-05-31T12:00:00+00:00",
        }
        yield orjson.dumps(response) + b"\n"


# --- writing -----------------------------------------------------------------------------


def source_bytes(platform: str, n: int, seed: int = 1) -> Iterator[bytes]:
    """The file's bytes, in pieces."""
    if platform not in PLATFORMS:
        raise ValueError(f"platform must be one of {', '.join(PLATFORMS)}, got {platform!r}")
    t = _Thread(n, seed)
    if platform == "x-api":
        yield from _xapi_lines(t)
        return
    build: dict[str, Callable[[_Thread], Any]] = {
        "bluesky": _bluesky,
        "mastodon": _mastodon,
        "hn-algolia": _hn_algolia,
        "hn-firebase": _hn_firebase,
        "reddit": _reddit,
    }
    yield orjson.dumps(build[platform](t))


def source_name(platform: str, n: int, seed: int = 1) -> str:
    suffix = SUFFIX.get(platform, "json")
    return f"{platform}-{size_label(n)}-s{seed}-v{SOURCES_VERSION}.{suffix}"


def write_source(platform: str, n: int, seed: int, path: Path) -> Path:
    """Write to a temporary name beside `path`, then rename: never a truncated file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            for piece in source_bytes(platform, n, seed):
                f.write(piece)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def ensure_source(platform: str, n: int, seed: int = 1, directory: Path | None = None) -> Path:
    """The file for (platform, n, seed), generated unless it is already there (the version
    is in the name, so a changed generator writes new files)."""
    path = (directory or DEFAULT_DIR) / source_name(platform, n, seed)
    if not path.exists():
        write_source(platform, n, seed, path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", default="100k", help="posts in the thread (e.g. 1k, 100k)")
    parser.add_argument("--platforms", default=",".join(PLATFORMS), help="comma list")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-d", "--dir", type=Path, default=DEFAULT_DIR, help="output directory")
    parser.add_argument("--force", action="store_true", help="rewrite files that exist")
    args = parser.parse_args(argv)
    n = parse_size(args.posts)
    for platform in args.platforms.split(","):
        platform = platform.strip()
        if platform not in PLATFORMS:
            parser.error(f"unknown platform {platform!r}; choose from {', '.join(PLATFORMS)}")
        path = args.dir / source_name(platform, n, args.seed)
        if args.force or not path.exists():
            write_source(platform, n, args.seed, path)
        print(f"{path}  {path.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

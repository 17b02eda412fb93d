"""Synthetic API responses for the fetch tests, in each platform's documented shape.

Synthetic rather than recorded: each test needs a thread with one particular property (a
branch cut short, 61 descendants, a `more` stub of 150 ids), and the shapes follow the
fixtures in tests/data/sources/ (shared/notes/formats.md) field for field.
"""

from __future__ import annotations

from typing import Any

DID = "did:plc:alice000000000000000000"
OTHER = "did:plc:bob00000000000000000000"


def at(did: str, rkey: str) -> str:
    return f"at://{did}/app.bsky.feed.post/{rkey}"


def bsky_post(
    rkey: str,
    text: str,
    *,
    did: str = DID,
    parent: str | None = None,
    root: str | None = None,
    replies: int = 0,
    quotes: int = 0,
    quoting: str | None = None,
    minute: int = 0,
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "$type": "app.bsky.feed.post",
        "text": text,
        "createdAt": f"2024-05-01T12:{minute:02d}:00.000Z",
    }
    if parent is not None:
        record["reply"] = {
            "root": {"uri": root or parent, "cid": "bafyroot"},
            "parent": {"uri": parent, "cid": "bafyparent"},
        }
    post: dict[str, Any] = {
        "uri": at(did, rkey),
        "cid": f"bafy{rkey}",
        "author": {"did": did, "handle": "alice.example" if did == DID else "bob.example"},
        "record": record,
        "replyCount": replies,
        "repostCount": 0,
        "likeCount": 1,
        "quoteCount": quotes,
        "indexedAt": record["createdAt"],
    }
    if quoting is not None:
        record["embed"] = {
            "$type": "app.bsky.embed.record",
            "record": {"uri": quoting, "cid": "bafyq"},
        }
        post["embed"] = {
            "$type": "app.bsky.embed.record#view",
            "record": {
                "$type": "app.bsky.embed.record#viewNotFound",
                "uri": quoting,
                "notFound": True,
            },
        }
    return post


def node(post: dict[str, Any], replies: list[Any] | None = None, parent: Any = None) -> dict:
    item: dict[str, Any] = {"$type": "app.bsky.feed.defs#threadViewPost", "post": post}
    if replies is not None:
        item["replies"] = replies
    if parent is not None:
        item["parent"] = parent
    return item


def mastodon_status(
    sid: int, parent: int | None = None, *, replies: int = 0, host: str = "social.example"
) -> dict[str, Any]:
    return {
        "id": str(sid),
        "uri": f"https://{host}/users/alice/statuses/{sid}",
        "url": f"https://{host}/@alice/{sid}",
        "created_at": f"2024-05-01T12:00:{sid % 60:02d}.000Z",
        "in_reply_to_id": None if parent is None else str(parent),
        "in_reply_to_account_id": None if parent is None else "1",
        "content": f"<p>status {sid}</p>",
        "spoiler_text": "",
        "replies_count": replies,
        "reblogs_count": 0,
        "favourites_count": 0,
        "account": {
            "id": "1",
            "username": "alice",
            "acct": "alice",
            "display_name": "Alice",
            "url": f"https://{host}/@alice",
            "uri": f"https://{host}/users/alice",
        },
        "media_attachments": [],
        "mentions": [],
        "tags": [],
        "emojis": [],
    }


def firebase_item(
    item: int, parent: int | None = None, kids: list[int] | None = None, **more: Any
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "id": item,
        "by": f"user{item}",
        "time": 1_700_000_000 + item,
        "type": "comment" if parent is not None else "story",
    }
    if parent is None:
        value["title"] = "A story"
        value["score"] = 10
    else:
        value["parent"] = parent
        value["text"] = f"comment {item}"
    if kids:
        value["kids"] = kids
    value.update(more)
    return value


def algolia_story(title: str, reply: str) -> dict[str, Any]:
    """Story 1 by pg with one reply (item 2, by ann), as Algolia's items API answers."""
    return {
        "id": 1,
        "type": "story",
        "author": "pg",
        "title": title,
        "story_id": 1,
        "created_at_i": 1_700_000_000,
        "created_at": "2023-11-14T22:13:20.000Z",
        "points": 3,
        "children": [
            {
                "id": 2,
                "type": "comment",
                "author": "ann",
                "text": f"<p>{reply}</p>",
                "parent_id": 1,
                "story_id": 1,
                "created_at_i": 1_700_000_100,
                "created_at": "2023-11-14T22:15:00.000Z",
                "children": [],
            },
        ],
    }


def algolia_item(
    children: list[dict[str, Any]], points: int, *, item: int = 1, title: str = "A growing story"
) -> dict[str, Any]:
    """A story by pg as Algolia's items API answers, with the replies given."""
    return {
        "id": item,
        "type": "story",
        "author": "pg",
        "title": title,
        "story_id": item,
        "created_at_i": 1_700_000_000,
        "points": points,
        "children": children,
    }


def algolia_comment(
    item: int, text: str, minute: int, *, parent: int = 1, story: int = 1
) -> dict[str, Any]:
    """A comment by user<item>, `minute` minutes after the story, for `algolia_item`."""
    return {
        "id": item,
        "type": "comment",
        "author": f"user{item}",
        "text": f"<p>{text}</p>",
        "parent_id": parent,
        "story_id": story,
        "created_at_i": 1_700_000_000 + 60 * minute,
        "children": [],
    }


def reddit_comment(
    short: str, parent: str, *, replies: list[Any] | None = None, link: str = "abc"
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": short,
        "name": f"t1_{short}",
        "parent_id": parent,
        "link_id": f"t3_{link}",
        "author": f"user_{short}",
        "body": f"comment {short} &amp; more",
        "created_utc": 1_700_000_000.0,
        "score": 3,
        "permalink": f"/r/test/comments/{link}/slug/{short}/",
        "replies": "" if not replies else listing(replies),
    }
    return {"kind": "t1", "data": data}


def reddit_more(parent: str, children: list[str], count: int | None = None) -> dict[str, Any]:
    short = children[0] if children else "_"
    return {
        "kind": "more",
        "data": {
            "count": len(children) if count is None else count,
            "name": f"t1_{short}",
            "id": short,
            "parent_id": parent,
            "depth": 0,
            "children": children,
        },
    }


def listing(children: list[Any]) -> dict[str, Any]:
    return {"kind": "Listing", "data": {"children": children, "after": None, "before": None}}


def reddit_page(comments: list[Any], *, link: str = "abc", num_comments: int = 0) -> list[Any]:
    submission = {
        "kind": "t3",
        "data": {
            "id": link,
            "name": f"t3_{link}",
            "title": "A submission",
            "selftext": "",
            "author": "op",
            "created_utc": 1_700_000_000.0,
            "score": 100,
            "num_comments": num_comments,
            "permalink": f"/r/test/comments/{link}/slug/",
            "subreddit_name_prefixed": "r/test",
            "is_self": True,
        },
    }
    return [listing([submission]), listing(comments)]


def morechildren(things: list[Any]) -> dict[str, Any]:
    return {"json": {"errors": [], "data": {"things": things}}}


def tweet(
    tid: str, conversation: str, *, reply_to: str | None = None, quoting: str | None = None
) -> dict[str, Any]:
    refs = []
    if reply_to:
        refs.append({"type": "replied_to", "id": reply_to})
    if quoting:
        refs.append({"type": "quoted", "id": quoting})
    value: dict[str, Any] = {
        "id": tid,
        "text": f"tweet {tid}",
        "author_id": "100",
        "conversation_id": conversation,
        "created_at": "2024-05-01T12:00:00.000Z",
        "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": 1, "quote_count": 0},
        "edit_history_tweet_ids": [tid],
    }
    if refs:
        value["referenced_tweets"] = refs
    return value


X_USERS = {"users": [{"id": "100", "username": "carol", "name": "Carol"}]}

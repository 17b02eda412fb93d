"""The Bluesky importer: the real responses in tests/data/sources/bluesky read as checked by
hand, damaged input fails with a JSON path or imports with a warning, and nothing readable
is lost."""

from __future__ import annotations

import itertools
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from importer_checks import (
    HOSTILE,
    MUTATIONS,
    by_id,
    check,
    check_deterministic,
    check_truncations,
    detected_as,
    dicts,
    fixtures,
    mutated,
    refused,
    survives,
    text_of,
)
from threadtui.importers import bluesky, detect

FILES = fixtures("bluesky")
FIND = FILES[0].read_text(encoding="utf-8")
HELL = FILES[1].read_text(encoding="utf-8")
MEDIA = FILES[2].read_text(encoding="utf-8")

ALICE = "bluesky:did:plc:by3jhwdqgbtrcc7q4tkkv3cf"
ROOT = f"bluesky:at://{ALICE[8:]}/app.bsky.feed.post/3jtvi2jrijx2y"
QUOTED = f"bluesky:at://{ALICE[8:]}/app.bsky.feed.post/3jtoq4zmhvz2z"
FIRE = "bluesky:at://did:plc:xbxpdv7nstw5ybmlneupnuaa/app.bsky.feed.post/3jtvjdinqcm2a"
BRIAN = "bluesky:at://did:plc:o3muczkqodgc563d4rip3rpn/app.bsky.feed.post/3jtviwrkkbn2e"
TAUT = "bluesky:at://did:plc:kef63ihhci7f5xhriu4asjhb/app.bsky.feed.post/3jtvu6gnhmk2r"
GONE = "bluesky:at://did:plc:jb3pkzwuhnmq65ktmib27eli/app.bsky.feed.post/3julb75nxkc2y"


def input_posts(value: Any) -> set[str]:
    """Every post the input holds, found without the importer's walk: any object with an
    at:// uri that carries a record (post view), a value (quoted view) or a gone marker."""
    found = set()
    for node in dicts(value):
        uri = node.get("uri")
        if not (isinstance(uri, str) and uri.startswith("at://") and len(uri) > 5):
            continue
        if (
            isinstance(node.get("record"), dict)
            or isinstance(node.get("value"), dict)
            or any(node.get(key) is True for key in ("notFound", "blocked", "detached"))
        ):
            found.add("bluesky:" + uri)
    return found


def view(uri: str, text: str = "hi", **fields: Any) -> dict[str, Any]:
    """A minimal postView."""
    record = {"$type": "app.bsky.feed.post", "text": text, "createdAt": "2024-01-02T03:04:05Z"}
    record.update(fields.pop("record", {}))
    base = {
        "uri": uri,
        "cid": "c",
        "author": {"did": "did:plc:a", "handle": "a.test", "displayName": "A"},
        "record": record,
        "indexedAt": "2024-01-02T03:04:06Z",
        "likeCount": 1,
    }
    base.update(fields)
    return base


# --- the fixtures ------------------------------------------------------------------------


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_fixture_imports_validates_and_keeps_every_post(path: Any) -> None:
    text = path.read_text(encoding="utf-8")
    assert detected_as(text) == ["bluesky"]
    result = bluesky.run(text)
    check(result.document)
    ids = [post["id"] for post in result.document["posts"]]
    assert len(ids) == len(set(ids))
    assert set(ids) == input_posts(orjson.loads(text))
    check_deterministic(bluesky.run, text)
    assert result.document["source"]["platform"] == "bluesky"
    assert result.document["source"]["kind"] == "app.bsky.feed.getPostThread"


def test_find_post_thread_as_checked_by_hand() -> None:
    result = bluesky.run(FIND)
    document = result.document
    posts = by_id(document)
    assert list(posts) == [ROOT, QUOTED, FIRE, BRIAN, GONE, TAUT]
    assert document["thread"]["root"] == ROOT
    assert document["thread"]["url"] == (
        "https://bsky.app/profile/aliceisjustplaying.bsky.social/post/3jtvi2jrijx2y"
    )

    root = posts[ROOT]
    assert root["author"] == ALICE
    assert root["text"].startswith("now available for everyone to try in your browser!")
    assert root["created_at"] == "2023-04-21T16:54:00.468Z"
    assert root["metrics"] == {
        "views": None,
        "likes": 26,
        "reposts": 6,
        "replies": 2,
        "quotes": None,  # 2023 data has no quoteCount: unknown, not zero
    }
    assert root["quotes"] == [QUOTED]
    assert root["media"] == [
        {
            "kind": "link",
            "url": "https://bluesky-heatmap.fly.dev/",
            "alt": "Bluesky Posts Heatmap Generator",
        }
    ]
    assert root["links"] == [
        {"url": "https://bluesky-heatmap.fly.dev/", "text": "https://bluesky-heatmap.fly.dev/"}
    ]

    # The quoted post: byte offsets after two 🦋 (4 bytes each) still land on the mentions.
    quoted = posts[QUOTED]
    assert quoted["text"].startswith("🦋 posting frequency heatmaps 🦋")
    assert quoted["created_at"] == "2023-04-19T00:29:55.940Z"
    assert [m["handle"] for m in quoted["mentions"]] == [
        "nvpkp.bsky.social",
        "jay.bsky.team",
        "pfrazee.com",
        "why.bsky.team",
        "emilyliu.me",
    ]
    assert quoted["mentions"][0]["id"] == "bluesky:did:plc:xbxpdv7nstw5ybmlneupnuaa"
    assert quoted["links"] == [
        {
            "url": "https://github.com/aliceisjustplaying/bluesky-calendar-heatmap",
            "text": "https://github.com/aliceisjustplaying/bluesky-calendar-heatmap",
        }
    ]
    assert [m["kind"] for m in quoted["media"]] == ["image"] * 4
    assert quoted["metrics"]["likes"] is None

    assert posts[FIRE]["text"] == "🔥" and posts[FIRE]["reply_to"] == ROOT
    assert posts[BRIAN]["reply_to"] == ROOT
    assert posts[TAUT]["reply_to"] == BRIAN and posts[TAUT]["text"] == ""
    # The same URI arrives blocked and not found, under two parents: one placeholder, the
    # first copy's, and each later copy that says otherwise is named where it stands.
    gone = posts[GONE]
    assert (gone["status"], gone["text"], gone["reply_to"]) == ("blocked", None, BRIAN)
    first = "from the copy at $.thread.replies[1].replies[0]: kept that copy's"
    assert [w.message for w in result.warnings] == [
        f"$.thread.replies[1].replies[1]: post {GONE!r}: status differs {first}",
        f"$.thread.replies[1].replies[2].replies[0]: post {GONE!r}: reply_to differs {first}",
        f"$.thread.replies[1].replies[2].replies[1]: post {GONE!r}: reply_to, status differ"
        f" {first}",
    ]
    assert document["authors"][ALICE] == {
        "handle": "aliceisjustplaying.bsky.social",
        "display_name": "alice",
        "url": "https://bsky.app/profile/aliceisjustplaying.bsky.social",
    }

    thread = check(result.document)
    index = {post.id: post for post in thread.posts}
    assert index[TAUT].parent == index[BRIAN].index
    assert index[GONE].parent == index[BRIAN].index
    # The root quotes a post that is in the thread: it hangs under it as a quote.
    assert index[ROOT].parent == index[QUOTED].index and index[ROOT].parent_is_quote


def test_hellthread_chain_of_54_parents() -> None:
    result = bluesky.run(HELL)
    posts = result.document["posts"]
    assert len(posts) == 59 and not result.warnings
    top = posts[0]
    # The chain is cut by a block: the top is a placeholder with the blocked author's DID.
    assert top["status"] == "blocked" and top["reply_to"] is None
    assert top["author"] == "bluesky:did:plc:x6eeihtkaqmj5ianx3qtzqq3"
    # Each of the 53 posts below it answers the one above; the anchor answers the last.
    for above, below in itertools.pairwise(posts[:55]):
        assert below["reply_to"] == above["id"]
    anchor = posts[54]
    assert anchor["id"].endswith("/3jujgsslyxt2h")
    assert anchor["text"] == "hellthread hellthread hellthread\n\ndid it work?"
    assert anchor["metrics"]["replies"] == 4 and anchor["media"][0]["kind"] == "image"
    assert all(post["reply_to"] == anchor["id"] for post in posts[55:])
    # The root is beyond the block: named by the records, made a placeholder by the loader.
    root = "bluesky:at://did:plc:nx3kofpg4oxmkonqr6su5lw4/app.bsky.feed.post/3juhgsu4tpi2e"
    assert result.document["thread"]["root"] == root
    thread = check(result.document)
    assert thread.posts[-1].id == root and thread.posts[-1].status == "not_fetched"


def test_record_with_media_quote_and_known_zero_counts() -> None:
    posts = bluesky.run(MEDIA).document["posts"]
    anchor, quoted = posts
    assert anchor["quotes"] == [quoted["id"]] and anchor["text"] == ""
    assert anchor["media"][0]["kind"] == "image"
    assert anchor["media"][0]["url"].startswith("https://cdn.bsky.app/img/feed_fullsize/")
    assert quoted["text"] == "test"
    assert quoted["metrics"] == {
        "views": None,
        "likes": 0,
        "reposts": 0,
        "replies": 0,
        "quotes": None,
    }


# --- other shapes ------------------------------------------------------------------------


def test_get_posts_get_quotes_and_v2() -> None:
    a, b, c = (f"at://did:plc:a/app.bsky.feed.post/{k}" for k in "abc")
    result = bluesky.run(text_of({"posts": [view(a), view(b)]}))
    assert result.document["source"]["kind"] == "app.bsky.feed.getPosts"
    assert [p["id"] for p in result.document["posts"]] == ["bluesky:" + a, "bluesky:" + b]

    quotes = bluesky.run(text_of({"uri": c, "posts": [view(a)]}))
    assert quotes.document["source"]["kind"] == "app.bsky.feed.getQuotes"
    assert quotes.document["posts"][0]["quotes"] == ["bluesky:" + c]

    reply = {"parent": {"uri": a, "cid": "x"}, "root": {"uri": a, "cid": "x"}}
    flat = {
        "thread": [
            {"uri": a, "depth": 0, "value": {"$type": "x#threadItemPost", "post": view(a)}},
            {"uri": b, "depth": 1, "value": {"$type": "x#threadItemPost", "post": view(b)}},
            {"uri": c, "depth": 2, "value": {"$type": "app.bsky.unspecced.defs#threadItemBlocked"}},
        ]
    }
    flat["thread"][1]["value"]["post"]["record"]["reply"] = reply
    result = bluesky.run(text_of(flat))
    posts = by_id(result.document)
    assert result.document["source"]["kind"] == "app.bsky.unspecced.getPostThreadV2"
    assert posts["bluesky:" + b]["reply_to"] == "bluesky:" + a
    assert posts["bluesky:" + c]["status"] == "blocked"
    assert posts["bluesky:" + c]["reply_to"] == "bluesky:" + b
    assert result.document["thread"]["root"] == "bluesky:" + a
    check(result.document)


def test_declared_parent_wins_and_times_become_utc() -> None:
    a, b = "at://did:plc:a/app.bsky.feed.post/a", "at://did:plc:a/app.bsky.feed.post/b"
    elsewhere = "at://did:plc:z/app.bsky.feed.post/z"
    child = view(
        b,
        record={
            "createdAt": "2024-01-02T05:04:05.5+02:00",
            "reply": {"parent": {"uri": elsewhere}, "root": {"uri": elsewhere}},
        },
    )
    result = bluesky.run(text_of({"thread": {"post": view(a), "replies": [{"post": child}]}}))
    post = by_id(result.document)["bluesky:" + b]
    assert post["reply_to"] == "bluesky:" + elsewhere  # even though it is absent
    assert post["created_at"] == "2024-01-02T03:04:05.5Z"
    check(result.document)


def test_missing_created_at_falls_back_to_indexed_at_with_a_warning() -> None:
    a = "at://did:plc:a/app.bsky.feed.post/a"
    post = view(a)
    del post["record"]["createdAt"]
    result = bluesky.run(text_of({"posts": [post]}))
    assert result.document["posts"][0]["created_at"] == "2024-01-02T03:04:06Z"
    assert [w.message for w in result.warnings] == [
        "$.posts[0].record.createdAt: missing; used indexedAt"
    ]
    post["record"]["createdAt"] = "2024-01-02T03:04:05"  # no zone: not a time to trust
    post.pop("indexedAt")
    result = bluesky.run(text_of({"posts": [post]}))
    assert result.document["posts"][0]["created_at"] is None
    assert "not a time with a zone" in result.warnings[0].message


def test_facet_offsets_are_bytes_and_a_cut_character_is_a_warning() -> None:
    a = "at://did:plc:a/app.bsky.feed.post/a"
    text = "é @b.test x"  # é is two bytes: the mention starts at byte 3, character 2
    facets = [
        {
            "index": {"byteStart": 3, "byteEnd": 10},
            "features": [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:b"}],
        },
        {
            "index": {"byteStart": 1, "byteEnd": 2},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://x.test/"}],
        },
    ]
    result = bluesky.run(text_of({"posts": [view(a, text, record={"facets": facets})]}))
    post = result.document["posts"][0]
    assert post["mentions"] == [
        {"handle": "b.test", "id": "bluesky:did:plc:b", "url": "https://bsky.app/profile/did:plc:b"}
    ]
    assert post["links"] == [{"url": "https://x.test/", "text": None}]
    assert [w.message for w in result.warnings] == [
        "$.posts[0].record.facets[1].index: the byte range cuts a character"
    ]


def test_quoted_views_gone_blocked_detached_become_placeholders() -> None:
    a = "at://did:plc:a/app.bsky.feed.post/a"
    targets = {
        "at://did:plc:q/app.bsky.feed.post/1": ({"notFound": True}, "not_found"),
        "at://did:plc:q/app.bsky.feed.post/2": ({"blocked": True}, "blocked"),
        "at://did:plc:q/app.bsky.feed.post/3": ({"detached": True}, "removed"),
    }
    posts = []
    for i, (uri, (marker, _)) in enumerate(targets.items()):
        embed = {"$type": "app.bsky.embed.record#view", "record": {"uri": uri, **marker}}
        posts.append(view(f"{a}{i}", embed=embed))
    result = bluesky.run(text_of({"posts": posts}))
    found = by_id(result.document)
    for i, (uri, (_, status)) in enumerate(targets.items()):
        assert found[f"bluesky:{a}{i}"]["quotes"] == ["bluesky:" + uri]
        assert found["bluesky:" + uri]["status"] == status
    check(result.document)


def test_hostile_text_stays_data() -> None:
    a = "at://did:plc:a/app.bsky.feed.post/a"
    post = view(a, HOSTILE)
    post["author"]["displayName"] = HOSTILE
    result = bluesky.run(text_of({"posts": [post]}))
    assert result.document["posts"][0]["text"] == HOSTILE
    thread = check(result.document)
    assert "\x1b" not in thread.posts[0].text and "\u202e" not in thread.posts[0].text


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "path", "words"),
    [
        ("[]", "$", "expected an object"),
        ('{"thread": 5}', "$.thread", "expected a thread object"),
        ('{"posts": {}}', "$.posts", "expected an array"),
        ('{"posts": []}', "$", "no post"),
        ('{"thread": {"post": {"uri": 5}}}', "$", "no post"),
        ('{"feed": []}', "$", 'no "thread"'),
    ],
)
def test_nothing_importable_names_the_place(text: str, path: str, words: str) -> None:
    error = refused(bluesky.run, text)
    assert error.path == path and words in error.message


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_truncated_json_is_an_error_with_a_line(path: Any) -> None:
    check_truncations(bluesky.run, path.read_text(encoding="utf-8"))


def test_sniff_never_raises_and_refuses_other_json() -> None:
    for text in ("", "null", "[1]", '{"thread": null}', '{"posts": [1]}', '{"uri": "at://x"}'):
        assert not bluesky.sniff(text)
    assert detect(FIND) == "bluesky"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
@MUTATIONS
@given(data=st.data())
def test_mutations_fail_cleanly_or_keep_every_readable_post(path: Any, data: st.DataObject) -> None:
    original = orjson.loads(path.read_bytes())
    survives(bluesky.run, data.draw(mutated(original)), input_posts)

"""The X API v2 importer: the twarc responses in tests/data/sources/x-api read as checked by
hand, JSONL and arrays of responses merge, edits are one post, errors are placeholders, and
nothing readable is lost."""

from __future__ import annotations

import re
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
    fixtures,
    mutated,
    refused,
    survives,
    text_of,
)
from threadtui.importers import xapi
from threadtui.importers.base import ImportResult

FILES = fixtures("x-api")
EDIT = FILES[0].read_text(encoding="utf-8")
VERIFIED = FILES[1].read_text(encoding="utf-8")
WITHHELD = FILES[2].read_text(encoding="utf-8")

DAVID = "x:1494167419413094401"
JANE = "x:337119125"
REPLY = "x:1576995594388000768"
FIRST_VERSION = "x:1576994746135764992"
EDITED = "x:1576994789110992896"
DIGITS = re.compile(r"[0-9]{1,25}")


def input_posts(value: Any) -> set[str]:
    """Every tweet the input holds, found without the importer: each object in `data` or
    `includes.tweets` with a string id (retweets aside), and each error about a tweet."""
    found: set[str] = set()
    responses = value if isinstance(value, list) else [value]
    for response in responses:
        if not isinstance(response, dict):
            continue
        data = response.get("data")
        tweets = (
            [data] if isinstance(data, dict) else list(data or []) if isinstance(data, list) else []
        )
        includes = response.get("includes")
        if isinstance(includes, dict) and isinstance(includes.get("tweets"), list):
            tweets += includes["tweets"]
        for tweet in tweets:
            if not isinstance(tweet, dict) or not isinstance(tweet.get("id"), str):
                continue
            refs = tweet.get("referenced_tweets")
            if isinstance(refs, list) and any(
                isinstance(r, dict) and r.get("type") == "retweeted" for r in refs
            ):
                continue
            if tweet["id"]:
                found.add("x:" + tweet["id"])
        errors = response.get("errors")
        for error in errors if isinstance(errors, list) else ():
            if not isinstance(error, dict) or error.get("resource_type") != "tweet":
                continue
            target = error.get("resource_id", error.get("value"))
            if isinstance(target, str) and DIGITS.fullmatch(target):
                found.add("x:" + target)
    return found


def all_ids(result: ImportResult) -> set[str]:
    ids = {post["id"] for post in result.document["posts"]}
    for post in result.document["posts"]:
        ids.update(entry["id"] for entry in post.get("edit_history", ()))
    return ids


def tweet(tweet_id: str, text: str = "hello", **fields: Any) -> dict[str, Any]:
    base = {
        "id": tweet_id,
        "text": text,
        "author_id": "1",
        "created_at": "2024-05-06T07:08:09.000Z",
        "conversation_id": "100",
        "edit_history_tweet_ids": [tweet_id],
        "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": 2, "quote_count": 0},
    }
    base.update(fields)
    return base


USERS = {"users": [{"id": "1", "username": "one", "name": "One"}]}


# --- the fixtures ------------------------------------------------------------------------


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_fixture_imports_validates_and_keeps_every_post(path: Any) -> None:
    text = path.read_text(encoding="utf-8")
    assert detected_as(text) == ["x-api"]
    result = xapi.run(text)
    check(result.document)
    ids = [post["id"] for post in result.document["posts"]]
    assert len(ids) == len(set(ids))
    assert all_ids(result) == input_posts(orjson.loads(text))
    check_deterministic(xapi.run, text)
    assert not result.warnings


def test_quoted_edit_as_checked_by_hand() -> None:
    result = xapi.run(EDIT)
    document = result.document
    posts = by_id(result.document)
    # Three tweet ids, two posts: the first and the edited wording are one post.
    assert list(posts) == [REPLY, EDITED]
    reply = posts[REPLY]
    assert reply["author"] == DAVID and reply["created_at"] == "2022-10-03T18:00:23.000Z"
    assert reply["text"] == "@wongmjane Test \nhttps://t.co/rBFwqjVr6B"
    # It quotes the first version and replies to the edited one: both are the same post.
    assert reply["reply_to"] == EDITED and reply["quotes"] == [EDITED]
    assert reply["metrics"] == {"views": None, "likes": 1, "reposts": 0, "replies": 1, "quotes": 0}
    assert reply["links"] == [
        {
            "url": "https://twitter.com/wongmjane/status/1576994746135764992",
            "text": "https://t.co/rBFwqjVr6B",
        }
    ]
    assert reply["mentions"] == [
        {"handle": "wongmjane", "id": JANE, "url": "https://x.com/wongmjane"}
    ]
    assert reply["url"] == "https://x.com/dappdavid99/status/1576995594388000768"
    edited = posts[EDITED]
    assert edited["author"] == JANE
    assert edited["text"] == "hey :) https://t.co/rnwEIoNuqd"
    assert edited["created_at"] == "2022-10-03T17:57:01.000Z"
    assert edited["edited_at"] == "2022-10-03T17:57:11.000Z"
    assert edited["metrics"]["likes"] == 39 and edited["metrics"]["replies"] == 14
    assert edited["edit_history"] == [
        {
            "id": FIRST_VERSION,
            "created_at": "2022-10-03T17:57:01.000Z",
            "text": "i miss y’all so much haha,,, https://t.co/glJ0r9uh9F https://t.co/4E9OBHOATs",
        }
    ]
    # The conversation ids differ by version; mapped through the edits they agree.
    assert document["thread"]["root"] == EDITED
    assert document["thread"]["url"] == "https://x.com/wongmjane/status/1576994789110992896"
    assert document["source"] == {
        "platform": "x",
        "kind": "x-api-v2",
        "importer": document["source"]["importer"],
        "retrieved_at": "2022-10-03T18:02:28Z",
    }
    assert document["authors"][JANE] == {
        "handle": "wongmjane",
        "display_name": "Jane Manchun Wong",
        "url": "https://x.com/wongmjane",
    }
    thread = check(result.document)
    index = {post.id: post for post in thread.posts}
    assert index[REPLY].parent == index[EDITED].index and not index[REPLY].parent_is_quote


def test_impression_count_is_views() -> None:
    (post,) = xapi.run(VERIFIED).document["posts"]
    assert post["metrics"] == {
        "views": 139075,
        "likes": 745,
        "reposts": 104,
        "replies": 37,
        "quotes": 24,
    }
    assert post["text"].startswith("Testing… Testing… Twitter Dev is back online! 📡\n\n")


def test_missing_parent_is_a_not_found_placeholder_with_its_author() -> None:
    result = xapi.run(WITHHELD)
    reply, parent = result.document["posts"]
    assert reply["reply_to"] == parent["id"] == "x:506694458445152256"
    assert reply["created_at"] == "2014-09-02T06:50:56.000Z"
    assert reply["mentions"] == [
        {"handle": "Barsyaka1", "id": None, "url": "https://x.com/Barsyaka1"}
    ]
    assert (parent["status"], parent["text"]) == ("not_found", None)
    # The reply names whom it answers: the placeholder keeps that author.
    assert parent["author"] == "x:1272921762"
    assert result.document["authors"]["x:1272921762"]["handle"] == "ddeleteddddddd"
    assert parent["url"] == "https://x.com/ddeleteddddddd/status/506694458445152256"
    assert result.document["thread"]["root"] == parent["id"]
    assert result.document["source"]["retrieved_at"] == "2021-05-01T21:20:50Z"


def test_jsonl_merges_lines_and_a_bad_line_is_a_warning() -> None:
    lines = [EDIT.strip(), VERIFIED.strip(), '{"data": [{"id": "9", "te', WITHHELD.strip()]
    result = xapi.run("\n".join(lines) + "\n")
    assert result.document["source"]["kind"] == "twarc-jsonl"
    assert len(result.document["posts"]) == 2 + 1 + 2
    assert result.document["source"]["retrieved_at"] == "2023-01-06T02:30:36Z"
    assert result.document["thread"]["root"] is None  # three conversations
    assert [str(w) for w in result.warnings] == [
        "line 3: $: not JSON (unexpected end of data): line left out"
    ]
    check(result.document)


# --- other shapes ------------------------------------------------------------------------


def test_retweets_long_posts_media_polls_and_errors() -> None:
    response = {
        "data": [
            tweet("10", "a &amp; b &lt;3", note_tweet={"text": "the whole &amp; long text"}),
            tweet("11", "RT @one: hello", referenced_tweets=[{"type": "retweeted", "id": "12"}]),
            tweet(
                "13",
                "look",
                attachments={"media_keys": ["3_1", "7_2", "16_3", "3_9"], "poll_ids": ["p"]},
                referenced_tweets=[{"type": "replied_to", "id": "14"}],
            ),
        ],
        "includes": {
            **USERS,
            "tweets": [tweet("15", "only in includes")],
            "media": [
                {"media_key": "3_1", "type": "photo", "url": "https://p/1.jpg", "alt_text": "a"},
                {
                    "media_key": "7_2",
                    "type": "video",
                    "preview_image_url": "https://p/2.jpg",
                    "variants": [
                        {"bit_rate": 100, "url": "https://v/low.mp4"},
                        {"bit_rate": 900, "url": "https://v/high.mp4"},
                        {"url": "https://v/list.m3u8"},
                    ],
                },
                {"media_key": "16_3", "type": "animated_gif", "preview_image_url": "https://p/3"},
            ],
            "polls": [{"id": "p", "options": [{"label": "yes"}, {"label": "no"}]}],
        },
        "errors": [
            {"resource_type": "tweet", "resource_id": "14", "title": "Authorization Error"},
            {"resource_type": "tweet", "value": "16", "title": "x", "detail": "withheld in DE"},
            {"resource_type": "user", "resource_id": "5", "title": "Forbidden", "detail": "gone"},
        ],
    }
    result = xapi.run(text_of(response))
    posts = by_id(result.document)
    assert list(posts) == ["x:10", "x:13", "x:15", "x:12", "x:14", "x:16"]
    assert posts["x:10"]["text"] == "the whole & long text"
    assert posts["x:12"]["status"] == "not_fetched"  # the retweeted original
    assert posts["x:13"]["media"] == [
        {"kind": "image", "url": "https://p/1.jpg", "alt": "a"},
        {"kind": "video", "url": "https://v/high.mp4", "alt": None},
        {"kind": "gifv", "url": "https://p/3", "alt": None},
        {"kind": "poll", "url": None, "alt": "yes / no"},
    ]
    assert posts["x:14"]["status"] == "blocked" and posts["x:13"]["reply_to"] == "x:14"
    assert posts["x:16"]["status"] == "removed"
    assert posts["x:15"]["text"] == "only in includes"
    assert [w.message for w in result.warnings] == [
        "$.data[1]: tweet 11 is a retweet by @one of x:12: kept the original only",
        "$.errors[2]: user 5: Forbidden",
    ]
    check(result.document)


def test_an_array_of_responses_and_a_flattened_tweet() -> None:
    first = {"data": tweet("1", conversation_id="1"), "includes": USERS}
    second = {"data": [tweet("2", referenced_tweets=[{"type": "replied_to", "id": "1"}])]}
    result = xapi.run(text_of([first, second]))
    assert [p["id"] for p in result.document["posts"]] == ["x:1", "x:2"]
    assert result.document["posts"][1]["reply_to"] == "x:1"
    flat = tweet("3", author={"id": "1", "username": "one", "name": "One"})
    result = xapi.run(text_of(flat))
    assert result.document["authors"]["x:1"]["handle"] == "one"
    assert xapi.sniff(text_of(flat))


def test_only_an_older_version_present() -> None:
    old = tweet("20", "first wording", edit_history_tweet_ids=["20", "21"])
    result = xapi.run(text_of({"data": [old], "includes": USERS}))
    (post,) = result.document["posts"]
    assert post["id"] == "x:21" and post["text"] == "first wording"
    assert post["edit_history"][0]["id"] == "x:20"
    assert "older version of 21" in result.warnings[0].message


def test_hostile_text_stays_data() -> None:
    result = xapi.run(text_of({"data": [tweet("1", HOSTILE)], "includes": USERS}))
    assert result.document["posts"][0]["text"] == HOSTILE
    thread = check(result.document)
    assert "\x1b" not in thread.posts[0].text


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{}", "no tweet"),
        ("[]", "no tweet"),
        ("5", "no tweet"),
        ('{"data": [{"text": "no id"}]}', "no importable tweet"),
        ("", "empty"),
        ("{\n\n", "invalid JSON"),
    ],
)
def test_nothing_importable_is_an_error(text: str, words: str) -> None:
    assert words in refused(xapi.run, text).message


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_truncated_json_is_an_error_with_a_line(path: Any) -> None:
    check_truncations(xapi.run, path.read_text(encoding="utf-8"))


def test_sniff_never_raises_and_refuses_other_json() -> None:
    for text in ("", "null", "[1]", '{"data": 5}', '{"data": [{"id": 1, "text": "x"}]}', "{\n"):
        assert not xapi.sniff(text)
    mastodon_like = {"id": "1", "content": "<p>x</p>", "account": {}}
    assert not xapi.sniff(text_of(mastodon_like))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
@MUTATIONS
@given(data=st.data())
def test_mutations_fail_cleanly_or_keep_every_readable_post(path: Any, data: st.DataObject) -> None:
    survives(xapi.run, data.draw(mutated(orjson.loads(path.read_bytes()))), input_posts)

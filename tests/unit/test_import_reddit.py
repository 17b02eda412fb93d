"""The Reddit importer: the real responses in tests/data/sources/reddit read as checked by
hand, `more` stubs and deleted comments become placeholders, and nothing readable is lost."""

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
from threadtui.importers import reddit
from threadtui.importers.base import ImportResult

FILES = fixtures("reddit")
ASK = FILES[0].read_text(encoding="utf-8")
PYTHON = FILES[1].read_text(encoding="utf-8")


def readable(value: Any) -> tuple[set[str], int]:
    """The input's posts found without the importer's walk: every t1/t3 thing with an id,
    and the number of `more` stubs."""
    ids: set[str] = set()
    more = 0
    for node in dicts(value):
        kind, data = node.get("kind"), node.get("data")
        if not isinstance(data, dict):
            continue
        if kind == "more":
            more += 1
        elif kind in ("t1", "t3"):
            name, native = data.get("name"), data.get("id")
            if isinstance(name, str) and name.startswith(kind + "_") and len(name) > 3:
                ids.add("reddit:" + name)
            elif isinstance(native, str) and native:
                ids.add(f"reddit:{kind}_{native}")
    return ids, more


def input_posts(value: Any) -> set[str]:
    return readable(value)[0]


def more_count(result: ImportResult) -> int:
    return sum(1 for p in result.document["posts"] if p["id"].startswith("reddit:more_"))


def comment(native: str, parent: str, body: str = "text", **fields: Any) -> dict[str, Any]:
    data = {
        "id": native,
        "name": f"t1_{native}",
        "parent_id": parent,
        "author": "someone",
        "body": body,
        "score": 3,
        "created_utc": 1425265362.0,
        "edited": False,
        "replies": "",
    }
    data.update(fields)
    return {"kind": "t1", "data": data}


def listing(*children: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "Listing", "data": {"children": list(children)}}


# --- the fixtures ------------------------------------------------------------------------


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_fixture_imports_validates_and_keeps_every_post(path: Any) -> None:
    text = path.read_text(encoding="utf-8")
    assert detected_as(text) == ["reddit"]
    result = reddit.run(text)
    check(result.document)
    ids = [post["id"] for post in result.document["posts"]]
    assert len(ids) == len(set(ids))
    expected, more = readable(orjson.loads(text))
    assert set(ids) - {i for i in ids if i.startswith("reddit:more_")} == expected
    assert more_count(result) == more
    check_deterministic(reddit.run, text)
    assert not result.warnings


def test_python_thread_as_checked_by_hand() -> None:
    result = reddit.run(PYTHON)
    document = result.document
    posts = by_id(result.document)
    assert len(posts) == 46  # the link and 45 comments
    assert document["thread"] == {
        "title": "A python terminal viewer for browsing reddit",
        "summary": None,
        "url": "https://www.reddit.com/r/Python/comments/2xmo63/a_python_terminal_viewer_for_browsing_reddit/",
        "root": "reddit:t3_2xmo63",
        "details": {"subreddit": "r/Python", "comments": "44"},
    }
    link = posts["reddit:t3_2xmo63"]
    assert link["text"] == "A python terminal viewer for browsing reddit"
    assert link["author"] == "reddit:civilization_phaze_3"
    assert link["created_at"] == "2015-03-02T03:02:42Z"
    assert link["metrics"]["likes"] == 255 and link["metrics"]["replies"] == 44
    assert link["media"] == [
        {
            "kind": "link",
            "url": "https://github.com/michael-lazar/rtv",
            "alt": "A python terminal viewer for browsing reddit",
        }
    ]
    # The deepest chain: link → cp1h67d → cp1k61m → cp1ry2g → cp28u7b → cp29y3u.
    chain = ["t3_2xmo63", "t1_cp1h67d", "t1_cp1k61m", "t1_cp1ry2g", "t1_cp28u7b", "t1_cp29y3u"]
    for parent, child in itertools.pairwise(chain):
        assert posts[f"reddit:{child}"]["reply_to"] == f"reddit:{parent}"
    first = posts["reddit:t1_cp1h67d"]
    assert first["created_at"] == "2015-03-02T03:28:57Z" and first["metrics"]["likes"] == 20
    assert "text and q&a based subreddits" in first["text"]  # &amp; in the body
    assert first["url"] == (
        "https://www.reddit.com/r/Python/comments/2xmo63/"
        "a_python_terminal_viewer_for_browsing_reddit/cp1h67d/"
    )
    # Body [deleted]: a placeholder that keeps its place and its reply.
    gone = posts["reddit:t1_cp1o4op"]
    assert (gone["status"], gone["text"], gone["author"]) == ("deleted", None, None)
    assert posts["reddit:t1_cp1o8ga"]["reply_to"] == "reddit:t1_cp1o4op"
    # Author [deleted], body kept: an ordinary post by an unknown author.
    kept = posts["reddit:t1_cp1uehc"]
    assert kept["status"] == "ok" and kept["author"] is None
    assert kept["text"].startswith("Are you open to extending it")
    assert posts["reddit:t1_cp1rf05"]["edited_at"] == "2015-03-02T16:59:57Z"
    assert "reddit:[deleted]" not in document["authors"]
    assert document["authors"]["reddit:badsectors"] == {
        "handle": "badsectors",
        "display_name": None,
        "url": "https://www.reddit.com/user/badsectors",
    }

    thread = check(result.document)
    index = {post.id: post for post in thread.posts}
    assert index["reddit:t1_cp29y3u"].parent == index["reddit:t1_cp28u7b"].index


def test_askreddit_more_stubs_and_deleted_comments() -> None:
    result = reddit.run(ASK)
    posts = result.document["posts"]
    assert len(posts) == 1 + 199 + 127
    statuses = [post["status"] for post in posts]
    assert statuses.count("deleted") == 9 and statuses.count("not_fetched") == 127
    assert sum(1 for p in posts if p["status"] == "ok" and p["author"] is None) == 29
    stubs = [post for post in posts if post["status"] == "not_fetched"]
    assert sum(post["more"]["count"] for post in stubs) == 1232
    assert sum(1 for post in stubs if "continue this thread" in post["text"]) == 13
    stub = by_id(result.document)["reddit:more_t1_c0tqyqf_1"]
    assert stub["reply_to"] == "reddit:t1_c0tqyqf"
    assert stub["text"] == "2 more comments"
    assert stub["more"] == {"count": 2, "ids": ["reddit:t1_c1b3em0", "reddit:t1_c0trha4"]}
    link = posts[0]
    assert link["text"] == (
        "Hey Reddit, What tattoos do you have?\n\n"
        "Post pics of your tattoos, here's one of mine to start it off http://imgur.com/bJC2q.jpg"
    )
    assert "media" not in link  # a self post links to itself
    thread = check(result.document)
    index = {post.id: post for post in thread.posts}
    assert index[stub["id"]].parent == index["reddit:t1_c0tqyqf"].index


# --- other shapes ------------------------------------------------------------------------


def test_comment_rules_on_a_bare_listing() -> None:
    value = listing(
        comment("a", "t3_x", "5 &lt; 6 &amp;&amp; &copy; &gt;", score=7, edited=1425265400.5),
        comment("b", "t1_a", "[removed]", author="mod_target"),
        comment("c", "t1_a", "hidden", score_hidden=True, score=1),
        comment("d", "t1_a", "down", score=-4),
        {"kind": "more", "data": {"count": 1, "id": "e", "parent_id": "t1_a", "children": ["e"]}},
        {"kind": "more", "data": {"count": 0, "id": "_", "parent_id": "t1_a", "children": []}},
    )
    result = reddit.run(text_of(value))
    posts = by_id(result.document)
    a = posts["reddit:t1_a"]
    assert a["text"] == "5 < 6 && &copy; >"  # only what Reddit escapes is unescaped
    assert a["metrics"]["likes"] == 7 and a["edited_at"] == "2015-03-02T03:03:20.5Z"
    removed = posts["reddit:t1_b"]
    assert (removed["status"], removed["text"], removed["author"]) == (
        "removed",
        None,
        "reddit:mod_target",
    )
    assert posts["reddit:t1_c"]["metrics"]["likes"] is None
    assert posts["reddit:t1_d"]["metrics"]["likes"] is None  # a score below zero is no count
    assert posts["reddit:more_t1_a_1"]["text"] == "1 more comment"
    assert "continue this thread" in posts["reddit:more_t1_a_2"]["text"]
    # No link in the input: the root is the one the comments name.
    assert result.document["thread"]["root"] == "reddit:t3_x"
    assert not result.warnings
    check(result.document)


def test_hostile_text_stays_data() -> None:
    result = reddit.run(text_of(listing(comment("a", "t3_x", HOSTILE, author=HOSTILE))))
    assert result.document["posts"][0]["text"] == HOSTILE
    thread = check(result.document)
    assert "\x1b" not in thread.posts[0].text


def test_damaged_things_are_warnings() -> None:
    value = listing(
        comment("a", "t3_x", created_utc="yesterday", replies=5),
        {"kind": "t1", "data": {"body": "no id"}},
        {"kind": "t5", "data": {}},
        7,
    )
    result = reddit.run(text_of(value))
    assert [p["id"] for p in result.document["posts"]] == ["reddit:t1_a"]
    assert result.document["posts"][0]["created_at"] is None
    assert [w.message for w in result.warnings] == [
        "$.data.children[0].data.created_utc: expected Unix seconds, got 'yesterday'; time unknown",
        "$.data.children[0].data.replies: expected a Listing, got 5; left out",
        "$.data.children[1].data.id: expected an id, got null; left out",
        "$.data.children[2].kind: not a comment or a post ('t5'): left out",
        "$.data.children[3]: expected a thing, got 7; left out",
    ]


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "path", "words"),
    [
        ("5", "$", "expected a Listing"),
        ("[]", "$", "empty"),
        ('[{"kind": "Listing", "data": {"children": []}}]', "$", "no post"),
        ('{"kind": "Listing", "data": {}}', "$", "no post"),
    ],
)
def test_nothing_importable_names_the_place(text: str, path: str, words: str) -> None:
    error = refused(reddit.run, text)
    assert error.path == path and words in error.message


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_truncated_json_is_an_error_with_a_line(path: Any) -> None:
    check_truncations(reddit.run, path.read_text(encoding="utf-8"))


def test_sniff_never_raises_and_refuses_other_json() -> None:
    for text in ("", "null", "[1]", "[[]]", '{"kind": "Listing"}', '{"kind": "t1", "data": {}}'):
        assert not reddit.sniff(text)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
@MUTATIONS
@given(data=st.data())
def test_mutations_fail_cleanly_or_keep_every_readable_post(path: Any, data: st.DataObject) -> None:
    value = data.draw(mutated(orjson.loads(path.read_bytes())))
    result = survives(reddit.run, value, input_posts)
    if result is not None:
        assert more_count(result) == readable(value)[1]

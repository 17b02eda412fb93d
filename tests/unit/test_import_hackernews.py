"""The Hacker News importer: Firebase items (the API README's examples) and an Algolia item
tree, read as HN shows them; bad input refused or repaired with a warning naming its path."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from importer_checks import (
    MUTATIONS,
    by_id,
    check,
    check_deterministic,
    fixture_text,
    fixture_value,
    mutated,
    refused,
    survives,
    text_of,
)
from threadtui import __version__
from threadtui.importers import detect, hackernews
from threadtui.model import load_document

FIREBASE = "firebase_items_from_HackerNews_API_README.json"
ALGOLIA = "algolia_item_synthetic.json"
FIXTURES = [FIREBASE, ALGOLIA]


def utc(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def item_ids(value: Any) -> list[int]:
    """Every item in an input, counted independently of the importer: Firebase values, or
    Algolia nodes with their children and options, at any depth."""
    if type(value) is dict and "children" not in value and "id" not in value:
        stack = list(value.values())
    elif type(value) is list:
        stack = list(value)
    else:
        stack = [value]
    found: list[int] = []
    while stack:
        node = stack.pop()
        if type(node) is not dict:
            continue
        if type(node.get("id")) is int and node["id"] >= 0:
            found.append(node["id"])
        for key in ("children", "options"):
            if type(node.get(key)) is list:
                stack.extend(node[key])
    return found


# --- every fixture ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_imports_validates_and_loads(name: str) -> None:
    text = fixture_text("hackernews", name)
    assert hackernews.sniff(text)
    assert detect(text) == "hackernews"
    result = hackernews.run(text)
    assert result.warnings == []
    check(result.document)
    check_deterministic(hackernews.run, text)
    # Every item is a post (or a placeholder), once.
    expected = item_ids(orjson.loads(text))
    assert [p["id"] for p in result.document["posts"]] == [
        f"hackernews:{i}" for i in _in_order(expected, result.document)
    ]
    assert len(result.document["posts"]) == len(set(expected))
    source = result.document["source"]
    assert source["platform"] == "hackernews"
    assert source["importer"] == f"threadtui.importers.hackernews {__version__}"


def _in_order(expected: list[int], document: dict[str, Any]) -> list[int]:
    order = [int(p["id"].split(":")[1]) for p in document["posts"]]
    assert sorted(order) == sorted(set(expected))
    return order


def test_firebase_readme_items() -> None:
    document = hackernews.run(fixture_text("hackernews", FIREBASE)).document
    posts = by_id(document)
    # None of the six answers another in the file: they keep the file's order.
    assert list(posts) == [
        "hackernews:8863",
        "hackernews:2921983",
        "hackernews:121003",
        "hackernews:192327",
        "hackernews:126809",
        "hackernews:160705",
    ]
    story = posts["hackernews:8863"]
    assert story["author"] == "hackernews:dhouston"
    assert story["text"] == "My YC app: Dropbox - Throw away your USB drive"
    assert story["created_at"] == utc(1175714200) == "2007-04-04T19:16:40Z"
    assert story["metrics"] == {
        "views": None,
        "likes": 111,
        "reposts": None,
        "replies": 33,
        "quotes": None,
    }
    assert story["url"] == "https://news.ycombinator.com/item?id=8863"
    assert story["media"] == [
        {
            "kind": "link",
            "url": "http://www.getdropbox.com/u/2/screencast.html",
            "alt": "My YC app: Dropbox - Throw away your USB drive",
        }
    ]

    comment = posts["hackernews:2921983"]
    assert comment["reply_to"] == "hackernews:2921506"
    assert comment["text"] == (
        "Aw shucks, guys ... you make me blush with your compliments.\n\n"
        "Tell you what, Ill make a deal: I'll keep writing if you keep reading. K?"
    )
    assert comment["metrics"]["likes"] is None  # HN shows no comment scores
    assert comment["metrics"]["replies"] == 7

    ask = posts["hackernews:121003"]
    assert ask["text"].startswith("Ask HN: The Arc Effect\n\nor HN: the Next Iteration\n\nI get")
    assert "media" not in ask  # a text post has no link

    job = posts["hackernews:192327"]
    assert job["text"].startswith("Justin.tv is looking for a Lead Flash Engineer!\n\n")
    assert (
        "Responsibilities\n\n"
        "    * Contribute to product design and implementation discussions\n"
        "    * Implement projects from the idea phase to production\n"
    ) in job["text"]
    assert job["links"] == [
        {"url": "http://www.justin.tv/problems/bml", "text": "http://www.justin.tv/problems/bml"}
    ]
    assert "media" not in job  # its url is ""
    assert job["metrics"]["replies"] == 0  # no kids: none

    poll = posts["hackernews:126809"]
    assert poll["text"] == "Poll: What would happen if News.YC had explicit support for polls?"
    # Its options are not in the file: a poll whose options are unknown.
    assert poll["media"] == [{"kind": "poll", "url": None, "alt": None}]
    option = posts["hackernews:160705"]
    assert option["reply_to"] == "hackernews:160704"
    assert option["metrics"]["likes"] == 335

    authors = document["authors"]
    assert list(authors) == [
        "hackernews:dhouston",
        "hackernews:norvig",
        "hackernews:tel",
        "hackernews:justin",
        "hackernews:pg",
    ]
    assert authors["hackernews:pg"] == {
        "handle": "pg",
        "display_name": None,
        "url": "https://news.ycombinator.com/user?id=pg",
    }
    # Five items with titles: no single root, so no thread title.
    assert document["thread"]["root"] is None and document["thread"]["title"] is None
    assert document["source"]["kind"] == "hackernews.firebase.item"

    thread = load_document(document)
    placeholders = sorted(p.id for p in thread.posts if p.synthetic)
    assert placeholders == ["hackernews:160704", "hackernews:2921506"]


def test_algolia_tree() -> None:
    document = hackernews.run(fixture_text("hackernews", ALGOLIA)).document
    assert [p["id"] for p in document["posts"]] == [f"hackernews:900000{i}" for i in range(1, 7)]
    posts = by_id(document)
    assert document["thread"] == {
        "title": "Show HN: A terminal reader for threads",
        "summary": None,
        "url": "https://example.com/threadtui",
        "root": "hackernews:9000001",
        "details": {},
    }
    assert document["source"]["kind"] == "hackernews.algolia.item"
    assert posts["hackernews:9000001"]["metrics"]["likes"] == 42
    assert posts["hackernews:9000001"]["created_at"] == utc(1614834367)
    bob = posts["hackernews:9000002"]
    assert bob["text"] == (
        'Nice. Does it read "deep" threads?\n\n'
        "I tried https://example.org/a/very/long/path/to/a/thread with depth > 3."
    )
    assert bob["links"] == [
        {
            "url": "https://example.org/a/very/long/path/to/a/thread",
            "text": "https://example.org/a/very/long/path/to/a/thread",
        }
    ]
    assert bob["metrics"]["likes"] is None  # points null on comments
    assert posts["hackernews:9000003"]["text"] == (
        "Yes:\n\n  $ threadtui thread.json\n  $ threadtui import items.json\n\nBoth work."
    )
    deleted = posts["hackernews:9000004"]
    assert deleted["status"] == "deleted"
    assert deleted["text"] is None and deleted["author"] is None
    assert deleted["reply_to"] == "hackernews:9000003"
    assert posts["hackernews:9000005"]["reply_to"] == "hackernews:9000004"

    thread = load_document(document)
    index = {p.id: p for p in thread.posts}
    children = [thread.posts[i].id for i in thread.children(index["hackernews:9000001"].index)]
    # Time order: dave's 05:30 reply before bob's 06:00.
    assert children == ["hackernews:9000006", "hackernews:9000002"]
    chain = ["hackernews:9000002", "hackernews:9000003", "hackernews:9000004", "hackernews:9000005"]
    for parent, child in itertools.pairwise(chain):
        assert index[child].parent == index[parent].index


# --- shapes the fixtures do not show ------------------------------------------------------------


def fb(item_id: int, **fields: Any) -> dict[str, Any]:
    return {"id": item_id, "type": "comment", "by": "u", "time": 1_600_000_000, **fields}


def test_firebase_list_is_written_in_kids_rank_order() -> None:
    story = fb(1, type="story", title="T", kids=[3, 2], descendants=3)
    items = [fb(2, parent=1, text="two"), story, fb(3, parent=1, text="three", kids=[4])]
    items.append(fb(4, parent=3, text="four"))
    document = hackernews.run(text_of(items)).document
    assert [p["id"] for p in document["posts"]] == [
        "hackernews:1",
        "hackernews:3",
        "hackernews:4",
        "hackernews:2",
    ]
    assert document["thread"]["root"] == "hackernews:1"
    assert document["thread"]["details"] == {"descendants": 3}
    assert document["thread"]["url"] == "https://news.ycombinator.com/item?id=1"


def test_firebase_object_keyed_by_id_with_deleted_and_dead() -> None:
    value = {
        "1": fb(1, type="story", title="T", url="https://t.example/", kids=[2, 3]),
        "2": {"id": 2, "type": "comment", "deleted": True, "parent": 1, "time": 1_600_000_100},
        "3": fb(3, parent=1, dead=True, text="flagged <i>words</i>"),
        "4": None,
    }
    result = hackernews.run(text_of(value))
    posts = by_id(result.document)
    assert posts["hackernews:2"]["status"] == "deleted"
    assert posts["hackernews:2"]["text"] is None
    assert posts["hackernews:2"]["author"] is None
    assert posts["hackernews:2"]["created_at"] == utc(1_600_000_100)
    # Dead: removed by moderators, its text kept (HN shows it with showdead).
    assert posts["hackernews:3"]["status"] == "removed"
    assert posts["hackernews:3"]["text"] == "flagged words"
    assert [str(w) for w in result.warnings] == ['$["4"]: null (no such item): left out']
    check(result.document)


def test_poll_options_are_posts_and_the_poll_lists_them() -> None:
    items = [
        fb(10, type="poll", title="Which?", parts=[11, 12], kids=[13]),
        fb(12, type="pollopt", poll=10, text="second", score=5),
        fb(11, type="pollopt", poll=10, text="first", score=9),
        fb(13, parent=10, text="a comment"),
    ]
    document = hackernews.run(text_of(items)).document
    posts = by_id(document)
    assert posts["hackernews:10"]["media"] == [
        {"kind": "poll", "url": None, "alt": "first / second"}
    ]
    assert posts["hackernews:11"]["reply_to"] == "hackernews:10"
    assert posts["hackernews:11"]["metrics"]["likes"] == 9
    # Options first, in the poll's order, then the comments.
    assert list(posts) == ["hackernews:10", "hackernews:11", "hackernews:12", "hackernews:13"]

    algolia = {
        "id": 20,
        "type": "poll",
        "title": "Q",
        "author": "u",
        "created_at_i": 1_600_000_000,
        "points": 3,
        "parent_id": None,
        "story_id": 20,
        "options": [
            {"id": 21, "type": "pollopt", "text": "yes", "points": 2, "parent_id": 20},
            {"id": 22, "type": "pollopt", "text": "no", "points": 1, "parent_id": 20},
        ],
        "children": [],
    }
    document = hackernews.run(text_of(algolia)).document
    assert by_id(document)["hackernews:20"]["media"] == [
        {"kind": "poll", "url": None, "alt": "yes / no"}
    ]
    assert [p["reply_to"] for p in document["posts"]] == [
        None,
        "hackernews:20",
        "hackernews:20",
    ]


def test_algolia_parent_id_against_nesting() -> None:
    value = {
        "id": 1,
        "type": "story",
        "title": "T",
        "author": "u",
        "created_at": "2020-01-01T00:00:00.000Z",
        "parent_id": None,
        "children": [
            {
                "id": 2,
                "type": "comment",
                "author": "v",
                "text": "x",
                "parent_id": 7,
                "children": [],
            },
            {
                "id": 3,
                "type": "comment",
                "author": "v",
                "text": "y",
                "parent_id": "?",
                "children": [],
            },
        ],
    }
    result = hackernews.run(text_of(value))
    posts = by_id(result.document)
    assert posts["hackernews:1"]["created_at"] == "2020-01-01T00:00:00.000Z"
    assert posts["hackernews:2"]["reply_to"] == "hackernews:7"
    assert posts["hackernews:3"]["reply_to"] == "hackernews:1"
    assert [str(w) for w in result.warnings] == [
        "$.children[0].parent_id: says 7 but the item is nested under 1: kept 7",
        "$.children[1].parent_id: expected an item id, got '?'; parent from the nesting",
    ]


def test_same_item_twice_is_one_post_richer_copy_wins() -> None:
    items = [
        {"id": 5, "type": "comment", "deleted": True, "time": 1_600_000_000},
        fb(5, text="the text", parent=1),
    ]
    [post] = hackernews.run(text_of(items)).document["posts"]
    assert post["status"] == "ok"
    assert post["text"] == "the text"
    assert post["reply_to"] == "hackernews:1"


def test_deep_algolia_chain_needs_no_recursion() -> None:
    depth = 120  # orjson writes up to 254 levels of nesting (a node is two)
    node: dict[str, Any] = {"id": depth, "author": "u", "text": "leaf", "children": []}
    for item_id in range(depth - 1, 0, -1):
        node = {"id": item_id, "author": "u", "text": "x", "parent_id": None, "children": [node]}
        if item_id > 1:
            node["parent_id"] = item_id - 1
    node["type"] = "story"
    node["title"] = "deep"
    node["story_id"] = 1
    document = hackernews.run(text_of(node)).document
    assert len(document["posts"]) == depth
    assert document["posts"][-1]["reply_to"] == f"hackernews:{depth - 1}"


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message", "path", "line"),
    [
        ("[]", "the list holds no item", "$", None),
        ("{}", "the object holds no item", "$", None),
        (
            "42",
            "expected a Hacker News item, a list of items or an object of items, got 42",
            "$",
            None,
        ),
        ("[null, 3]", "no Hacker News item with an id to import", "$", None),
        ('{"id": -1, "type": "story"}', "no Hacker News item with an id to import", "$", None),
        ('{"id": 1, "type": "story", "title": "cut', "invalid JSON: ", None, 1),
    ],
)
def test_nothing_importable_is_one_error_with_a_place(
    text: str, message: str, path: str | None, line: int | None
) -> None:
    # The wording after "invalid JSON: " is orjson's and changes between its versions.
    error = refused(hackernews.run, text)
    assert error.message.startswith(message) and (error.path, error.line) == (path, line)


def test_repairable_fields_are_imported_with_a_warning_naming_the_path() -> None:
    items = [
        fb(1, type="story", title=5, time="noon", score="7", kids=[2, "x"], text=["<p>"]),
        fb(2, parent=1, type="gossip", by=3, time=2**62),
        {"type": "comment", "text": "no id"},
    ]
    result = hackernews.run(text_of(items))
    posts = by_id(result.document)
    assert list(posts) == ["hackernews:1", "hackernews:2"]
    assert posts["hackernews:1"]["text"] == ""
    assert posts["hackernews:1"]["created_at"] is None
    assert posts["hackernews:1"]["metrics"]["likes"] is None
    assert posts["hackernews:1"]["metrics"]["replies"] == 1
    assert posts["hackernews:2"]["author"] is None
    assert [str(w) for w in result.warnings] == [
        "$[2].id: expected an item id, got null; item left out",
        "$[0].kids[1]: expected an item id, got 'x'; left out",
        "$[0].time: expected Unix seconds, got 'noon'; time unknown",
        "$[0].title: expected a string, got 5; left out",
        "$[0].text: expected a string, got an array; left out",
        "$[0].score: expected a whole number ≥ 0, got '7'; count unknown",
        "$[1].time: expected Unix seconds, got 4611686018427387904; time unknown",
        "$[1].type: expected an item type, got 'gossip'; read as a comment",
        "$[1].by: expected a string, got 3; left out",
    ]
    check(result.document)


def test_hostile_text_stays_data() -> None:
    hostile = "[bold]x[/bold] \x1b[31mred \u202eevil"
    value = fb(1, type="story", title=hostile, text=f"<p>{hostile}", by="\u202eu")
    result = hackernews.run(text_of(value))
    [post] = result.document["posts"]
    assert post["text"] == f"{hostile}\n\n{hostile}"
    assert result.document["thread"]["title"] == hostile
    thread = check(result.document)
    assert "\x1b" not in thread.posts[0].text and "\u202e" not in thread.posts[0].text
    assert thread.title is not None and "\u202e" not in thread.title


def hn_ids(value: Any) -> set[str]:
    return {f"hackernews:{item_id}" for item_id in item_ids(value)}


@pytest.mark.parametrize("name", FIXTURES)
@MUTATIONS
@given(data=st.data())
def test_mutations_never_crash_and_keep_every_item(name: str, data: st.DataObject) -> None:
    survives(hackernews.run, data.draw(mutated(fixture_value("hackernews", name))), hn_ids)

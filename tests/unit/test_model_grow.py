"""A thread that grows (Thread.add, model/grow.py) is the thread loading it whole gives."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from hostile_cases import OPENS, Case, params
from support import doc
from threadtui.export.render import render_json
from threadtui.model import Thread, ThreadFileError, load_document
from threadtui.model.format import SCHEMA, SCHEMA_VERSION

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
from generate import SHAPES, generate


def structure(thread: Thread) -> dict[str, Any]:
    """What a reader of the thread sees, by post id (indexes differ: a filled placeholder
    keeps its index). Placeholder roots are a set: their order is the order they were
    made in, which differs when a reference arrives before or after the thread's root."""
    posts = thread.posts

    def ids(indexes: list[int] | None) -> list[str]:
        return [posts[i].id for i in indexes or ()]

    by_id = {}
    for post in posts:
        assert thread.by_id[post.id] == post.index
        by_id[post.id] = (
            post.status,
            post.synthetic,
            post.text,
            None if post.author is None else post.author.id,
            post.created_at,
            post.metrics,
            post.fields,
            post.extra,
            None if post.parent < 0 else posts[post.parent].id,
            post.parent_is_quote,
            post.depth,
            ids(post.children),
            ids(post.quoted_by),
        )
    return {
        "posts": by_id,
        "roots": [posts[i].id for i in thread.roots if not posts[i].synthetic],
        "placeholder roots": {posts[i].id for i in thread.roots if posts[i].synthetic},
        "authors": {
            key: (a.id, a.handle, a.display_name, a.post_count, a.declared, a.url, a.extra)
            for key, a in thread.authors.items()
        },
        "order": [posts[i].id for i in thread.preorder],
        "sizes": {posts[i].id: n for i, n in enumerate(thread.subtree_sizes)},
        "rank": {posts[i].id: thread.rank[i] for i in range(len(posts))},
        "fold": {posts[i].id: b for i, b in enumerate(thread.fold_levels)},
        "max_depth": thread.max_depth,
        "tree_size": thread.tree_size,
        "time_range": thread.time_range,
        "file_order": [posts[i].id for i in thread.file_order],
    }


def halves(document: dict[str, Any], cut: int, authors_later: bool) -> tuple[dict, dict]:
    first = dict(document, posts=document["posts"][:cut])
    second: dict[str, Any] = {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "posts": document["posts"][cut:],
    }
    if authors_later:
        second["authors"] = first.pop("authors", None)
    return first, second


def assert_grows_as_loaded(document: dict[str, Any], cut: int, authors_later: bool) -> None:
    whole = load_document(document, name="t.json")
    first, second = halves(document, cut, authors_later)
    grown = load_document(first, name="t.json")
    # Every cache filled first: add must drop them all.
    _ = grown.preorder, grown.rank, grown.subtree_sizes, grown.fold_levels
    version, before = grown.version, len(grown.posts)
    had = {post.id for post in grown.posts if not post.synthetic}
    change = grown.add(second)
    assert structure(grown) == structure(whole)
    if not authors_later:
        # Posts in the order they arrived, as the whole file holds them.
        assert render_json(grown) == render_json(whole)
    assert grown.version == version + (0 if change.empty else 1) == change.version
    assert change.added == list(range(before, len(grown.posts)))
    # Every post the second half brought is new, or filled a placeholder.
    brought = {post.id for post in grown.posts if not post.synthetic} - had
    assert brought <= {grown.posts[i].id for i in (*change.added, *change.changed)}


def corpus_document(case: Case) -> dict[str, Any] | None:
    data = case.path.read_bytes().removeprefix(b"\xef\xbb\xbf")
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    if type(document) is not dict or type(document.get("posts")) is not list:
        return None
    return document


GROWABLE = [case for case in OPENS if corpus_document(case) is not None]


@pytest.mark.parametrize("case", params(GROWABLE))
@pytest.mark.parametrize("authors_later", [False, True])
def test_a_corpus_file_grown_in_two_halves_is_the_file_loaded_whole(
    case: Case, authors_later: bool
) -> None:
    document = corpus_document(case)
    assert document is not None
    n = len(document["posts"])
    for cut in sorted({0, n // 3, n // 2, n}):
        assert_grows_as_loaded(document, cut, authors_later)


@pytest.mark.parametrize("shape", SHAPES)
def test_a_generated_thread_grown_in_two_halves_is_the_thread_loaded_whole(shape: str) -> None:
    document = generate(400, shape, seed=5)
    for cut in (1, 150, 399):
        assert_grows_as_loaded(document, cut, authors_later=False)
    assert_grows_as_loaded(document, 200, authors_later=True)


def test_a_generated_thread_grown_backwards_in_batches_is_the_thread_loaded_whole() -> None:
    """Replies before the posts they answer: placeholders made, then filled in place."""
    document = generate(300, "bushy", seed=2)
    posts = list(reversed(document["posts"]))
    reordered = dict(document, posts=posts)
    whole = load_document(reordered, name="t.json")
    grown = load_document(dict(document, posts=posts[:50]), name="t.json")
    for start in range(50, 300, 50):
        grown.add(posts[start : start + 50])
    assert structure(grown) == structure(whole)
    assert render_json(grown) == render_json(whole)


def test_the_change_says_what_was_added_filled_and_moved() -> None:
    thread = load_document(
        doc(
            {"id": "a", "text": "a", "created_at": "2026-01-01T00:00Z"},
            {"id": "c", "text": "c", "reply_to": "b", "created_at": "2026-01-01T00:02Z"},
        )
    )
    b = thread.by_id["b"]
    assert thread.posts[b].synthetic and thread.roots == [0, b]
    change = thread.add(
        [
            {"id": "b", "text": "b", "reply_to": "a", "created_at": "2026-01-01T00:01Z"},
            {"id": "d", "text": "d", "reply_to": "a", "quotes": ["zz"]},
        ]
    )
    d, zz = thread.by_id["d"], thread.by_id["zz"]
    assert change.added == [d, zz]
    assert change.changed == [b]
    assert change.gained_children == [0]
    assert set(change.moved) == {b, thread.by_id["c"]}
    assert thread.posts[b].index == b and not thread.posts[b].synthetic
    assert [thread.posts[i].id for i in thread.preorder] == ["a", "b", "c", "d"]
    assert change.warnings == ["1 quoted post(s) are not in the file: shown as placeholders"]
    assert thread.warnings[-1] == change.warnings[-1]


def test_a_newer_copy_of_a_post_replaces_it_and_counts_its_author_once() -> None:
    thread = load_document(
        doc(
            {"id": "a", "text": "a", "author": "u", "metrics": {"likes": 1}},
            authors={"u": {"handle": "u", "display_name": None}},
        )
    )
    change = thread.add([{"id": "a", "text": "a", "author": "u", "metrics": {"likes": 5}}])
    assert change.changed == [0] and change.added == []
    assert thread.posts[0].metrics.likes == 5
    assert thread.authors["u"].post_count == 1
    same = thread.add([{"id": "a", "text": "a", "author": "u", "metrics": {"likes": 5}}])
    assert same.empty and same.version == thread.version == change.version


def test_a_cycle_the_new_posts_close_is_broken_and_warned_once() -> None:
    thread = load_document(doc({"id": "a", "text": "a", "reply_to": "b"}))
    change = thread.add([{"id": "b", "text": "b", "reply_to": "a"}])
    assert [thread.posts[i].id for i in thread.roots] == ["a"]
    assert change.warnings == [
        "posts 'a', 'b' reply to each other in a cycle: 'a' is shown as a root"
    ]
    again = thread.add([{"id": "c", "text": "c", "reply_to": "a"}])
    assert again.warnings == []


@pytest.mark.parametrize(
    ("batch", "message"),
    [
        ([{"id": "x", "text": "x"}, {"id": "x", "text": "y"}], "duplicate post id 'x'"),
        ([{"id": "x", "text": 3}], "$.posts[0].text: expected a string"),
        ({"schema": "other", "posts": []}, "$.schema"),
        ([{"id": "y", "text": "y", "author": "u\x07"}], "duplicate author id"),
    ],
)
def test_a_batch_the_loader_would_refuse_leaves_the_thread_unchanged(
    batch: Any, message: str
) -> None:
    thread = load_document(
        doc({"id": "a", "text": "a", "author": "u\x1b"}, authors={"u\x1b": {"handle": "u"}})
    )
    before = structure(thread)
    with pytest.raises(ThreadFileError, match=message.replace("$", r"\$").replace("[", r"\[")):
        thread.add(batch)
    assert structure(thread) == before and thread.version == 0


def test_a_cycle_closed_by_filling_a_placeholder_leaves_its_root_at_depth_zero() -> None:
    """p arrives first, so the cycle is broken at p; but p's parent q fills a placeholder
    made before p, so q has the lower index and linking gave p a depth before the cycle
    showed: p must start again at 0."""
    first = {"id": "a", "text": "a", "reply_to": "q"}
    batch = [{"id": "p", "text": "p", "reply_to": "q"}, {"id": "q", "text": "q", "reply_to": "p"}]
    thread = load_document(doc(first))
    change = thread.add(batch)
    assert thread.by_id["q"] < thread.by_id["p"]
    assert structure(thread) == structure(load_document(doc(first, *batch)))
    assert [(thread.posts[i].id, thread.posts[i].depth) for i in thread.preorder] == [
        ("p", 0),
        ("q", 1),
        ("a", 2),
    ]
    assert "reply to each other in a cycle: 'p' is shown as a root" in change.warnings[0]

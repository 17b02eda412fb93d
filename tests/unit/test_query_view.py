"""The filtered tree: matches, their ancestors as context, and what a collapsed row hides."""

from __future__ import annotations

import random
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support import doc, sparse_post
from threadtui.model import NO_PARENT, Thread, load_document
from threadtui.model.thread import MarkedBelow
from threadtui.query import FilterView, SearchIndex, parse_query, run_query
from threadtui.rows import FilterLayout


def view_of(thread: Thread, text: str) -> FilterView:
    return FilterView.build(run_query(parse_query(text, thread), SearchIndex(thread)))


@pytest.fixture(scope="module")
def thread() -> Thread:
    #   r ─ a ─ b*
    #     │   └ c
    #     └ d*─ e*
    #   s ─ f
    #   t*
    return load_document(
        doc(
            sparse_post("r", created_at="2026-01-01T00:00:00Z"),
            sparse_post("a", reply_to="r", created_at="2026-01-01T00:01:00Z"),
            sparse_post("b", reply_to="a", text="hit", created_at="2026-01-01T00:02:00Z"),
            sparse_post("c", reply_to="a", created_at="2026-01-01T00:03:00Z"),
            sparse_post("d", reply_to="r", text="hit", created_at="2026-01-01T00:04:00Z"),
            sparse_post("e", reply_to="d", text="hit", created_at="2026-01-01T00:05:00Z"),
            sparse_post("s", created_at="2026-01-01T00:06:00Z"),
            sparse_post("f", reply_to="s", created_at="2026-01-01T00:07:00Z"),
            sparse_post("t", text="hit", created_at="2026-01-01T00:08:00Z"),
        )
    )


def test_matches_with_ancestors_as_context(thread: Thread) -> None:
    view = view_of(thread, "hit")
    by = thread.by_id
    layout = FilterLayout.build(thread, view)
    shown = [thread.posts[i].id for i in layout.rows]
    assert shown == ["r", "a", "b", "d", "e", "t"]
    assert [p for p in "rabcdefst" if view.member[by[p]]] == ["b", "d", "e", "t"]
    assert [p for p in "rabcdefst" if view.context[by[p]]] == ["r", "a"]
    assert not layout.visible[by["c"]] and not layout.visible[by["s"]]
    assert view.match_count == 4 and view.total == 9
    assert view.status() == "4 of 9 posts match"


def test_matches_below_counts_strictly_inside(thread: Thread) -> None:
    view = view_of(thread, "hit")
    below = {p: view.below[thread.by_id[p]] for p in "rabcdefst"}
    assert below == {"r": 3, "a": 1, "b": 0, "c": 0, "d": 1, "e": 0, "f": 0, "s": 0, "t": 0}


def test_status_wording(thread: Thread) -> None:
    assert view_of(thread, "is:root -text").status() == "1 of 9 posts matches"  # t
    assert view_of(thread, "nothing").status() == "0 of 9 posts match"


def chain(n: int, hits: set[int]) -> Thread:
    posts = [sparse_post("p0", text="hit" if 0 in hits else "x")]
    posts += [
        sparse_post(f"p{k}", reply_to=f"p{k - 1}", text="hit" if k in hits else "x")
        for k in range(1, n)
    ]
    return load_document(doc(*posts))


@pytest.mark.parametrize("hits", [{9999}, set(range(0, 10000, 10)), set(range(10000))])
def test_deep_chain_without_recursion(hits: set[int]) -> None:
    # Few matches take the sparse path, many the dense one; both must stay iterative.
    n = 10_000
    thread = chain(n, hits)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # anything recursive on depth would blow up here
    try:
        view = view_of(thread, "hit")
    finally:
        sys.setrecursionlimit(limit)
    by = thread.by_id
    expected_below = 0
    for k in reversed(range(n)):
        assert view.below[by[f"p{k}"]] == expected_below
        assert view.member[by[f"p{k}"]] == (k in hits)
        assert view.context[by[f"p{k}"]] == (k not in hits and expected_below > 0)
        expected_below += k in hits
    assert view.match_count == len(hits)


def reference(thread: Thread, member: bytearray) -> tuple[list[int], bytearray]:
    """The obvious O(n·depth) answer, to check the fast one against."""
    below = [0] * len(thread.posts)
    context = bytearray(len(thread.posts))
    for i in thread.preorder:
        if member[i]:
            parent = thread.posts[i].parent
            while parent != NO_PARENT:
                below[parent] += 1
                if not member[parent]:
                    context[parent] = 1
                parent = thread.posts[parent].parent
    return below, context


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 300), st.floats(0, 1))
def test_view_matches_the_obvious_answer(seed: int, n: int, density: float) -> None:
    rng = random.Random(seed)
    posts = []
    for k in range(n):
        fields: dict[str, Any] = {"text": "hit" if rng.random() < density else "x"}
        if k and rng.random() < 0.85:
            fields["reply_to"] = f"p{rng.randrange(k)}"
        posts.append(sparse_post(f"p{k}", **fields))
    thread = load_document(doc(*posts))
    result = run_query(parse_query("hit", thread), SearchIndex(thread))
    view = FilterView.build(result)
    below, context = reference(thread, result.member)
    # Read post by post, as the tree reads it (few matches keep only the counts not 0).
    assert [view.below[i] for i in range(len(thread.posts))] == below
    assert view.match_count == sum(result.member)
    assert view.context == context
    assert FilterLayout.build(thread, view).rows == [
        i for i in thread.preorder if result.member[i] or context[i]
    ]
    # The prefix-sum counts a search reads for folded rows are the same numbers.
    marked = MarkedBelow(thread, result.member)
    assert [marked[i] for i in range(len(thread.posts))] == below

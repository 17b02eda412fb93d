"""The search window (`query.window`, issue #16) against the plain matcher (`run_query`).

A window is the full result's first matches in tree order from where it began (the
start of the cursor's slice, wrapping around): the same posts, in the same order; all of
them once it read every slice. Proved on generated
threads (replies, quotes, authors, times, accents, case) and queries of every kind, with
slices of a few posts so that a thread of a dozen spans many of them.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support import post, thread_doc
from threadtui.model import Thread, load_document
from threadtui.model.thread import MarkedBelow
from threadtui.query import (
    MatchResult,
    QueryError,
    SearchIndex,
    TreeText,
    first_matches,
    parse_query,
    run_query,
)
from threadtui.query import window as window_module

PROFILE = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

WORDS = ["risk", "Risk", "risky", "café", "cafe", "model", "the", "a", "Ünï", "x y", "rÏsk"]
AUTHORS = {
    "a": {"display_name": "Alice Risk", "handle": "alice"},
    "b": {"display_name": "Bob", "handle": "cafe.bob"},
}
QUERY_PIECES = [
    "risk",
    "Risk",
    "ris",
    "cafe",
    "café",
    "the",
    "a",
    "-the",
    "-risk",
    '"x y"',
    '"risk model"',
    "/ri.k/",
    "/^the/",
    "-/model/",
    "from:@alice",
    "-from:@cafe.bob",
    "from:?",
    "after:2026-05-28T00:05",
    "before:2026-05-28T00:20",
    "has:quote",
    "is:root",
    "-is:root",
    "is:quoted",
    "replies:>0",
    "views:>5",
    "@alice",
    "bob",
]


@st.composite
def threads(draw: st.DrawFn) -> Thread:
    count = draw(st.integers(min_value=1, max_value=24))
    posts: list[dict[str, Any]] = []
    for k in range(count):
        words = draw(st.lists(st.sampled_from(WORDS), max_size=5))
        parent = draw(st.one_of(st.none(), st.integers(0, k - 1))) if k else None
        quoted = draw(st.lists(st.integers(0, count + 1), max_size=2))
        posts.append(
            post(
                f"p{k}",
                draw(st.one_of(st.none(), st.integers(0, 30))),
                " ".join(words),
                author=draw(st.sampled_from([None, "a", "b"])),
                reply_to=None if parent is None else f"p{parent}",
                # An id past the last post is a quote of an absent post.
                quotes=[f"p{q}" for q in quoted if q != k],
                metrics={"views": draw(st.one_of(st.none(), st.integers(0, 10)))},
            )
        )
    return load_document(thread_doc(posts, authors=AUTHORS), name="generated.json")


def covered_prefix(window: MatchResult, full: MatchResult, start: int | None) -> None:
    """The window is the full result's first matches in tree order from `MARGIN` posts
    before the start (wrapping around)."""
    thread = full.index.thread
    rank = thread.rank
    begin = 0
    if start is not None and rank[start] >= 0:
        begin = max(0, rank[start] - window_module.MARGIN)

    def rotated(matches: list[int]) -> list[int]:
        return [i for i in matches if rank[i] >= begin] + [i for i in matches if rank[i] < begin]

    expected = rotated(full.matches)
    assert rotated(window.matches) == expected[: len(window.matches)]


@PROFILE
@given(
    thread=threads(),
    pieces=st.lists(st.sampled_from(QUERY_PIECES), min_size=1, max_size=3),
    slice_size=st.integers(1, 5),
    batch=st.integers(1, 4),
    limit=st.integers(1, 6),
    start=st.integers(-1, 30),
    with_text=st.booleans(),
)
def test_a_window_is_the_start_of_the_full_result_from_where_it_began(
    monkeypatch: pytest.MonkeyPatch,
    thread: Thread,
    pieces: list[str],
    slice_size: int,
    batch: int,
    limit: int,
    start: int,
    with_text: bool,
) -> None:
    monkeypatch.setattr(window_module, "SLICE", slice_size)
    monkeypatch.setattr(window_module, "MARGIN", 2)
    monkeypatch.setattr(window_module, "BATCH", batch)
    try:
        query = parse_query(" ".join(pieces), thread)
    except QueryError:
        return
    index = SearchIndex(thread)
    if with_text:
        index.tree_text = TreeText(index)
    origin = start if 0 <= start < len(thread.posts) else None
    full = run_query(query, index)
    window = first_matches(query, index, start=origin, limit=limit)

    rank = thread.rank
    assert [rank[i] for i in window.matches] == sorted(rank[i] for i in window.matches)
    assert [i for i in range(len(thread.posts)) if window.member[i]] == sorted(window.matches)
    covered_prefix(window, full, origin)
    if window.complete:
        assert window.matches == full.matches
        assert window.member == full.member
        assert (
            window.counter(window.matches[0]) == full.counter(full.matches[0])
            if (full.matches)
            else True
        )
    else:
        origin = rank[origin] if origin is not None and rank[origin] >= 0 else 0
        assert sum(rank[i] >= origin for i in window.matches) >= limit
        assert window.counter(window.matches[0]) == f"≥{window.count:,} matches…"


def test_a_window_stops_early_and_says_it_is_partial(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(window_module, "SLICE", 10)
    posts = [post(f"p{k}", k, "common word" if k % 2 else "other") for k in range(100)]
    thread = load_document(thread_doc(posts), name="many.json")
    index = SearchIndex(thread)
    index.tree_text = TreeText(index)
    query = parse_query("common", thread)
    monkeypatch.setattr(window_module, "MARGIN", 4)
    start = thread.by_id["p40"]
    window = first_matches(query, index, start=start, limit=8)
    assert not window.complete
    # From 4 posts before p40: the two matches there, then whole slices (ten posts
    # each) until eight matches from p40 on are found; no more was read.
    expected = [f"p{k}" for k in range(37, 60, 2)]
    assert [thread.posts[i].id for i in window.matches] == expected
    assert window.counter(window.matches[0]) == "≥12 matches…"
    # Within a slice it stops at the batch that fills it.
    monkeypatch.setattr(window_module, "SLICE", 1000)
    monkeypatch.setattr(window_module, "BATCH", 2)
    index.tree_text = TreeText(index)
    window = first_matches(query, index, start=start, limit=8)
    expected = [f"p{k}" for k in range(37, 56, 2)]
    assert [thread.posts[i].id for i in window.matches] == expected
    # A rare word covers every slice, and the result is whole.
    rare = first_matches(parse_query("other", thread), index, start=start, limit=1000)
    assert rare.complete and rare.count == 50


def test_a_slice_with_a_nul_is_scanned_post_by_post(monkeypatch: pytest.MonkeyPatch) -> None:
    """The loader strips control characters; a thread built otherwise must not make a
    post's text run into the next one's in the slice."""
    monkeypatch.setattr(window_module, "SLICE", 4)
    posts = [post(f"p{k}", k, f"text {k}") for k in range(8)]
    thread = load_document(thread_doc(posts), name="nul.json")
    index = SearchIndex(thread)
    index.folded[thread.by_id["p1"]] += "\x00risk"
    index.tree_text = TreeText(index)
    assert index.tree_text.texts[0] is None and index.tree_text.texts[1] is not None
    query = parse_query("risk", thread)
    window = first_matches(query, index)
    assert window.complete
    assert window.matches == run_query(query, index).matches == [thread.by_id["p1"]]


def test_the_view_of_a_window_says_its_count_is_a_lower_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from threadtui.query import FilterView

    monkeypatch.setattr(window_module, "SLICE", 10)
    posts = [post(f"p{k}", k, "word") for k in range(100)]
    thread = load_document(thread_doc(posts), name="many.json")
    index = SearchIndex(thread)
    query = parse_query("word", thread)
    view = FilterView.build(first_matches(query, index, limit=3))
    assert not view.complete and view.status() == "≥10 of 100 posts match…"
    assert FilterView.build(run_query(query, index)).status() == "100 of 100 posts match"


@PROFILE
@given(
    thread=threads(),
    pieces=st.lists(st.sampled_from(QUERY_PIECES), min_size=1, max_size=3),
    limit=st.integers(1, 30),
)
def test_the_workers_filter_layout_is_the_tree_s(
    monkeypatch: pytest.MonkeyPatch, thread: Thread, pieces: list[str], limit: int
) -> None:
    """The worker lays out a filter's rows from the view's own list when it has one (few
    matches) and in chunks otherwise: the same rows as `FilterLayout.build` either way."""
    from threadtui.query import FilterView
    from threadtui.rows import FilterLayout
    from threadtui.ui import query_worker

    monkeypatch.setattr(window_module, "SLICE", 3)
    monkeypatch.setattr(query_worker, "LAYOUT_CHUNK", 2)
    try:
        query = parse_query(" ".join(pieces), thread)
    except QueryError:
        return
    index = SearchIndex(thread)
    for result in (run_query(query, index), first_matches(query, index, limit=limit)):
        view = FilterView.build(result)
        got = query_worker._layout(thread, view, None)
        want = FilterLayout.build(thread, view)
        assert got.rows == want.rows
        assert got.visible == want.visible
        posts = range(len(thread.posts))
        assert [got.visible_below[i] for i in posts] == [want.visible_below[i] for i in posts]
        # A search's folded-row counts, by bisection, against the prefix sums.
        ranked = query_worker.RankedBelow(thread, result.member, result.match_ranks())
        summed = MarkedBelow(thread, result.member)
        assert [ranked[i] for i in posts] == [summed[i] for i in posts]

"""Several inputs, one thread: the same post seen twice is one post, nothing is lost."""

from __future__ import annotations

from typing import Any

from support import post, thread_doc
from threadtui.model import load_document
from threadtui.model.merge import merge_documents


def _doc(*posts: dict[str, Any], **meta: Any) -> dict[str, Any]:
    document = thread_doc(list(posts), **meta)
    document["source"] = {"platform": "mastodon", "kind": "status", "importer": "t 1"}
    return document


def test_one_input_is_returned_unchanged() -> None:
    document = _doc(post("p1", 1, "hello"))
    assert merge_documents([("a.json", document)]) == (document, [])


def test_the_same_post_twice_is_one_post_in_first_seen_order() -> None:
    a = _doc(post("p1", 1, "root"), post("p2", 2, "reply", reply_to="p1"))
    b = _doc(post("p3", 3, "later", reply_to="p2"), post("p1", 1, "root"))
    merged, warnings = merge_documents([("a.json", a), ("b.json", b)])
    assert [p["id"] for p in merged["posts"]] == ["p1", "p2", "p3"]
    assert warnings == []
    thread = load_document(merged, name="merged")
    assert len(thread.posts) == 3


def test_a_real_post_beats_a_placeholder_and_fills_its_gaps() -> None:
    placeholder = post("p1", None, None, status="not_fetched", author="x:a")
    real = post("p1", 5, "the text", author=None)
    merged, warnings = merge_documents([("ctx.json", _doc(placeholder)), ("s.json", _doc(real))])
    [only] = merged["posts"]
    assert only["status"] == "ok"
    assert only["text"] == "the text"
    # The placeholder knew the author; the real copy did not: the gap is filled.
    assert only["author"] == "x:a"
    assert warnings == []


def test_disagreeing_fields_keep_the_fuller_copy_and_warn() -> None:
    fuller = post("p1", 5, "edited text", author="x:a", url="https://example/p1")
    other = post("p1", 5, "original text", author="x:a")
    merged, warnings = merge_documents([("a.json", _doc(other)), ("b.json", _doc(fuller))])
    assert merged["posts"][0]["text"] == "edited text"
    assert len(warnings) == 1
    assert "'p1'" in warnings[0]
    assert "'text'" in warnings[0]


def test_metrics_keep_the_larger_count_without_a_warning() -> None:
    m1 = {"views": None, "likes": 4, "reposts": 9, "replies": None, "quotes": None}
    m2 = {"views": 100, "likes": 7, "reposts": 2, "replies": None, "quotes": None}
    merged, warnings = merge_documents(
        [("a", _doc(post("p1", 1, "t", metrics=m1))), ("b", _doc(post("p1", 1, "t", metrics=m2)))]
    )
    assert merged["posts"][0]["metrics"] == {
        "views": 100,
        "likes": 7,
        "reposts": 9,
        "replies": None,
        "quotes": None,
    }
    assert warnings == []


def test_authors_and_thread_fields_merge() -> None:
    a = _doc(post("p1", 1, "t"), authors={"m:a": {"handle": "a", "display_name": None}})
    a["thread"] = {"title": None, "url": "https://example/t"}
    b = _doc(post("p2", 2, "u"), authors={"m:a": {"handle": "a", "display_name": "Ann"}})
    b["thread"] = {"title": "The title", "url": None}
    merged, warnings = merge_documents([("a", a), ("b", b)])
    assert merged["authors"]["m:a"] == {"handle": "a", "display_name": "Ann"}
    assert merged["thread"]["title"] == "The title"
    assert merged["thread"]["url"] == "https://example/t"
    assert merged["source"]["platform"] == "mastodon"
    assert merged["source"]["kind"] == "merge"
    assert len(merged["source"]["inputs"]) == 2
    assert warnings == []


def test_a_mix_of_platforms_says_mixed() -> None:
    a = _doc(post("p1", 1, "t"))
    b = _doc(post("p2", 1, "t"))
    b["source"] = {"platform": "bluesky"}
    merged, _ = merge_documents([("a", a), ("b", b)])
    assert merged["source"]["platform"] == "mixed"


def test_a_bad_input_is_passed_to_the_loader_not_hidden() -> None:
    good = _doc(post("p1", 1, "t"))
    bad = {"schema": "threadtui.thread", "schema_version": 1, "posts": "nope"}
    merged, _ = merge_documents([("a", good), ("b", bad)])
    assert merged is bad


def test_posts_without_ids_are_kept_for_the_loader_to_name() -> None:
    a = _doc(post("p1", 1, "t"), {"text": "no id"})
    b = _doc({"text": "no id either"})
    merged, _ = merge_documents([("a", a), ("b", b)])
    assert len(merged["posts"]) == 3


def test_hostile_ids_are_cleaned_in_warnings() -> None:
    pid = "p\x1b]0;TITLE\x07"
    a = _doc(post(pid, 1, "one"))
    b = _doc(post(pid, 1, "two", author="x"))
    _, warnings = merge_documents([("f\x1b[31m.json", a), ("b", b)])
    assert warnings
    assert all("\x1b" not in w and "\x07" not in w for w in warnings)

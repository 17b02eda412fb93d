"""The same post seen twice is one post, nothing is lost: the rule (`merge_post`,
`merge_author`), and several inputs merged into one thread with it."""

from __future__ import annotations

from typing import Any

from support import post, thread_doc
from threadtui.importers.collect import Collector
from threadtui.model import load_document
from threadtui.model.merge import merge_author, merge_documents, merge_post


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
    # Said where the later copy is, naming where the earlier one was.
    assert warnings == ["b.json: post 'p1': text differs from the copy at a.json: kept this copy's"]


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


# --- the rule itself ---------------------------------------------------------------------


def test_the_richer_copy_is_the_base_and_the_other_fills_its_gaps() -> None:
    thin = post("p1", None, "", author="x:a")
    full = post("p1", 5, "the text", url="https://example/p1")
    merged, fields = merge_post(thin, full)
    assert merged["text"] == "the text"  # "" is a gap, not a value to defend
    assert merged["author"] == "x:a"
    assert merged["created_at"] == full["created_at"]
    assert merged["url"] == "https://example/p1"
    assert fields == []
    # The arguments are left as they were.
    assert thin["text"] == "" and "url" not in thin


def test_a_placeholder_with_a_reason_beats_one_without() -> None:
    unseen = post("p1", None, None, status="not_fetched", native_id="7")
    deleted = post("p1", None, None, status="deleted")
    for first, second in ((unseen, deleted), (deleted, unseen)):
        merged, fields = merge_post(first, second)
        assert merged["status"] == "deleted" and merged["native_id"] == "7"
        assert fields == []  # "not fetched" says nothing the other contradicts
    blocked = post("p1", None, None, status="blocked")
    merged, fields = merge_post(blocked, deleted)
    assert merged["status"] == "blocked"  # a tie: the first seen
    assert fields == ["status"]


def test_lists_are_united_in_order_of_first_appearance() -> None:
    first = post("p1", 1, "t", quotes=["q1", "q2"], links=[{"url": "https://a", "text": "a"}])
    later = post(
        "p1",
        1,
        "t",
        quotes=["q3", "q1"],
        links=[{"url": "https://b", "text": "b"}, {"url": "https://a", "text": "a"}],
        author="x:a",  # richer: the base, yet the first copy's entries lead
    )
    merged, fields = merge_post(first, later)
    assert merged["quotes"] == ["q1", "q2", "q3"]
    assert [link["url"] for link in merged["links"]] == ["https://a", "https://b"]
    assert fields == []


def test_an_entry_another_only_completes_is_one_entry() -> None:
    bare = [
        {"kind": "image", "url": None, "alt": "a cat"},
        {"kind": "image", "url": None, "alt": None},
    ]
    full = [
        {"kind": "image", "url": "https://img/1", "alt": "a cat"},
        {"kind": "image", "url": "https://img/2", "alt": None},
        {"kind": "link", "url": "https://site", "alt": None},
    ]
    merged, _ = merge_post(post("p1", 1, "t", media=bare), post("p1", 1, "t", media=full))
    assert merged["media"] == full
    # Two entries that disagree on a field both know are two entries.
    other = [{"kind": "image", "url": "https://img/3", "alt": "a cat"}]
    merged, _ = merge_post(post("p1", 1, "t", media=full[:1]), post("p1", 1, "t", media=other))
    assert [m["url"] for m in merged["media"]] == ["https://img/1", "https://img/3"]


def test_authors_fill_gaps_and_name_a_disagreement() -> None:
    merged, fields = merge_author(
        {"handle": "ann", "display_name": None}, {"handle": "ann", "display_name": "Ann"}
    )
    assert merged == {"handle": "ann", "display_name": "Ann"} and fields == []
    merged, fields = merge_author(
        {"handle": "ann", "display_name": "Ann"}, {"handle": "ann2", "display_name": "Ann"}
    )
    assert merged["handle"] == "ann" and fields == ["handle"]


def test_the_importers_collector_uses_the_same_rule() -> None:
    collector = Collector("x", "test", "test")
    first = post(
        "x:1",
        1,
        "one",
        metrics={"views": None, "likes": 3, "reposts": None, "replies": None, "quotes": None},
        quotes=["x:9"],
    )
    second = post(
        "x:1",
        2,
        "two",
        metrics={"views": 10, "likes": 2, "reposts": None, "replies": None, "quotes": None},
        quotes=["x:8"],
    )
    collector.post(post("x:0", 0, "before"), "$.data[0]")
    collector.post(first, "$.data[1]")
    kept = collector.post(second, "$.includes.tweets[0]")
    assert kept == merge_post(first, second)[0]
    assert list(collector.posts) == ["x:0", "x:1"]
    assert kept["metrics"]["likes"] == 3 and kept["metrics"]["views"] == 10
    assert kept["quotes"] == ["x:9", "x:8"]
    # The later copy knows two counts to the first one's one: it is the base.
    assert kept["text"] == "two"
    assert [w.message for w in collector.warnings] == [
        "$.includes.tweets[0]: post 'x:1': text, created_at differ from the copy at $.data[1]:"
        " kept this copy's"
    ]

"""The fast path (model/load_fast.py) builds exactly the thread the checking path builds,
for every file it takes, and it does take the files tools write."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import orjson
import pytest

from hostile_cases import CASES, SEED, Case, complete, complete_bytes, params, thread_bytes
from thread_state import assert_same_both_ways, takes_fast_path
from threadtui.importers.xstory import import_story
from threadtui.model import ThreadFileError, load_bytes
from threadtui.model.load_fast import read_wellformed

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
from bench_fields import enrich
from generate import SHAPES, generate


@pytest.mark.parametrize("shape", SHAPES)
def test_generated_threads_take_the_fast_path(shape: str) -> None:
    data = orjson.dumps(generate(300, shape, seed=3))
    assert takes_fast_path(data)
    assert assert_same_both_ways(data)


@pytest.mark.parametrize("shape", SHAPES)
def test_a_thread_with_fields_of_its_own_takes_the_fast_path(shape: str) -> None:
    """An id and url in each author, url and native_id on each post, the optional fields,
    keys of its own in source and thread: what importers and other tools write."""
    document = enrich(generate(300, shape, seed=3))
    data = orjson.dumps(document)
    assert takes_fast_path(data)
    assert assert_same_both_ways(data)
    thread = load_bytes(data, name="t.json")
    assert thread.posts[0].url is not None and thread.authors[document["posts"][0]["author"]].url
    assert thread.posts[0].native_id and any(post.media for post in thread.posts)


def test_every_importer_fixture_takes_the_fast_path() -> None:
    from threadtui import importers

    for path in sorted((Path(__file__).parents[1] / "data" / "sources").glob("*/*.json*")):
        text = path.read_text(encoding="utf-8")
        name = importers.detect(text)
        assert name is not None, path
        data = orjson.dumps(importers.run(name, text).document)
        assert takes_fast_path(data), path
        assert assert_same_both_ways(data), path


def test_an_imported_story_takes_the_fast_path() -> None:
    data = orjson.dumps(import_story(SEED).document)
    assert takes_fast_path(data)
    assert assert_same_both_ways(data)


def reaches_both_paths(case: Case) -> bool:
    # load_bytes settles a BOM and an empty file before either path sees the bytes.
    data = case.path.read_bytes()
    return case.file.endswith(".json") and data.strip() != b"" and not data.startswith(b"\xef")


@pytest.mark.parametrize("case", params([c for c in CASES if reaches_both_paths(c)]))
def test_a_corpus_file_reads_the_same_both_ways(case: Case) -> None:
    assert_same_both_ways(case.path.read_bytes())


def test_clean_hostile_text_is_cleaned_on_the_fast_path() -> None:
    data = complete_bytes(
        [
            {"id": "a", "text": "bidi \u202eevil\u202c esc \x1b]0;T\x07 cr\r\nend"},
            {"id": "b", "text": "[bold]x[/]", "reply_to": "a"},
        ],
        title="t\x1b[2Jitle",
    )
    assert takes_fast_path(data)
    assert assert_same_both_ways(data)
    thread = load_bytes(data, name="t.json")
    assert thread.posts[0].text == "bidi \ufffdevil\ufffd esc \ufffd]0;T\ufffd cr\nend"
    assert thread.title == "t\ufffd[2Jitle"


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({}, "nothing unusual: the fast path"),
        ({"extra": 1}, "an unknown field, kept by the checking path"),
        ({"author": "nobody"}, "an unknown author, warned about"),
        ({"text": None}, "no text on a post that is ok: an error"),
        ({"created_at": "2026-02-30T10:00Z"}, "a day that does not exist: an error"),
        ({"created_at": "2026-02-03T10:00+01:00"}, "not UTC: an error"),
        ({"metrics": {"views": 2**63}}, "a count past int64: read as orjson reads it"),
        ({"metrics": {"views": 2**64}}, "past 64 bits: a float to orjson, refused"),
        ({"metrics": {"mine": "x"}}, "an unknown metric: kept whatever its value"),
        ({"metrics": {"views": True}}, "a boolean is not a count"),
        ({"id": "a\nb"}, "an id to clean"),
        ({"reply_to": "a\tb"}, "a reference to clean"),
        ({"quotes": ["a", "b\x1b"]}, "a quote reference to clean"),
        ({"status": "gone"}, "an unknown status: an error"),
    ],
)
def test_anything_unusual_goes_to_the_checking_path(change: dict[str, object], why: str) -> None:
    posts: list[dict[str, object]] = [
        {"id": "a", "text": "first", "created_at": "2026-01-01T00:00Z"},
        {"id": "b", "text": "second", "reply_to": "a", "author": "u"},
    ]
    document = complete({"authors": {"u": {"handle": "u", "display_name": "U"}}, "posts": posts})
    document["posts"][1].update(change)
    # json, not orjson: orjson cannot write an integer past 64 bits.
    data = json.dumps(document).encode()
    assert takes_fast_path(data) == (change == {}), why
    assert_same_both_ways(data)


def test_duplicate_ids_are_explained_by_the_checking_path() -> None:
    data = thread_bytes([{"id": "a", "text": "x"}, {"id": "a", "text": "y"}])
    assert not takes_fast_path(data)
    with pytest.raises(ThreadFileError, match="duplicate post id"):
        load_bytes(data, name="t.json")


@pytest.mark.parametrize(
    "posts",
    [
        [("a", None, ()), ("b", "a", ()), ("c", None, ("a", "b"))],
        [("a", None, ("gone",)), ("b", "a", ("gone", "gone2", "a")), ("c", "b", ("gone",))],
        [("a", None, ()), ("b", None, ("gone", "a"))],
        [("a", None, ()), ("b", None, ("a", "a", "gone", "gone"))],
        [("b", "a", ()), ("a", None, ())],
        [("a", None, ()), ("b", "gone", ())],
        [("a", None, ("gone",)), ("b", "gone", ())],
        [("a", "a", ())],
        [("a", None, ("a",))],
        [("a", None, ()), ("b", None, ("a", "c")), ("c", "b", ())],
        [("a", "b", ()), ("b", "a", ())],
    ],
    ids=[
        "in-order",
        "absent-quotes",
        "quote-parent-after-absent",
        "quoting-twice",
        "reply-forward",
        "reply-absent",
        "reply-to-a-quoted-absent-post",
        "self-reply",
        "self-quote",
        "quote-forward-after-a-link",
        "cycle",
    ],
)
def test_the_fast_path_takes_any_reference_shape_and_links_as_the_checking_path(
    posts: list[tuple[str, str | None, tuple[str, ...]]],
) -> None:
    """One linker (link.py) for both paths: forward references, absent posts and cycles
    no longer send a file anywhere else."""
    data = complete_bytes(
        [
            {"id": pid, "text": pid, "reply_to": parent, "quotes": list(quotes)}
            for pid, parent, quotes in posts
        ]
    )
    assert read_wellformed(data) is not None
    assert assert_same_both_ways(data)


def quotes_everywhere() -> dict[str, object]:
    """Quote characters and final backslashes in every kind of string the format has."""
    q = 'say "hi" \\'
    return complete(
        {
            "thread": {"title": q, "summary": q, "url": q, "root": 'r"1', "details": {q: q}},
            "source": {q: [q, {q: None}, 1, True], "k": {}},
            "authors": {'x:"q"': {"handle": q, "display_name": q}, "plain": {}},
            "posts": [
                {"id": 'r"1', "text": q, "author": 'x:"q"', "created_at": "2026-01-01T00:00Z"},
                {
                    "id": "b\\",
                    "text": q,
                    "reply_to": 'r"1',
                    "quotes": ['r"1', 'gone"'],
                    "author": 'x:"q"',
                    "status": "ok",
                },
                {
                    "id": "c",
                    "text": None,
                    "status": "deleted",
                    "reply_to": 'absent"',
                    "metrics": {
                        "views": 1,
                        "likes": None,
                        "reposts": 2,
                        "replies": None,
                        "quotes": 0,
                    },
                },
            ],
        }
    )


def quotes_in_texts() -> bytes:
    """Quote characters written both ways, and final backslashes, in texts only."""
    data = complete_bytes(
        [
            {"id": "a", "text": 'say "hi" \\', "status": "ok"},
            {"id": "b", "text": '"', "reply_to": "a", "quotes": ["a", "gone"]},
            {"id": "c", "text": "\\", "status": "ok"},
        ]
    )
    return data.replace(b'\\"hi\\"', b"\\u0022hi\\u0022")


def test_quote_characters_in_texts_keep_the_fast_path() -> None:
    data = quotes_in_texts()
    assert b"\\u0022hi" in data
    assert takes_fast_path(data)
    assert assert_same_both_ways(data)


def test_quote_characters_elsewhere_go_to_the_checking_path() -> None:
    # Outside the texts a \u0022 could balance a repeated key: only the checking path,
    # which counts keys itself, reads such files. Both still read them alike.
    data = orjson.dumps(quotes_everywhere())
    assert not takes_fast_path(data)
    assert_same_both_ways(data)
    load_bytes(data, name="t.json")


def test_u0022_in_a_text_cannot_hide_a_repeated_key() -> None:
    data = quotes_in_texts()
    for old, new in [
        (b'"status":"ok"', b'"status":"ok","status":"ok"'),
        (b'"text":"\\\\"', b'"text":"x","text":"\\\\"'),
    ]:
        assert old in data, old
        repeated = data.replace(old, new, 1)
        assert not takes_fast_path(repeated)
        with pytest.raises(ThreadFileError, match="duplicate key"):
            load_bytes(repeated, name="t.json")


@pytest.mark.parametrize("shape", SHAPES)
def test_a_repeated_key_in_a_generated_thread_is_never_taken(shape: str) -> None:
    data = orjson.dumps(generate(200, shape, seed=5))
    assert takes_fast_path(data)
    for old, new in [
        (b'"status":', b'"status":"ok","status":'),
        (b'"likes":', b'"likes" :1,"likes":'),
        (b'"handle":', b'"handle":null,"handle":'),
        (b'"title":', b'"title":"x","title":'),
        (b'"details":{', b'"details":{"a":1,"a":1,'),
        (b'"text":', b'"te\\u0078t":"x","text":'),
        (b'"posts":[', b'"posts":[],"posts":['),
    ]:
        assert old in data, old
        changed = data.replace(old, new, 1)
        assert not takes_fast_path(changed), new
        with pytest.raises(ThreadFileError, match="duplicate key"):
            load_bytes(changed, name="t.json")


def test_a_file_that_leaves_keys_out_takes_the_fast_path() -> None:
    data = thread_bytes(
        [
            {"id": "a", "text": "first", "metrics": {"views": 3}},
            {"id": "b", "text": "second", "reply_to": "a", "quotes": ["a"], "status": "ok"},
        ],
        title="t",
    )
    assert takes_fast_path(data)
    assert assert_same_both_ways(data)
    repeated = data.replace(b'"views":3', b'"views":3,"views":4')
    assert not takes_fast_path(repeated)
    with pytest.raises(ThreadFileError, match="duplicate key 'views'"):
        load_bytes(repeated, name="t.json")

"""An importer's document (or merged inputs) loads by the fast path (load_fast.read_parsed)
and gives exactly the thread the checking path gives: posts, fields, order, warnings.

Every fixture is loaded both ways: the sources (imported first) and the hostile corpus
(parsed, or imported when an importer reads it)."""

from __future__ import annotations

import contextlib
import copy
import json
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from hostile_cases import CASES, SEED, Case, complete, params
from thread_state import assert_same_parsed, takes_parsed_path, thread_state
from threadtui import importers, opener
from threadtui.importers.xstory import import_story
from threadtui.model import ThreadFileError, load_bytes, load_document
from threadtui.model.load import check_document

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
from bench_fields import enrich
from generate import SHAPES, generate

SOURCES = sorted((Path(__file__).parents[1] / "data" / "sources").glob("*/*.json*"))


def imported(text: str) -> dict[str, Any] | None:
    """The document an importer makes of `text`, or None if none reads it."""
    name = importers.detect(text)
    if name is None:
        return None
    try:
        return importers.run(name, text).document
    except importers.ImportFormatError:
        return None
    finally:
        importers.base.parse_json.cache_clear()


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_every_imported_fixture_takes_the_parsed_path(path: Path) -> None:
    document = imported(path.read_text(encoding="utf-8"))
    assert document is not None
    assert assert_same_parsed(document), "the importer's document went to the checking path"
    # And the file `threadtui import` writes of it loads to the same thread.
    data = orjson.dumps(document)
    from_file = load_bytes(data, name="t.json")
    assert thread_state(load_document(document, name="t.json")) == thread_state(from_file)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_opening_a_source_gives_the_thread_of_its_imported_file(path: Path) -> None:
    data = path.read_bytes()
    result = importers.run(importers.detect(data.decode()), data.decode())
    importers.base.parse_json.cache_clear()
    opened = opener.open_data(data, "t.json")
    written = check_document(orjson.loads(importers.dumps(result.document)), name="t.json")
    written.warnings[:0] = [str(w) for w in result.warnings]
    assert thread_state(opened) == thread_state(written)


def corpus_documents(case: Case) -> list[Any]:
    """What the corpus file stands for as parsed documents: itself if it is JSON, and
    what an importer makes of it."""
    data = case.path.read_bytes().removeprefix(b"\xef\xbb\xbf")
    documents: list[Any] = []
    with contextlib.suppress(orjson.JSONDecodeError):
        documents.append(orjson.loads(data))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return documents
    document = imported(text)
    if document is not None:
        documents.append(document)
    return documents


@pytest.mark.parametrize("case", params(CASES))
def test_a_corpus_file_loads_the_same_parsed(case: Case) -> None:
    for document in corpus_documents(case):
        assert_same_parsed(document)


def test_the_corpus_reaches_both_paths() -> None:
    """The corpus holds documents the fast path takes and ones it leaves: the comparison
    above is not one-sided."""
    taken = left = 0
    for case in CASES:
        for document in corpus_documents(case):
            if takes_parsed_path(document):
                taken += 1
            else:
                left += 1
    assert taken >= 10 and left >= 30, (taken, left)


@pytest.mark.parametrize("shape", SHAPES)
def test_generated_and_enriched_documents_take_the_parsed_path(shape: str) -> None:
    document = generate(300, shape, seed=3)
    assert assert_same_parsed(document)
    assert assert_same_parsed(enrich(copy.deepcopy(document)))


def test_an_imported_story_takes_the_parsed_path() -> None:
    assert assert_same_parsed(import_story(SEED).document)


def base_document() -> dict[str, Any]:
    posts: list[dict[str, Any]] = [
        {"id": "a", "text": "first", "created_at": "2026-01-01T00:00Z", "url": "https://x.y/a"},
        {"id": "b", "text": "second", "reply_to": "a", "author": "u", "native_id": "2"},
    ]
    return complete({"authors": {"u": {"handle": "u", "display_name": "U"}}, "posts": posts})


@pytest.mark.parametrize(
    ("change", "fast", "why"),
    [
        ({}, True, "nothing unusual"),
        ({"extra": 1}, False, "an unknown field, kept by the checking path"),
        ({"author": "nobody"}, False, "an unknown author, warned about"),
        ({"text": None}, False, "no text on a post that is ok: an error"),
        ({"created_at": "2026-02-30T10:00Z"}, False, "a day that does not exist: an error"),
        ({"created_at": "2026-02-03T10:00+01:00"}, False, "not UTC: an error"),
        ({"created_at": 5}, False, "a number for a time: an error"),
        ({"metrics": {"views": 2**63}}, False, "past int64: refused as a count"),
        ({"metrics": {"views": 1.0}}, False, "a float is not a count"),
        ({"metrics": {"mine": "x"}}, False, "an unknown metric: kept whatever its value"),
        ({"metrics": {"views": True}}, False, "a boolean is not a count"),
        ({"metrics": []}, False, "metrics that are no object: an error"),
        ({"id": "a\nb"}, False, "an id to clean"),
        ({"id": ""}, False, "an empty id: an error"),
        ({"id": "a"}, False, "a duplicate id: an error"),
        ({"reply_to": "a\tb"}, False, "a reference to clean"),
        ({"quotes": ["a", "b\x1b"]}, False, "a quote reference to clean"),
        ({"quotes": "a"}, False, "quotes that are no array: an error"),
        ({"status": "gone"}, False, "an unknown status: an error"),
        ({"url": "javascript:alert(1)"}, False, "the post's URL no web URL: a warning"),
        ({"url": "https://x.y/a b"}, False, "a space in the post's URL: a warning"),
        ({"url": 3}, False, "a URL that is no string: dropped with a warning"),
        ({"native_id": "x\x1by"}, False, "a native id to clean"),
        ({"content_warning": "cw\u202e"}, False, "a warning to clean"),
        ({"media": [{"kind": "image"}]}, False, "media leaving keys out: filled, warned"),
        ({"links": [{"url": "https://x.y", "text": "t", "more": 1}]}, False, "a key of its own"),
        ({"media": [{"kind": "image", "url": "https://x.y/i", "alt": None}]}, True, "media"),
        ({"more": {"count": 2, "ids": ["x"]}}, True, "more"),
        # A value the checking path drops with a warning, inside a post the fast path reads:
        # that post is read by the checking path's own code, the rest as usual.
        ({"edited_at": "yesterday"}, True, "an edit time that breaks the time rule"),
        ({"links": [{"url": "file:///etc/passwd", "text": "t"}]}, True, "a link to no web URL"),
        (
            {"mentions": [{"handle": "h", "id": None, "url": "https://x.y/<a href="}]},
            True,
            "a mention's URL with a space",
        ),
        ({"media": [{"kind": "image", "url": "ftp://x", "alt": "a"}]}, True, "media, no web URL"),
    ],
)
def test_anything_unusual_in_a_document_goes_to_the_checking_path(
    change: dict[str, object], fast: bool, why: str
) -> None:
    document = base_document()
    document["posts"][1].update(change)
    assert takes_parsed_path(document) == fast, why
    assert_same_parsed(document)
    # The file of the same document agrees too (json: orjson cannot write 2**64).
    if "2**63" not in why:
        data = json.dumps(document).encode()
        try:
            from_file = thread_state(load_bytes(data, name="t.json"))
        except ThreadFileError as error:
            with pytest.raises(ThreadFileError) as raised:
                load_document(document, name="t.json")
            assert str(raised.value) == str(error)
        else:
            assert thread_state(load_document(document, name="t.json")) == from_file


def test_posts_with_values_to_drop_warn_in_order_among_posts_read_fast() -> None:
    """The warnings of the posts read by the checking path's code come in post order, as
    the checking path gives them, whatever is read fast around them."""
    bad = {"handle": "h", "id": None, "url": "javascript:x"}
    posts: list[dict[str, Any]] = [
        {"id": f"p{i}", "text": f"t{i}", "url": f"https://x.y/{i}", "native_id": str(i)}
        for i in range(50)
    ]
    for i in (3, 17, 18, 40):
        posts[i]["mentions"] = [bad, {**bad, "url": "https://ok.example"}]
    posts[17]["edited_at"] = "soon"
    document = complete({"posts": posts})
    assert takes_parsed_path(document)
    assert_same_parsed(document)
    warnings = load_document(document, name="t.json").warnings
    assert [w.split(":")[0] for w in warnings] == [
        "$.posts[3].mentions[0].url",
        "$.posts[17].edited_at",
        "$.posts[17].mentions[0].url",
        "$.posts[18].mentions[0].url",
        "$.posts[40].mentions[0].url",
    ]


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"thread": None}, "a null thread: read as none"),
        ({"thread": []}, "a thread that is no object: an error"),
        ({"source": "x"}, "a source that is no object: an error"),
        ({"authors": None}, "null authors: read as none (b's author is then unknown)"),
        ({"posts": {}}, "posts that are no array: an error"),
        ({"mine": 1}, "a top-level key of its own: kept by the checking path"),
        ({"schema_version": 2}, "another version: an error"),
        ({"thread": {"title": 'say "hi"', "root": "a", "details": {"k": [1]}}}, "quotes"),
        ({"thread": {"title": 1}}, "a title that is no string: an error"),
        ({"thread": {"root": ""}}, "an empty root: an error"),
        ({"thread": {"details": "x"}}, "details that are no object: an error"),
        ({"thread": {"mine": {"a": "\x1b"}}}, "a thread key of its own: kept, cleaned"),
        ({"authors": {"u": {"handle": "u\u202e", "id": "u"}}}, "an author to clean"),
        ({"authors": {"u": {"url": "file:///etc"}}}, "an author URL dropped with a warning"),
    ],
)
def test_the_top_level_of_a_document_reads_as_the_checking_path_reads_it(
    change: dict[str, object], why: str
) -> None:
    document = base_document()
    document.update(change)
    assert_same_parsed(document)


def test_quote_characters_anywhere_keep_the_parsed_path() -> None:
    """A parsed document cannot hold a key twice, so quote characters in ids, authors and
    free-form parts (which send a file's bytes to the checking path) cost nothing here."""
    document = base_document()
    document["posts"][0]["id"] = 'a"1'
    document["posts"][1]["reply_to"] = 'a"1'
    document["authors"] = {'u"': {"handle": 'say "u"', "display_name": None}}
    document["posts"][1]["author"] = 'u"'
    document["source"] = {'k"': ['v"']}
    assert assert_same_parsed(document)


def test_a_merged_document_takes_the_parsed_path(tmp_path: Path) -> None:
    """Several inputs, merged: the merged document loads by the fast path too."""
    paths = [p for p in SOURCES if p.parent.name == "mastodon"]
    document, _, _ = opener.merged_document(paths)
    assert isinstance(document, dict)
    assert assert_same_parsed(document)

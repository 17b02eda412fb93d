"""The Hacker News fast path (typed msgspec decoding) against the general reader: for every
input the fast path accepts, the same document; for everything else it refuses, so the
general reader's warnings and paths stay what they were."""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from importer_checks import MUTATIONS, fixture_value, mutated, text_of
from threadtui.importers import hackernews, hackernews_fast
from threadtui.importers.base import ImportFormatError, ImportResult, dumps, parse_json
from threadtui.importers.collect import load_json
from threadtui.importers.hackernews_fast import (
    Converter,
    Refused,
    decode_firebase,
    read,
)

FIREBASE = "firebase_items_from_HackerNews_API_README.json"
ALGOLIA = "algolia_item_synthetic.json"


def firebase_without_polls() -> dict[str, Any]:
    """The README's items less its poll and options: an input the fast path takes."""
    value = fixture_value("hackernews", FIREBASE)
    return {
        key: item
        for key, item in value.items()
        if item.get("type") not in ("poll", "pollopt") and "poll" not in item
    }


def firebase_list() -> list[Any]:
    return list(firebase_without_polls().values())


INPUTS = {
    "algolia": lambda: fixture_value("hackernews", ALGOLIA),
    "algolia-list": lambda: [fixture_value("hackernews", ALGOLIA)],
    "firebase-object": firebase_without_polls,
    "firebase-list": firebase_list,
    "firebase-item": lambda: firebase_list()[0],
}


def outcome(run: Callable[[], ImportResult]) -> Any:
    """The document as written (so the order of keys counts too) and the warnings, or
    the error."""
    parse_json.cache_clear()
    try:
        result = run()
    except ImportFormatError as error:
        return ("error", str(error), error.path)
    finally:
        parse_json.cache_clear()
    return (dumps(result.document), [str(w) for w in result.warnings])


def both(value: Any, text: str | None = None) -> tuple[Any, Any, bool]:
    """(general result, fast result, whether the fast path took it). The fast result is
    both `hackernews.run(text)`'s (the shape told by hackernews_fast.read) and the typed
    decode's after the general reader's parse (when read leaves the shape to it), which
    must agree."""
    text = text_of(value) if text is None else text
    general = outcome(lambda: hackernews._Importer(fast=False).run(load_json(text), text))
    importer = hackernews._Importer(fast=True)
    # What hackernews.run does with a parse kept: the typed conversion of its value.
    typed = outcome(lambda: importer.run(load_json(text), text))
    # Whether it went the typed way: the general reader leaves its paths behind.
    took = not importer.r.post_seen_at and bool(importer.r.posts)
    whole = outcome(lambda: hackernews.run(text))
    assert whole == typed
    # As the opener runs it: the text parsed already by the sniffs, its value converted.
    kept = outcome(lambda: (parse_json(text), hackernews.run(text))[1])
    assert kept == whole
    return general, whole, took


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_fixtures_take_the_fast_path_and_give_the_same_document(name: str) -> None:
    general, fast, took = both(INPUTS[name]())
    assert took
    assert fast == general


# Values each field can hold that the typed decode accepts: the fast path must treat each
# exactly as the general reader does (empty strings, nulls, negative descendants …).
_ACCEPTED: dict[str, list[Any]] = {
    "title": ["", None, "T", " spaced  title "],
    "url": ["", None, "https://x.example/"],
    "text": [
        "",
        None,
        "plain &amp; &#x27;quoted&#x27;",
        "a<p>b<p><i>c</i>",
        '<a href="https:&#x2F;&#x2F;e.example&#x2F;long&#x2F;path">'
        "https:&#x2F;&#x2F;e.example&#x2F;l...</a>",
        "<pre><code>  x = 1\n  y</code></pre>",
    ],
    "by": ["", None, "someone"],
    "author": ["", None, "someone"],
    "score": [0, None, 7],
    "points": [0, None, 7],
    "descendants": [-1, 0, None, 5],
    "deleted": [True, False, None],
    "dead": [True, False, None],
    "type": ["story", "comment", "job", None],
    "time": [0, 1_600_000_000, None, -86_401],
    "created_at_i": [0, 1_600_000_059, None],
    "created_at": [None, "2020-01-01T00:00:00.000Z", "2020-01-01T01:00:00+01:00", "x"],
    "kids": [[], None],
    "children": [[], None],
    "options": [[], None],
    "parent": [None],
    "parent_id": [None],
}


@st.composite
def accepted_edits(draw: st.DrawFn, original: Any) -> Any:
    value = copy.deepcopy(original)
    items: list[dict[str, Any]] = []
    stack = [value]
    while stack:
        node = stack.pop()
        if type(node) is dict:
            if "id" in node:
                items.append(node)
            stack.extend(node.values())
        elif type(node) is list:
            stack.extend(node)
    for _ in range(draw(st.integers(1, 6))):
        item = items[draw(st.integers(0, len(items) - 1))]
        key = draw(st.sampled_from(sorted(_ACCEPTED)))
        if key in item or draw(st.booleans()):
            item[key] = draw(st.sampled_from(_ACCEPTED[key]))
    return value


@pytest.mark.parametrize("name", sorted(INPUTS))
@MUTATIONS
@given(data=st.data())
def test_accepted_values_give_the_same_document(name: str, data: st.DataObject) -> None:
    general, fast, _ = both(data.draw(accepted_edits(INPUTS[name]())))
    assert fast == general


@pytest.mark.parametrize("name", sorted(INPUTS))
@MUTATIONS
@given(data=st.data())
def test_any_damage_gives_the_same_document_or_error(name: str, data: st.DataObject) -> None:
    general, fast, _ = both(data.draw(mutated(INPUTS[name]())))
    assert fast == general


def test_what_only_the_general_reader_handles_is_refused() -> None:
    story = {"id": 1, "type": "story", "title": "T", "time": 1, "kids": [2]}
    comment = {"id": 2, "type": "comment", "parent": 1, "time": 2, "text": "x"}
    for items in (
        [story, {**comment, "id": "2"}],  # an id as a string: repaired, with a warning
        [story, comment, comment],  # an item twice: merged
        [story, {**comment, "type": "pollopt", "poll": 1}],
        [story, {**comment, "time": 2.5}],
        [story, {**comment, "score": -1}],
        [story, None],
    ):
        with pytest.raises(Refused):
            Converter().firebase(decode_firebase(text_of(items), "list"))
    general, fast, took = both([story, comment])
    assert took and fast == general


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_the_usual_shapes_are_read_from_the_text_once(name: str) -> None:
    # hackernews.run takes these without the general reader's parse into dicts.
    taken = read(text_of(INPUTS[name]()))
    assert taken is not None and taken[1] is not None
    kind = hackernews_fast.ALGOLIA if name.startswith("algolia") else hackernews_fast.FIREBASE
    assert taken[0] == kind


def _sorted_keys(value: Any) -> Any:
    """The same value with each object's keys in sorted order (as `jq -S` writes them)."""
    if type(value) is dict:
        return {key: _sorted_keys(value[key]) for key in sorted(value)}
    if type(value) is list:
        return [_sorted_keys(item) for item in value]
    return value


def _shapes() -> dict[str, tuple[Any, bool]]:
    """Inputs whose shape read must tell as the general reader does (what the general
    reader calls it is in its name), and whether read takes them."""
    algolia = fixture_value("hackernews", ALGOLIA)
    items = firebase_list()
    story = {"id": 1, "type": "story", "title": "T", "time": 1, "kids": [2]}
    comment = {"id": 2, "type": "comment", "parent": 1, "time": 2, "text": "x"}
    long_text = {**algolia, "text": "x" * 10_000}
    # Algolia's keys first, then "children" past the first 4 KB.
    long_text = {"text": long_text.pop("text"), **long_text}
    return {
        "algolia, keys sorted": (_sorted_keys(algolia), True),
        "algolia, children after 10 KB of text": (long_text, True),
        "algolia, only children and null created_at_i": (
            {"id": 1, "created_at_i": None, "children": [], "text": "x"},
            False,
        ),
        "algolia list, keys sorted": ([_sorted_keys(algolia)], True),
        "firebase, keys sorted": ([_sorted_keys(item) for item in items], True),
        "firebase object keyed by URL": (
            {
                f"https://hacker-news.firebaseio.com/v0/item/{i}.json": v
                for i, v in enumerate(items)
            },
            True,
        ),
        "firebase object with an id key": ({"id": story, "2": comment}, False),
        "firebase object with a type key": ({"type": story, "2": comment}, False),
        "firebase item, first key unknown": ({"x": 1, **story}, False),
        "firebase item with children": ({**story, "children": None}, False),
        "firebase item with children and story_id": (
            {**story, "children": [], "story_id": None},
            True,
        ),
        "firebase list, first item with children": ([{**story, "children": 3}, comment], False),
        "firebase list, a later item with children": ([story, {**comment, "children": []}], True),
        "firebase item, algolia keys in its text": (
            {**story, "text": '"children" "story_id"'},
            True,
        ),
        "firebase list, algolia keys in a title": ([{**story, "title": '"children"'}], True),
        "empty list": ([], False),
        "empty object": ({}, False),
        "a number": (1, False),
    }


@pytest.mark.parametrize("name", sorted(_shapes()))
def test_read_tells_the_shape_as_the_general_reader_does(name: str) -> None:
    value, taken = _shapes()[name]
    general, fast, _ = both(value)
    assert fast == general
    found = read(text_of(value))
    assert (found is not None and found[1] is not None) == taken


def test_read_with_white_space_and_a_shape_it_refuses() -> None:
    story = {"id": 1, "type": "story", "title": "T", "time": 1, "kids": [2]}
    comment = {"id": 2, "type": "comment", "parent": 1, "time": 2, "text": "x"}
    text = "\n\t " + text_of([story]) + " \r\n"
    general, fast, took = both(None, text)
    assert took and fast == general
    # A shape told, an item refused (a copy: merged with warnings): the general reader
    # alone, without a second typed decode.
    assert read(text_of([story, comment, comment])) == (hackernews_fast.FIREBASE, None)
    general, fast, took = both([story, comment, comment])
    assert not took and fast == general
    # A type only the general reader knows is refused by the decode itself: no shape told.
    poll = {"id": 2, "type": "pollopt", "poll": 1, "time": 2, "text": "x"}
    assert read(text_of([story, poll])) is None
    general, fast, took = both([story, poll])
    assert not took and fast == general


@st.composite
def firebase_forests(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Firebase items as a file may hold them: stories and replies in any order, kids that
    are missing from the file or list an item twice, parents that do not list their
    replies, cycles."""
    count = draw(st.integers(1, 12))
    ids = draw(st.permutations(range(1, count + 1)))
    some_id = st.integers(0, count + 2)
    items = []
    for item_id in ids:
        author = draw(st.sampled_from(["a", "b", "c", None]))
        item: dict[str, Any] = {"id": item_id, "type": "comment", "time": item_id, "by": author}
        if draw(st.booleans()):
            item["parent"] = draw(some_id)
        else:
            item.update(type="story", title=f"T{item_id}")
        if draw(st.booleans()):
            item["kids"] = draw(st.lists(some_id, max_size=4))
        items.append(item)
    return items


@MUTATIONS
@given(items=firebase_forests())
def test_any_forest_is_ranked_as_the_general_reader_ranks_it(items: list[dict[str, Any]]) -> None:
    general, fast, took = both(items)
    assert took and fast == general


ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
from generate_sources import source_bytes  # noqa: E402


def _utf8(path: Path) -> bool:
    """Whether the opener hands the file to an importer at all (it refuses other bytes)."""
    try:
        path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return True


_FILES = sorted(
    path
    for folder in ("sources/hackernews", "sources/mastodon", "sources/reddit", "hostile")
    for path in (ROOT / "tests" / "data" / folder).iterdir()
    if path.suffix == ".json" and _utf8(path)
)


@pytest.mark.parametrize("path", _FILES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_every_file_read_as_hacker_news_gives_what_the_general_reader_gives(path: Path) -> None:
    # `--source hackernews` on every fixture and every hostile file: whatever the fast
    # path takes or refuses, the document and warnings (or the error) are the general
    # reader's, which is the importer as it was before the fast path.
    general, fast, _ = both(None, path.read_bytes().decode("utf-8-sig"))
    assert fast == general


@pytest.mark.parametrize("platform", ["hn-algolia", "hn-firebase"])
@pytest.mark.parametrize("seed", [1, 2])
def test_generated_threads_take_the_fast_path_and_give_the_same_document(
    platform: str, seed: int
) -> None:
    # benchmarks/generate_sources.py's files, field for field as the APIs write them, at
    # 2,000 posts: the mix of markup, links, deleted and dead items of the 100k measure.
    text = b"".join(source_bytes(platform, 2_000, seed)).decode()
    general, fast, took = both(None, text)
    assert took and fast == general
    found = read(text)
    assert found is not None and found[1] is not None
    assert len(found[1].posts) == 2_000


_BEYOND_64_BITS = (2**63, 2**64 - 1, 2**64, 10**20, -(2**63) - 1, -(10**20))
"""orjson reads the last four as floats (no id, time or count for the general reader);
msgspec reads every one as an integer."""


@pytest.mark.parametrize("value", _BEYOND_64_BITS)
@pytest.mark.parametrize(
    ("api", "key"),
    [
        ("firebase", "id"),
        ("firebase", "time"),
        ("firebase", "score"),
        ("firebase", "parent"),
        ("firebase", "kids"),
        ("firebase", "descendants"),
        ("algolia", "id"),
        ("algolia", "created_at_i"),
        ("algolia", "points"),
        ("algolia", "parent_id"),
        ("algolia", "descendants"),
    ],
)
def test_integers_past_64_bits_are_read_as_the_general_reader_reads_them(
    api: str, key: str, value: int
) -> None:
    # A descendants count of 10**20 once reached the document as an integer orjson cannot
    # write: `threadtui import` ended in a traceback. Written by hand: orjson cannot.
    if api == "firebase":
        story = {"id": 1, "type": "story", "title": "T", "time": 1, "kids": [2]}
        items: Any = [story, {"id": 2, "type": "comment", "parent": 1, "time": 2, "text": "x"}]
    else:
        items = fixture_value("hackernews", ALGOLIA)
        story = items
    story[key] = [7] if key == "kids" else 7
    text = text_of(items).replace("7", str(value), 1)
    assert str(value) in text
    general, fast, _ = both(None, text)
    assert fast == general
    if fast[0] != "error" and not -(2**63) <= value < 2**64:
        assert str(value).encode() not in fast[0]  # read as a float: no id, time or count

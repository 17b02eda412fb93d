"""The Hacker News fast path (typed msgspec decoding) against the general reader: for every
input the fast path accepts, the same document; for everything else it refuses, so the
general reader's warnings and paths stay what they were."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from importer_checks import MUTATIONS, fixture_value, mutated, text_of
from threadtui.importers import hackernews
from threadtui.importers.base import ImportFormatError, parse_json
from threadtui.importers.hackernews_fast import Converter, Refused, decode_firebase

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


def both(value: Any) -> tuple[Any, Any, bool]:
    """(general result, fast result, whether the fast path took it); a result is the
    document and warnings, or the error."""
    text = text_of(value)
    outcomes = []
    took = False
    for fast in (False, True):
        importer = hackernews._Importer(fast=fast)
        parse_json.cache_clear()
        try:
            result = importer.run(parse_json(text), text)
            outcomes.append((result.document, [str(w) for w in result.warnings]))
        except ImportFormatError as error:
            outcomes.append(("error", str(error), error.path))
        if fast:
            # Whether it went the typed way: the general reader leaves its paths behind.
            took = not importer.r.post_seen_at and bool(importer.r.posts)
    parse_json.cache_clear()
    return outcomes[0], outcomes[1], took


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

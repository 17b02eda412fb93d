"""Checks every JSON importer's tests share: the output is a valid thread, and mutations
of a real file never crash an importer."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import orjson
from hypothesis import strategies as st

from threadtui.importers import IMPORTERS
from threadtui.importers.base import ImportFormatError, ImportResult, dumps
from threadtui.model import Thread, load_bytes, load_document

SOURCES = Path(__file__).resolve().parent / "data" / "sources"
SCHEMA = Path(__file__).resolve().parents[1] / "src" / "threadtui" / "model" / "thread.schema.json"


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


def check_document(document: dict[str, Any]) -> Thread:
    """The document validates against the shipped schema and loads on both loader paths
    to the same thread; returns the thread."""
    _validator().validate(document)
    thread = load_document(document)
    data = dumps(document)
    again = load_bytes(data, name="imported.json")
    assert [p.id for p in again.posts] == [p.id for p in thread.posts]
    assert [p.parent for p in again.posts] == [p.parent for p in thread.posts]
    return thread


def check_deterministic(run: Callable[[str], ImportResult], text: str) -> None:
    first = run(text)
    second = run(text)
    assert dumps(first.document) == dumps(second.document)
    assert [str(w) for w in first.warnings] == [str(w) for w in second.warnings]


# --- mutations ----------------------------------------------------------------------------

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["", "0", "story", "comment", "accepted", "deleted", "<p>x</p>", "@"]),
)
_VALUES = st.one_of(
    _SCALARS,
    st.lists(_SCALARS, max_size=3),
    st.dictionaries(st.sampled_from(["id", "uri", "content", "text", "x"]), _SCALARS, max_size=3),
)


def _places(value: Any, into: list[tuple[Any, Any]]) -> None:
    """Every (container, key) in `value`, without recursion."""
    stack = [value]
    while stack:
        node = stack.pop()
        if type(node) is dict:
            for key, child in node.items():
                into.append((node, key))
                stack.append(child)
        elif type(node) is list:
            for index, child in enumerate(node):
                into.append((node, index))
                stack.append(child)


@st.composite
def mutated(draw: st.DrawFn, original: Any) -> Any:
    """`original` with one to six random changes: values replaced, keys or items removed,
    items duplicated."""
    value = copy.deepcopy(original)
    for _ in range(draw(st.integers(1, 6))):
        places: list[tuple[Any, Any]] = []
        _places(value, places)
        if not places:
            break
        container, key = draw(st.sampled_from(places))
        action = draw(st.sampled_from(["replace", "replace", "remove", "duplicate"]))
        if action == "replace":
            container[key] = draw(_VALUES)
        elif action == "remove":
            del container[key]
        elif type(container) is list:
            container.append(copy.deepcopy(container[key]))
    return value


def run_mutated(run: Callable[[str], ImportResult], value: Any) -> ImportResult | None:
    """Import a mutated value: the result, or None when the importer refused it (only
    ever with ImportFormatError); a result always makes a valid, loadable thread."""
    text = orjson.dumps(value).decode()
    # Every importer's sniff looks at it (sniffs must never raise).
    assert all(isinstance(importer.sniff(text), bool) for importer in IMPORTERS)
    try:
        result = run(text)
    except ImportFormatError as error:
        assert error.message
        return None
    check_document(result.document)
    return result


def fixture_text(platform: str, name: str) -> str:
    return (SOURCES / platform / name).read_text(encoding="utf-8")


def fixture_value(platform: str, name: str) -> Any:
    return orjson.loads(fixture_text(platform, name))

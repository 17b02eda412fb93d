"""Checks every JSON importer's tests share: the real files in tests/data/sources import to
a valid thread, alike on every run; nothing importable is one error with a place; damaged
input never crashes an importer or loses a post that is still readable."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from threadtui.importers import IMPORTERS
from threadtui.importers.base import ImportFormatError, ImportResult, dumps
from threadtui.model import Thread, load_bytes, load_document

Run = Callable[[str], ImportResult]

SOURCES = Path(__file__).resolve().parent / "data" / "sources"
SCHEMA = json.loads(resources.files("threadtui.model").joinpath("thread.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
HOSTILE = "[bold]not bold[/] \x1b[31mred\x1b[0m \x1b]0;PWNED\x07 bidi \u202eesrever\u202c"


# --- inputs -------------------------------------------------------------------------------


def fixtures(platform: str) -> list[Path]:
    """The real files of one platform's folder, by name (its NOTICE.md aside)."""
    return sorted(p for p in (SOURCES / platform).iterdir() if p.name != "NOTICE.md")


def fixture_text(platform: str, name: str) -> str:
    return (SOURCES / platform / name).read_text(encoding="utf-8")


def fixture_value(platform: str, name: str) -> Any:
    return orjson.loads(fixture_text(platform, name))


def text_of(value: Any) -> str:
    return orjson.dumps(value).decode()


def by_id(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {post["id"]: post for post in document["posts"]}


def dicts(value: Any) -> Iterator[dict[str, Any]]:
    """Every object inside a JSON value, at any depth, without recursion."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            yield node
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


# --- the output ---------------------------------------------------------------------------


def check(document: dict[str, Any], *, schema: bool = True) -> Thread:
    """The document is what docs/format.md promises: it validates against the schema, both
    loaders read it to the same tree, and every author a post names is in `authors`."""
    if schema:
        VALIDATOR.validate(document)
    data = dumps(document)
    thread = load_bytes(data, name="imported.json")
    again = load_document(orjson.loads(data), name="imported.json")
    assert [p.id for p in thread.posts] == [p.id for p in again.posts]
    assert [p.parent for p in thread.posts] == [p.parent for p in again.posts]
    for post in document["posts"]:
        author = post["author"]
        assert author is None or author in document["authors"], post["id"]
    return thread


def check_deterministic(run: Run, text: str) -> None:
    """Two runs on one input: byte-identical documents and the same warnings."""
    first, second = run(text), run(text)
    assert dumps(first.document) == dumps(second.document)
    assert [str(w) for w in first.warnings] == [str(w) for w in second.warnings]


def detected_as(text: str) -> list[str]:
    return [importer.name for importer in IMPORTERS if importer.sniff(text)]


# --- bad input ----------------------------------------------------------------------------


def refused(run: Run, text: str) -> ImportFormatError:
    """The error `run` refuses `text` with; it always says where to look."""
    with pytest.raises(ImportFormatError) as caught:
        run(text)
    error = caught.value
    assert error.message
    assert error.path is not None or error.line is not None
    return error


def truncations(text: str) -> list[str]:
    """Cuts at a few places: inside the first token, in the middle, one byte short."""
    size = len(text)
    return [text[:cut] for cut in sorted({1, 2, size // 3, size // 2, size - 2}) if cut < size]


def check_truncations(run: Run, text: str) -> None:
    for cut in truncations(text):
        refused(run, cut)


# --- mutations ----------------------------------------------------------------------------

# Deterministic per example, no deadline (a 260 KB fixture per example), few examples (a
# loaded 2-core machine).
MUTATIONS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)
# Values that mean something to some importer, then any small value.
_CHOSEN: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    1.5,
    2**63,
    "",
    "x",
    "0",
    "@",
    "<p>x</p>",
    "[deleted]",
    "at://",
    "story",
    "comment",
    "accepted",
    "deleted",
    "2023-13-45T99:00:00Z",
    "\x1b]0;PWNED\x07 [bold]x[/] \u202e",
    [],
    {},
    [None],
    {"x": 1},
]
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)
_VALUES = st.one_of(
    st.sampled_from(_CHOSEN),
    _SCALARS,
    st.lists(_SCALARS, max_size=3),
    st.dictionaries(st.sampled_from(["id", "uri", "content", "text", "x"]), _SCALARS, max_size=3),
)


def _places(value: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) in a JSON value: the places a mutation can hit."""
    found: list[tuple[Any, Any]] = []
    stack = [value]
    while stack:
        node = stack.pop()
        if type(node) is dict:
            for key, child in node.items():
                found.append((node, key))
                stack.append(child)
        elif type(node) is list:
            for index, child in enumerate(node):
                found.append((node, index))
                stack.append(child)
    return found


@st.composite
def mutated(draw: st.DrawFn, original: Any) -> Any:
    """A copy of `original` with one to six random changes: values replaced, keys or items
    removed, items duplicated."""
    value = copy.deepcopy(original)
    for _ in range(draw(st.integers(1, 6))):
        places = _places(value)
        if not places:
            break
        container, key = places[draw(st.integers(0, len(places) - 1))]
        action = draw(st.sampled_from(["replace", "replace", "remove", "duplicate"]))
        if action == "replace":
            container[key] = draw(_VALUES)
        elif action == "remove":
            del container[key]
        elif type(container) is list:
            container.append(copy.deepcopy(container[key]))
    return value


def survives(run: Run, value: Any, expected: Callable[[Any], set[str]]) -> ImportResult | None:
    """Import a damaged input: every sniff answers, the import fails only with an
    ImportFormatError that says where, and when it imports, the output is valid and holds
    every post `expected` still finds readable in the input."""
    text = text_of(value)
    assert all(isinstance(importer.sniff(text), bool) for importer in IMPORTERS)
    try:
        result = run(text)
    except ImportFormatError as error:
        assert error.message
        assert error.path is not None or error.line is not None
        return None
    # The loaders check every field's type as strictly as the schema; the schema itself
    # takes ten times as long, so the fixture tests run it and the mutations do not.
    check(result.document, schema=False)
    ids = {post["id"] for post in result.document["posts"]}
    for post in result.document["posts"]:
        ids.update(entry["id"] for entry in post.get("edit_history", ()))
    missing = expected(value) - ids
    assert not missing, missing
    return result

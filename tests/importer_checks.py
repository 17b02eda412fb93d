"""Checks every JSON importer's tests share: the output is a valid thread, and damaged
input never crashes an importer or loses a post that is still readable."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import orjson
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from threadtui.importers import IMPORTERS
from threadtui.importers.base import ImportFormatError, ImportResult, dumps
from threadtui.model import Thread, load_bytes, load_document

SOURCES = Path(__file__).resolve().parent / "data" / "sources"
SCHEMA = json.loads(resources.files("threadtui.model").joinpath("thread.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

# Mutations: deterministic per example, no deadline (a 260 KB fixture per example), few
# examples (a loaded 2-core machine).
MUTATIONS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)
REPLACEMENTS: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    1.5,
    2**63,
    "",
    "x",
    "[deleted]",
    "at://",
    "2023-13-45T99:00:00Z",
    "\x1b]0;PWNED\x07 [bold]x[/] \u202e",
    [],
    {},
    [None],
    {"x": 1},
]
HOSTILE = "[bold]not bold[/] \x1b[31mred\x1b[0m \x1b]0;PWNED\x07 bidi \u202eesrever\u202c"


def fixtures(platform: str) -> list[Path]:
    return sorted(p for p in (SOURCES / platform).iterdir() if p.name != "NOTICE.md")


def check(result: ImportResult, *, schema: bool = True) -> Thread:
    """The document is what docs/format.md promises: it validates against the schema, both
    loaders read it alike, and every author a post names is in `authors`."""
    document = result.document
    if schema:
        VALIDATOR.validate(document)
    data = dumps(document)
    thread = load_bytes(data, name="imported.json")
    again = load_document(orjson.loads(data), name="imported.json")
    assert [p.id for p in thread.posts] == [p.id for p in again.posts]
    for post in document["posts"]:
        author = post["author"]
        assert author is None or author in document["authors"], post["id"]
    return thread


def detected_as(text: str) -> list[str]:
    return [importer.name for importer in IMPORTERS if importer.sniff(text)]


def slots(value: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) in a JSON value: the places a mutation can hit."""
    found: list[tuple[Any, Any]] = []
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, child in node.items():
                found.append((node, key))
                stack.append(child)
        elif isinstance(node, list):
            for index, child in enumerate(node):
                found.append((node, index))
                stack.append(child)
    return found


@st.composite
def mutated(draw: st.DrawFn, original: Any) -> Any:
    """A copy of `original` with one to three values replaced or removed."""
    value = orjson.loads(orjson.dumps(original))
    for _ in range(draw(st.integers(1, 3))):
        places = slots(value)
        if not places:
            break
        container, key = places[draw(st.integers(0, len(places) - 1))]
        if isinstance(container, dict) and draw(st.booleans()):
            del container[key]
        else:
            container[key] = draw(st.sampled_from(REPLACEMENTS))
    return value


def dicts(value: Any) -> Iterator[dict[str, Any]]:
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            yield node
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def survives(
    run: Callable[[str], ImportResult], value: Any, expected: Callable[[Any], set[str]]
) -> ImportResult | None:
    """Import a damaged input: it fails only with ImportFormatError, and when it imports,
    the output is valid and holds every post `expected` still finds readable in it."""
    text = orjson.dumps(value).decode()
    try:
        result = run(text)
    except ImportFormatError as error:
        assert str(error)
        assert error.path is not None or error.line is not None
        return None
    # The loaders check every field's type as strictly as the schema; the schema itself
    # takes ten times as long, so the fixture tests run it and the mutations do not.
    check(result, schema=False)
    ids = {post["id"] for post in result.document["posts"]}
    for post in result.document["posts"]:
        ids.update(entry["id"] for entry in post.get("edit_history", ()))
    missing = expected(value) - ids
    assert not missing, missing
    return result


def truncations(text: str) -> list[str]:
    """Cuts at a few places: inside the first token, in the middle, one byte short."""
    size = len(text)
    return [text[:cut] for cut in sorted({1, 2, size // 3, size // 2, size - 2}) if cut < size]

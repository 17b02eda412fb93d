"""Opening a source parses it once: the sniffs, the opener and the importer share one parse,
made from the file's bytes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from thread_state import thread_state
from threadtui import importers, opener
from threadtui.importers import base
from threadtui.model.load import check_document

SOURCES = sorted((Path(__file__).parents[1] / "data" / "sources").glob("*/*.json*"))


class Counting:
    """orjson.loads, counting the calls that parse a whole input (`size` bytes or more)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.whole: list[type] = []
        self.real = orjson.loads

    def __call__(self, value: Any) -> Any:
        if len(value) >= self.size:
            self.whole.append(type(value))
        return self.real(value)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_opening_a_source_parses_it_once_from_its_bytes(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = path.read_bytes()
    counting = Counting(len(data.strip()) - 3)
    monkeypatch.setattr(orjson, "loads", counting)
    thread = opener.open_data(data, "t.json")
    monkeypatch.undo()
    # JSON Lines are parsed a line at a time; one JSON value once, as bytes.
    lines = data.strip().count(b"\n") + 1
    assert counting.whole == ([] if lines > 1 and path.suffix == ".jsonl" else [bytes])
    # And the parse is not kept once the thread is made.
    assert base.parse_json._entries == []
    text = data.decode()
    result = importers.run(importers.detect(text), text)
    base.parse_json.cache_clear()
    expected = check_document(result.document, name="t.json")
    expected.warnings[:0] = [str(w) for w in result.warnings]
    assert thread_state(thread) == thread_state(expected)


def test_the_parse_of_the_bytes_is_the_parse_of_the_text() -> None:
    for text in ['{"a": [1, "é😀"]}', "[]", "null", '{"a": 1}\n{"b": 2}\n', "{", " 1 "]:
        base.parse_json.cache_clear()
        from_text = base.parse_json(text)
        base.parse_json.cache_clear()
        assert base.parse_json.parse_bytes(text, text.encode()) == from_text
        # Kept for the text itself: the sniffs and the importer find it.
        assert base.parse_json(text) is base.parse_json(text)
    base.parse_json.cache_clear()


def test_parses_are_kept_by_identity_two_at_most() -> None:
    base.parse_json.cache_clear()
    first, second, third = '{"n": 1}', '{"n": 2}', '{"n": 3}'
    kept = base.parse_json(first)
    base.parse_json(second)
    assert base.parse_json(first) is kept
    base.parse_json(third)
    base.parse_json(second)
    assert base.parse_json(first) is not kept  # parsed again: only the last two are kept
    assert base.parse_json(first) == kept
    base.parse_json.cache_clear()
    assert base.parse_json._entries == []


def test_a_thread_file_found_by_its_value_leaves_no_parse_behind() -> None:
    # "schema" after the first 4 KiB: recognised by the parsed value.
    document = {"source": {"pad": "x" * 5000}, "schema": "threadtui.thread"}
    document |= {"schema_version": 1, "posts": [{"id": "a", "text": "hi"}]}
    thread = opener.open_data(orjson.dumps(document), "t.json")
    assert [p.text for p in thread.posts] == ["hi"]
    assert base.parse_json._entries == []

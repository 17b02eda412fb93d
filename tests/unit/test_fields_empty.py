"""Empty and odd values in every optional field (format.OPTIONAL_POST_KEYS, the small
objects' keys, the authors' optional keys): the fast path (load_fast.py) and the checking
path (load.py + fields.py) build the same thread with the same warnings, in every layout
of the post's keys, and `--print --format json` writes back what was kept so that it
reopens unchanged and without warnings.

The layouts matter: the checking path once took a post with exactly eight keys for one
holding only the eight core ones, and so dropped the optional fields of a post that left
out some core keys (found by test_properties with `"quote_state": ""` and
`"edit_history": []`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest

from thread_state import assert_same_both_ways, post_state, takes_fast_path, thread_state
from threadtui.cli import main
from threadtui.export.render import render_json
from threadtui.model import ThreadFileError, load_bytes, load_document
from threadtui.model import format as fmt
from threadtui.model.load import check_document

ODD_SCALARS: list[Any] = ["", " ", "\n", "\t", "\x1b", None, 0, -1, False, [], {}, [""]]
ODD_BY_KIND: dict[str, list[Any]] = {
    "line": ODD_SCALARS,
    "text": ODD_SCALARS,
    "url": [*ODD_SCALARS, "https://", "http://x", "ftp://x", "https://x y", "HTTPS://A.B/"],
    "time": [*ODD_SCALARS, "2026-01-01T00:00Z", "2026-02-30T00:00:00Z", "2026-01-01T00:00"],
    "media_kind": [*ODD_SCALARS, "image", "IMAGE"],
    "count": [*ODD_SCALARS, 1, 2**63 - 1, 2**63, 2**64, 1.0],
    "ids": [*ODD_SCALARS, [], [""], ["", ""], [None], [[]], ["a\nb"]],
}


def _small_object_values(kind: type) -> list[Any]:
    """Odd objects of one value type: empty, each key odd alone, every key spelled out
    empty, and not an object at all."""
    keys = fmt.VALUE_KEYS[kind]
    values: list[Any] = [{}, [], "", None, 0]
    full = {key: None for key in keys}
    values.append(full)
    for key, key_kind in keys.items():
        for odd in ODD_BY_KIND[key_kind]:
            values.append({key: odd})
            values.append({**full, key: odd})
    values.append({**full, "": None})
    return values


def _field_values(key: str) -> list[Any]:
    kind = fmt.FIELD_KINDS[key]
    if isinstance(kind, str):
        return ODD_BY_KIND[kind]
    objects = _small_object_values(kind[1])
    if kind[0] == "object":
        return objects
    return [[], {}, "", 0, [None], [[]], *([item] for item in objects), objects[5:7]]


CASES = [
    pytest.param(key, value, id=f"{key}={json.dumps(value)[:40]}")
    for key in fmt.OPTIONAL_POST_KEYS
    for value in _field_values(key)
]

# How a post spells its keys: the fast path takes each, and the checking path has one way
# in for all eight core keys and another for fewer.
LAYOUTS: dict[str, dict[str, Any]] = {
    "minimal": {"id": "a", "text": "x"},
    "eight core keys": {
        "id": "a",
        "author": None,
        "text": "x",
        "created_at": None,
        "reply_to": None,
        "quotes": [],
        "metrics": {},
        "status": "ok",
    },
    # Six core keys: with two optional ones, eight keys in all.
    "six core keys": {
        "id": "a",
        "author": None,
        "text": "x",
        "created_at": None,
        "reply_to": None,
        "quotes": [],
    },
    "seven core keys": {
        "id": "a",
        "text": "x",
        "created_at": None,
        "reply_to": None,
        "quotes": [],
        "metrics": {},
        "status": "ok",
    },
}


def _document(*posts: dict[str, Any], authors: dict[str, Any] | None = None) -> dict[str, Any]:
    document: dict[str, Any] = {
        "schema": fmt.SCHEMA,
        "schema_version": fmt.SCHEMA_VERSION,
        "posts": list(posts),
    }
    if authors is not None:
        document["authors"] = authors
    return document


def _bytes(document: dict[str, Any]) -> bytes:
    # json, not orjson: a count may pass 64 bits, which orjson cannot write.
    return json.dumps(document, ensure_ascii=False).encode()


def _assert_round_trip(data: bytes) -> None:
    """`--format json` writes back what was kept: it reopens as the same thread (its
    optional fields and author URLs included), with no warnings, and writes the same."""
    thread = load_bytes(data, name="t.json")
    written = render_json(thread)
    again = load_bytes(written, name="again.json")
    assert again.warnings == []
    assert [post_state(p) for p in again.posts] == [post_state(p) for p in thread.posts]
    assert {k: (a.handle, a.display_name, a.url) for k, a in again.authors.items()} == {
        k: (a.handle, a.display_name, a.url) for k, a in thread.authors.items()
    }
    assert render_json(again) == written
    assert takes_fast_path(written)


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize(("key", "value"), CASES)
def test_an_odd_optional_field_reads_the_same_both_ways(layout: str, key: str, value: Any) -> None:
    post = {**LAYOUTS[layout], key: value}
    # A second optional key, so the six-core layout holds eight keys.
    second = "native_id" if key != "native_id" else "url"
    for extra in ({}, {second: None}, {second: ""}):
        data = _bytes(_document({**post, **extra}))
        assert_same_both_ways(data)
        _assert_round_trip(data)


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize(
    "fields",
    [
        # Every field as empty as it can be without a warning (a URL or a time cannot be "").
        {
            "url": None,
            "native_id": "",
            "edited_at": None,
            "content_warning": "",
            "media": [],
            "links": [],
            "mentions": [],
            "more": {"count": None, "ids": []},
            "edit_history": [],
            "quote_state": "",
        },
        {key: None for key in fmt.OPTIONAL_POST_KEYS},
        {"quote_state": "", "edit_history": []},
        {"quote_state": "quoted", "edit_history": [{"id": None, "created_at": None, "text": ""}]},
    ],
    ids=["all empty", "all null", "the reported case", "kept values"],
)
def test_optional_fields_are_kept_by_both_paths_whatever_the_layout(
    layout: str, fields: dict[str, Any]
) -> None:
    data = _bytes(_document({**LAYOUTS[layout], **fields}))
    assert takes_fast_path(data)
    checked = check_document(orjson.loads(data), name="t.json")
    assert checked.warnings == []
    assert thread_state(load_bytes(data, name="t.json")) == thread_state(checked)
    # What the file spelled out with a value is kept, not only agreed about.
    for key, value in fields.items():
        if value is not None and value != []:
            assert checked.posts[0].fields is not None
            assert getattr(checked.posts[0].fields, key) is not None
    _assert_round_trip(data)


def test_the_reported_case_keeps_its_empty_quote_state() -> None:
    post = {**LAYOUTS["six core keys"], "quote_state": "", "edit_history": []}
    thread = load_document(_document(post), name="t.json")
    assert thread.posts[0].fields is not None
    assert thread.posts[0].fields.quote_state == ""
    assert thread.posts[0].fields.edit_history == ()


AUTHOR_CASES = [
    pytest.param(key, value, id=f"{key}={json.dumps(value)[:30]}")
    for key, kind in (("handle", "line"), ("display_name", "line"), ("url", "url"))
    for value in ODD_BY_KIND[kind]
]


@pytest.mark.parametrize(("key", "value"), AUTHOR_CASES)
def test_an_odd_author_field_reads_the_same_both_ways(key: str, value: Any) -> None:
    for layout in LAYOUTS.values():
        post = {**layout, "author": "u"}
        for entry in (
            {key: value},
            {"handle": None, "display_name": None, "url": None, key: value},
        ):
            data = _bytes(_document(post, authors={"u": entry}))
            assert_same_both_ways(data)
            try:
                load_bytes(data, name="t.json")
            except ThreadFileError:
                # A name that is no string is an error (refused by both paths, as above).
                assert not isinstance(value, str) and key != "url"
                continue
            _assert_round_trip(data)


def test_an_empty_author_entry_and_unknown_keys_read_the_same_both_ways() -> None:
    for entry in ({}, {"": ""}, {"id": ""}, {"handle": "", "display_name": "", "url": None}):
        data = _bytes(_document({**LAYOUTS["minimal"], "author": "u"}, authors={"u": entry}))
        assert takes_fast_path(data)
        assert_same_both_ways(data)
        _assert_round_trip(data)


def test_print_format_json_writes_empty_values_back(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    # The reported post, in the layout that lost its fields, and every field at its emptiest.
    empty = {
        "native_id": "",
        "content_warning": "",
        "media": [{"kind": "other", "url": None, "alt": ""}],
        "links": [{"url": None, "text": ""}],
        "mentions": [{"handle": "", "id": "", "url": None}],
        "more": {"count": 0, "ids": [""]},
        "edit_history": [{"id": "", "created_at": None, "text": ""}],
        "quote_state": "",
    }
    posts = [
        {**LAYOUTS["six core keys"], "quote_state": "", "edit_history": []},
        {**LAYOUTS["seven core keys"], "id": "b", "author": "u", **empty},
    ]
    authors = {"u": {"handle": "", "display_name": "", "url": None}}
    path = tmp_path / "t.json"
    path.write_bytes(_bytes(_document(*posts, authors=authors)))
    assert main([str(path), "--print", "--format", "json"]) == 0
    out = orjson.loads(capsysbinary.readouterr().out)
    assert out["posts"][0]["quote_state"] == ""
    assert "edit_history" not in out["posts"][0]  # empty, so left out as the format says
    for key, value in empty.items():
        assert out["posts"][1][key] == value, key
    assert out["authors"]["u"]["handle"] == "" and out["authors"]["u"]["display_name"] == ""
    _assert_round_trip(orjson.dumps(out))

"""Property-based tests: generated threads and story texts, including random bytes and
random Unicode, never make the loader or the importer fail other than as documented, never
lose a post, and never produce a document the shipped schema rejects.

Example counts are modest so the file runs in seconds; benchmarks/fuzz_robustness.py is
the long, coverage-guided run (docs/robustness.md).
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import jsonschema
import orjson
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from hostile_cases import (
    FORBIDDEN,
    SEED,
    assert_accounted,
    assert_nothing_lost,
    canonical,
    cleaned_id,
    complete,
    shown_strings,
)
from thread_state import assert_same_both_ways, takes_fast_path
from threadtui.export.render import render_json, render_text
from threadtui.importers.xstory import ImportResult, StoryFormatError, dumps, import_story
from threadtui.model import STATUSES, Thread, ThreadFileError, load_bytes, load_document
from threadtui.model import format as fmt
from threadtui.opener import decode_text, import_text, looks_like_json

# One profile for the file: deterministic per example, no deadline (the first example pays
# for imports), and no complaint about slow generation of long texts.
settings.register_profile(
    "hostile",
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
HOSTILE = settings.get_profile("hostile")

JSON_SCHEMA = json.loads(
    resources.files("threadtui.model").joinpath("thread.schema.json").read_text()
)
VALIDATOR = jsonschema.Draft202012Validator(JSON_SCHEMA)

SNIPPETS = [
    "\x1b]0;PWNED\x07",
    "\x1b]52;c;UFdORUQ=\x07",
    "\x1b]8;;https://evil.example\x1b\\x\x1b]8;;\x1b\\",
    "\x1b[2J",
    "\x9b31m",
    "\x9d0;T\x9c",
    "\x07\x08\r\r\n\x00\x7f",
    "\u202e\u202d\u202c\u2066\u2067\u2068\u2069\u200e\u200f\u061c",
    "[bold]",
    "[/]",
    "[@click=app.quit]x[/]",
    "[link=https://x]y[/]",
    "$variable",
    "🧑\u200d🤝\u200d🧑",
    "e\u0301\u0301",
    "漢字",
    "\u2028\u2029\u200b\ufeff",
    "\n\n",
    "\t",
]

# Any Unicode scalar value a UTF-8 file can hold (lone surrogates cannot be encoded).
unicode_text = st.text(st.characters(codec="utf-8"), max_size=40)
hostile_text = st.lists(st.one_of(unicode_text, st.sampled_from(SNIPPETS)), max_size=6).map("".join)
# A small pool of ids, so duplicates, self-replies, cycles and absent targets are common;
# two pairs differ only in control characters, which the loader cleans alike.
ids = st.sampled_from(["a", "b", "c", "d", "e", "f", "x\x1b", "x\x07", "[b]", "\u202eg"])
iso_times = st.builds(
    lambda moment, spec: moment.isoformat(timespec=spec) + "Z",
    st.datetimes(),
    st.sampled_from(["minutes", "seconds", "milliseconds", "microseconds"]),
)
counts = st.one_of(st.none(), st.integers(0, 2**64 - 1))
statuses = st.sampled_from(sorted(STATUSES))
# URLs the UI may open, some with a stranger's text in them or of another scheme (valid,
# and left out with a warning).
urls = st.one_of(
    st.none(),
    st.sampled_from(["https://example.org/a", "http://x.example/p?q=1#f", "HTTPS://A.B/"]),
    st.builds("https://x.example/{}".format, hostile_text),
    hostile_text,
)
lines = st.one_of(st.none(), hostile_text)


def small_object(kind: type) -> st.SearchStrategy[dict[str, Any]]:
    """An object of one of the optional fields' value types, as the format allows it."""
    keys: dict[str, st.SearchStrategy[Any]] = {
        key: {
            "line": lines,
            "text": lines,
            "url": urls,
            "time": st.one_of(st.none(), iso_times),
            "media_kind": st.sampled_from(fmt.MEDIA_KINDS),
            "count": counts,
            "ids": st.lists(hostile_text, max_size=2),
        }[value_kind]
        for key, value_kind in fmt.VALUE_KEYS[kind].items()
    }
    return st.fixed_dictionaries({}, optional=keys)


OPTIONAL_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "url": urls,
    "native_id": lines,
    "edited_at": st.one_of(st.none(), iso_times),
    "content_warning": lines,
    "media": st.lists(small_object(fmt.Media), max_size=2),
    "links": st.lists(small_object(fmt.Link), max_size=2),
    "mentions": st.lists(small_object(fmt.Mention), max_size=2),
    "more": st.one_of(st.none(), small_object(fmt.More)),
    "edit_history": st.lists(small_object(fmt.Edit), max_size=2),
    "quote_state": lines,
}
assert tuple(OPTIONAL_FIELDS) == fmt.OPTIONAL_POST_KEYS


@st.composite
def valid_post(draw: st.DrawFn, author_ids: list[str]) -> dict[str, Any]:
    status = draw(st.sampled_from(["ok", "ok", "ok", *sorted(STATUSES)]))
    text = draw(hostile_text if status == "ok" else st.one_of(st.none(), hostile_text))
    post: dict[str, Any] = {"id": draw(ids), "text": text}
    optional = {
        "author": st.one_of(st.none(), st.sampled_from([*author_ids, "unknown-author"])),
        "created_at": st.one_of(st.none(), iso_times),
        "reply_to": st.one_of(st.none(), ids),
        "quotes": st.lists(ids, max_size=3),
        "metrics": st.fixed_dictionaries(
            {}, optional={k: counts for k in ("views", "likes", "reposts", "replies", "quotes")}
        ),
        "status": st.just(status),
    }
    if draw(st.booleans()):
        optional.update(OPTIONAL_FIELDS)
    for key, strategy in optional.items():
        if draw(st.booleans()) or (key == "status" and status != "ok"):
            post[key] = draw(strategy)
    return post


@st.composite
def valid_thread(draw: st.DrawFn, *, unique: bool = False) -> dict[str, Any]:
    """A thread the format allows, but for duplicate ids (the rule a schema cannot say)
    unless `unique`."""
    author_ids = draw(st.lists(hostile_text.filter(bool), max_size=3, unique=True))
    authors = {
        a: draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "handle": st.one_of(st.none(), hostile_text),
                    "display_name": st.one_of(st.none(), hostile_text),
                    "url": urls,
                },
            )
        )
        for a in author_ids
    }
    posts = draw(st.lists(valid_post(author_ids), max_size=10))
    if unique:
        posts = list({cleaned_id(p["id"]): p for p in reversed(posts)}.values())[::-1]
    thread = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "title": st.one_of(st.none(), hostile_text),
                "summary": st.one_of(st.none(), hostile_text),
                "root": st.one_of(st.none(), ids),
                "details": st.dictionaries(hostile_text, hostile_text, max_size=3),
            },
        )
    )
    return {
        "schema": fmt.SCHEMA,
        "schema_version": fmt.SCHEMA_VERSION,
        "thread": thread,
        "authors": authors,
        "posts": posts,
    }


json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**63), 2**64 - 1),
        st.floats(allow_nan=False, allow_infinity=False),
        hostile_text,
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(hostile_text, inner, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def damaged_thread(draw: st.DrawFn) -> dict[str, Any]:
    """A valid thread with one value anywhere in it replaced by any JSON value."""
    document = draw(valid_thread(unique=True))
    spots: list[tuple[Any, Any]] = [(document, key) for key in document]
    for key in ("thread", "authors"):
        spots += [(document[key], k) for k in document[key]]
    for author in document["authors"].values():
        spots += [(author, k) for k in author]
    for index, post in enumerate(document["posts"]):
        spots.append((document["posts"], index))
        spots += [(post, k) for k in post]
        spots += [(post, k) for k in ("reply_to", "quotes", "metrics", "status")]
    container, key = draw(st.sampled_from(spots))
    container[key] = draw(json_values)
    return document


def unique_ids(document: dict[str, Any]) -> bool:
    cleaned = [cleaned_id(p["id"]) for p in document["posts"]]
    return len(cleaned) == len(set(cleaned))


def unique_authors(document: dict[str, Any]) -> bool:
    """Whether no two author ids (of `authors`, or unknown ones posts name) are the same
    once cleaned: the loader refuses that as it refuses colliding post ids."""
    raw = set(document.get("authors") or {})
    raw |= {
        p["author"]
        for p in document["posts"]
        if isinstance(p, dict) and isinstance(p.get("author"), str)
    }
    return len({cleaned_id(a) for a in raw}) == len(raw)


def check_loaded(thread: Thread, document: dict[str, Any]) -> None:
    assert_nothing_lost(thread, [p["id"] for p in document["posts"]], len(document["posts"]))
    for text in shown_strings(thread):
        assert not FORBIDDEN.search(text), text
    assert not FORBIDDEN.search(render_text(thread))


@HOSTILE
@given(valid_thread())
def test_a_valid_thread_loads_whole_and_inert(document: dict[str, Any]) -> None:
    assert VALIDATOR.is_valid(document), list(VALIDATOR.iter_errors(document))[:1]
    data = orjson.dumps(document)
    if not unique_ids(document):
        event("duplicate ids")
        with pytest.raises(ThreadFileError, match="duplicate post id"):
            load_bytes(data, name="t.json")
        return
    if not unique_authors(document):
        event("author ids alike once cleaned")
        with pytest.raises(ThreadFileError, match="duplicate author id"):
            load_bytes(data, name="t.json")
        return
    event("loaded")
    check_loaded(load_bytes(data, name="t.json"), document)


def integral_floats(value: Any) -> bool:
    """Whether a JSON value holds a float like 1.0, which JSON Schema counts as an integer
    and the loader, stricter on purpose, does not."""
    if isinstance(value, float):
        return value.is_integer()
    if isinstance(value, list):
        return any(integral_floats(v) for v in value)
    if isinstance(value, dict):
        return any(integral_floats(v) for v in value.values())
    return False


def assert_one_inert_line(error: ThreadFileError, name: str) -> None:
    message = str(error)
    assert message.startswith(name) and "\n" not in message
    assert not FORBIDDEN.search(message), message


@HOSTILE
@given(damaged_thread())
def test_a_damaged_thread_loads_or_is_refused_in_one_line(document: dict[str, Any]) -> None:
    try:
        data = orjson.dumps(document)
    except orjson.JSONEncodeError:
        return  # not representable as a file (e.g. an integer past 64 bits)
    document = orjson.loads(data)
    try:
        thread = load_bytes(data, name="t.json")
    except ThreadFileError as error:
        event("refused")
        assert_one_inert_line(error, "t.json")
        # What the schema allows, the loader reads: refusing it would lose every post. The
        # exceptions are the rules a schema cannot say and the loader's integer strictness.
        if VALIDATOR.is_valid(document) and unique_ids(document) and unique_authors(document):
            assert integral_floats(document) or "not a real time" in str(error), str(error)
        return
    event("loaded")
    check_loaded(thread, document)


@HOSTILE
@given(st.one_of(st.binary(max_size=300), json_values.map(orjson.dumps)))
def test_random_bytes_open_or_are_refused_in_one_line(data: bytes) -> None:
    # What `threadtui FILE` does with the bytes of a file.
    try:
        if looks_like_json(data):
            load_bytes(data, name="f")
        else:
            load_document(import_text(decode_text(data, "f"), "f").document, name="f")
    except ThreadFileError as error:
        assert_one_inert_line(error, "f")


# --- story texts -------------------------------------------------------------------------

SEED_LINES = SEED.split("\n")


@st.composite
def story_text(draw: st.DrawFn) -> str:
    """The seed with random edits: lines deleted, repeated, cut, or spliced with hostile
    text, and hostile lines inserted; mostly still a story, sometimes not."""
    lines = list(SEED_LINES)
    for _ in range(draw(st.integers(0, 12))):
        at = draw(st.integers(0, max(0, len(lines) - 1)))
        edit = draw(st.sampled_from(["delete", "repeat", "cut", "splice", "insert", "end"]))
        if not lines:
            lines.append(draw(hostile_text))
        elif edit == "delete":
            del lines[at]
        elif edit == "repeat":
            lines.insert(at, draw(st.sampled_from(SEED_LINES)))
        elif edit in ("cut", "splice"):
            line = lines[at]
            cut = draw(st.integers(0, len(line)))
            lines[at] = line[:cut] + (draw(hostile_text) + line[cut:] if edit == "splice" else "")
        elif edit == "insert":
            lines.insert(at, draw(hostile_text))
        else:
            lines = lines[:at]
    return draw(st.sampled_from(["\n", "\r\n", "\r"])).join(lines)


def check_import(text: str, result: ImportResult) -> None:
    assert_accounted(text, result)
    document = orjson.loads(dumps(result.document))
    assert VALIDATOR.is_valid(document), list(VALIDATOR.iter_errors(document))[:1]
    thread = load_document(document, name="s.txt")
    check_loaded(thread, document)
    assert dumps(import_story(text).document) == dumps(result.document)


@HOSTILE
@given(story_text())
def test_a_story_imports_whole_or_is_refused(text: str) -> None:
    try:
        result = import_story(text)
    except StoryFormatError:
        event("refused")
        return
    event("imported")
    check_import(text, result)


@HOSTILE
@given(
    st.one_of(
        st.text(max_size=400),
        st.binary(max_size=400).map(lambda b: b.decode("utf-8", "surrogateescape")),
    )
)
def test_random_unicode_as_a_story(text: str) -> None:
    # Lone surrogates too: Python callers can pass them, files cannot.
    try:
        result = import_story(text)
    except StoryFormatError:
        return
    check_import(text, result)


def _one_post(post: dict[str, Any]) -> dict[str, Any]:
    return {"schema": fmt.SCHEMA, "schema_version": fmt.SCHEMA_VERSION, "posts": [post]}


# Found by this test: eight keys in all, some core ones left out, and the checking path
# took the post for one holding the eight core keys only, dropping its optional fields.
_SIX_CORE = {"id": "a", "author": None, "text": "", "created_at": None, "reply_to": None}


@HOSTILE
@example(_one_post({**_SIX_CORE, "quotes": [], "quote_state": "", "edit_history": []}))
@example(
    _one_post(
        {
            **_SIX_CORE,
            "metrics": {},
            "media": [{"kind": "image", "url": None, "alt": ""}],
            "links": [],
        }
    )
)
@example(_one_post({**_SIX_CORE, "status": "ok", "native_id": "", "content_warning": ""}))
@example(_one_post({**_SIX_CORE, "quotes": [], "more": {"count": 0, "ids": []}, "url": None}))
@example(_one_post({"id": "a", "text": "", "quote_state": "", "edit_history": []}))
@given(st.one_of(valid_thread(), valid_thread(unique=True), damaged_thread()))
def test_the_fast_path_reads_what_the_checking_path_reads(document: dict[str, Any]) -> None:
    # json, not orjson: a generated count can pass 64 bits, which orjson cannot write.
    data = json.dumps(document, ensure_ascii=False).encode("utf-8", "surrogatepass")
    event("fast path" if assert_same_both_ways(data) else "checking path")


class Pairs(list[tuple[str, Any]]):
    """A JSON object as its key-value pairs, so it can hold a key twice."""


def as_pairs(value: Any) -> Any:
    if isinstance(value, dict):
        return Pairs((k, as_pairs(v)) for k, v in value.items())
    if isinstance(value, list):
        return [as_pairs(v) for v in value]
    return value


def objects(value: Any) -> list[Pairs]:
    found: list[Pairs] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Pairs):
            found.append(item)
            stack += [v for _, v in item]
        elif isinstance(item, list):
            stack += item
    return found


def write(value: Any, colon: str, key_escape: bool) -> str:
    if isinstance(value, Pairs):
        items = []
        for key, item in value:
            shown = json.dumps(key, ensure_ascii=key_escape)
            items.append(f"{shown}{colon}{write(item, colon, key_escape)}")
        return "{" + ",".join(items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(write(v, colon, key_escape) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


@HOSTILE
@given(
    valid_thread(unique=True),
    st.data(),
    st.sampled_from([":", " :", "\n:\t", ": "]),
    st.booleans(),
    st.booleans(),
)
def test_a_key_twice_in_any_object_is_refused_on_both_paths(
    document: dict[str, Any], data: st.DataObject, colon: str, key_escape: bool, full: bool
) -> None:
    # With every key spelled out or as generated, as the fast path takes either.
    pairs = as_pairs(complete(document) if full else document)
    target = data.draw(st.sampled_from([o for o in objects(pairs) if o]))
    key, _ = data.draw(st.sampled_from(list(target)))
    target.insert(data.draw(st.integers(0, len(target))), (key, data.draw(json_values)))
    text = write(pairs, colon, key_escape).encode("utf-8", "surrogatepass")
    assert not takes_fast_path(text)
    with pytest.raises(ThreadFileError) as caught:
        load_bytes(text, name="t.json")
    assert_one_inert_line(caught.value, "t.json")
    assert "duplicate key" in str(caught.value), str(caught.value)


@HOSTILE
@given(valid_thread(unique=True))
def test_json_output_reopens_as_the_same_thread(document: dict[str, Any]) -> None:
    if not unique_authors(document):
        return  # refused: nothing to write
    thread = load_bytes(orjson.dumps(document), name="t.json")
    data = render_json(thread)
    assert not FORBIDDEN.search(data.decode("utf-8"))
    again = load_bytes(data, name="again.json")
    assert canonical(again) == canonical(thread)
    # canonical() leaves these out: the optional fields and author URLs, empty ones too.
    assert repr([p.fields for p in again.posts]) == repr([p.fields for p in thread.posts])
    assert {a.id: a.url for a in again.authors.values()} == {
        a.id: a.url for a in thread.authors.values()
    }
    assert render_json(again) == data

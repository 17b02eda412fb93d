"""The format is defined once (model/format.py): the JSON Schema, the docs, both loaders and
`--format json` agree with it, and the optional post fields are read alike by both paths."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import orjson
import pytest

from thread_state import assert_same_both_ways, takes_fast_path
from threadtui.export.render import render_json
from threadtui.model import format as fmt
from threadtui.model import load_bytes, load_document
from threadtui.model.format import Edit, Link, Media, Mention, More

SCHEMA = json.loads(resources.files("threadtui.model").joinpath("thread.schema.json").read_text())
DEFS = SCHEMA["$defs"]
DOCS = (Path(__file__).parents[2] / "docs" / "format.md").read_text(encoding="utf-8")


def test_the_schema_names_what_format_py_names() -> None:
    props = SCHEMA["properties"]
    assert props["schema"] == {"const": fmt.SCHEMA}
    assert props["schema_version"] == {"const": fmt.SCHEMA_VERSION}
    assert tuple(props) == fmt.TOP_KEYS
    assert tuple(props["thread"]["properties"]) == fmt.THREAD_KEYS
    assert tuple(props["source"]["properties"]) == fmt.SOURCE_KEYS
    assert tuple(props["authors"]["additionalProperties"]["properties"]) == fmt.AUTHOR_KEYS
    post = DEFS["post"]["properties"]
    assert tuple(post) == fmt.POST_KEYS + fmt.OPTIONAL_POST_KEYS
    assert tuple(post["status"]["enum"]) == fmt.STATUSES
    assert tuple(post["metrics"]["properties"]) == fmt.METRIC_NAMES
    assert tuple(DEFS["media"]["properties"]["kind"]["enum"]) == fmt.MEDIA_KINDS
    for name, kind in [
        ("media", Media),
        ("link", Link),
        ("mention", Mention),
        ("more", More),
        ("edit", Edit),
    ]:
        assert (
            tuple(DEFS[name]["properties"]) == tuple(fmt.VALUE_KEYS[kind]) == kind.__struct_fields__
        )


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("2026-05-28T23:57Z", True),
        ("2026-05-28T23:57:00Z", True),
        ("2026-05-28T23:57:00.123456789Z", True),
        ("2026-05-28T23:57:00.1234567890Z", False),
        ("2026-05-28T23:57:00+00:00", False),
        ("2026-05-28 23:57:00Z", False),
        ("2026-05-28T23:57:00z", False),
        ("２026-05-28T23:57Z", False),
    ],
)
def test_the_schema_time_pattern_is_the_format_time_rule(text: str, valid: bool) -> None:
    pattern = DEFS["optionalTime"]["anyOf"][0]["pattern"]
    assert (re.search(pattern, text) is not None) == valid
    assert (fmt.TIME.fullmatch(text) is not None) == valid


def test_the_docs_describe_every_key_and_value() -> None:
    for key in (*fmt.POST_KEYS, *fmt.OPTIONAL_POST_KEYS, *fmt.AUTHOR_KEYS, *fmt.THREAD_KEYS):
        assert f"| `{key}` |" in DOCS, key
    for name in (*fmt.STATUSES, *fmt.METRIC_NAMES, *fmt.MEDIA_KINDS):
        assert f"`{name}`" in DOCS, name


def test_only_format_py_spells_the_schema_name() -> None:
    src = Path(__file__).parents[2] / "src" / "threadtui"
    spelled = [
        path.relative_to(src).as_posix()
        for path in src.rglob("*.py")
        if fmt.SCHEMA in path.read_text(encoding="utf-8")
    ]
    assert spelled == ["model/format.py"]


# --- the optional fields ---------------------------------------------------------------

FULL: dict[str, Any] = {
    "url": "https://social.example/@ann/1",
    "native_id": "1",
    "edited_at": "2026-05-28T23:59:00Z",
    "content_warning": "spoilers",
    "media": [
        {"kind": "image", "url": "https://media.example/1.jpg", "alt": "a harbour"},
        {"kind": "poll", "url": None, "alt": "yes / no"},
    ],
    "links": [{"url": "https://example.org/", "text": "example.org"}],
    "mentions": [{"handle": "bob", "id": "m:bob", "url": "https://social.example/@bob"}],
    "more": {"count": 12, "ids": ["m:7", "m:8"]},
    "edit_history": [{"id": "m:0", "created_at": "2026-05-28T23:57:00Z", "text": "frist\npost"}],
    "quote_state": "accepted",
}


def document(*posts: dict[str, Any], **authors: dict[str, Any]) -> dict[str, Any]:
    return {
        "schema": fmt.SCHEMA,
        "schema_version": fmt.SCHEMA_VERSION,
        "thread": {"title": "t", "community": "mine"},
        "source": {"platform": "m", "cursor": {"next": 2}},
        "authors": authors,
        "posts": [{"id": f"p{i}", "text": "x", **post} for i, post in enumerate(posts)],
    }


def test_every_optional_field_is_read_typed_on_the_fast_path() -> None:
    data = orjson.dumps(
        document(
            {"author": "ann", **FULL},
            {},
            ann={"handle": "ann", "display_name": "Ann", "url": "https://s.example/@ann", "id": 9},
        )
    )
    assert takes_fast_path(data)
    assert assert_same_both_ways(data)
    thread = load_bytes(data, name="t.json")
    post = thread.posts[0]
    assert thread.warnings == []
    assert (post.url, post.native_id, post.edited_at) == (FULL["url"], "1", FULL["edited_at"])
    assert post.edited is not None and post.created is None
    assert post.content_warning == "spoilers" and post.quote_state == "accepted"
    assert post.media == (
        Media("image", "https://media.example/1.jpg", "a harbour"),
        Media("poll", None, "yes / no"),
    )
    assert post.links == (Link("https://example.org/", "example.org"),)
    assert post.mentions == (Mention("bob", "m:bob", "https://social.example/@bob"),)
    assert (post.more_count, post.more_ids) == (12, ("m:7", "m:8"))
    assert post.edit_history == (Edit("m:0", "2026-05-28T23:57:00Z", "frist\npost"),)
    assert thread.posts[1].fields is None and thread.posts[1].media == ()
    author = thread.authors["ann"]
    assert author.url == "https://s.example/@ann" and author.extra == {"id": 9}
    assert thread.meta_extra == {"community": "mine"}
    assert thread.source == {"platform": "m", "cursor": {"next": 2}}


def test_json_output_writes_the_fields_back_and_reopens_the_same() -> None:
    thread = load_document(document({**FULL}, {"url": None, "media": []}))
    out = orjson.loads(render_json(thread))
    assert {k: out["posts"][0][k] for k in FULL} == FULL
    # Null and empty fields say nothing: left out, as if never written.
    assert set(out["posts"][1]) == set(fmt.POST_KEYS)
    again = load_bytes(render_json(thread), name="t.json")
    assert again.warnings == [] and again.posts[0].fields == thread.posts[0].fields
    assert render_json(again) == render_json(thread)


@pytest.mark.parametrize(
    ("fields", "warning"),
    [
        ({"url": 7}, "$.posts[0].url: expected an http(s) URL or null, got 7; left out"),
        ({"url": "javascript:alert(1)"}, "$.posts[0].url: expected an http(s) URL or null"),
        ({"url": "file:///etc/passwd"}, "$.posts[0].url: expected an http(s) URL or null"),
        ({"url": "https://a.example/ x"}, "$.posts[0].url: expected an http(s) URL or null"),
        ({"url": "https://a.example/\x1b]8;;x"}, "$.posts[0].url: expected an http(s) URL"),
        ({"native_id": 12}, "$.posts[0].native_id: expected a string or null, got 12"),
        ({"edited_at": "yesterday"}, "$.posts[0].edited_at: expected an ISO 8601 UTC time"),
        ({"edited_at": "2026-02-30T10:00Z"}, "$.posts[0].edited_at: expected an ISO 8601 UTC"),
        ({"content_warning": ["x"]}, "$.posts[0].content_warning: expected a string or null"),
        ({"media": "photo"}, "$.posts[0].media: expected an array of objects, got 'photo'"),
        ({"media": [3]}, "$.posts[0].media[0]: expected an object, got 3; left out"),
        (
            {"media": [{"kind": "hologram", "url": None, "alt": None}]},
            "$.posts[0].media[0].kind: expected one of image, video, gifv, audio, link, poll,"
            " other, got 'hologram'; left out",
        ),
        (
            {"media": [{"kind": "image", "url": "data:image/png;base64,AAAA", "alt": None}]},
            "$.posts[0].media[0].url: expected an http(s) URL or null",
        ),
        (
            {"links": [{"url": "https://x.example", "text": "x", "title": "T"}]},
            "$.posts[0].links[0]: 'title' is not a key of this object; left out",
        ),
        ({"mentions": {"handle": "x"}}, "$.posts[0].mentions: expected an array of objects"),
        ({"more": [1]}, "$.posts[0].more: expected an object, got an array; left out"),
        ({"more": {"count": -1, "ids": []}}, "$.posts[0].more.count: expected a whole number"),
        ({"more": {"count": 1, "ids": [1]}}, "$.posts[0].more.ids: expected an array of str"),
        ({"more": {"count": True, "ids": []}}, "$.posts[0].more.count: expected a whole number"),
        (
            {"edit_history": [{"id": "a", "created_at": 5, "text": "t"}]},
            "$.posts[0].edit_history[0].created_at: expected",
        ),
        ({"quote_state": {"s": 1}}, "$.posts[0].quote_state: expected a string or null"),
    ],
)
def test_a_wrong_optional_value_is_left_out_with_a_warning_and_the_post_loads(
    fields: dict[str, Any], warning: str
) -> None:
    data = json.dumps(document({"text": "kept", **fields})).encode()
    assert not takes_fast_path(data)
    assert_same_both_ways(data)
    thread = load_bytes(data, name="t.json")
    assert thread.posts[0].text == "kept"
    assert len(thread.warnings) == 1 and thread.warnings[0].startswith(warning)
    # What was kept is written back; the output loads without the warning.
    again = load_bytes(render_json(thread), name="t.json")
    assert again.warnings == []
    assert again.posts[0].fields == thread.posts[0].fields


def test_a_wrong_author_url_is_left_out_with_a_warning() -> None:
    data = orjson.dumps(document({"author": "a"}, a={"handle": "a", "url": "ftp://x.example"}))
    assert not takes_fast_path(data)
    thread = load_bytes(data, name="t.json")
    assert thread.authors["a"].url is None
    assert thread.warnings == [
        "$.authors['a'].url: expected an http(s) URL or null, got 'ftp://x.example'; left out"
    ]


def test_strings_in_optional_fields_are_cleaned_and_take_the_checking_path() -> None:
    hostile = "\x1b]0;PWNED\x07 \u202eevil\nline"
    fields = {
        "content_warning": hostile,
        "media": [{"kind": "image", "url": None, "alt": hostile}],
        "mentions": [{"handle": hostile, "id": None, "url": None}],
        "edit_history": [{"id": "e", "created_at": None, "text": hostile}],
        "more": {"count": None, "ids": [hostile]},
    }
    data = orjson.dumps(document(fields))
    assert not takes_fast_path(data)
    assert_same_both_ways(data)
    post = load_bytes(data, name="t.json").posts[0]
    line = "\ufffd]0;PWNED\ufffd \ufffdevil line"
    assert post.content_warning == line
    assert post.media[0].alt == post.mentions[0].handle == post.more_ids[0] == line
    # An earlier version is text: its line breaks stay.
    assert post.edit_history[0].text == "\ufffd]0;PWNED\ufffd \ufffdevil\nline"


@pytest.mark.parametrize(
    "fields",
    [
        {"media": [{"kind": "image", "url": None}]},  # a key left out: null
        {"links": [{"url": None, "text": None, "rel": "nofollow"}]},  # a key of its own
        {"url": "https://a.example/\u0022"},  # a quote character: the tally cannot count it
    ],
)
def test_what_the_fast_path_cannot_prove_goes_to_the_checking_path(fields: dict[str, Any]) -> None:
    data = orjson.dumps(document(fields))
    assert not takes_fast_path(data)
    assert_same_both_ways(data)


def test_a_repeated_key_beside_optional_fields_is_still_refused() -> None:
    data = orjson.dumps(document({"url": "https://a.example/"})).replace(
        b'"url":"https://a.example/"', b'"url":"https://a.example/","url":"https://b.example/"'
    )
    assert not takes_fast_path(data)
    with pytest.raises(Exception, match="duplicate key 'url'"):
        load_bytes(data, name="t.json")

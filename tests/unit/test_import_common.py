"""The layer every JSON importer shares (importers/collect.py): one answer to input that is
not JSON, typed reads that warn with the JSON path, times and counts normalised alike."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from importer_checks import refused
from threadtui.importers import IMPORTERS, base, get
from threadtui.importers.collect import Reader, epoch_utc, iso_utc

JSON_SOURCES = [importer.name for importer in IMPORTERS if importer.name != "x-story"]


def test_every_json_source_is_covered() -> None:
    assert JSON_SOURCES == ["bluesky", "mastodon", "hackernews", "reddit", "x-api"]


@pytest.mark.parametrize("source", JSON_SOURCES)
def test_broken_json_is_the_same_error_from_every_importer(source: str) -> None:
    error = refused(get(source).run, '{\n  "a": [1,\n  2,, 3]\n}')
    # The loader's words, so the CLI shows both kinds of file the same way: FILE:3:5: ….
    assert error.message.startswith("invalid JSON: ")
    assert (error.line, error.column, error.path) == (3, 5, None)


@pytest.mark.parametrize("source", JSON_SOURCES)
def test_blank_input_is_said_to_be_empty(source: str) -> None:
    error = refused(get(source).run, " \n\t")
    assert (error.message, error.path) == ("the input is empty", "$")


@pytest.mark.parametrize("source", JSON_SOURCES)
def test_json_null_is_the_wrong_shape_not_broken_json(source: str) -> None:
    error = refused(get(source).run, "null")
    assert not error.message.startswith("invalid JSON")
    assert error.path == "$"


def test_reads_warn_with_the_path_what_was_expected_and_what_comes_of_it() -> None:
    reader = Reader()
    obj = {"n": "12", "t": "2024-01-02T03:04:05", "e": "noon", "a": {}, "o": [], "s": 5}
    assert reader.count(obj, "n", "$.x") is None
    assert reader.time(obj, "t", "$.x") is None
    assert reader.epoch(obj, "e", "$.x", line=4) is None
    assert reader.items(obj, "a", "$.x") == []
    assert reader.object(obj, "o", "$.x") is None
    assert reader.string(obj, "s", "$.x") is None
    # Absent and null are the source not saying: no warning.
    assert reader.count({"n": None}, "n", "$") is None and reader.items({}, "a", "$") == []
    assert [str(w) for w in reader.warnings] == [
        "$.x.n: expected a whole number ≥ 0, got '12'; count unknown",
        "$.x.t: expected an ISO 8601 time with a zone, got '2024-01-02T03:04:05'; time unknown",
        "line 4: $.x.e: expected Unix seconds, got 'noon'; time unknown",
        "$.x.a: expected an array, got an object; left out",
        "$.x.o: expected an object, got an array; left out",
        "$.x.s: expected a string, got 5; left out",
    ]


def test_hostile_values_in_warnings_are_inert() -> None:
    reader = Reader()
    reader.count({"n\x1b[31m": "\x1b]0;PWNED\x07\u202e"}, "n\x1b[31m", "$")
    [warning] = reader.warnings
    assert "\x1b" not in warning.message and "\u202e" not in warning.message


def test_times_become_utc_z_and_keep_their_digits_when_already_so() -> None:
    assert iso_utc("2024-01-02T03:04:05.120Z") == "2024-01-02T03:04:05.120Z"
    assert iso_utc("2024-01-02T05:04:05.5+02:00") == "2024-01-02T03:04:05.5Z"
    assert iso_utc("2024-01-02T03:04:05") is None  # no zone: not a moment
    assert iso_utc(5) is None
    assert epoch_utc(1704164645) == "2024-01-02T03:04:05Z"
    assert epoch_utc(1704164645.25) == "2024-01-02T03:04:05.25Z"
    assert epoch_utc(float("inf")) is None and epoch_utc(True) is None


_JSON_PIECES = [*'{}[]"1 \t\r\n:,', "\u00a0", '{"a": [1, 2]}', "null", "tru", "x", "\ufeff"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_JSON_PIECES), max_size=16).map("".join))
def test_parse_json_answers_as_orjson_does(text: str) -> None:
    # parse_json tells JSON Lines from one value by the first line alone; it must still
    # answer exactly what parsing the whole text says.
    try:
        expected = orjson.loads(text)
    except orjson.JSONDecodeError:
        expected = None
    base.parse_json.cache_clear()
    assert base.parse_json(text) == expected
    base.parse_json.cache_clear()

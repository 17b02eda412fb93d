"""The checking path's reading of the optional post fields (format.OPTIONAL_POST_KEYS).

Rule, one for all of them: a value of the wrong type, a URL that is not http(s), a time
that breaks the time rule, or a key a small object does not define is a warning naming
its JSON path, and that value is dropped; the post still loads. These fields were the
file's own business before the format named them, so a file that was valid stays valid.
Every string kept is cleaned as shown text is (sanitize.py). `--format json` writes back
what was kept, so its output loads without the warnings.
"""

from __future__ import annotations

from typing import Any, Final

import msgspec

from threadtui.model.format import (
    FIELD_KINDS,
    MEDIA_KINDS,
    TIME_EXPECTED,
    VALUE_KEYS,
    PostFields,
    ValueKind,
    epoch_of,
    is_web_url,
    post_fields,
)
from threadtui.model.sanitize import clean_line, clean_text, describe

_EXPECTED: Final[dict[ValueKind, str]] = {
    "line": "a string or null",
    "text": "a string or null",
    "url": "an http(s) URL or null",
    "time": TIME_EXPECTED,
    "media_kind": "one of " + ", ".join(MEDIA_KINDS),
    "count": "a whole number ≥ 0 or null",
    "ids": "an array of strings",
}
_MAX_COUNT: Final = 2**63 - 1


def _dropped(where: str, expected: str, value: Any) -> str:
    return f"{where}: expected {expected}, got {describe(value)}; left out"


def read_value(kind: ValueKind, value: Any, where: str, warnings: list[str]) -> Any:
    """`value` read as `kind` and cleaned; None (with a warning) when it is not one."""
    if value is None:
        return "other" if kind == "media_kind" else (() if kind == "ids" else None)
    if kind == "count":
        if type(value) is int and 0 <= value <= _MAX_COUNT:
            return value
    elif kind == "ids":
        if type(value) is list and all(type(item) is str for item in value):
            return tuple(map(clean_line, value))
        warnings.append(_dropped(where, _EXPECTED[kind], value))
        return ()
    elif type(value) is str:
        if kind == "line":
            return clean_line(value)
        if kind == "text":
            return clean_text(value)
        if kind == "url":
            if is_web_url(value):
                return value
        elif kind == "time":
            if epoch_of(value) is not None:
                return value
        elif value in MEDIA_KINDS:
            return value
    warnings.append(_dropped(where, _EXPECTED[kind], value))
    return "other" if kind == "media_kind" else None


def _read_object(
    kind: type[msgspec.Struct], value: Any, where: str, warnings: list[str]
) -> msgspec.Struct | None:
    if type(value) is not dict:
        warnings.append(_dropped(where, "an object", value))
        return None
    keys = VALUE_KEYS[kind]
    for key in value:
        if key not in keys:
            shown = clean_line(key)
            warnings.append(f"{where}: {describe(shown)} is not a key of this object; left out")
    return kind(
        *(
            read_value(key_kind, value.get(key), f"{where}.{key}", warnings)
            for key, key_kind in keys.items()
        )
    )


def read_fields(post: dict[str, Any], where: str, warnings: list[str]) -> PostFields | None:
    """The optional fields of one post (a parsed JSON object at `where`); None if none."""
    values: list[Any] = []
    for key, kind in FIELD_KINDS.items():
        value = post.get(key)
        place = f"{where}.{key}"
        if isinstance(kind, str):
            values.append(read_value(kind, value, place, warnings))
        elif value is None:
            values.append(None if kind[0] == "object" else ())
        elif kind[0] == "object":
            values.append(_read_object(kind[1], value, place, warnings))
        elif type(value) is not list:
            warnings.append(_dropped(place, "an array of objects", value))
            values.append(())
        else:
            items = (
                _read_object(kind[1], item, f"{place}[{k}]", warnings)
                for k, item in enumerate(value)
            )
            values.append(tuple(item for item in items if item is not None))
    url, native_id, edited_at, warning, media, links, mentions, more, history, state = values
    edited = None if edited_at is None else epoch_of(edited_at)
    return post_fields(
        url, native_id, edited_at, edited, warning, media, links, mentions, more, history, state
    )


def read_author_url(value: Any, where: str, warnings: list[str]) -> str | None:
    url: str | None = read_value("url", value, where, warnings)
    return url

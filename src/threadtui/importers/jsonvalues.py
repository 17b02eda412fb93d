"""Reading typed values out of parsed JSON, with a warning that names the JSON path.

Shared by the JSON importers (Mastodon, Hacker News): a field of the wrong type is not a
reason to refuse a thread. It becomes null (or is left out) and a warning says where, in
the form `$.descendants[2].favourites_count: expected a whole number ≥ 0, got "12"`.
Values quoted in warnings go through `describe`, so hostile text in the input never
reaches the terminal as control characters.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

import orjson

from threadtui.importers.base import ImportFormatError, ImportWarning
from threadtui.model.sanitize import clean_line, describe

__all__ = ["Posts", "Reader", "epoch_to_iso", "iso_utc", "no_metrics", "not_json"]

# orjson writes integers of up to 64 bits; a larger "count" is not one.
_MAX_COUNT: Final = 2**63 - 1


def not_json(text: str) -> ImportFormatError:
    """The error for text that does not parse, naming the line where parsing stopped."""
    try:
        orjson.loads(text)
    except orjson.JSONDecodeError as error:
        return ImportFormatError(f"invalid JSON: {error.msg}", line=error.lineno)
    except RecursionError:
        return ImportFormatError("invalid JSON: nested too deeply")
    return ImportFormatError("invalid JSON")


def _format(moment: datetime) -> str:
    # By hand, not isoformat(): years before 1000 keep four digits, and the loader's
    # pattern (…T12:00:00.5Z) is met exactly.
    text = (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
        f"T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    )
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    return text + "Z"


def iso_utc(value: str) -> str | None:
    """An ISO 8601 time as UTC ending in Z; None when it is not one.

    A value already in that form is kept as written (its fraction digits too), so a
    re-import is byte-identical; one with an offset is converted.
    """
    if not 10 <= len(value) <= 40 or not value[:4].isdigit():
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None  # a time without a zone is not a moment
    if value.endswith("Z") and "T" in value and value[10] == "T" and len(value) <= 30:
        mark, fraction = value[19:20], value[20:-1]
        if (mark == "Z" and not fraction) or (
            mark == "." and fraction.isascii() and fraction.isdigit()
        ):
            return value
    try:
        return _format(moment.astimezone(UTC))
    except (OverflowError, ValueError):
        return None


def epoch_to_iso(value: int | float) -> str | None:
    """Unix seconds as ISO UTC ending in Z; None when out of range."""
    try:
        return _format(datetime.fromtimestamp(value, UTC))
    except (OverflowError, OSError, ValueError):
        return None


class Reader:
    """Typed reads that warn (naming the JSON path) instead of failing."""

    def __init__(self) -> None:
        self.warnings: list[ImportWarning] = []

    def warn(self, path: str, message: str) -> None:
        # Paths can hold the input's own keys: inert before they reach a terminal.
        self.warnings.append(ImportWarning(None, clean_line(f"{path}: {message}")))

    def wrong(self, path: str, expected: str, value: Any, outcome: str) -> None:
        self.warn(path, f"expected {expected}, got {describe(value)}; {outcome}")

    def string(self, obj: dict[str, Any], key: str, path: str, *, empty: bool = True) -> str | None:
        """obj[key] when it is a string (a non-empty one unless `empty`); else None."""
        value = obj.get(key)
        if value is None:
            return None
        if type(value) is not str:
            self.wrong(f"{path}.{key}", "a string", value, "left out")
            return None
        return value if value or empty else None

    def count(self, obj: dict[str, Any], key: str, path: str) -> int | None:
        """A metric: an integer ≥ 0, or None (unknown) with a warning when it is not one."""
        value = obj.get(key)
        if value is None:
            return None
        if type(value) is not int or not 0 <= value <= _MAX_COUNT:
            self.wrong(f"{path}.{key}", "a whole number ≥ 0", value, "count unknown")
            return None
        return value

    def time(self, obj: dict[str, Any], key: str, path: str) -> str | None:
        """An ISO 8601 time field as UTC Z; None with a warning when unreadable."""
        value = obj.get(key)
        if value is None:
            return None
        if type(value) is str:
            iso = iso_utc(value)
            if iso is not None:
                return iso
        self.wrong(f"{path}.{key}", "an ISO 8601 time", value, "time unknown")
        return None

    def epoch(self, obj: dict[str, Any], key: str, path: str) -> str | None:
        """A Unix-seconds field as ISO UTC Z; None with a warning when unreadable."""
        value = obj.get(key)
        if value is None:
            return None
        if type(value) in (int, float):
            iso = epoch_to_iso(value)
            if iso is not None:
                return iso
        self.wrong(f"{path}.{key}", "Unix seconds", value, "time unknown")
        return None

    def items(self, obj: dict[str, Any], key: str, path: str) -> list[Any]:
        """obj[key] when it is an array; [] (with a warning unless absent or null) else."""
        value = obj.get(key)
        if value is None:
            return []
        if type(value) is not list:
            self.wrong(f"{path}.{key}", "an array", value, "left out")
            return []
        return value

    def object(self, obj: dict[str, Any], key: str, path: str) -> dict[str, Any] | None:
        value = obj.get(key)
        if value is None:
            return None
        if type(value) is not dict:
            self.wrong(f"{path}.{key}", "an object", value, "left out")
            return None
        return value


def no_metrics() -> dict[str, int | None]:
    return {"views": None, "likes": None, "reposts": None, "replies": None, "quotes": None}


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


class Posts:
    """The posts of one import, by id: the same post seen twice is one post.

    The copy seen first keeps its place; what it lacks comes from the other, and a full
    post is never replaced by a placeholder for it (a placeholder is replaced by the
    post, in the placeholder's place).
    """

    def __init__(self) -> None:
        self.by_id: dict[str, dict[str, Any]] = {}

    def __contains__(self, pid: str) -> bool:
        return pid in self.by_id

    def get(self, pid: str) -> dict[str, Any] | None:
        return self.by_id.get(pid)

    def add(self, post: dict[str, Any]) -> dict[str, Any]:
        known = self.by_id.get(post["id"])
        if known is None:
            self.by_id[post["id"]] = post
            return post
        if known["status"] != "ok" and post["status"] == "ok":
            richer, poorer = dict(post), dict(known)
            known.clear()
            known.update(richer)
        else:
            poorer = post
        for key, value in poorer.items():
            old = known.get(key)
            if key == "metrics" and type(old) is dict and type(value) is dict:
                for name, count in value.items():
                    if old.get(name) is None:
                        old[name] = count
            elif key == "quotes" and type(old) is list and type(value) is list:
                known[key] = old + [q for q in value if q not in old]
            elif key not in ("status", "text") and _empty(old) and not _empty(value):
                known[key] = value
        if known["status"] == "ok" and known["text"] == "" and poorer.get("text"):
            known["text"] = poorer["text"]
        return known

    def values(self) -> list[dict[str, Any]]:
        return list(self.by_id.values())

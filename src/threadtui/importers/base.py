"""The importer contract: what every source module returns and how it is registered.

An importer turns one source's bytes into the normalised thread (docs/format.md) as a
plain `dict`, plus warnings that name where in the input they come from. Importers never
import Textual, never touch the network and never read files themselves: the CLI (or a
fetcher) hands them text, so each one is a pure function that tests can call directly.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

import orjson

_JSON_NON_SPACE = re.compile(r"[^ \t\r\n]")
"""Anything but the four characters JSON reads as white space."""


class ImportFormatError(ValueError):
    """The input holds nothing importable; `line` (1-based, with `column` when known) or
    `path` (a JSON path such as `$.thread.replies[2]`) says where to look, when one applies."""

    def __init__(
        self,
        message: str,
        line: int | None = None,
        path: str | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.path = path
        self.column = column

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, slots=True)
class ImportWarning:
    line: int | None
    """1-based input line, None when the warning is not tied to a line."""
    message: str

    def __str__(self) -> str:
        return self.message if self.line is None else f"line {self.line}: {self.message}"


@dataclass(slots=True)
class ImportResult:
    document: dict[str, Any]
    """The normalised thread (docs/format.md), ready for `dumps`."""
    warnings: list[ImportWarning]
    line_roles: dict[int, str] = field(default_factory=dict)
    """For line-based sources: every non-blank input line → where it went, so "lose
    nothing" is checkable (a line either fed the document or is named by a warning)."""


@dataclass(frozen=True, slots=True)
class Importer:
    name: str
    """What `--source NAME` takes."""
    description: str
    """What it reads, in a few words, for `import --list-sources` and error messages."""
    sniff: Callable[[str], bool]
    """A cheap look at the text: True when this importer recognises it. Must not raise."""
    run: Callable[..., ImportResult]
    """`run(text)`, or `run(text, tz=ZONE)` when `takes_tz`: the ImportResult, or an
    `ImportFormatError`."""
    takes_tz: bool = False
    """The source shows wall-clock times without a zone (copied page text), so the user
    says which zone they are in (`--source-tz`, `import --tz`)."""


def dumps(document: dict[str, Any]) -> bytes:
    """The document as JSON: 2-space indent, keys in the order built, a final newline."""
    return orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


class _Parses:
    """`parse_json`: the text parsed as one JSON value, or None when it is not JSON.

    Every JSON importer's sniff and run call it on the same text; it keeps the last two
    parses, so that is one parse, not one per importer. Entries are found by identity:
    hashing the text of a big input (a str of four bytes a character when it holds an
    emoji) cost more than a tenth of its parse, for a key that is always the same object.
    The opener hands over the parse of the file's bytes (`parse_bytes`), which spares
    orjson encoding the text back to UTF-8. Never raises.
    """

    def __init__(self) -> None:
        self._entries: list[tuple[str, Any]] = []

    def __call__(self, text: str) -> Any:
        for seen, value in self._entries:
            if seen is text:
                return value
        return self._keep(text, _parse(text))

    def parse_bytes(self, text: str, data: bytes) -> Any:
        """What `parse_json(text)` answers, from `data`, the UTF-8 bytes `text` was
        decoded from (without a byte order mark); kept as the parse of `text`."""
        for seen, value in self._entries:
            if seen is text:
                return value
        return self._keep(text, None if _value_then_more(text) else _loads(data))

    def kept(self, text: str) -> Any:
        """The parse of `text` if one is kept (None when it is not JSON), else NOT_KEPT;
        never parses: for an importer that reads the text faster than orjson when no one
        has parsed it yet (Hacker News's typed decode)."""
        for seen, value in self._entries:
            if seen is text:
                return value
        return NOT_KEPT

    def _keep(self, text: str, value: Any) -> Any:
        self._entries = [(text, value), *self._entries[:1]]
        return value

    def cache_clear(self) -> None:
        """Forget every parse: a big input must not outlive its import."""
        self._entries = []


parse_json: Final = _Parses()
NOT_KEPT: Final = object()
"""What `parse_json.kept` answers for a text it has not parsed."""


def _parse(text: str) -> Any:
    if _value_then_more(text):
        return None
    return _loads(text)


def _loads(data: str | bytes) -> Any:
    try:
        return orjson.loads(data)
    except (orjson.JSONDecodeError, RecursionError):
        return None


def _value_then_more(text: str) -> bool:
    """The first line is a JSON value and more follows (JSON Lines): not one value.

    orjson would say so too, but only after encoding the whole text (hundreds of MB of
    X API pages) and parsing its first line; this parses the first line alone.
    """
    start = _JSON_NON_SPACE.search(text)
    if start is None:
        return False
    end = text.find("\n", start.start())
    if end < 0 or _JSON_NON_SPACE.search(text, end) is None:
        return False
    try:
        orjson.loads(text[start.start() : end])
    except (orjson.JSONDecodeError, RecursionError):
        return False
    return True

"""Importers: turn what users have into the normalised thread format (docs/format.md).

Each importer is one module with a cheap sniff and an import function; adding a source is
one new module and one line in `IMPORTERS`. Importers never import Textual.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo

from threadtui.importers import xstory
from threadtui.importers.xstory import (
    ImportResult,
    ImportWarning,
    StoryFormatError,
    dumps,
)


@dataclass(frozen=True, slots=True)
class Importer:
    name: str
    description: str
    sniff: Callable[[str], bool]
    run: Callable[..., ImportResult]
    """`run(text, *, tz=...)`: the ImportResult, or a ValueError subclass with `.line`."""


# Sniffs are tried in order: put the most specific first.
IMPORTERS: list[Importer] = [
    Importer(
        "x-story", "text copied from an X story page", xstory.looks_like_story, xstory.import_story
    ),
]


def detect(text: str) -> str | None:
    """The name of the first importer that recognises `text`, or None."""
    for importer in IMPORTERS:
        if importer.sniff(text):
            return importer.name
    return None


def get(name: str) -> Importer:
    for importer in IMPORTERS:
        if importer.name == name:
            return importer
    raise KeyError(name)


def run(name: str, text: str, *, tz: tzinfo | None = None) -> ImportResult:
    """Run the importer called `name`; `tz` None means its default (UTC)."""
    importer = get(name)
    return importer.run(text) if tz is None else importer.run(text, tz=tz)


__all__ = [
    "IMPORTERS",
    "ImportResult",
    "ImportWarning",
    "Importer",
    "StoryFormatError",
    "detect",
    "dumps",
    "get",
    "run",
    "xstory",
]

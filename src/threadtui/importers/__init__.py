"""Importers: turn what users have into the normalised thread format (docs/format.md).

Each importer is one module with a cheap sniff and an import function; adding a source is
one new module and one line in `IMPORTERS`. Importers never import Textual.
"""

from __future__ import annotations

from datetime import tzinfo

from threadtui.importers import bluesky, hackernews, mastodon, reddit, xapi, xstory
from threadtui.importers.base import (
    Importer,
    ImportFormatError,
    ImportResult,
    ImportWarning,
    dumps,
)
from threadtui.importers.xstory import StoryFormatError

# Sniffs are tried in order: put the most specific first.
IMPORTERS: list[Importer] = [
    Importer(bluesky.NAME, bluesky.DESCRIPTION, bluesky.sniff, bluesky.run),
    Importer(mastodon.NAME, mastodon.DESCRIPTION, mastodon.sniff, mastodon.run),
    Importer(hackernews.NAME, hackernews.DESCRIPTION, hackernews.sniff, hackernews.run),
    Importer(reddit.NAME, reddit.DESCRIPTION, reddit.sniff, reddit.run),
    Importer(xapi.NAME, xapi.DESCRIPTION, xapi.sniff, xapi.run),
    # Last: a sniff of free text, the least specific.
    Importer(
        "x-story",
        "text copied from an X story page",
        xstory.looks_like_story,
        xstory.import_story,
        takes_tz=True,
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
    """Run the importer called `name`; `tz` (None: UTC) reaches only importers of sources
    whose times carry no zone."""
    importer = get(name)
    return importer.run(text, tz=tz) if importer.takes_tz and tz is not None else importer.run(text)


__all__ = [
    "IMPORTERS",
    "ImportFormatError",
    "ImportResult",
    "ImportWarning",
    "Importer",
    "StoryFormatError",
    "bluesky",
    "detect",
    "dumps",
    "get",
    "hackernews",
    "mastodon",
    "reddit",
    "run",
    "xapi",
    "xstory",
]

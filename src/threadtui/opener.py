"""Open whatever the user points threadtui at: a normalised thread, or a source an importer reads.

This is the one place that decides which reader a file gets, so `threadtui FILE`,
`threadtui import`, `validate` and `--print` all agree.
"""

from __future__ import annotations

import os
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from threadtui.model import Thread, ThreadFileError, load_bytes, load_document, read_input

if TYPE_CHECKING:
    from threadtui.importers.xstory import ImportResult

DEMO_NAME = "x-story-ai-deployment.txt"


def demo_path() -> Path:
    """The bundled demo thread (the X story seed), as a real path."""
    # Here, not at the top: importlib.resources adds 5 ms to opening any other file.
    from importlib import resources

    return Path(str(resources.files("threadtui") / "demo" / DEMO_NAME))


def looks_like_json(data: bytes) -> bool:
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return head in (b"{", b"[")


def decode_text(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        raise ThreadFileError(
            name, f"not UTF-8 text (byte 0x{data[error.start]:02x})", line=line, column=column
        ) from None


def import_text(text: str, name: str, *, tz: tzinfo | None = None) -> ImportResult:
    """Run the importer that recognises `text`; return its ImportResult."""
    from threadtui.importers import xstory

    if not text.strip():
        raise ThreadFileError(name, "the file is empty")
    if not xstory.looks_like_story(text):
        raise ThreadFileError(
            name,
            "not a threadtui thread (JSON) and not a recognised source (X story text)",
        )
    try:
        return xstory.import_story(text, **({"tz": tz} if tz is not None else {}))
    except xstory.StoryFormatError as error:
        raise ThreadFileError(name, str(error), line=error.line) from None


def open_thread(path: str | os.PathLike[str], *, tz: tzinfo | None = None) -> Thread:
    """Load a thread from a normalised JSON file or an importable text.

    Importer warnings become thread warnings (with their input line), so the UI can show
    them once and `--print` can put them on stderr.
    """
    name = os.fspath(path)
    data = read_input(path)
    if looks_like_json(data):
        return load_bytes(data, name=name)
    result = import_text(decode_text(data, name), name, tz=tz)
    thread = load_document(result.document, name=name)
    thread.warnings[:0] = [str(w) for w in result.warnings]
    return thread

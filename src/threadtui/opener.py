"""Open whatever the user points threadtui at: a normalised thread, or a source an importer reads.

This is the one place that decides which reader a file gets, so `threadtui FILE`,
`threadtui import`, `validate` and `--print` all agree.
"""

from __future__ import annotations

import os
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from threadtui.inputfile import MAX_INPUT_BYTES, RefusedInput, read_regular_file
from threadtui.model import Thread, ThreadFileError, load_bytes, load_document

if TYPE_CHECKING:
    from threadtui.importers.xstory import ImportResult

DEMO_NAME = "x-story-ai-deployment.txt"


def demo_path() -> Path:
    """The bundled demo thread (the X story seed), as a real path."""
    # Here, not at the top: importlib.resources adds 5 ms to opening any other file.
    from importlib import resources

    return Path(str(resources.files("threadtui") / "demo" / DEMO_NAME))


def read_input(path: str | os.PathLike[str], *, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of a file the user named; anything that is not a regular file of at most
    `limit` bytes, and every OS error, becomes a one-line ThreadFileError naming it."""
    name = os.fspath(path)
    try:
        return read_regular_file(path, limit=limit)
    except RefusedInput as error:
        raise ThreadFileError(name, str(error)) from None
    except IsADirectoryError:
        raise ThreadFileError(name, "is a directory, not a thread file") from None
    except FileNotFoundError:
        raise ThreadFileError(name, "no such file") from None
    except PermissionError:
        raise ThreadFileError(name, "permission denied") from None
    except OSError as error:
        raise ThreadFileError(name, f"cannot read: {error.strerror or error}") from None
    except MemoryError:
        raise ThreadFileError(name, "too large for the memory available") from None


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


def open_data(data: bytes, name: str, *, tz: tzinfo | None = None) -> Thread:
    """A thread from the bytes of a normalised JSON file or an importable text.

    `tz` is the zone a source's times are wall-clock times in (default UTC); it never
    changes a JSON file, whose times say their zone. Importer warnings become thread
    warnings (with their input line), so the UI can show them once and `--print` can put
    them on stderr.
    """
    if looks_like_json(data):
        return load_bytes(data, name=name)
    result = import_text(decode_text(data, name), name, tz=tz)
    thread = load_document(result.document, name=name)
    thread.warnings[:0] = [str(w) for w in result.warnings]
    return thread


def open_thread(path: str | os.PathLike[str], *, tz: tzinfo | None = None) -> Thread:
    """Load a thread from a normalised JSON file or an importable text (see open_data)."""
    return open_data(read_input(path), os.fspath(path), tz=tz)

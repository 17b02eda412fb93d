"""Open whatever the user points threadtui at: a normalised thread, or a source an importer reads.

This is the one place that decides which reader a file gets, so `threadtui FILE`,
`threadtui import`, `validate` and `--print` all agree.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from threadtui.model import SCHEMA, Thread, ThreadFileError, load_bytes, load_document, read_input

if TYPE_CHECKING:
    from threadtui.importers.base import ImportResult

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


THREAD_SOURCE = "thread"
"""The `--source` name of threadtui's own format."""


def sources() -> list[tuple[str, str]]:
    """Every `--source` name with what it reads, threadtui's own format first."""
    from threadtui.importers import IMPORTERS

    return [(THREAD_SOURCE, "threadtui thread JSON (docs/format.md)")] + [
        (importer.name, importer.description) for importer in IMPORTERS
    ]


def _unrecognised(name: str) -> ThreadFileError:
    names = ", ".join(source for source, _ in sources())
    return ThreadFileError(
        name,
        f"not a thread threadtui reads; it reads: {names}"
        " (name one with --source NAME; `threadtui import --list-sources` says what each is)",
    )


def import_text(
    text: str, name: str, *, source: str | None = None, tz: tzinfo | None = None
) -> ImportResult:
    """Run the importer called `source`, or the one that recognises `text`."""
    from threadtui import importers

    if not text.strip():
        raise ThreadFileError(name, "the file is empty")
    if source is None:
        source = importers.detect(text)
        if source is None:
            raise _unrecognised(name)
    try:
        importer = importers.get(source)
    except KeyError:
        raise UnknownSource(source) from None
    try:
        return importers.run(importer.name, text, tz=tz)
    except importers.ImportFormatError as error:
        where = error.path if error.line is None else None
        raise ThreadFileError(
            name, str(error), line=error.line, column=error.column, where=where
        ) from None
    finally:
        # The shared parse is cached for the sniffs; a big input must not outlive its import.
        importers.base.parse_json.cache_clear()


class UnknownSource(ValueError):
    """`--source NAME` names no source; the message lists them."""

    def __init__(self, source: str) -> None:
        names = ", ".join(name for name, _ in sources())
        super().__init__(f"--source: unknown source {source!r} (one of: {names})")


def open_data(
    data: bytes, name: str, *, source: str | None = None, tz: tzinfo | None = None
) -> Thread:
    """A thread from the bytes of a normalised JSON file or of a source an importer reads.

    `source` forces a reader (`--source`); by default the content decides, never the file
    name. `tz` is the zone a source's wall-clock times are in (default UTC); it never
    changes a JSON file, whose times say their zone. Importer warnings become thread
    warnings (with their input line), so the UI can show them once and `--print` can put
    them on stderr.
    """
    document, warnings = read_document(data, name, source=source, tz=tz)
    thread = load_bytes(data, name=name) if document is None else load_document(document, name=name)
    thread.warnings[:0] = warnings
    return thread


def read_document(
    data: bytes, name: str, *, source: str | None = None, tz: tzinfo | None = None
) -> tuple[dict[str, Any] | None, list[str]]:
    """The normalised document an input stands for and the importer's warnings.

    None for a normalised thread file: its bytes go to the loader as they are (the fast
    path reads bytes, and its errors name line and column).
    """
    if source == THREAD_SOURCE:
        return None, []
    if source is None and looks_like_json(data):
        # Writers put "schema" first (ours and the format's example do), so a look at the
        # head spares a second parse of a big file; anything else is decided on its value.
        if f'"{SCHEMA}"'.encode() in data[:4096]:
            return None, []
        text = decode_text(data, name)
        from threadtui.importers.base import parse_json

        # The one parse of the input, from its bytes: the sniffs and the importer that
        # recognises it all read this value (parse_json keeps it for the text).
        value = parse_json.parse_bytes(text, data.removeprefix(b"\xef\xbb\xbf"))
        if isinstance(value, dict) and "schema" in value:
            parse_json.cache_clear()
            return None, []
        if value is None:
            # Not JSON at all: JSON Lines (X API pages) go to the importers, anything else
            # to the loader, which names the line and column where parsing stopped.
            from threadtui import importers

            if importers.detect(text) is None:
                parse_json.cache_clear()
                return None, []
    else:
        text = decode_text(data, name)
    result = import_text(text, name, source=source, tz=tz)
    return result.document, [str(w) for w in result.warnings]


def expand_inputs(paths: Sequence[str | os.PathLike[str]]) -> list[str]:
    """The files named, with a directory standing for every visible regular file in it
    (sorted by name, not recursive). An empty directory is an error: it holds no thread."""
    files: list[str] = []
    for path in paths:
        name = os.fspath(path)
        if os.path.isdir(name):
            try:
                entries = sorted(
                    entry.path
                    for entry in os.scandir(name)
                    if not entry.name.startswith(".") and not _is_directory(entry)
                )
            except OSError as error:
                raise ThreadFileError(name, f"cannot list: {error.strerror or error}") from None
            if not entries:
                raise ThreadFileError(name, "the directory holds no files")
            files.extend(entries)
        else:
            files.append(name)
    return files


def _is_directory(entry: os.DirEntry[str]) -> bool:
    # Anything else (a broken link, a FIFO, a loop) is kept, so that reading it names it:
    # an input is never skipped without a word.
    try:
        return entry.is_dir()
    except OSError:
        return False


def open_inputs(
    paths: Sequence[str | os.PathLike[str]],
    *,
    source: str | None = None,
    tz: tzinfo | None = None,
) -> Thread:
    """One thread from every input named (files, or directories of them), merged by post
    id: the way a status and its context, or pages of API results, become one thread."""
    document, name, warnings = merged_document(paths, source=source, tz=tz)
    if isinstance(document, bytes):
        thread = open_data(document, name, source=source, tz=tz)
    else:
        thread = load_document(document, name=name)
    thread.warnings[:0] = warnings
    return thread


def merged_document(
    paths: Sequence[str | os.PathLike[str]],
    *,
    source: str | None = None,
    tz: tzinfo | None = None,
) -> tuple[dict[str, Any] | bytes, str, list[str]]:
    """Every input read and merged: the merged document (or, for one input, its bytes, so a
    single thread file keeps the loader's fast path), a name for messages, and warnings.
    """
    files = expand_inputs(paths)
    if len(files) == 1:
        return read_input(files[0]), files[0], []
    merged, warnings = merge_data(
        ((file, read_input(file)) for file in files), source=source, tz=tz
    )
    if len(paths) == 1:
        # One directory: the thread is the folder's, not its first file's.
        name = f"{os.path.normpath(os.fspath(paths[0]))} ({len(files)} files)"
    else:
        name = f"{files[0]} (+{len(files) - 1} more)"
    return merged, name, warnings


def merge_data(
    inputs: Iterable[tuple[str, bytes]],
    *,
    source: str | None = None,
    tz: tzinfo | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """`(name, bytes)` inputs, each read as a file of that name would be, merged into one
    document; and the warnings, each naming its input. Files on the command line and the
    responses of a fetch both come this way, so both give the same thread.

    Each input is checked on its own first, so an error names the input it is in and a
    JSON path that exists in that input.
    """
    import orjson

    from threadtui.model.merge import merge_documents

    documents: list[tuple[str, dict[str, Any]]] = []
    warnings: list[str] = []
    for name, data in inputs:
        document, input_warnings = read_document(data, name, source=source, tz=tz)
        if document is None:
            load_bytes(data, name=name)  # the input's own errors, with their places
            document = orjson.loads(data.removeprefix(b"\xef\xbb\xbf"))
        else:
            load_document(document, name=name)
        warnings.extend(f"{name}: {warning}" for warning in input_warnings)
        documents.append((name, document))
    merged, merge_warnings = merge_documents(documents)
    return merged, warnings + merge_warnings


def open_thread(
    path: str | os.PathLike[str], *, source: str | None = None, tz: tzinfo | None = None
) -> Thread:
    """Load a thread from a normalised JSON file or an importable source (see open_data)."""
    return open_data(read_input(path), os.fspath(path), source=source, tz=tz)

"""A URL reopened from the fetch cache through the installed command: its entry (a thread
file) goes through the load cache as a saved file would (issue #12)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import orjson
import pytest
from terminal import Terminal, installed_command
from test_load_cache_app import _wait_for_file

from support import doc, post
from threadtui import cli
from threadtui.fetch import cache as fetch_cache
from threadtui.fetch.urls import recognise
from threadtui.model import cache

URL = "https://news.ycombinator.com/item?id=1"


def _fetched(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, last: str) -> Path:
    """The fetch cache's entry for URL, large enough for the load cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    padding = "\n\n" + "lorem ipsum " * (cli.LOAD_CACHE_MIN_BYTES // 12)
    data = orjson.dumps(
        doc(
            post("a", 0, "the opening post", author="u1"),
            post("b", 1, last + padding, author="u2", reply_to="a"),
            authors={"u1": {"display_name": "Ada"}, "u2": {"display_name": "Bo"}},
            thread={"title": "Fetched thread"},
        )
    )
    return fetch_cache.write(recognise(URL), data)


def _open(tmp_path: Path) -> Terminal:
    state = tempfile.mkdtemp(dir=tmp_path, prefix="state-")
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg"), "XDG_STATE_HOME": state}
    return Terminal([*installed_command(), URL, "--offline"], env=env)


def _show(tmp_path: Path, words: str) -> str:
    with _open(tmp_path) as term:
        screen = term.wait_for(lambda s: "the opening post" in s and "Quit" in s)
        term.press("G")
        term.wait_for(lambda s: words in s)
        term.press("q")
        assert term.close() == 0
    return screen


def test_a_url_reopened_from_the_fetch_cache_uses_the_load_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = _fetched(monkeypatch, tmp_path, "the first ending")
    loaded = cache.entry_path(
        cache.entry_key(entry, "\0"), tmp_path / "xdg" / "threadtui" / "opened"
    )
    with _open(tmp_path) as term:
        first = term.wait_for(lambda s: "the opening post" in s and "Quit" in s)
        # Written after the first frame, while the app is open, as for a file.
        _wait_for_file(loaded)
        term.press("q")
        assert term.close() == 0
    # Made old, so that a hit (which touches it) shows.
    os.utime(loaded, (1_000_000, 1_000_000))
    second = _show(tmp_path, "the first ending")
    assert loaded.stat().st_mtime > 1_000_000, "the second opening did not use the load cache"
    assert first == second

    # A refreshed fetch (new bytes in the entry): a silent miss, the new thread shown, and
    # the copy rebuilt.
    _fetched(monkeypatch, tmp_path, "a refreshed ending")
    os.utime(loaded, (1_000_000, 1_000_000))
    with _open(tmp_path) as term:
        term.wait_for(lambda s: "the opening post" in s and "Quit" in s)
        term.press("G")
        term.wait_for(lambda s: "a refreshed ending" in s)
        _wait_for_file(loaded, newer_than=1_000_000)
        term.press("q")
        assert term.close() == 0
    thread, warning = cache.read(
        entry, cache.entry_key(entry, "\0"), name="e", directory=loaded.parent
    )
    assert warning is None and thread is not None
    assert thread.posts[1].text is not None
    assert thread.posts[1].text.startswith("a refreshed ending\n")

"""The load cache through the installed command: a second opening shows the same thread
from the cached copy, a changed file is loaded anew, and a damaged or forged copy is
ignored with a warning (model/cache.py)."""

from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson
import pytest
from terminal import Terminal, installed_command

from support import doc, post
from threadtui import cli
from threadtui.model import cache, load_bytes


def _joined(screen: str) -> str:
    """The screen's words in order, box borders and line ends left out."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", screen).split())


def _thread_file(path: Path, last: str = "the last word") -> None:
    """A thread file just large enough to be cached (a long last paragraph)."""
    padding = "\n\n" + "lorem ipsum " * (cli.LOAD_CACHE_MIN_BYTES // 12)
    path.write_bytes(
        orjson.dumps(
            doc(
                post("a", 0, "the opening post", author="u1"),
                post("b", 1, "a reply to it", author="u2", reply_to="a"),
                post("c", 2, last + padding, author="u1", reply_to="b"),
                authors={"u1": {"display_name": "Ada"}, "u2": {"display_name": "Bo"}},
                thread={"title": "Cached thread"},
            )
        )
    )
    assert path.stat().st_size >= cli.LOAD_CACHE_MIN_BYTES


def test_a_small_file_is_not_cached(tmp_path: Path) -> None:
    path = tmp_path / "small.json"
    path.write_bytes(orjson.dumps(doc(post("a", 0, "the opening post"))))
    with _open(tmp_path, path) as term:
        term.wait_for(lambda s: "the opening post" in s and "Quit" in s)
        time.sleep(0.5)
        term.press("q")
        assert term.close() == 0
    assert not (tmp_path / "xdg" / "threadtui" / "opened").exists()


def _env(tmp_path: Path) -> dict[str, str]:
    return {"XDG_CACHE_HOME": str(tmp_path / "xdg")}


def _entry(tmp_path: Path, path: Path) -> Path:
    # As the command keys it: no --source, no --source-tz.
    return cache.entry_path(cache.entry_key(path, "\0"), tmp_path / "xdg" / "threadtui" / "opened")


def _open(tmp_path: Path, path: Path, *args: str) -> Terminal:
    # A read state of its own each time: what the screens share is the thread, not what
    # the last opening marked as read.
    state = tempfile.mkdtemp(dir=tmp_path, prefix="state-")
    env = {**_env(tmp_path), "XDG_STATE_HOME": state}
    return Terminal([*installed_command(), str(path), *args], env=env)


def _wait_for_file(path: Path, *, newer_than: float = 0.0, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if path.stat().st_mtime > newer_than:
                return
        except FileNotFoundError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"{path} was not written")


def test_a_second_opening_shows_the_same_thread_and_a_change_is_reloaded(
    tmp_path: Path,
) -> None:
    path = tmp_path / "t.json"
    _thread_file(path)
    entry = _entry(tmp_path, path)
    with _open(tmp_path, path) as term:
        first = term.wait_for(
            lambda s: "Cached thread" in s and "the opening post" in s and "Quit" in s
        )
        # Written after the first frame, while the app is open.
        _wait_for_file(entry)
        term.press("q")
        assert term.close() == 0
    # Made old, so that a hit (which touches it) shows.
    os.utime(entry, (1_000_000, 1_000_000))
    with _open(tmp_path, path) as term:
        second = term.wait_for(
            lambda s: "Cached thread" in s and "the opening post" in s and "Quit" in s
        )
        term.press("G")
        assert "the last word" in term.wait_for(lambda s: "the last word" in s)
        term.press("q")
        assert term.close() == 0
    assert entry.stat().st_mtime > 1_000_000, "the second opening did not use the cache"
    assert first == second

    # The file changes: the next opening shows it, and the entry is rebuilt.
    _thread_file(path, last="a different ending")
    os.utime(entry, (1_000_000, 1_000_000))
    with _open(tmp_path, path) as term:
        term.wait_for(lambda s: "Cached thread" in s)
        term.press("G")
        term.wait_for(lambda s: "a different ending" in s)
        _wait_for_file(entry, newer_than=1_000_000)
        term.press("q")
        assert term.close() == 0
    thread, warning = cache.read(
        path, cache.entry_key(path, "\0"), name="t", directory=entry.parent
    )
    assert warning is None and thread is not None
    assert thread.posts[2].text is not None
    assert thread.posts[2].text.startswith("a different ending\n")


def test_a_damaged_copy_is_a_warning_and_the_file_opens(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    _thread_file(path)
    entry = _entry(tmp_path, path)
    entry.parent.mkdir(parents=True)
    entry.write_bytes(cache.MAGIC + b"\x00\x00\x00\x03abc")
    os.utime(entry, (1_000_000, 1_000_000))
    with _open(tmp_path, path) as term:
        term.wait_for(lambda s: "the opening post" in s and "1 warning" in s)
        term.press("w")
        # The message wraps where the temporary path's length puts it: read it as one line.
        screen = term.wait_for(lambda s: "could not be used (damaged header)" in _joined(s))
        assert "the cached copy of this file" in _joined(screen)
        term.press("\x1b")
        term.wait_for(lambda s: "Esc closes" not in s)
        # The copy is rebuilt as the damaged one was ignored.
        _wait_for_file(entry, newer_than=1_000_000)
        term.press("q")
        assert term.close() == 0
    assert cache.read(path, cache.entry_key(path, "\0"), name="t", directory=entry.parent)[0]


def test_a_forged_copy_with_control_characters_never_reaches_the_terminal(
    tmp_path: Path,
) -> None:
    path = tmp_path / "t.json"
    _thread_file(path)
    data = path.read_bytes()
    thread = load_bytes(data, name=str(path))
    thread.posts[0].text = "forged \x1b]52;c;UFdORUQ=\x07 \x1b]0;PWNED\x07 text"
    before = cache.stamp(path)
    assert before is not None
    source = cache.Source(cache.entry_key(path, "\0"), before, data)
    entry = _entry(tmp_path, path)
    # The folder has its key (a real entry was written there), the forger does not.
    assert cache.write(load_bytes(data, name="t"), source, directory=entry.parent) == entry
    entry.write_bytes(cache.encode(thread, source, b"forger's key".ljust(32)))
    with _open(tmp_path, path) as term:
        screen = term.wait_for(lambda s: "the opening post" in s and "1 warning" in s)
        term.press("q")
        assert term.close() == 0
    assert "forged" not in screen
    assert b"PWNED" not in term.raw and b"UFdORUQ" not in term.raw


def test_an_unwritable_cache_folder_still_opens_the_file(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    path = tmp_path / "t.json"
    _thread_file(path)
    env = {"XDG_CACHE_HOME": str(blocker)}
    with Terminal([*installed_command(), str(path)], env=env) as term:
        term.wait_for(lambda s: "the opening post" in s)
        term.press("q")
        assert term.close() == 0


def test_no_cache_neither_reads_nor_writes(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    _thread_file(path)
    entry = _entry(tmp_path, path)
    entry.parent.mkdir(parents=True)
    entry.write_bytes(b"junk")
    with _open(tmp_path, path, "--no-cache") as term:
        screen = term.wait_for(lambda s: "the opening post" in s)
        time.sleep(0.5)
        term.press("q")
        assert term.close() == 0
    assert "warning" not in screen
    assert entry.read_bytes() == b"junk"


# --- the command line, without a terminal ---------------------------------------------------


def _print(path: Path, *args: str) -> int:
    return cli.main([str(path), *args])


def test_print_reads_the_cache_and_says_when_it_is_damaged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    path = tmp_path / "t.json"
    _thread_file(path)
    assert _print(path, "--print") == 0
    plain = capsys.readouterr()
    entry = _entry(tmp_path, path)
    assert not entry.exists()  # --print reads the cache, never delays its exit to write it
    data = path.read_bytes()
    before = cache.stamp(path)
    assert before is not None
    source = cache.Source(cache.entry_key(path, "\0"), before, data)
    cache.write(load_bytes(data, name=str(path)), source, directory=entry.parent)
    assert _print(path, "--print") == 0
    assert capsys.readouterr() == plain
    entry.write_bytes(entry.read_bytes()[:-3])
    assert _print(path, "--print") == 0
    out = capsys.readouterr()
    assert out.out == plain.out
    assert "the cached copy of this file" in out.err and "could not be used" in out.err


def test_forget_cache_and_forget_cache_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    paths = [tmp_path / "a.json", tmp_path / "b.json"]
    for path in paths:
        _thread_file(path)
        entry = _entry(tmp_path, path)
        entry.parent.mkdir(parents=True, exist_ok=True)
        entry.write_bytes(b"x")
    assert cli.main([str(paths[0]), "--forget-cache"]) == 0
    assert "removed the cached copy of" in capsys.readouterr().err
    assert not _entry(tmp_path, paths[0]).exists()
    assert cli.main([str(paths[0]), "--forget-cache"]) == 0
    assert "nothing was cached of" in capsys.readouterr().err
    assert cli.main(["--forget-cache-all"]) == 0
    assert "removed 1 cached copy" in capsys.readouterr().err
    assert not _entry(tmp_path, paths[1]).exists()


@pytest.mark.parametrize(
    "args",
    [
        ["--forget-cache-all", "x.json"],
        ["--forget-cache"],
        ["x.json", "--forget-cache", "--print"],
    ],
)
def test_forget_cache_usage_errors(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(args)
    assert exit_info.value.code == 2
    assert "--forget-cache" in capsys.readouterr().err


def test_the_config_turns_the_cache_off_and_bounds_it(tmp_path: Path, monkeypatch: Any) -> None:
    from threadtui.config import load_settings

    config = tmp_path / "config.toml"
    config.write_text("load_cache = false\nload_cache_mb = 64\n")
    settings, problems = load_settings(config)
    assert problems == [] and settings.load_cache is False and settings.load_cache_mb == 64
    config.write_text('load_cache = "yes"\nload_cache_mb = -1\n')
    settings, problems = load_settings(config)
    assert len(problems) == 2 and settings.load_cache is True


def test_a_cached_json_file_still_says_source_tz_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    path = tmp_path / "t.json"
    _thread_file(path)
    data = path.read_bytes()
    before = cache.stamp(path)
    assert before is not None
    key = cache.entry_key(path, "\0+02:00")
    entry = cache.write(
        load_bytes(data, name=str(path)),
        cache.Source(key, before, data),
        directory=_entry(tmp_path, path).parent,
    )
    assert entry is not None
    os.utime(entry, (1_000_000, 1_000_000))
    assert _print(path, "--print", "--source-tz", "+02:00") == 0
    assert entry.stat().st_mtime > 1_000_000, "not opened from the cache"
    assert "--source-tz ignored" in capsys.readouterr().err

"""`threadtui FILE` on its way to the app: one file is read in a thread while the app is
imported (cli._EarlyRead). The thread it opens and every error it reports are those of
the plain read, which the other commands (and a terminal problem) still take."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import threadtui.cli as cli
import threadtui.ui.app as ui_app
from support import post, thread_doc
from threadtui.model import Thread, ThreadFileError, read_input
from threadtui.opener import open_thread


@pytest.fixture
def as_in_a_terminal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[Any]:
    """The command as in a terminal, the app caught instead of run: what it was given."""
    monkeypatch.setattr(cli, "terminal_problem", lambda: None)
    monkeypatch.setenv("THREADTUI_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    apps: list[Any] = []
    monkeypatch.setattr(ui_app, "run_app", lambda app, **_: apps.append(app))
    reads: list[str] = []
    real = cli._EarlyRead.__init__

    def counted(self: cli._EarlyRead, path: str) -> None:
        reads.append(path)
        real(self, path)

    monkeypatch.setattr(cli._EarlyRead, "__init__", counted)
    return [apps, reads]


def shape(thread: Thread) -> list[tuple[str, int, str | None]]:
    return [(p.id, p.parent, p.text) for p in thread.posts]


def test_the_file_read_beside_the_import_opens_the_same_thread(
    tmp_path: Path, as_in_a_terminal: list[Any]
) -> None:
    apps, reads = as_in_a_terminal
    path = tmp_path / "thread.json"
    posts = [post(f"p{i}", i, f"post {i}", reply_to="p0" if i else None) for i in range(30)]
    path.write_text(json.dumps(thread_doc(posts)), "utf-8")
    assert cli.main([str(path), "--tz", "UTC"]) == 0
    assert reads == [str(path)]
    assert len(apps) == 1 and shape(apps[0].thread) == shape(open_thread(path))


@pytest.mark.parametrize("kind", ["missing", "directory", "empty", "garbage"])
def test_an_unreadable_input_says_what_the_plain_read_says(
    tmp_path: Path,
    as_in_a_terminal: list[Any],
    capsys: pytest.CaptureFixture[str],
    kind: str,
) -> None:
    apps, _ = as_in_a_terminal
    path = tmp_path / f"{kind}.json"
    if kind == "directory":
        path.mkdir()
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "garbage":
        path.write_bytes(b'{"schema": "threadtui.thread", "posts": [')
    assert cli.main([str(path)]) == cli.EXIT_INPUT
    said = capsys.readouterr().err
    assert not apps
    # With stdout not a terminal the command reads the file plainly, and reports the
    # problem first (the terminal's only after): the same line either way.
    with pytest.MonkeyPatch.context() as undo:
        undo.setattr(cli, "terminal_problem", lambda: "no terminal here")
        assert cli.main([str(path)]) == cli.EXIT_INPUT
    assert capsys.readouterr().err == said
    assert said.count("\n") == 1 and said.startswith(str(path))


def test_the_bytes_are_handed_over_not_kept(tmp_path: Path) -> None:
    # The command keeps its reader until the app ends: it must not hold the whole file.
    path = tmp_path / "thread.json"
    path.write_bytes(b"x" * 1000)
    early = cli._EarlyRead(str(path))
    assert early.result() == b"x" * 1000
    assert early._data == b""


def test_a_read_error_in_the_thread_is_raised_where_the_bytes_are_asked(
    tmp_path: Path,
) -> None:
    early = cli._EarlyRead(str(tmp_path / "nothing.json"))
    with pytest.raises(ThreadFileError) as raised:
        early.result()
    with pytest.raises(ThreadFileError) as plain:
        read_input(tmp_path / "nothing.json")
    assert str(raised.value) == str(plain.value)

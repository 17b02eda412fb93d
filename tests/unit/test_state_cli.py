"""`is:new` in the query language, and `--print --since-last`, `--forget`, `--forget-all`."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from threadtui.cli import main
from threadtui.model import Thread, load_document
from threadtui.query import QueryError, SearchIndex, parse_query, run_query
from threadtui.query.match import narrows
from threadtui.state import open_state


def document(*ids: str) -> dict[str, Any]:
    posts: list[dict[str, Any]] = [
        {"id": "r", "text": "the root", "created_at": "2026-05-26T10:00:00Z", "author": "a:op"}
    ]
    for n, pid in enumerate(ids):
        posts.append(
            {
                "id": pid,
                "text": f"reply {pid}",
                "reply_to": "r" if not pid.startswith("c") else "b",
                "created_at": f"2026-05-26T10:{(n + 1) // 60 % 60:02d}:{(n + 1) % 60:02d}Z",
                "author": "a:op" if pid != "b" else "a:bob",
            }
        )
    return {
        "schema": "threadtui.thread",
        "schema_version": 1,
        "source": {"platform": "mastodon"},
        "thread": {"root": "r"},
        "authors": {"a:op": {"handle": "op"}, "a:bob": {"handle": "bob"}},
        "posts": posts,
    }


def ids(thread: Thread, indexes: list[int]) -> list[str]:
    return [thread.posts[i].id for i in indexes]


# --- is:new ----------------------------------------------------------------------------------


def test_is_new_matches_the_marks() -> None:
    thread = load_document(document("a", "b"))
    marks = bytes([0, 1, 0])
    index = SearchIndex(thread)
    assert ids(thread, run_query(parse_query("is:new", thread, new=marks), index).matches) == ["a"]
    assert ids(thread, run_query(parse_query("-is:new", thread, new=marks), index).matches) == [
        "r",
        "b",
    ]
    both = parse_query("is:new from:op", thread, new=bytes([1, 1, 1]))
    assert ids(thread, run_query(both, index).matches) == ["r", "a"]


def test_is_new_without_state_is_every_post() -> None:
    thread = load_document(document("a"))
    index = SearchIndex(thread)
    assert run_query(parse_query("is:new", thread), index).count == 2
    assert run_query(parse_query("-is:new", thread), index).count == 0


def test_marks_shorter_than_the_thread_count_arrivals_as_new() -> None:
    thread = load_document(document("a", "b"))
    query = parse_query("is:new", thread, new=bytes([0]))
    assert query.new_marks == bytes([0, 1, 1])
    assert parse_query("is:new", thread, new=bytes(10)).new_marks == bytes(3)


def test_is_new_describe_and_errors() -> None:
    thread = load_document(document("a"))
    assert parse_query("is:new", thread).describe() == "new since your last visit"
    assert parse_query("-is:new", thread).describe() == "seen before"
    assert not parse_query("is:new", thread).is_empty
    with pytest.raises(QueryError, match=r"is:root, is:quoted, is:new"):
        parse_query("is:newest", thread)
    with pytest.raises(QueryError, match=r"is:root, is:quoted or is:new"):
        parse_query("is:", thread)


def test_narrowing_never_reuses_results_of_other_marks() -> None:
    thread = load_document(document("a"))
    old = parse_query("-is:new", thread, new=bytes([1, 1]))
    # Shift+R: now nothing is new, so -is:new matches posts the old run did not.
    new = parse_query("-is:new op", thread, new=bytes([0, 0]))
    assert not narrows(new, old)
    index = SearchIndex(thread)
    first = run_query(old, index)
    assert run_query(new, index, within=first).count == 2
    same = parse_query("-is:new op", thread, new=bytes([1, 1]))
    assert narrows(same, old)


# --- the command line ------------------------------------------------------------------------


@pytest.fixture
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "state-home"
    monkeypatch.setenv("XDG_STATE_HOME", str(home))
    return home


def write(path: Path, *ids: str) -> Path:
    path.write_text(json.dumps(document(*ids)))
    return path


def printed(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    replies = [line.strip() for line in out.splitlines() if "reply " in line or "root" in line]
    return status, replies, err


def test_since_last_prints_what_is_new_and_records_it(
    tmp_path: Path, state_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "t.json", "a")
    status, lines, err = printed(capsys, str(path), "--print", "--since-last")
    assert status == 0
    assert lines == ["the root", "reply a"]
    assert err == f"threadtui: {path}: first run, every post is new\n"

    status, lines, err = printed(capsys, str(path), "--print", "--since-last")
    assert (status, lines, err) == (0, [], "")

    write(path, "a", "b", "c1")  # the thread grew: b, and c1 under it
    status, lines, _ = printed(capsys, str(path), "--print", "--since-last")
    assert lines == ["the root", "reply b", "reply c1"]  # the root as context
    status, lines, _ = printed(capsys, str(path), "--print", "--since-last")
    assert lines == []


def test_since_last_with_a_filter_records_only_its_matches(
    tmp_path: Path, state_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "t.json", "a", "b", "c1")
    # c1 is by op, under bob's b: b is printed as context (a heading), not as read.
    _, lines, _ = printed(capsys, str(path), "--print", "--since-last", "--from", "op")
    assert any("reply c1" in line for line in lines)
    _, lines, _ = printed(capsys, str(path), "--print", "--since-last")
    assert lines == ["the root", "reply b"]


def test_is_new_filter_in_print_reads_and_records_state(
    tmp_path: Path, state_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "t.json", "a")
    assert printed(capsys, str(path), "--print", "--filter", "is:new")[1] == [
        "the root",
        "reply a",
    ]
    assert printed(capsys, str(path), "--print", "--filter", "is:new")[1] == []
    # A print without is:new neither reads nor writes the state.
    write(path, "a", "b")
    before = sorted(os.listdir(state_home / "threadtui"))
    mtimes = [p.stat().st_mtime_ns for p in (state_home / "threadtui").iterdir()]
    printed(capsys, str(path), "--print")
    assert sorted(os.listdir(state_home / "threadtui")) == before
    assert [p.stat().st_mtime_ns for p in (state_home / "threadtui").iterdir()] == mtimes
    assert printed(capsys, str(path), "--print", "--since-last")[1] == ["the root", "reply b"]


def test_since_last_json_is_a_thread_of_the_new_posts(
    tmp_path: Path, state_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "t.json", "a")
    printed(capsys, str(path), "--print", "--since-last")
    write(path, "a", "b")
    assert main([str(path), "--print", "--since-last", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [p["id"] for p in out["posts"]] == ["r", "b"]  # the root as context


def test_damaged_state_is_a_warning_and_the_thread_prints(
    tmp_path: Path, state_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "t.json", "a")
    printed(capsys, str(path), "--print", "--since-last")
    [state_file] = (state_home / "threadtui").iterdir()
    state_file.write_bytes(b"\x93garbage")
    status, lines, err = printed(capsys, str(path), "--print", "--since-last")
    assert status == 0
    assert lines == ["the root", "reply a"]
    assert err.startswith(f"threadtui: {state_file}: read state damaged (unreadable: ")
    assert printed(capsys, str(path), "--print", "--since-last")[1] == []


def test_usage_errors(tmp_path: Path, state_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(write(tmp_path / "t.json", "a"))
    for args in (
        [path, "--since-last"],
        [path, "--forget", "--print"],
        [path, "--forget-all"],
        ["--demo", "--forget-all"],
    ):
        with pytest.raises(SystemExit) as exited:
            main(args)
        assert exited.value.code == 2
        assert capsys.readouterr().err.splitlines()[-1].startswith("threadtui: error: --")


def test_forget_and_forget_all(
    tmp_path: Path, state_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one = write(tmp_path / "one.json", "a")
    other = tmp_path / "other.json"
    other_doc = document("z")
    other_doc["source"] = {"platform": "reddit"}
    other.write_text(json.dumps(other_doc))
    for path in (one, other):
        printed(capsys, str(path), "--print", "--since-last")
    assert main([str(one), "--forget"]) == 0
    assert capsys.readouterr().err == f"threadtui: forgot what was read in {one}\n"
    assert main([str(one), "--forget"]) == 0
    assert capsys.readouterr().err == f"threadtui: nothing was remembered of {one}\n"
    # Forgotten: everything is new again; the other thread is still remembered.
    assert printed(capsys, str(one), "--print", "--since-last")[1] == ["the root", "reply a"]
    assert printed(capsys, str(other), "--print", "--since-last")[1] == []
    (state_home / "threadtui" / "notes.txt").write_text("not ours")
    assert main(["--forget-all"]) == 0
    folder = state_home / "threadtui"
    assert capsys.readouterr().err == f"threadtui: forgot what was read in 2 threads ({folder})\n"
    assert os.listdir(folder) == ["notes.txt"]


def test_state_folder_that_cannot_be_made_is_status_2_after_printing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the folder would go")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker))
    path = write(tmp_path / "t.json", "a")
    status, lines, err = printed(capsys, str(path), "--print", "--since-last")
    assert status == 2
    assert lines == ["the root", "reply a"]  # printed all the same
    last = err.splitlines()[-1]
    assert (
        last.startswith(f"threadtui: {blocker}/threadtui/") and "cannot save what was read" in last
    )


def _disk_fills_at(size: int) -> Any:
    def limit() -> None:  # pragma: no cover - runs in the child
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return limit


def test_full_disk_keeps_the_old_state_and_says_so(tmp_path: Path, state_home: Path) -> None:
    # The first state file is small; the second, of 3,000 posts, passes the limit (the
    # output goes to /dev/null, which the limit does not touch).
    path = write(tmp_path / "t.json", "a")
    env = {**os.environ, "XDG_STATE_HOME": str(state_home)}
    command = [sys.executable, "-m", "threadtui", str(path), "--print", "--since-last"]
    first = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)
    assert first.returncode == 0
    [state_file] = (state_home / "threadtui").iterdir()
    before = state_file.read_bytes()
    write(path, *(f"p{i}" for i in range(3000)))
    full = subprocess.run(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        env=env,
        preexec_fn=_disk_fills_at(8192),
    )
    assert full.returncode == 2
    assert full.stderr.splitlines()[-1] == (
        f"threadtui: {state_file}: cannot save what was read: File too large"
    )
    assert state_file.read_bytes() == before
    assert os.listdir(state_home / "threadtui") == [state_file.name]  # no temporary left
    # Not recorded, so the next run prints them again.
    again = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)
    assert again.returncode == 0
    assert "reply p2999" in again.stdout


def test_state_open_matches_print(tmp_path: Path, state_home: Path) -> None:
    path = write(tmp_path / "t.json", "a")
    assert main([str(path), "--print", "--since-last"]) == 0
    thread = load_document(document("a", "b"))
    state, warnings = open_state(thread)
    assert warnings == []
    assert ids(thread, state.new_posts()) == ["b"]


def test_clashing_parts_with_since_last_are_one_line(
    tmp_path: Path, state_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "t.json", "a")
    status = main(
        [str(path), "--print", "--since-last", "--filter", "replies:>5", "--search", "replies:<2"]
    )
    assert status == 2
    assert capsys.readouterr().err.startswith("threadtui: --search/--filter: ")
    assert not (state_home / "threadtui").exists()  # nothing printed, nothing recorded

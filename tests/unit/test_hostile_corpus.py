"""Hostile and broken input through the loader, `validate` and `--print`: nothing executes,
nothing crashes, nothing is lost.

The committed corpus is tests/data/hostile with its table expectations.toml (read by
tests/hostile_cases.py). Files too big to commit, and files that cannot be committed (a
directory, an unreadable file), are made here in tmp_path.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from hostile_cases import (
    CASES,
    ERRORS,
    FORBIDDEN,
    HOSTILE,
    MANIFEST,
    OPENS,
    SEED,
    Case,
    assert_accounted,
    assert_error_line,
    assert_nothing_lost,
    file_post_ids,
    params,
    shown_strings,
    write_big_post,
    write_cycle,
    write_deep_chain,
)
from threadtui.cli import main, warning_line
from threadtui.importers.xstory import StoryFormatError, import_story
from threadtui.model import NO_PARENT, ThreadFileError, load_path
from threadtui.opener import open_thread


def run_cli(args: list[str], capsysbinary: pytest.CaptureFixture[bytes]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsysbinary.readouterr()
    return code, captured.out.decode("utf-8"), captured.err.decode("utf-8")


def test_every_file_has_exactly_one_case() -> None:
    files = sorted(p.name for p in HOSTILE.iterdir() if p != MANIFEST)
    assert sorted(case.file for case in CASES) == files
    assert len(files) == len(set(files))
    # Both outcomes are covered, and every case says why it is there.
    assert len(OPENS) >= 20 and len(ERRORS) >= 40
    assert all(case.why for case in CASES)


# --- the loader ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", params(ERRORS))
def test_refused_with_one_line(case: Case) -> None:
    with pytest.raises(ThreadFileError) as caught:
        open_thread(case.path)
    assert_error_line(case, str(case.path), f"{caught.value}\n")


@pytest.mark.parametrize("case", params(OPENS))
def test_opens_with_exactly_the_expected_warnings(case: Case) -> None:
    thread = open_thread(case.path)
    assert thread.warnings == case.warnings
    assert_nothing_lost(thread, file_post_ids(case.path), case.posts or 0)
    for post_id, text in case.texts.items():
        post = thread.post(post_id)
        assert post is not None and post.text == text
    for text in shown_strings(thread):
        assert not FORBIDDEN.search(text), text
    # The tree is a forest: parent links agree with child lists, and depths add up.
    for post in thread.posts:
        if post.parent != NO_PARENT:
            parent = thread.posts[post.parent]
            assert post.index in (parent.children or []) and post.depth == parent.depth + 1


def test_story_texts_account_for_every_line() -> None:
    """Lose nothing: every non-blank line of each opening story is a header, post, card or
    time line, or is named by a warning with its line number."""
    stories = [case for case in OPENS if case.file.endswith(".txt")]
    assert len(stories) >= 5
    for case in stories:
        text = case.path.read_text(encoding="utf-8")
        assert_accounted(text, import_story(text))


# --- validate -----------------------------------------------------------------------------


@pytest.mark.parametrize("case", params(CASES))
def test_validate(case: Case, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    path = str(case.path)
    code, out, err = run_cli(["validate", path], capsysbinary)
    refusal = case.validate_error_line(path)
    if refusal is None:
        assert code == 0
        assert err.splitlines() == [warning_line(path, w) for w in case.warnings]
        posts = f"{case.posts} post" + ("" if case.posts == 1 else "s")
        warnings = f"{len(case.warnings)} warning" + ("" if len(case.warnings) == 1 else "s")
        assert out.startswith(f"{path}: valid threadtui.thread v1: {posts}, ")
        assert out.endswith(f", {warnings}\n")
    else:
        assert code == 2 and out == ""
        if case.validate == "not-json" or case.validate_error is not None:
            assert err == refusal + "\n"
        else:
            assert_error_line(case, path, err)


# --- --print ------------------------------------------------------------------------------


@pytest.mark.parametrize("case", params(CASES))
def test_print(case: Case, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    path = str(case.path)
    code, out, err = run_cli([path, "--print"], capsysbinary)
    if not case.opens:
        assert code == 2 and out == ""
        assert_error_line(case, path, err)
        return
    assert code == 0
    assert err.splitlines() == [warning_line(path, w) for w in case.warnings]
    for text in case.shown:
        assert text in out
    # Nothing a terminal would act on, in either stream.
    assert not FORBIDDEN.search(out) and not FORBIDDEN.search(err)


def test_print_shows_markup_literally(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    _, out, _ = run_cli([str(HOSTILE / "markup.json"), "--print"], capsysbinary)
    assert out.startswith("[bold red]Markup[/] title $variable\n[@click=app.quit]summary[/]\n")
    assert "[b]Mallory[/b] [@click=app.quit]x[/] @[/]mal" in out


@pytest.mark.parametrize("zone", ["-12:00", "+14:00", "America/New_York"])
def test_print_times_at_the_ends_of_the_calendar_in_any_zone(
    zone: str, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    # Year 1 west of UTC and year 9999 east of it are outside what a datetime can hold.
    path = str(HOSTILE / "absurd-dates.json")
    code, out, err = run_cli([path, "--print", f"--tz={zone}"], capsysbinary)
    assert (code, err) == (0, "")
    assert len(re.findall(r"· \d{1,4}-\d\d-\d\d \d\d:\d\d", out)) == 5


# --- the installed command, for a sample ----------------------------------------------------


SAMPLE = ["status-array.json", "truncated.json", "cycle-two.json", "story-hostile.txt"]


@pytest.mark.parametrize("name", SAMPLE)
def test_installed_command_sample(name: str) -> None:
    case = next(c for c in CASES if c.file == name)
    path = str(case.path)
    proc = subprocess.run(
        [sys.executable, "-m", "threadtui", path, "--print"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" not in proc.stderr
    if case.opens:
        assert proc.returncode == 0
        assert proc.stderr.splitlines() == [warning_line(path, w) for w in case.warnings]
        assert proc.stdout and not FORBIDDEN.search(proc.stdout)
    else:
        assert proc.returncode == 2 and proc.stdout == ""
        assert_error_line(case, path, proc.stderr)


# --- files that cannot be committed ---------------------------------------------------------


def unreadable_cases(tmp_path: Path) -> list[tuple[str, str]]:
    """(path, the message after "path: ") for each way a file cannot be read."""
    loop = tmp_path / "loop.json"
    loop.symlink_to(loop)
    cases = [
        (str(tmp_path / "absent.json"), "no such file"),
        (str(loop), "cannot read: Too many levels of symbolic links"),
        (str(tmp_path / ("n" * 300 + ".json")), "cannot read: File name too long"),
    ]
    if Path("/proc/self/mem").exists():
        # Unreadable even for root (as CI runs): reading it fails with EIO.
        cases.append(("/proc/self/mem", "cannot read: Input/output error"))
    if os.geteuid() != 0:
        locked = tmp_path / "locked.json"
        locked.write_text("{}")
        locked.chmod(0)
        cases.append((str(locked), "permission denied"))
    return cases


def test_directories_hold_inputs_but_are_not_thread_files(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    """Opening or importing a directory means every file in it; validate checks one file."""
    empty = str(tmp_path)
    assert run_cli([empty], capsysbinary) == (2, "", f"{empty}: the directory holds no files\n")
    assert run_cli(["validate", empty], capsysbinary) == (
        2,
        "",
        f"{empty}: is a directory, not a thread file\n",
    )
    # A file in it that cannot be read is named, never skipped.
    loop = tmp_path / "loop.json"
    loop.symlink_to(loop)
    for args in ([empty], ["import", empty]):
        assert run_cli(args, capsysbinary) == (
            2,
            "",
            f"{loop}: cannot read: Too many levels of symbolic links\n",
        )


def test_unreadable_files_exit_2_with_one_line(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    for path, message in unreadable_cases(tmp_path):
        for args in ([path], [path, "--print"], ["validate", path], ["import", path]):
            code, out, err = run_cli(args, capsysbinary)
            assert (code, out, err) == (2, "", f"{path}: {message}\n"), args


def test_a_hostile_file_name_is_inert(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    bad = tmp_path / "evil\x1b]0;PWNED\x07\u202e.json"
    bad.write_bytes((HOSTILE / "status-array.json").read_bytes())
    shown = str(bad).replace("\x1b", "\ufffd").replace("\x07", "\ufffd").replace("\u202e", "\ufffd")
    code, out, err = run_cli([str(bad)], capsysbinary)
    assert code == 2 and err.startswith(f"{shown}: $.posts[0].status: ")
    good = tmp_path / "evil\x1b]2;PWNED\x07.json"
    good.write_bytes((HOSTILE / "cycle-self.json").read_bytes())
    for args in ([str(good), "--print"], ["validate", str(good)]):
        code, out, err = run_cli(args, capsysbinary)
        assert code == 0 and err and not FORBIDDEN.search(out + err)
    # Without a title the app shows the file name: the thread carries it cleaned.
    assert not FORBIDDEN.search(load_path(good).name)


# --- cases too big to commit ----------------------------------------------------------------


def test_a_50_mb_post(tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    path = write_big_post(tmp_path)
    thread = load_path(path)
    big = thread.post("big")
    assert big is not None and big.text is not None and len(big.text) >= 50 * 1024 * 1024 - 5
    assert_nothing_lost(thread, ["root", "big", "quoter"], 3)
    # Previews never carry the whole post.
    assert len(big.first_line) == 1000 and big.first_line.endswith("…")
    code, out, err = run_cli(["validate", str(path)], capsysbinary)
    assert (code, err) == (0, "") and ": valid threadtui.thread v1: 3 posts," in out
    code, out, err = run_cli([str(path), "--print"], capsysbinary)
    assert (code, err) == (0, "")
    assert big.text in out


def test_a_100000_deep_chain(tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    path = write_deep_chain(tmp_path, 100_000)
    thread = load_path(path)
    assert thread.max_depth == 99_999 and thread.roots == [0]
    assert thread.preorder == list(range(100_000))
    code, out, err = run_cli(["validate", str(path)], capsysbinary)
    assert (code, err) == (0, "") and ": valid threadtui.thread v1: 100000 posts," in out


def test_print_of_a_deep_chain_is_linear(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    # 3,000 deep stands in for 100,000, which would need tens of gigabytes today.
    depth = 3_000
    code, out, err = run_cli([str(write_deep_chain(tmp_path, depth)), "--print"], capsysbinary)
    assert (code, err) == (0, "")
    assert "Reply 2999." in out
    assert len(out) < 300 * depth


def test_a_1000_post_reply_cycle(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    path = write_cycle(tmp_path, 1000)
    thread = load_path(path)
    warning = "posts 'p0', 'p1', 'p2', 'p3', 'p4' and 995 more reply to each other in a cycle:"
    assert thread.warnings == [f"{warning} 'p0' is shown as a root"]
    ids = [f"p{i}" for i in range(1000)] + ["off"]
    assert_nothing_lost(thread, ids, 1001)
    assert thread.roots == [0] and thread.max_depth == 999
    code, out, err = run_cli([str(path), "--print"], capsysbinary)
    assert code == 0 and err == f"{path}: warning: {thread.warnings[0]}\n"
    assert out.count("In the ring: ") == 1000 and "Off the ring." in out


# --- the importer on mutilated seeds --------------------------------------------------------


def mutilate(rng: random.Random, lines: list[str]) -> list[str]:
    out = list(lines)
    for _ in range(rng.randrange(1, 6)):
        if not out:
            break
        at = rng.randrange(len(out))
        kind = rng.randrange(6)
        if kind == 0:
            del out[at]
        elif kind == 1:
            out.insert(at, out[rng.randrange(len(out))])
        elif kind == 2:
            out[at] = out[at][: rng.randrange(len(out[at]) + 1)]
        elif kind == 3:
            other = rng.randrange(len(out))
            out[at], out[other] = out[other], out[at]
        elif kind == 4:
            out.insert(at, rng.choice(["\x1b]0;x\x07", "[b]", "@@", "0", "Original post", "  "]))
        else:
            out = out[:at]
    return out


def test_mutilated_seeds_are_imported_or_refused_and_lose_nothing() -> None:
    rng = random.Random(20260528)
    lines = SEED.split("\n")
    imported = 0
    for _ in range(300):
        text = "\n".join(mutilate(rng, lines))
        try:
            result = import_story(text)
        except StoryFormatError:
            continue
        imported += 1
        assert_accounted(text, result)
    assert imported > 200

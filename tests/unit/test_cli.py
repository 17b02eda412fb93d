"""The command line as a user types it: help, version, demo, import, validate, print."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from threadtui import __version__
from threadtui.cli import main, warning_line
from threadtui.config import parse_tz
from threadtui.opener import demo_path

DATA = Path(__file__).parents[1] / "data"
SEED = DATA / "stories" / "x-story-ai-deployment.txt"
SECOND = DATA / "stories" / "second-story.txt"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "threadtui", *args], capture_output=True, text=True, timeout=60
    )


def schema() -> dict[str, object]:
    text = resources.files("threadtui.model").joinpath("thread.schema.json").read_text()
    return json.loads(text)


def test_version_and_help() -> None:
    proc = run("--version")
    assert proc.returncode == 0 and proc.stdout == f"threadtui {__version__}\n"
    proc = run("--help")
    assert proc.returncode == 0
    for words in (
        "--demo",
        "--ascii",
        "--no-mouse",
        "--color-system",
        "--theme",
        "threadtui import FILE",
        "threadtui validate FILE",
    ):
        assert words in proc.stdout


def test_no_file_is_a_usage_error() -> None:
    proc = run()
    assert proc.returncode == 2
    assert "give a FILE to open, or --demo" in proc.stderr


def test_demo_is_the_bundled_seed() -> None:
    assert demo_path().read_bytes() == SEED.read_bytes()


def test_demo_prints(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--demo", "--print"]) == 0
    out = capsys.readouterr()
    assert out.out.startswith("Oliver Habryka of Lightcone Infrastructure argues")
    assert "Miles Brundage @Miles_Brundage · 2026-05-29 00:18 UTC · 1.5K views" in out.out
    assert out.err.endswith(
        ":12: warning: original-post section shows 4:57 PM, its cards 11:57 PM:"
        " shifted the section by +7h00m to the cards' clock\n"
    )


def test_import_to_stdout_and_file_identical(tmp_path: Path) -> None:
    first = run("import", str(SEED))
    assert first.returncode == 0
    assert first.stderr == (
        f"{SEED}:12: warning: original-post section shows 4:57 PM, its cards 11:57 PM:"
        " shifted the section by +7h00m to the cards' clock\n"
    )
    out = tmp_path / "seed.json"
    second = run("import", str(SEED), "-o", str(out))
    assert second.returncode == 0 and second.stdout == ""
    assert out.read_text() == first.stdout
    document = json.loads(out.read_text())
    jsonschema.validate(document, schema())
    assert len(document["posts"]) == 7
    check = run("validate", str(out))
    assert check.returncode == 0
    assert check.stdout == f"{out}: valid threadtui.thread v1: 7 posts, 2 authors, 0 warning(s)\n"


def test_second_story_output_matches_schema() -> None:
    proc = run("import", str(SECOND), "--tz", "Europe/London")
    assert proc.returncode == 0
    jsonschema.validate(json.loads(proc.stdout), schema())


def test_import_bad_timezone_and_missing_file() -> None:
    proc = run("import", str(SEED), "--tz", "Mars/Olympus")
    assert proc.returncode == 2
    assert proc.stderr.startswith("threadtui: --tz: unknown time zone 'Mars/Olympus'")
    proc = run("import", "/nonexistent/story.txt")
    assert proc.returncode == 2
    assert proc.stderr == "/nonexistent/story.txt: no such file\n"


def test_open_garbage_text_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just some notes\nnothing like a thread\n")
    proc = run(str(path))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith(str(path))
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [("UTC", "UTC"), ("+07:00", "UTC+07:00"), ("-5", "UTC-05:00"), ("Asia/Kolkata", "IST")],
)
def test_parse_tz(text: str, expected: str) -> None:
    from datetime import datetime

    moment = datetime(2026, 5, 28, 12, tzinfo=parse_tz(text))
    assert moment.tzname() == expected


def test_warning_lines_point_at_the_input_line() -> None:
    assert warning_line("f.txt", "line 12: shifted") == "f.txt:12: warning: shifted"
    assert warning_line("f.json", "2 posts missing") == "f.json: warning: 2 posts missing"

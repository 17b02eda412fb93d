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
    assert check.stdout == f"{out}: valid threadtui.thread v1: 7 posts, 2 authors, 0 warnings\n"


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


# --- display zone and source zone (item 1) ----------------------------------------------------


def printed(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main([str(SEED), "--print", *args]) == 0
    return capsys.readouterr().out


def test_display_tz_never_moves_a_story_post(capsys: pytest.CaptureFixture[str]) -> None:
    """--tz on the main command only changes how times are shown: the instant of every post
    of a story text is the same whatever the display zone."""
    as_json = json.loads(printed(capsys, "--format", "json"))
    for zone in ("Europe/Berlin", "-05:00", "Asia/Kolkata"):
        assert json.loads(printed(capsys, "--format", "json", f"--tz={zone}")) == as_json
    line = "Miles Brundage @Miles_Brundage · 2026-05-29 {} · 1.5K views"
    assert line.format("00:18 UTC") in printed(capsys, "--tz", "UTC")
    assert line.format("02:18 CEST") in printed(capsys, "--tz", "Europe/Berlin")
    assert line.format("05:48 IST") in printed(capsys, "--tz", "Asia/Kolkata")


def test_source_tz_reads_a_story_as_import_tz_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "berlin.json"
    assert main(["import", str(SEED), "--tz", "Europe/Berlin", "-o", str(out)]) == 0
    capsys.readouterr()
    direct = json.loads(printed(capsys, "--format", "json", "--source-tz", "Europe/Berlin"))
    imported = json.loads(out.read_text())
    assert {p["id"]: p["created_at"] for p in direct["posts"]} == {
        p["id"]: p["created_at"] for p in imported["posts"]
    }
    line = "Miles Brundage @Miles_Brundage · 2026-05-28 22:18 UTC · 1.5K views"
    assert line in printed(capsys, "--source-tz", "Europe/Berlin", "--tz", "UTC")


def test_source_tz_on_json_is_named_as_ignored(capsys: pytest.CaptureFixture[str]) -> None:
    path = DATA / "hostile" / "bidi.json"
    assert main([str(path), "--print", "--source-tz", "+01:00"]) == 0
    assert capsys.readouterr().err == (
        f"threadtui: --source-tz ignored: {path} is JSON, whose times say their zone\n"
    )


def test_help_and_readme_agree_on_the_display_zone() -> None:
    help_text = " ".join(run("--help").stdout.split())
    readme = " ".join((Path(__file__).parents[2] / "README.md").read_text().split())
    assert "--tz ZONE show times in this zone (default: the config's tz, else the machine's" in (
        help_text
    )
    assert "default: the config's `tz`, else the machine's zone" in readme
    assert "--source-tz ZONE" in help_text and "--source-tz ZONE" in readme


# --- zones that are not zones (item 11) -------------------------------------------------------

BAD_ZONES = [
    "America",
    "Etc",
    "America/",
    "Europe//Berlin",
    "../etc/passwd",
    "/etc/localtime",
    "zone1970.tab",
    "tzdata.zi",
    "+²",
    "+٣",
    "+24:00",
    "-5:60",
    "+07:0",
    "+" + "9" * 5000,
    "-" + "9" * 20 + ":00",
    "x" * 5000,
    "Europe/Berlin\x00",
    "\x1b]0;pwned\x07",
    "\udcff",
    "",
    " ",
]


@pytest.mark.parametrize("value", BAD_ZONES)
def test_bad_zone_is_one_line_exit_2(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    for args, option in (
        (["--demo", "--print", f"--tz={value}"], "--tz"),
        (["--demo", "--print", f"--source-tz={value}"], "--source-tz"),
        (["import", str(SEED), f"--tz={value}"], "--tz"),
    ):
        assert main(args) == 2
        out, err = capsys.readouterr()
        assert out == ""
        assert err.startswith(f"threadtui: {option}: ") and err.count("\n") == 1
        assert err.isprintable() is False and err[:-1].isprintable(), err
        assert len(err) < 200


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (" utc ", "UTC"),
        ("Z", "UTC"),
        ("+0530", "UTC+05:30"),
        ("-23:59", "UTC-23:59"),
        ("+7", "UTC+07:00"),
        ("-0", "UTC"),
    ],
)
def test_parse_tz_offsets(text: str, expected: str) -> None:
    from datetime import datetime

    assert datetime(2026, 5, 28, 12, tzinfo=parse_tz(text)).tzname() == expected


# --- nothing from the command line reaches stderr raw (item 18) -------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["--demo", "--print", "--filter", "from:\x1b]0;pwned\x07"],
        ["--demo", "--print", "--filter", "views:>\x1b]0;pwned\x07"],
        ["--demo", "--print", "--search", "after:\x1b]0;pwned\x07"],
        ["--demo", "--print", "--from", "\x1b]0;pwned\x07"],
        ["--demo", "--print", "--after", "\x9b31m\u202e"],
        ["--demo", "--print", "--format", "\x1b]0;pwned\x07"],
        ["--demo", "--print", "extra\x1b]0;pwned\x07"],
        ["--demo", "--print", "--theme"],
        ["import", str(SEED), "--\x1b]0;pwned\x07"],
        ["validate", "a", "b\x1b]0;pwned\x07"],
    ],
)
def test_errors_never_echo_control_characters(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        status = main(args)
    except SystemExit as stop:
        status = stop.code  # argparse's own usage errors
    assert status == 2
    err = capsys.readouterr().err
    assert err and "Traceback" not in err
    assert all(line.isprintable() for line in err.splitlines()), err

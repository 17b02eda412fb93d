"""`--print` with `--search`/`--filter` queries that fail only when run: one line on
stderr and exit 2, never a traceback (issue #13 items 8, 12 and 18)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from hostile_cases import FORBIDDEN
from threadtui.cli import main


@pytest.fixture
def runaway_file(tmp_path: Path) -> str:
    doc = {
        "schema": "threadtui.thread",
        "schema_version": 1,
        "posts": [
            {"id": "a", "text": "aab", "metrics": {"views": 50}},
            {"id": "b", "text": "a" * 300, "reply_to": "a", "metrics": {"views": 3}},
        ],
    }
    path = tmp_path / "runaway.json"
    path.write_bytes(orjson.dumps(doc))
    return str(path)


def fails(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and captured.err.startswith("threadtui: "), captured.err
    assert not FORBIDDEN.search(captured.err)
    return captured.err


def test_print_stops_a_runaway_search_with_a_message(
    runaway_file: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("threadtui.query.match.SEARCH_BUDGET", 0.05)
    err = fails([runaway_file, "--print", "--search", "/(a{1,16}){1,16}b/"], capsys)
    assert err.startswith("threadtui: --search/--filter: search stopped: pattern too slow")


def test_print_refuses_a_filter_and_search_that_clash(
    runaway_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    err = fails([runaway_file, "--print", "--filter", "views:>10", "--search", "views:<5"], capsys)
    assert "no number satisfies every views: filter" in err


@pytest.mark.parametrize(
    "query",
    ["views:>" + "9" * 5000, "views:" + "9" * 400 + ".5", "views:\x1b]0;PWNED\x07"],
    ids=["5000 digits", "400 nines.5", "OSC title"],
)
def test_print_refuses_bad_numbers_in_one_clean_line(
    runaway_file: str, query: str, capsys: pytest.CaptureFixture[str]
) -> None:
    err = fails([runaway_file, "--print", "--filter", query], capsys)
    assert err.startswith("threadtui: --from/--after/--before/--filter: views:")
    assert len(err) < 200

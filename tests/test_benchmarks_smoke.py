"""The benchmark scripts still run (a smoke test: that they work, never how fast)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
@pytest.mark.parametrize("script", ["bench_load.py", "bench_ui.py"])
def test_benchmark_quick_run(script: str) -> None:
    proc = run_script(str(ROOT / "benchmarks" / script), "--quick")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "| 1k |" in proc.stdout or "1k" in proc.stdout


@pytest.mark.slow
def test_keys_benchmark_quick_run() -> None:
    # The app and the floor app in a pty, every key of a round timed (never judged).
    proc = run_script(str(ROOT / "benchmarks" / "bench_keys.py"), "--quick")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    table = proc.stdout.split("### 1k bushy", 1)[1]
    for key in ("| floor (one line repainted) |", "| j |", "| / (open search) |", "| ? (help) |"):
        assert key in table, proc.stdout
    assert "j held:" in table and "no screen change for" not in table, proc.stdout


@pytest.mark.slow
def test_sources_benchmark_quick_run(tmp_path: Path) -> None:
    # Every platform's generated file is imported and opened (1k posts, one run each).
    proc = run_script(str(ROOT / "benchmarks" / "bench_sources.py"), "--quick", "-d", str(tmp_path))
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    table = proc.stdout.split("### Import and first frame", 1)[-1].split("\n\n")[1]
    rows = table.splitlines()[2:]
    names = ["bluesky", "mastodon", "hn-algolia", "hn-firebase", "reddit", "x-api"]
    assert [row.split(" | ")[0].strip("| ") for row in rows] == names, proc.stdout
    # A first frame was measured for each: no "–" in the headless column.
    assert all(row.split(" | ")[8] != "–" for row in rows), proc.stdout


@pytest.mark.slow
def test_fetch_benchmark_quick_run() -> None:
    # Against its own loopback server: an HN item walk, a Bluesky thread that must come
    # whole (the script fails if not), first posts and a cached reopen in a pty.
    proc = run_script(str(ROOT / "benchmarks" / "bench_fetch.py"), "--quick")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "| 404 | 201 |" in proc.stdout, proc.stdout
    assert "| 1,500 of 1,500 | yes |" in proc.stdout, proc.stdout
    assert "### First posts on screen" in proc.stdout
    assert "| hn |" in proc.stdout.split("### Re-opening from the cache", 1)[-1]

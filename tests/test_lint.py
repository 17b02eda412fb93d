"""Lint is part of the test command, so CI fails on code that ruff rejects."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PATHS = ["src", "tests", "benchmarks"]


def ruff(*args: str) -> subprocess.CompletedProcess[str]:
    # `python -m ruff`, not a PATH lookup: CI runs the venv's python without activating it.
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, *PATHS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_ruff_check() -> None:
    proc = ruff("check")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_format() -> None:
    proc = ruff("format", "--check")
    assert proc.returncode == 0, proc.stdout + proc.stderr

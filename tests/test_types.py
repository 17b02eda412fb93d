"""The type checker is part of the test command, so CI fails on code that mypy rejects.

Its settings (strict on the layers without Textual) are in pyproject.toml; the cache in
.mypy_cache keeps a warm run to a second or two.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow  # cold (as on CI, no cache): about 15 s on a loaded 2-core machine
def test_mypy() -> None:
    # `python -m mypy`, not a PATH lookup: CI runs the venv's python without activating it.
    proc = subprocess.run(
        [sys.executable, "-m", "mypy"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr

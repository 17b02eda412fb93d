"""`threadtui FILE` imports only what its first frame needs: the rest waits for first use
(or for the background import right after the first frame, ui/app.py LATER). Each module
here cost every start its import time (issue #16, first frame)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from support import post, thread_doc

TESTS = Path(__file__).parents[1]

# The command as the console script runs it, headless, in a fresh interpreter: what is
# in sys.modules when the app starts its background import is what the first frame cost.
SCRIPT = """
import json, sys
import threadtui.cli as cli
from threadtui.ui.app import ThreadApp

cli.terminal_problem = lambda: None  # headless: no terminal needed

def record(self):
    self.exit()
    print(json.dumps(sorted(sys.modules)))

ThreadApp._import_later = record
run = ThreadApp.run
ThreadApp.run = lambda self, **kw: run(self, **{**kw, "headless": True, "size": (100, 30)})
sys.exit(cli.main(sys.argv[1:]))
"""

NOT_BEFORE_THE_FIRST_FRAME = [
    # Growing a thread: merges, fetches, following.
    "threadtui.model.grow",
    "threadtui.model.merge",
    # A file name is no URL: the fetch layer stays out.
    "threadtui.fetch.urls",
    "threadtui.fetch.errors",
    "threadtui.fetch.run",
    # No config file: nothing to parse. TZ=UTC: no zone database.
    "tomllib",
    "zoneinfo",
    # Search, filters, the screens a key opens (LATER).
    "threadtui.query",
    "threadtui.ui.help",
    "threadtui.ui.pickers",
    "threadtui.ui.warnings",
    "threadtui.follow.files",
    "threadtui.importers",
]


@pytest.mark.slow
def test_a_plain_start_imports_nothing_its_first_frame_does_not_need(tmp_path: Path) -> None:
    thread = tmp_path / "thread.json"
    posts = [post(f"p{i}", i, f"post {i}", reply_to="p0" if i else None) for i in range(20)]
    thread.write_text(json.dumps(thread_doc(posts)), "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL_")}
    env.update(
        THREADTUI_CONFIG=str(tmp_path / "absent.toml"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        TZ="UTC",
    )
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(thread)],
        capture_output=True,
        text=True,
        check=False,
        cwd=TESTS.parent,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    modules = set(json.loads(done.stdout.strip().splitlines()[-1]))
    # It did reach the app (not an early exit that imported nothing).
    assert {"threadtui.ui.app", "threadtui.ui.tree", "textual.app"} <= modules
    assert sorted(modules.intersection(NOT_BEFORE_THE_FIRST_FRAME)) == []

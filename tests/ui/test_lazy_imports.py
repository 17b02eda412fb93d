"""A package reinstalled under a running app must not break the first screen opened after:
what the app imports lazily is imported in the background right after the first frame."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).parents[1]

# Run in a fresh interpreter: in this one, other tests have imported everything already.
SCRIPT = """
import asyncio, json, sys
sys.path.insert(0, sys.argv[1])
from support import make_app, quotes_thread
from threadtui.ui.app import LATER

SCREENS = [
    ["a"], ["t"], ["question_mark"], ["w"], ["slash", "x"], ["f", *"views:>x"],
    ["ctrl+p", "w"], ["j", "o"], ["y"], ["z"], ["T"],
]

async def main() -> None:
    thread = quotes_thread()
    thread.posts[1].text = "See https://example.com/one and https://example.com/two"
    app = make_app(thread)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        after_first_frame = set(sys.modules)
        for keys in SCREENS:
            await pilot.press(*keys)
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            for _ in range(2):
                await pilot.press("escape")
                await pilot.pause()
        print(json.dumps({
            "later": list(LATER),
            "missing": [name for name in LATER if name not in after_first_frame],
            "imported_on_use": sorted(set(sys.modules) - after_first_frame),
        }))

asyncio.run(main())
"""


@pytest.mark.slow
def test_lazy_modules_are_imported_after_the_first_frame_and_none_on_use() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(TESTS)],
        capture_output=True,
        text=True,
        check=False,
        cwd=TESTS.parent,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert "threadtui.ui.pickers" in seen["later"] and "threadtui.query" in seen["later"]
    assert seen["missing"] == []
    # Every screen a user can open, opened: nothing left to import from the disk.
    assert seen["imported_on_use"] == []

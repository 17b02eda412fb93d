"""The installed command in a real pseudo-terminal, read back off the screen."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from terminal import Terminal, installed_command

SEED = Path(__file__).parents[1] / "data" / "stories" / "x-story-ai-deployment.txt"


def test_seed_opens_in_a_real_terminal() -> None:
    with Terminal([*installed_command(), str(SEED)], cols=100, rows=30) as term:
        screen = term.wait_for(lambda s: "Quoted by (3)" in s)
        assert "Oliver Habryka of Lightcone Infrastructure argues" in screen
        assert "7 posts" in screen
        # Tree rows: the root and the posts under it, with relative times and first lines.
        rows = screen.splitlines()[2:9]
        assert "Oliver Habryka +0m 8.3K @Miles_Brundage" in rows[0]
        assert "Miles Brundage +21m 1.5K I guess you" in rows[1]
        assert "unknown +4h42m 1.8K Take that I" in rows[6]
        # Down to post 7, whose quoted card (post 2 by Miles Brundage) is expanded in place.
        term.press("jjj")
        screen = term.wait_for(lambda s: "No I would support regulation that you" in s)
        assert "❝ Miles Brundage @Miles_Brundage" in screen
        assert "I guess you don't literally mean all internal" in screen
        term.press("q")
        assert term.close() == 0


def test_bad_file_in_a_terminal_prints_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "threadtui.thread", "schema_version": 1, "posts": [1]}')
    with Terminal([*installed_command(), str(bad)], cols=100, rows=30) as term:
        code = term.close()
    assert code == 2
    output = term.raw.decode()
    assert output.strip() == f"{bad}: $.posts[0]: expected a post object, got 1"
    # The UI never started: no alternate screen, no mouse reporting.
    assert "\x1b[?1049h" not in output


def test_startup_leaves_search_and_pickers_for_later() -> None:
    """The first frame waits for every module imported before it: search, the pickers and
    the help screen are imported where first used, and no collection runs on the way
    (issue #5's first-frame budget)."""
    code = (
        "import sys, threadtui.cli, threadtui.ui.app\n"
        "def run_app(app, mouse=True):\n"
        "    early = sorted(m for m in sys.modules if m.startswith(('threadtui.query',"
        " 'threadtui.ui.pickers', 'threadtui.ui.help', 'regex')))\n"
        "    import gc\n"
        "    print(early, gc.isenabled()); raise SystemExit(1 if early or gc.isenabled() else 0)\n"
        "threadtui.ui.app.run_app = run_app\n"
        "threadtui.cli.terminal_problem = lambda: None\n"  # stdout is a pipe here
        "threadtui.cli.main(['--demo'])\n"
        "raise SystemExit(2)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr

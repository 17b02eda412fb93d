"""Screen snapshots of the detail pane. Look at each SVG as a picture before accepting it:
`rsvg-convert -w 1400 FILE.svg -o /tmp/FILE.png`."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from hostile_cases import thread_bytes
from support import make_app, settle_quiet
from threadtui.opener import open_thread
from threadtui.ui.detail import DetailPane

SEED = Path(__file__).parents[1] / "data" / "stories" / "x-story-ai-deployment.txt"


def fanout_file(directory: Path) -> Path:
    """Forty posts, each quoting the twelve before it, under a root quoting the last twelve."""
    n, k = 40, 12
    posts = [
        {
            "id": "root",
            "text": "The root quotes the newest posts.",
            "quotes": [f"p{i}" for i in range(n - k, n)],
            "created_at": "2026-05-28T10:00:00Z",
        }
    ]
    posts += [
        {
            "id": f"p{i}",
            "text": f"Post {i} quotes the {k} before it.",
            "reply_to": "root",
            "quotes": [f"p{j}" for j in range(max(0, i - k), i)],
            "created_at": f"2026-05-28T10:{i + 1:02d}:00Z",
        }
        for i in range(n)
    ]
    path = directory / "fanout.json"
    path.write_bytes(thread_bytes(posts, title="A fan-out of quotes"))
    return path


def test_quote_fanout_past_the_card_budget(snap_compare, tmp_path: Path) -> None:
    """Where the budget runs out: folded cards, and the line that opens more quotes."""

    async def run_before(pilot: Pilot) -> None:
        await settle_quiet(pilot)
        detail = pilot.app.query_one(DetailPane)
        await pilot.press("tab")
        first_folded = next(
            position
            for position, item in enumerate(detail.items)
            if item.kind == "card" and item.folded
        )
        # A few lines past the first folded card, so more of them are on screen.
        detail.action_select(first_folded + 4)
        await settle_quiet(pilot)

    app = make_app(open_thread(fanout_file(tmp_path)))
    assert snap_compare(app, terminal_size=(100, 34), run_before=run_before)


def test_hyphenated_words_at_80x24(snap_compare) -> None:
    """The post whose "models-that-one-might-plausibly-want-to-deploy" was cut mid-word."""

    async def run_before(pilot: Pilot) -> None:
        await settle_quiet(pilot)
        await pilot.press("j")
        await settle_quiet(pilot)

    assert snap_compare(make_app(open_thread(SEED)), terminal_size=(80, 24), run_before=run_before)

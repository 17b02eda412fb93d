"""`threadtui URL` in a real pseudo-terminal against the loopback server: progress lines
before the app, then the thread on screen. The child process carries the network guard
too (tests/netguard_site/sitecustomize.py)."""

from __future__ import annotations

from pathlib import Path

from terminal import Terminal, installed_command

from fetch_server import FetchServer

GUARD = Path(__file__).parents[1] / "netguard_site"


def test_a_url_opens_in_a_real_terminal(fetch_server: FetchServer, tmp_path: Path) -> None:
    story = {
        "id": 1,
        "type": "story",
        "author": "pg",
        "title": "Fetched over loopback",
        "story_id": 1,
        "created_at_i": 1_700_000_000,
        "created_at": "2023-11-14T22:13:20.000Z",
        "points": 3,
        "children": [
            {
                "id": 2,
                "type": "comment",
                "author": "ann",
                "text": "<p>a reply that came</p>",
                "parent_id": 1,
                "story_id": 1,
                "created_at_i": 1_700_000_100,
                "created_at": "2023-11-14T22:15:00.000Z",
                "children": [],
            },
        ],
    }
    fetch_server.add("/api/v1/items/1", story)
    env = {
        "THREADTUI_HN_ALGOLIA_API": fetch_server.base,
        "THREADTUI_HN_FIREBASE_API": fetch_server.base,
        "XDG_CACHE_HOME": str(tmp_path),
        "PYTHONPATH": str(GUARD),
    }
    url = "https://news.ycombinator.com/item?id=1"
    with Terminal([*installed_command(), url], cols=100, rows=30, env=env) as term:
        screen = term.wait_for(lambda s: "a reply that came" in s)
        assert "Fetched over loopback" in screen
        term.press("q")
        assert term.close() == 0
    before_app = term.raw.decode(errors="replace").split("\x1b[?1049h", 1)[0]
    assert "threadtui: 2 posts, 1 requests: thread received" in before_app
    assert [r.path for r in fetch_server.requests()] == ["/api/v1/items/1"]
    assert list(tmp_path.glob("threadtui/hackernews/*.json"))

"""`threadtui URL` in a real pseudo-terminal against the loopback server: the app is up at
once with a loading line, the posts come, Escape stops a fetch that hangs, and the second
opening comes from the cache. The child process carries the network guard too
(tests/netguard_site/sitecustomize.py)."""

from __future__ import annotations

from pathlib import Path

from terminal import Terminal, installed_command

import fetch_responses as r
from fetch_server import FetchServer, Reply

GUARD = Path(__file__).parents[1] / "netguard_site"
URL = "https://news.ycombinator.com/item?id=1"


def environment(fetch_server: FetchServer, tmp_path: Path) -> dict[str, str]:
    return {
        "THREADTUI_HN_ALGOLIA_API": fetch_server.base,
        "THREADTUI_HN_FIREBASE_API": fetch_server.base,
        "XDG_CACHE_HOME": str(tmp_path),
        "PYTHONPATH": str(GUARD),
    }


def test_a_url_opens_in_a_real_terminal(fetch_server: FetchServer, tmp_path: Path) -> None:
    fetch_server.add(
        "/api/v1/items/1", r.algolia_story("Fetched over loopback", "a reply that came")
    )
    env = environment(fetch_server, tmp_path)
    with Terminal([*installed_command(), URL], cols=100, rows=30, env=env) as term:
        screen = term.wait_for(lambda s: "a reply that came" in s)
        assert "Fetched over loopback" in screen
        term.press("q")
        assert term.close() == 0
    # The app is up before anything is fetched: nothing is printed before its screen.
    before_app = term.raw.decode(errors="replace").split("\x1b[?1049h", 1)[0]
    assert "threadtui:" not in before_app
    assert [r.path for r in fetch_server.requests()] == ["/api/v1/items/1"]
    assert list(tmp_path.glob("threadtui/hackernews/*.json"))

    # Again: from the cache, at once, saying so; nothing asked of the server.
    with Terminal([*installed_command(), URL], cols=100, rows=30, env=env) as term:
        screen = term.wait_for(lambda s: "a reply that came" in s and "from the cache" in s)
        term.press("q")
        assert term.close() == 0
    assert len(fetch_server.requests()) == 1


def test_escape_stops_a_fetch_that_hangs(fetch_server: FetchServer, tmp_path: Path) -> None:
    fetch_server.add("/api/v1/items/1", Reply(stall=True))
    env = environment(fetch_server, tmp_path)
    with Terminal([*installed_command(), URL], cols=100, rows=30, env=env) as term:
        term.wait_for(lambda s: "Fetching:" in s and "Esc stops" in s)
        term.press("\x1b")
        term.wait_for(lambda s: "Fetch stopped" in s)
        term.press("q")
        assert term.close() == 0

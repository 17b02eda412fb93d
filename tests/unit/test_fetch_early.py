"""`threadtui URL` starts its fetch before Textual is imported (issue #12: the first posts
on screen within 1 s): the events wait in an `EarlySink` until the app takes them over.

The ordering is checked, never a time: a child process notes whether the fetch runs when
Textual's import begins, and holds the app's making until its own loopback server has seen
the fetch's first request (a fetch the app started would never send it).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from fetch_support import API_VARIABLES
from threadtui.fetch.live import Arrived, EarlySink, Ended, Event, Progressed
from threadtui.fetch.progress import Progress
from threadtui.model import load_document
from threadtui.model.format import SCHEMA, SCHEMA_VERSION

URL = "https://bsky.app/profile/alice.example/post/a"


def a_thread() -> Any:
    document = {"schema": SCHEMA, "schema_version": SCHEMA_VERSION, "posts": []}
    return load_document(document, name="t")


class Recorder:
    def __init__(self) -> None:
        self.events: list[Event] = []

    @property
    def thread(self) -> None:
        return None

    def send(self, event: Event) -> None:
        self.events.append(event)


def test_the_sink_holds_events_until_attached_then_passes_them_on_in_order() -> None:
    sink = EarlySink(a_thread())
    first, second, third = (Progress(requests=n, posts=0) for n in (1, 2, 3))
    sink.send(Progressed(first))
    sink.send(Progressed(second))  # only the last progress of a run is worth keeping
    sink.send(Arrived())
    sink.send(Progressed(third))
    assert sink.held == [Progressed(second), Arrived(), Progressed(third)]
    to = Recorder()
    sink.attach(to)
    assert to.events == [Progressed(second), Arrived(), Progressed(third)]
    assert sink.held == []
    sink.send(Ended())
    assert to.events[-1] == Ended() and sink.held == []


def test_events_sent_while_attaching_keep_their_order() -> None:
    sink = EarlySink(a_thread())
    sent = [Progressed(Progress(requests=n, posts=0)) if n % 2 else Arrived() for n in range(2000)]
    to = Recorder()

    def worker() -> None:
        for event in sent:
            sink.send(event)

    thread = threading.Thread(target=worker)
    thread.start()
    sink.attach(to)
    thread.join()
    # Held progress runs collapse to their last; nothing else is lost or reordered.
    assert [e for e in to.events if isinstance(e, Arrived)] == [Arrived()] * 1000
    positions = [sent.index(e) if isinstance(e, Progressed) else -1 for e in to.events]
    progressed = [p for p in positions if p >= 0]
    assert progressed == sorted(progressed)
    assert to.events[-1] == sent[-1]


SERVE_404 = r"""
import os, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# A loopback server answering 404 to everything, the platforms' API bases pointed at it.
seen = threading.Event()

class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        seen.set()
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass

httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=httpd.serve_forever, daemon=True).start()
for variable in sys.argv[2:]:
    os.environ[variable] = f"http://127.0.0.1:{httpd.server_address[1]}"
"""

CHILD = (
    SERVE_404
    + r"""
import importlib.abc

class NoteTextual(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        # Never wait here: the import system's global lock is held (the fetch would stop).
        if name == "textual" and "textual" not in noted:
            noted["textual"] = [t.name for t in threading.enumerate()]
        return None

noted = {}
sys.meta_path.insert(0, NoteTextual())
import threadtui.cli as cli

arguments = cli.LiveStart.app_arguments

def hold_the_app(live):
    # The app is being made, not yet run: a fetch that waited for it sends nothing.
    print("fetching when textual came:", "threadtui fetch" in noted.get("textual", ()),
          "first request before the app:", seen.wait(30), flush=True)
    os._exit(0)

cli.LiveStart.app_arguments = hold_the_app
cli.terminal_problem = lambda: None
cli.main([sys.argv[1]])
print("textual never imported", flush=True)
"""
)


def test_the_url_fetch_is_under_way_before_textual_is_imported(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("THREADTUI_")}
    for name in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
        env[name] = str(tmp_path / name)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, URL, *API_VARIABLES],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    expected = "fetching when textual came: True first request before the app: True"
    assert done.stdout.strip() == expected, done.stdout + done.stderr


FETCH_ALONE = (
    SERVE_404
    + r"""
from threadtui.cli import LiveStart
from threadtui.fetch.run import FetchOptions
from threadtui.model import load_document
from threadtui.model.format import SCHEMA, SCHEMA_VERSION

thread = load_document({"schema": SCHEMA, "schema_version": SCHEMA_VERSION, "posts": []}, name="t")
live = LiveStart(sys.argv[1], FetchOptions(refresh=True), True)
live.start_fetch(thread)
live.early.fetch.join(60)
end = live.early.sink.held[-1]
print(type(end).__name__, end.error is not None, live.early.fetch.thread.is_alive())
# Textual only: httpx imports rich for its own command line when click is installed (as
# textual-dev brings it), which says nothing about the UI.
print(sorted(m for m in sys.modules if m.split(".")[0] == "textual"))
"""
)


def test_the_early_fetch_never_imports_textual(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("THREADTUI_")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    done = subprocess.run(
        [sys.executable, "-c", FETCH_ALONE, URL, *API_VARIABLES],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    # It ran to its end (a 404: an error, one line for the app) without the UI's libraries.
    assert done.stdout.splitlines() == ["Ended True False", "[]"], done.stdout + done.stderr

"""Spawn → the first request at a loopback server, `threadtui URL` in a 100×30 pty.

    python benchmarks/first_request.py --src /tmp/before/src --src /tmp/after/src --repeat 5

Isolates when the fetch starts (issue #12: the first posts on screen within 1 s): each
`--src` is run in turn, round by round (interleaved), in a fresh interpreter with its own
cache; the server answers 404 to everything and the app is killed once the first request
has come. Prints the medians per `--src` and the load average. Timing only: the exit
status is non-zero only when a probe cannot run.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

URL = "https://bsky.app/profile/alice.example/post/a"


class FirstRequest:
    def __init__(self) -> None:
        self.seen = threading.Event()
        self.at = 0.0
        probe = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if not probe.seen.is_set():
                    probe.at = time.monotonic()
                    probe.seen.set()
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 65536):
            pass
    except OSError:
        pass  # the child has gone


def once(server: FirstRequest, src: str, timeout: float) -> float:
    server.seen.clear()
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    with tempfile.TemporaryDirectory() as d:
        env = dict(
            os.environ,
            PYTHONPATH=src,
            TERM="xterm-256color",
            XDG_CACHE_HOME=f"{d}/cache",
            XDG_CONFIG_HOME=f"{d}/config",
            XDG_STATE_HOME=f"{d}/state",
            THREADTUI_BLUESKY_API=server.base,
        )
        started = time.monotonic()
        child = subprocess.Popen(
            [sys.executable, "-m", "threadtui.cli", URL],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
        )
        os.close(slave)
        threading.Thread(target=_drain, args=(master,), daemon=True).start()
        came = server.seen.wait(timeout)
        child.kill()
        child.wait()
        os.close(master)
    if not came:
        raise RuntimeError(f"{src}: no request within {timeout} s")
    return server.at - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--src", action="append", required=True, help="code to measure")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args(argv)
    server = FirstRequest()
    times: dict[str, list[float]] = {src: [] for src in args.src}
    try:
        for _ in range(args.repeat):
            for src in args.src:
                times[src].append(once(server, src, args.timeout))
    except RuntimeError as error:
        print(f"first_request: {error}", file=sys.stderr)
        return 1
    for src, runs in times.items():
        listed = " ".join(f"{t:.3f}" for t in runs)
        print(f"{src}: median {statistics.median(runs):.3f} s ({listed})")
    print("load average", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

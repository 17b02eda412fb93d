"""Time the installed `threadtui FILE` in a real pseudo-terminal, from spawn to first frame.

    python benchmarks/pty_probe.py benchmarks/out/bushy-100k.json

This is the user's view: the console script, a 100×30 terminal, escape sequences parsed by
pyte. The clock starts just before the fork and stops when the bytes arrive that complete
a screen showing the status line, tree rows, and the detail pane's time line for the post
under the cursor (`2026-05-29 14:00 UTC…` below the status line): the first frame, drawn.
That happens mid-write (the frame is written top to bottom), so the time taken is the end
of that write: the last chunk before output pauses for 5 ms. **Fully drawn** is the last
output before the first 0.25 s pause (reply-list rows, the scrollbar). Peak memory is the
child's `VmHWM`, read from /proc at the first frame and again once the child's CPU time
stops growing (the search index is built in the background after mount).

Adapted from tests/ui/terminal.py (copied, not imported: benchmarks must not depend on
the test tree). Every exit path kills the child.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyte

from procstatus import status_mb

REPO = Path(__file__).resolve().parent.parent
COLS, ROWS = 100, 30
DETAIL_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC")


def installed_command() -> list[str]:
    script = Path(sys.executable).with_name("threadtui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "threadtui"]


def child_env(config_dir: str, src: str | os.PathLike[str] | None = None) -> dict[str, str]:
    """The child's environment: `src` (default: this checkout's) first on PYTHONPATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL_")}
    src = os.fspath(src or REPO / "src")
    env.update(
        TERM="xterm-256color",
        COLUMNS=str(COLS),
        LINES=str(ROWS),
        TZ="UTC",
        # Defaults, whatever the machine's user has configured.
        THREADTUI_CONFIG=os.path.join(config_dir, "absent.toml"),
        PYTHONPATH=os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p),
    )
    # A first opening and a first visit, every run, as the headless probe's: in the user's
    # folders, every run after the first opened from the load cache (a second opening,
    # ~0.3 s faster at 100k) and restored the last run's read state. A caller that sets
    # them (bench_fetch.py: its fetch cache) keeps its own.
    env.setdefault("XDG_CACHE_HOME", os.path.join(config_dir, "cache"))
    env.setdefault("XDG_STATE_HOME", os.path.join(config_dir, "state"))
    return env


def first_frame_drawn(lines: list[str]) -> bool:
    """Status line, a tree row and the detail's time line: what the first frame shows."""
    if len(lines) < 3 or " post" not in lines[1] or not lines[2].strip():
        return False
    return any(DETAIL_TIME.search(line) for line in lines[2:])


def cpu_seconds(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
    except OSError:
        return None
    # utime and stime are fields 14 and 15 of stat; after the ")" they are 12th and 13th.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


FULLY_DRAWN_GAP = 0.25
"""As in ui_probe: a pause in output this long ends the burst of frames opening causes."""
WRITE_GAP = 0.005
"""Chunks of one frame's write arrive microseconds apart; a pause this long ends it."""


class Pty:
    """The program in a pty. A reader thread timestamps output as it arrives, so the time
    pyte takes to parse a frame (about 0.7 ms a KB) does not delay the next chunk's clock."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.screen = pyte.Screen(COLS, ROWS)
        self.stream = pyte.ByteStream(self.screen)
        self.chunks: list[tuple[float, bytes]] = []
        self.fed = 0
        self.status: int | None = None
        self._arrived = threading.Event()
        self._stop = False
        self.t_spawn = time.monotonic()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # pragma: no cover - the child process
            try:
                os.execvpe(args[0], args, env)
            finally:
                os._exit(127)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        self._reader = threading.Thread(target=self._read_loop, name="pty-reader", daemon=True)
        self._reader.start()

    def _read_loop(self) -> None:
        while not self._stop:
            try:
                ready, _, _ = select.select([self.fd], [], [], 0.05)
                if not ready:
                    continue
                data = os.read(self.fd, 1 << 16)
            except (OSError, ValueError):
                break  # EIO once the child has exited and closed its side
            if not data:
                break
            self.chunks.append((time.monotonic(), data))
            self._arrived.set()

    def feed(self, timeout: float) -> float | None:
        """Parse the next chunk of output (waiting up to `timeout`); when it arrived."""
        if self.fed >= len(self.chunks):
            self._arrived.clear()
            if self.fed >= len(self.chunks) and not self._arrived.wait(timeout):
                return None
            if self.fed >= len(self.chunks):
                return None
        arrived, data = self.chunks[self.fed]
        self.fed += 1
        self.stream.feed(data)
        return arrived

    @property
    def received(self) -> int:
        return sum(len(data) for _, data in self.chunks[: self.fed])

    def lines(self) -> list[str]:
        return list(self.screen.display)

    def text(self) -> str:
        return "\n".join(self.lines())

    def wait_for(self, condition: Callable[[list[str]], bool], timeout: float) -> float:
        """When the chunk arrived after which the screen first satisfies `condition`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            arrived = self.feed(0.05)
            if arrived is not None and condition(self.lines()):
                return arrived
            if arrived is None and self.exited():
                raise RuntimeError("threadtui exited before its first frame:\n" + self.text())
        raise TimeoutError(f"no first frame within {timeout:.0f} s; the screen is:\n{self.text()}")

    def drain_until_idle(self, timeout: float, quiet: float = 0.5) -> float:
        """Parse output until the child's CPU time stops growing for `quiet` seconds;
        how long after the call it last grew."""
        start = time.monotonic()
        last_cpu = cpu_seconds(self.pid)
        last_change = start
        while time.monotonic() - start < timeout:
            while self.feed(0.0) is not None:
                pass
            time.sleep(0.05)
            cpu = cpu_seconds(self.pid)
            now = time.monotonic()
            if cpu is None:
                break
            if last_cpu is None or cpu - last_cpu > 0.02:
                last_cpu, last_change = cpu, now
            elif now - last_change >= quiet:
                return last_change - start
        return time.monotonic() - start

    def end_of_burst(self, first: float, gap: float) -> float:
        """Arrival of the last chunk in the run of output from `first` with no pause of `gap`."""
        time.sleep(gap * 2)  # let the rest of the run arrive
        last = first
        for arrived, _ in self.chunks:
            if arrived <= first:
                continue
            if arrived - last >= gap:
                break
            last = arrived
        return last

    def exited(self) -> bool:
        if not self.pid:
            return True
        pid, status = os.waitpid(self.pid, os.WNOHANG)
        if pid:
            self.pid = 0
            self.status = os.waitstatus_to_exitcode(status)
            return True
        return False

    def quit(self, timeout: float = 20.0) -> int | None:
        """Press q and wait for the exit; kill on timeout. The exit status, or None."""
        if self.exited():
            return self.status
        os.write(self.fd, b"q")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.feed(0.05)
            if self.exited():
                return self.status
        self.kill()
        return None

    def kill(self) -> None:
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except ProcessLookupError:
                pass
            self.pid = 0
        self._stop = True
        self._reader.join(5)
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def first_frame(
    path: str | os.PathLike[str],
    *,
    timeout: float = 300.0,
    src: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Spawn `threadtui PATH --tz UTC` in a pty and time its first frame; the code run is
    the package under `src` (default: this checkout's)."""
    import tempfile

    switch = sys.getswitchinterval()
    # The reader thread must get the GIL promptly while pyte parses on the main thread.
    sys.setswitchinterval(0.0005)
    with tempfile.TemporaryDirectory() as config_dir:
        args = [*installed_command(), os.fspath(path), "--tz", "UTC"]
        term = Pty(args, child_env(config_dir, src))
        try:
            arrived = term.wait_for(first_frame_drawn, timeout)
            frame_end = term.end_of_burst(arrived, WRITE_GAP)
            result: dict[str, Any] = {
                "seconds": frame_end - term.t_spawn,
                "condition_s": arrived - term.t_spawn,
                "peak_first_frame_mb": status_mb(b"VmHWM:", term.pid),
                "bytes_to_first_frame": term.received,
                "screen": term.text(),
            }
            result["settle_s"] = term.drain_until_idle(timeout)
            result["fully_drawn_s"] = term.end_of_burst(arrived, FULLY_DRAWN_GAP) - term.t_spawn
            result["peak_settled_mb"] = status_mb(b"VmHWM:", term.pid)
            result["rss_settled_mb"] = status_mb(b"VmRSS:", term.pid)
            result["exit_status"] = term.quit()
            return result
        finally:
            term.kill()
            sys.setswitchinterval(switch)


def main(argv: list[str] | None = None) -> int:
    import argparse
    import json

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--screen", action="store_true", help="print the first frame too")
    args = parser.parse_args(argv)
    result = first_frame(args.file, timeout=args.timeout)
    screen = result.pop("screen")
    print(json.dumps(result, indent=2))
    if args.screen:
        print(screen)
    return 0 if result["exit_status"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

"""Run the installed `threadtui` in a real pseudo-terminal and read its screen.

This is how a user meets the program: a console script, a tty of a given size, keys as
bytes. pyte emulates the terminal so tests can read what is drawn, and the raw bytes are
kept so tests can check what reached the terminal.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path

import pyte


def installed_command() -> list[str]:
    script = Path(sys.executable).with_name("threadtui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "threadtui"]


class Terminal:
    def __init__(
        self, args: list[str], *, cols: int = 100, rows: int = 30, env: dict[str, str] | None = None
    ) -> None:
        self.cols, self.rows = cols, rows
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = bytearray()
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL_")}
        full_env.update({"TERM": "xterm-256color", "COLUMNS": str(cols), "LINES": str(rows)})
        full_env.update(env or {})
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # pragma: no cover - the child process
            os.execvpe(args[0], args, full_env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            return False
        if not data:
            return False
        self.raw += data
        self.stream.feed(data)
        return True

    def text(self) -> str:
        # Not `screen.display`: pyte gives each code point its own width, so a ZWJ emoji
        # sequence (one 2-cell glyph to Rich and to most terminals) takes 6 cells in pyte's
        # model, and a later redraw at the app's idea of a column can leave the second
        # half of a wide character behind, which `display` asserts on. Read cells as they
        # are; a dangling half reads as nothing.
        buffer = self.screen.buffer
        return "\n".join(
            "".join(buffer[y][x].data for x in range(self.cols)) for y in range(self.rows)
        )

    def wait_for(self, condition: Callable[[str], bool], timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._read(0.1)
            text = self.text()
            if condition(text):
                # Let the frame finish drawing before anyone reads it.
                while self._read(0.2):
                    pass
                return self.text()
        raise AssertionError(f"timed out; the screen shows:\n{self.text()}")

    def press(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def close(self, timeout: float = 10.0) -> int:
        """Wait for the program to exit; return its exit status."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._read(0.05)
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.pid = 0
                os.close(self.fd)
                return os.waitstatus_to_exitcode(status)
        self._kill()
        raise AssertionError(f"threadtui did not exit; the screen shows:\n{self.text()}")

    def _kill(self) -> None:
        if self.pid:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pid = 0
            os.close(self.fd)

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        # A failed assertion must not leave the app running (or be hidden by cleanup).
        self._kill()

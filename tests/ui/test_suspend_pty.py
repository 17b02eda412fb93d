"""ctrl+z suspends threadtui as it does any terminal program, and `fg` brings it back
whole: every line drawn again, not only the ones that changed while it was away."""

from __future__ import annotations

import os
import signal
import time

from terminal import Terminal, installed_command


def wait_stopped(pid: int, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found, status = os.waitpid(pid, os.WNOHANG | os.WUNTRACED)
        if found and os.WIFSTOPPED(status):
            return True
        time.sleep(0.05)
    return False


def test_ctrl_z_suspends_and_fg_draws_every_line_again() -> None:
    with Terminal([*installed_command(), "--demo"], cols=100, rows=30) as term:
        term.wait_for(lambda s: "Quoted by (3)" in s and "7 posts" in s)
        term.press("\x1a")
        assert wait_stopped(term.pid), "ctrl+z did not suspend threadtui"
        # What the shell would have drawn meanwhile: the app must draw it all again.
        term.screen.reset()
        os.kill(term.pid, signal.SIGCONT)
        screen = term.wait_for(lambda s: "Quoted by (3)" in s and "7 posts" in s)
        assert "Oliver Habryka of Lightcone Infrastructure" in screen.splitlines()[0]
        assert "Help" in screen.splitlines()[-1]
        term.press("q")
        assert term.close() == 0

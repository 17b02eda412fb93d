"""The floor for key latency: the least a Textual app does to answer a key.

    python benchmarks/floor_app.py

One line of text that changes on every key (a counter), nothing else: no bindings but
`q`, no footer, no timers. bench_keys.py runs it in the same pty, with the same Textual,
and times a key to the screen changing exactly as it does for threadtui; the ratio of the
two is the budget (issue #16: within 1.5×).
"""

from __future__ import annotations

from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Static


class FloorApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("keys: 0", id="line")

    def on_mount(self) -> None:
        self._count = 0

    def on_key(self, event: events.Key) -> None:
        if event.key == "q":
            self.exit()
            return
        self._count += 1
        self.query_one("#line", Static).update(f"keys: {self._count} ({event.key})")


if __name__ == "__main__":
    FloorApp().run()

"""`threadtui ARGS` with a profiler the keyboard switches: F12 starts cProfile on the UI
thread, F11 stops it and writes the stats to $KEYS_PROFILE (bench_keys.py --profile).

So a profile holds the keys pressed between the two, not loading or the first frame.
"""

from __future__ import annotations

import cProfile
import os
import sys

from textual import events
from textual.app import App

_profile = cProfile.Profile()
_on_event = App.on_event


async def on_event(self: App[object], event: events.Event) -> None:
    if isinstance(event, events.Key) and event.key in ("f11", "f12"):
        if event.key == "f12":
            _profile.enable()
        else:
            _profile.disable()
            _profile.dump_stats(os.environ["KEYS_PROFILE"])
        return
    await _on_event(self, event)


App.on_event = on_event  # type: ignore[method-assign]

if __name__ == "__main__":
    from threadtui.cli import main

    sys.exit(main(sys.argv[1:]))

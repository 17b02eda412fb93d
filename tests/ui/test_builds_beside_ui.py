"""The app's work beside the UI right after the first frame gives way to keys (issue #16):
what it makes to last is out of the young collections' walk (a million rows made young
cost the next two collections 40 and 27 ms, a held key waiting), and the modules imported
ahead of use are imported one at a time, with a pause between."""

from __future__ import annotations

import threading

import pytest

from support import make_app, quotes_thread, settle_quiet
from threadtui import gcpolicy
from threadtui.ui.tree import ThreadTree


async def test_the_tree_rows_are_frozen_once_the_walk_beside_the_ui_is_done(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    frozen_on_ui: list[int] = []
    freeze = gcpolicy.lasting

    def lasting() -> None:
        if threading.current_thread() is threading.main_thread():
            # The walk's end, on the UI thread: the rows are made by then.
            frozen_on_ui.append(len(app.query_one(ThreadTree).rows))
        freeze()

    monkeypatch.setattr(gcpolicy, "lasting", lasting)
    thread = quotes_thread()
    app = make_app(thread)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_quiet(pilot)
        await app.workers.wait_for_complete()
        await settle_quiet(pilot)
        assert frozen_on_ui == [len(app.query_one(ThreadTree).rows)]
        assert frozen_on_ui[0] > 1


def test_the_later_imports_pause_before_each_module(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    from threadtui import pacing
    from threadtui.ui import app as app_module

    calls: list[str] = []
    monkeypatch.setattr(pacing, "pause", lambda: calls.append("pause"))
    monkeypatch.setattr(importlib, "import_module", lambda name: calls.append(name))
    app_module._import_all()
    assert calls == [step for name in app_module.LATER for step in ("pause", name)]

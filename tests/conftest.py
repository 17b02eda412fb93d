"""Make every test independent of the machine: environment, config, snapshot location."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import pytest_textual_snapshot as pts

# The environment must be clean before any App is built: NO_COLOR is read in App.__init__,
# and a user's config or theme would change what the screens look like.
for _name in list(os.environ):
    if _name.startswith("TEXTUAL_") or _name in ("NO_COLOR", "COLORTERM", "UNICODE_VERSION"):
        del os.environ[_name]
os.environ["THREADTUI_CONFIG"] = str(Path(__file__).parent / "data" / "no-such-config.toml")
os.environ["TZ"] = "UTC"
for _name in ("SSH_CONNECTION", "SSH_TTY", "DISPLAY", "WAYLAND_DISPLAY"):
    os.environ.pop(_name, None)

SNAPSHOT_DIR = Path(__file__).parent / "snapshots"


class _SVGInSnapshotsDir(pts.SVGImageExtension):
    """Store screen snapshots under tests/snapshots/<test module>/ (the plugin's default is
    tests/<dir>/__snapshots__/); snap_compare reads this module global on every call."""

    @classmethod
    def dirname(cls, *, test_location) -> str:  # type: ignore[no-untyped-def, override]
        return str(SNAPSHOT_DIR / test_location.basename)


pts.SVGImageExtension = _SVGInSnapshotsDir  # type: ignore[misc]


@pytest.fixture(autouse=True)
def _no_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    from textual.widgets import Input

    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None, raising=False)


@pytest.fixture(autouse=True)
def _truecolor(monkeypatch: pytest.MonkeyPatch) -> None:
    """Apps see a truecolor terminal whatever TERM says: the contrast repair (ui/output.py)
    works in the terminal's colour system, and screens must not change with the machine.
    Tests of other systems set their own."""
    import textual.constants

    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", "truecolor")

"""Make every test independent of the machine: environment, config, snapshot location."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import pytest_textual_snapshot as pts
from hypothesis import settings

import netguard
from fetch_server import FetchServer, serve

# The environment must be clean before any App is built: NO_COLOR is read in App.__init__,
# and a user's config or theme would change what the screens look like. The snapshot
# plugin's own variable stays: it tells each xdist worker where to leave its results for the
# report (Textual never reads it).
for _name in list(os.environ):
    if _name == "TEXTUAL_SNAPSHOT_TEMPDIR":
        continue
    if _name.startswith("TEXTUAL_") or _name in ("NO_COLOR", "COLORTERM", "UNICODE_VERSION"):
        del os.environ[_name]
os.environ["THREADTUI_CONFIG"] = str(Path(__file__).parent / "data" / "no-such-config.toml")
os.environ["TZ"] = "UTC"
for _name in ("SSH_CONNECTION", "SSH_TTY", "DISPLAY", "WAYLAND_DISPLAY"):
    os.environ.pop(_name, None)

# No test reaches the internet (tests/netguard.py); none writes the user's cache or state.
netguard.install()
_CACHE = tempfile.mkdtemp(prefix="threadtui-test-cache-")
atexit.register(shutil.rmtree, _CACHE, True)
os.environ["XDG_CACHE_HOME"] = _CACHE
_STATE = tempfile.mkdtemp(prefix="threadtui-test-state-")
atexit.register(shutil.rmtree, _STATE, True)
os.environ["XDG_STATE_HOME"] = _STATE
for _name in list(os.environ):
    # An API base or token from the developer's shell must not steer a test.
    if _name.startswith(
        (
            "THREADTUI_BLUESKY",
            "THREADTUI_HN_",
            "THREADTUI_REDDIT",
            "THREADTUI_X_",
            "THREADTUI_MASTODON",
        )
    ):
        del os.environ[_name]

# Property tests draw the same examples on every run (CI must not fail on one run and pass
# on the next); THREADTUI_HYPOTHESIS=explore searches afresh each run, to find new cases
# (add any it finds as an @example).
settings.register_profile("threadtui", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("THREADTUI_HYPOTHESIS", "threadtui"))

SNAPSHOT_DIR = Path(__file__).parent / "snapshots"


class _SVGInSnapshotsDir(pts.SVGImageExtension):
    """Store screen snapshots under tests/snapshots/<test module>/ (the plugin's default is
    tests/<dir>/__snapshots__/); snap_compare reads this module global on every call."""

    @classmethod
    def dirname(cls, *, test_location) -> str:  # type: ignore[no-untyped-def, override]  # syrupy's signature, untyped there
        return str(SNAPSHOT_DIR / test_location.basename)


pts.SVGImageExtension = _SVGInSnapshotsDir  # type: ignore[misc]  # replacing syrupy's extension class


@pytest.fixture(autouse=True)
def _own_state_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each test starts with nothing read: the app restores the cursor and marks posts new
    from the state an earlier run left, so a shared folder would let one test steer the
    next (a real `threadtui` under a PTY inherits this too)."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))
    # Likewise the cache: a file opened by one test would come from its cached copy in the
    # next (model/cache.py), which then would not test the loader.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))


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


@pytest.fixture(autouse=True)
def _no_network() -> Iterator[None]:
    """Fail any test during which something tried to leave the loopback address."""
    netguard.violations.clear()
    yield
    tried = list(netguard.violations)
    netguard.violations.clear()
    if tried:
        pytest.fail(f"a test tried to reach the network: {tried}")


@pytest.fixture(scope="session")
def _fetch_server_session() -> Iterator[FetchServer]:
    yield from serve()


@pytest.fixture
def fetch_server(_fetch_server_session: FetchServer) -> Iterator[FetchServer]:
    """The loopback API server, empty for each test."""
    _fetch_server_session.reset()
    yield _fetch_server_session
    _fetch_server_session.reset()

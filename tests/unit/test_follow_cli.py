"""`--follow` on the command line and `follow_pause_after` in the config: what reaches the
app, the combinations refused, and the follow package staying free of Textual."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from support import post, thread_doc
from threadtui.cli import main
from threadtui.config import Settings, load_settings


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "threadtui", *args], capture_output=True, text=True, timeout=60
    )


def thread_file(tmp_path: Path) -> Path:
    path = tmp_path / "t.json"
    path.write_text(json.dumps(thread_doc([post("p1", 0, "hello")])))
    return path


def test_help_names_follow() -> None:
    proc = run("--help")
    assert proc.returncode == 0
    text = " ".join(proc.stdout.split())
    assert "--follow" in text and "tail -f" in text and "F toggles it" in text


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (["--print"], "--follow is for the app"),
        (["--offline"], "--offline never fetches"),
    ],
)
def test_follow_with_what_contradicts_it_is_a_usage_error(
    tmp_path: Path, extra: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        main([str(thread_file(tmp_path)), "--follow", *extra])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err


def opened(monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> Any:
    """The app the command line builds (not run)."""
    import threadtui.cli as cli
    import threadtui.ui.app as app_module

    built: list[Any] = []
    monkeypatch.setattr(cli, "terminal_problem", lambda: None)
    monkeypatch.setattr(app_module, "run_app", lambda app, mouse=True: built.append(app))
    assert main(argv) == 0
    (app,) = built
    return app


def test_follow_hands_the_app_the_files_as_they_were_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = thread_file(tmp_path)
    app = opened(monkeypatch, [str(path), "--follow"])
    assert app._follow_on_start
    assert app.follow_files == [str(path)]
    st = os.stat(path)
    assert app._follow_initial == {str(path): (st.st_size, st.st_mtime_ns, st.st_ino)}


def test_without_follow_a_file_can_still_be_followed_with_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = thread_file(tmp_path)
    app = opened(monkeypatch, [str(path)])
    assert not app._follow_on_start
    assert app.can_follow and app.follow_files == [str(path)]


def test_follow_pause_after_is_read_and_checked(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("follow_pause_after = 30\n")
    assert load_settings(config) == (Settings(follow_pause_after=30), [])
    for bad in ("0", "true", '"ten"', "100000"):
        config.write_text(f"follow_pause_after = {bad}\n")
        settings, problems = load_settings(config)
        assert settings.follow_pause_after == Settings().follow_pause_after
        assert len(problems) == 1 and "follow_pause_after: expected minutes" in problems[0]


def test_the_follow_package_never_imports_textual() -> None:
    code = (
        "import sys, threadtui.follow.files, threadtui.follow.schedule;"
        "print(any(m == 'textual' or m.startswith('textual.') for m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"

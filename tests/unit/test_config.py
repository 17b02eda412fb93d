"""Settings from the user's config file: every bad value is named and replaced by its default."""

from __future__ import annotations

from pathlib import Path

import pytest

from threadtui.config import Settings, config_path, load_settings, local_timezone


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "none.toml") == (Settings(), [])


def test_all_settings(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'theme = "nord"\ntime_display = "absolute"\ntz = "Europe/Berlin"\nascii = true\n'
        'mouse = false\ntree_width = 60\n[keymap]\n"tree.down" = "n"\n',
    )
    settings, problems = load_settings(path)
    assert problems == []
    assert settings == Settings(
        theme="nord",
        time_display="absolute",
        tz="Europe/Berlin",
        ascii=True,
        mouse=False,
        tree_width=60,
        keymap={"tree.down": "n"},
    )


def test_bad_values_named_and_defaulted(tmp_path: Path) -> None:
    path = write(tmp_path, 'time_display = "soon"\ntree_width = 99\nascii = "yes"\ncolour = 1\n')
    settings, problems = load_settings(path)
    assert settings == Settings()
    assert problems == [
        f"{path}: time_display: expected 'relative' or 'absolute', got 'soon'; using the default",
        f"{path}: tree_width: expected a percentage from 15 to 85, got 99; using the default",
        f"{path}: ascii: expected true or false, got 'yes'; using the default",
        f"{path}: unknown setting 'colour' ignored",
    ]


def test_invalid_toml_falls_back(tmp_path: Path) -> None:
    path = write(tmp_path, "theme = [unclosed\n")
    settings, problems = load_settings(path)
    assert settings == Settings()
    assert len(problems) == 1 and problems[0].startswith(f"{path}: invalid TOML (")


def test_config_path_follows_env(tmp_path: Path) -> None:
    assert config_path({"THREADTUI_CONFIG": "/x/y.toml"}) == Path("/x/y.toml")
    assert config_path({"XDG_CONFIG_HOME": "/cfg"}) == Path("/cfg/threadtui/config.toml")


def test_local_timezone_from_tz(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    assert str(local_timezone()) == "America/New_York"


def test_bad_config_reaches_stderr_and_app_still_opens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from threadtui.cli import main

    path = write(tmp_path, "theme = 3\n")
    monkeypatch.setenv("THREADTUI_CONFIG", str(path))
    assert main(["--demo", "--print"]) == 0
    err = capsys.readouterr().err
    assert f"threadtui: {path}: theme: expected a theme name, got 3; using the default" in err

"""Settings from the user's config file: every bad value is named and replaced by its default."""

from __future__ import annotations

from datetime import datetime
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
        'mouse = false\nsteady_emoji = false\ntree_width = 60\n[keymap]\n"tree.down" = "n"\n',
    )
    settings, problems = load_settings(path)
    assert problems == []
    assert settings == Settings(
        theme="nord",
        time_display="absolute",
        tz="Europe/Berlin",
        ascii=True,
        mouse=False,
        steady_emoji=False,
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


# --- time zones in the config and the environment (item 11) -----------------------------------


def toml_string(value: str) -> str:
    """`value` as a TOML basic string, every character outside printable ASCII escaped."""
    escaped = "".join(
        c if " " <= c <= "~" and c not in '"\\' else f"\\U{ord(c):08x}" for c in value
    )
    return f'"{escaped}"'


@pytest.mark.parametrize(
    "value", ["America", "Etc", "+²", "+99999999999999999999", "x" * 5000, "\u001b]0;x\u0007"]
)
def test_bad_config_tz_is_named_as_the_configs(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    value: str,
) -> None:
    from threadtui.cli import main

    path = write(tmp_path, f'tz = {toml_string(value)}\ntheme = "nord"\n')
    settings, problems = load_settings(path)
    assert settings == Settings(theme="nord")
    assert len(problems) == 1 and problems[0].startswith(f"{path}: tz: ")
    assert problems[0].endswith("; using the default") and problems[0].isprintable()
    assert len(problems[0]) < len(str(path)) + 150

    monkeypatch.setenv("THREADTUI_CONFIG", str(path))
    assert main(["--demo", "--print"]) == 0
    err = capsys.readouterr().err
    assert f"threadtui: {problems[0]}\n" in err and "--tz" not in err


def test_parse_tz_never_raises_anything_else() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from threadtui.config import TimeZoneError, parse_tz

    @settings(max_examples=300, deadline=None)
    @given(
        st.one_of(
            st.text(),
            st.from_regex(r"[+-]?[0-9²٣]{0,6}(:[0-9]{0,3})?", fullmatch=True),
            st.tuples(
                st.sampled_from(["America", "Etc", "Europe", "posix", "right", "zone.tab"]),
                st.sampled_from(["", "/", "//", "/..", "/Berlin", "/New_York/"]),
            ).map("".join),
        )
    )
    def check(value: str) -> None:
        try:
            parse_tz(value)
        except TimeZoneError as error:
            # describe() keeps 40 characters, and repr may spell one in ten.
            assert str(error).isprintable() and len(str(error)) < 600

    check()


@pytest.mark.parametrize(
    "value",
    ["America", "Etc", "x" * 5000, "+²", "\udcff", "CET-1CEST,M3.5.0,M10.5.0/3", "../../etc"],
)
def test_bad_tz_env_falls_back_with_a_warning(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("TZ", value)
    problems: list[str] = []
    zone = local_timezone(problems)
    assert zone.utcoffset(datetime(2026, 1, 1)) is not None
    assert len(problems) == 1 and problems[0].startswith("TZ: ")
    assert problems[0].isprintable() and len(problems[0]) < 200


def test_tz_env_naming_a_zone_file_or_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib import resources

    zoneinfo = Path(str(resources.files("tzdata") / "zoneinfo"))
    monkeypatch.setenv("TZ", f":{zoneinfo / 'Europe' / 'Berlin'}")
    problems: list[str] = []
    assert str(local_timezone(problems)) == "Europe/Berlin" and problems == []
    monkeypatch.setenv("TZ", str(zoneinfo / "America"))
    local_timezone(problems)
    assert len(problems) == 1 and problems[0].startswith("TZ: ")


def test_bad_tz_env_still_prints(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from threadtui.cli import main

    monkeypatch.setenv("TZ", "America")
    assert main(["--demo", "--print"]) == 0
    out, err = capsys.readouterr()
    assert "threadtui: TZ: 'America' is not a time zone threadtui can read;" in err
    assert "Miles Brundage @Miles_Brundage · 2026-05-29 00:18 UTC" in out


# --- config files that are not files (item 15) ------------------------------------------------


def test_config_that_is_not_a_regular_file(tmp_path: Path) -> None:
    assert load_settings(tmp_path) == (
        Settings(),
        [f"{tmp_path}: cannot read config (Is a directory); using defaults"],
    )
    assert load_settings(Path("/dev/zero")) == (
        Settings(),
        ["/dev/zero: is a device, not a regular file; using defaults"],
    )
    big = tmp_path / "big.toml"
    big.write_text("# padding\n" * 200_000)
    assert load_settings(big) == (
        Settings(),
        [f"{big}: is larger than 1 MiB, the most threadtui reads; using defaults"],
    )
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b'theme = "\xff"\n')
    assert load_settings(binary) == (Settings(), [f"{binary}: not UTF-8 (byte 10); using defaults"])


def test_config_path_with_control_characters_is_shown_cleaned(tmp_path: Path) -> None:
    path = tmp_path / "a\x1b]0;x\x07.toml"
    path.write_text("colour = 1\n")
    _, problems = load_settings(path)
    assert problems == [f"{tmp_path}/a\ufffd]0;x\ufffd.toml: unknown setting 'colour' ignored"]


# --- the key map (item 18) --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("j", "j"),
        ("T", "T"),
        ("?", "question_mark"),
        ("<", "less_than_sign"),
        ("[", "left_square_bracket"),
        ("/", "slash"),
        ("+", "plus"),
        ("é", "é"),
        (" Down ", "down"),
        ("Escape", "escape"),
        ("F1", "f1"),
        ("ctrl+n", "ctrl+n"),
        ("Ctrl+Shift+X", "ctrl+shift+x"),
        ("shift+ctrl+left", "ctrl+shift+left"),
        ("shift+tab", "shift+tab"),
        ("ctrl+@", "ctrl+at"),
        ("question_mark", "question_mark"),
        ("right_square_bracket", "right_square_bracket"),
        ("left_pointing_double_angle_quotation_mark", "left_pointing_double_angle_quotation_mark"),
        ("pagedown", "pagedown"),
        ("\x1b", None),
        ("\x1b]0;x\x07", None),
        ("\x9b", None),
        ("\u202e", None),
        ("\u200b", None),
        ("\xa0", None),
        ("", None),
        ("ctrl+", None),
        ("ctrl+ctrl+a", None),
        ("super+duper+a", None),
        ("a+b", None),
        ("foo_bar", None),
        ("latin_small_letter_a", None),
        ("hyphen_minus", None),
        ("f99", None),
        ("<any>", None),
        ("ctrl+\x1b", None),
        ("x" * 5000, None),
    ],
)
def test_key_names(text: str, expected: str | None) -> None:
    from threadtui.config import key_name

    assert key_name(text) == expected


def test_keymap_keeps_only_known_ids_and_key_names(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "[keymap]\n"
        '"tree.down" = "j, \\u001b]0;pwned\\u0007 ,ctrl+n,?,,j"\n'
        '"tree.dwn" = "x"\n'
        '"\\u001b[2J" = "x"\n'
        '"app.help" = "F1"\n'
        '"app.quit" = 5\n'
        '"app.copy" = " , "\n'
        '"app.search" = "\\u009b"\n',
    )
    settings, problems = load_settings(path)
    assert settings.keymap == {"tree.down": "j,ctrl+n,question_mark", "app.help": "f1"}
    assert problems == [
        f"{path}: keymap: tree.down: '\ufffd]0;pwned\ufffd' is not a key; ignored",
        f"{path}: keymap: unknown binding id 'tree.dwn' ignored",
        f"{path}: keymap: unknown binding id '\ufffd[2J' ignored",
        f'{path}: keymap: app.quit: expected keys like "j,down", got 5; using the default',
        f"{path}: keymap: app.copy: no usable key; using the default",
        f"{path}: keymap: app.search: '\ufffd' is not a key; ignored",
        f"{path}: keymap: app.search: no usable key; using the default",
    ]


def test_keymap_that_is_not_a_table(tmp_path: Path) -> None:
    settings, problems = load_settings(write(tmp_path, 'keymap = "j"\n'))
    assert settings.keymap == {}
    assert problems == [
        f'{tmp_path / "config.toml"}: keymap: expected a table of binding id = "keys",'
        " got 'j'; using the default keys"
    ]


def test_binding_ids_are_the_apps() -> None:
    """The config checks ids without importing Textual; this holds its list to the UI's."""
    import importlib
    import inspect
    import pkgutil

    from textual.binding import Binding
    from textual.dom import DOMNode

    import threadtui.ui
    from threadtui.config import BINDING_IDS

    found: set[str] = set()
    for module_info in pkgutil.iter_modules(threadtui.ui.__path__):
        module = importlib.import_module(f"threadtui.ui.{module_info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, DOMNode) and cls.__module__.startswith("threadtui."):
                for binding in cls.__dict__.get("BINDINGS", []):
                    if isinstance(binding, Binding) and binding.id:
                        found.add(binding.id)
    assert sorted(found - BINDING_IDS) == [], "add these to config.BINDING_IDS"
    assert sorted(BINDING_IDS - found) == [], "no longer bound: remove from config.BINDING_IDS"


def test_every_key_textual_names_is_accepted() -> None:
    from textual._keyboard_protocol import FUNCTIONAL_KEYS
    from textual.keys import KEY_ALIASES, Keys

    from threadtui.config import NAMED_KEYS, key_name

    names = {key.value for key in Keys if not key.value.startswith("<")} - {"ctrl-at"}
    names |= set(FUNCTIONAL_KEYS.values())
    names |= {alias for aliases in KEY_ALIASES.values() for alias in aliases}
    rejected = sorted(name for name in names if key_name(name) is None)
    assert rejected == []
    bases = {name.rpartition("+")[2] for name in names}
    assert sorted(NAMED_KEYS - bases) == []

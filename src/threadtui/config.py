"""User settings: a TOML file in the user's config directory, then the command line.

Plain Python (no Textual) so the CLI can read and report it before any UI starts. A bad
file never stops threadtui: each problem becomes a message and the default is used.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TIME_MODES = ("relative", "absolute")


@dataclass(frozen=True, slots=True)
class Settings:
    theme: str = "textual-dark"
    time_display: str = "relative"
    tz: str | None = None
    ascii: bool = False
    mouse: bool = True
    tree_width: int = 45
    """Percent of the screen width the tree takes beside the detail pane."""
    keymap: dict[str, str] = field(default_factory=dict)
    """Binding id → keys, e.g. {"tree.down": "j,down,ctrl+n"}."""


def local_timezone() -> tzinfo:
    """The machine's zone, with its DST rules where they can be found (TZ, /etc/localtime)."""
    name = os.environ.get("TZ", "").lstrip(":")
    if not name:
        try:
            target = os.path.realpath("/etc/localtime")
        except OSError:
            target = ""
        _, marker, rest = target.partition("/zoneinfo/")
        name = rest if marker else ""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    # A fixed offset is right for today; it may be an hour off across a DST change.
    return datetime.now().astimezone().tzinfo or UTC


def config_path(env: dict[str, str] | None = None) -> Path:
    env = dict(os.environ) if env is None else env
    if env.get("THREADTUI_CONFIG"):
        return Path(env["THREADTUI_CONFIG"])
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "threadtui" / "config.toml"


def load_settings(path: Path | None = None) -> tuple[Settings, list[str]]:
    """Read settings; return them with a list of problems (each one line, naming the file)."""
    path = config_path() if path is None else path
    problems: list[str] = []
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings(), problems
    except (OSError, UnicodeDecodeError) as error:
        return Settings(), [f"{path}: cannot read config ({error}); using defaults"]
    except tomllib.TOMLDecodeError as error:
        return Settings(), [f"{path}: invalid TOML ({error}); using defaults"]
    return _apply(Settings(), raw, path, problems), problems


def _apply(settings: Settings, raw: dict[str, Any], path: Path, problems: list[str]) -> Settings:
    changes: dict[str, Any] = {}

    def bad(key: str, expected: str) -> None:
        problems.append(f"{path}: {key}: expected {expected}, got {raw[key]!r}; using the default")

    for key, value in raw.items():
        if key == "theme":
            if isinstance(value, str) and value:
                changes["theme"] = value
            else:
                bad(key, "a theme name")
        elif key == "time_display":
            if value in TIME_MODES:
                changes["time_display"] = value
            else:
                bad(key, " or ".join(repr(m) for m in TIME_MODES))
        elif key == "tz":
            if isinstance(value, str) and value:
                changes["tz"] = value
            else:
                bad(key, "a time zone name")
        elif key in ("ascii", "mouse"):
            if isinstance(value, bool):
                changes[key] = value
            else:
                bad(key, "true or false")
        elif key == "tree_width":
            if isinstance(value, int) and not isinstance(value, bool) and 15 <= value <= 85:
                changes["tree_width"] = value
            else:
                bad(key, "a percentage from 15 to 85")
        elif key == "keymap":
            if isinstance(value, dict) and all(
                isinstance(k, str) and isinstance(v, str) and v for k, v in value.items()
            ):
                changes["keymap"] = dict(value)
            else:
                bad(key, 'a table of binding id = "keys"')
        else:
            problems.append(f"{path}: unknown setting {key!r} ignored")
    return replace(settings, **changes)

"""User settings: a TOML file in the user's config directory, then the command line.

Plain Python (no Textual) so the CLI can read and report it before any UI starts. A bad
file never stops threadtui: each problem becomes a message and the default is used.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any

from threadtui.inputfile import RefusedInput, read_regular_file
from threadtui.model.sanitize import clean_line, describe

TIME_MODES = ("relative", "absolute")

MAX_CONFIG_BYTES = 1024**2
"""A config file is a few lines; anything this big is not one."""


@dataclass(frozen=True, slots=True)
class Settings:
    theme: str = "textual-dark"
    time_display: str = "relative"
    tz: str | None = None
    """The zone times are shown in (never the zone a source is read in)."""
    ascii: bool = False
    mouse: bool = True
    steady_emoji: bool = True
    """Draw an emoji whose width terminals disagree on as its first code point (ui/output.py);
    false for a terminal that draws skin tones and ZWJ sequences in the cells Rich counts."""
    tree_width: int = 45
    """Percent of the screen width the tree takes beside the detail pane."""
    follow_pause_after: int = 10
    """Minutes the terminal may be away before following pauses (it resumes on return)."""
    keymap: dict[str, str] = field(default_factory=dict)
    """Binding id → keys, e.g. {"tree.down": "j,down,ctrl+n"}; only valid ids and key names."""
    load_cache: bool = True
    """Keep each thread file opened, loaded, in the cache directory (a second opening of the
    unchanged file skips parsing it)."""
    load_cache_mb: int = 1024
    """The most those cached copies take together; the least recently used go first."""


# --- time zones ---------------------------------------------------------------------------

MAX_TZ_NAME = 100
"""The longest IANA name is 32 characters; a longer value is refused before any lookup."""


class TimeZoneError(ValueError):
    """A value that names no time zone; the message quotes it, cleaned and shortened, and
    leaves naming the option or setting to the caller."""


def _offset(text: str) -> timedelta | None:
    """`07`, `7`, `07:00`, `0700` as a timedelta under 24 hours; None for anything else."""
    hours, colon, minutes = text.partition(":")
    if not colon and len(hours) == 4:
        hours, minutes = hours[:2], hours[2:]
    # isascii() too: str.isdigit() accepts '²' and other digits int() refuses.
    if not (1 <= len(hours) <= 2 and hours.isascii() and hours.isdigit()):
        return None
    if (colon or minutes) and not (len(minutes) == 2 and minutes.isascii() and minutes.isdigit()):
        return None
    if int(hours) > 23 or int(minutes or 0) > 59:
        return None
    return timedelta(hours=int(hours), minutes=int(minutes or 0))


def parse_tz(value: str) -> tzinfo:
    """An IANA zone name (Europe/Berlin), UTC, or a fixed offset (+07:00, -5, +0530).

    Raises TimeZoneError for anything else, whatever the value: the zone database is
    read from files, and names like `America` (a folder), `zone1970.tab` (not a zone) or
    thousands of characters each fail there in their own way.
    """
    text = value.strip()
    if text.upper() in ("UTC", "Z", "GMT"):
        return UTC
    usage = "use a name like Europe/Berlin, UTC or +07:00"
    if text[:1] in ("+", "-"):
        offset = _offset(text[1:])
        if offset is None:
            raise TimeZoneError(f"bad offset {describe(value)} ({usage}, under 24 hours)")
        return timezone(-offset if text[0] == "-" else offset)
    if text and len(text) <= MAX_TZ_NAME and text.isascii():
        # Here, not at the top: UTC and offsets (the usual --tz) need no zone database.
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            return ZoneInfo(text)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    raise TimeZoneError(f"unknown time zone {describe(value)} ({usage})")


def _offset_label(zone: tzinfo) -> str:
    offset = datetime.now(zone).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def local_timezone(problems: list[str] | None = None) -> tzinfo:
    """The machine's zone, with its DST rules where they can be found (TZ, /etc/localtime).

    A TZ that names no zone this Python can read (a folder such as `America`, a POSIX rule
    such as `CET-1CEST,M3.5.0`) falls back to the machine's current offset; the reason is
    appended to `problems` when given.
    """
    raw = os.environ.get("TZ", "")
    name = raw.lstrip(":")
    from_env = bool(name)
    if not name:
        try:
            name = os.path.realpath("/etc/localtime")
        except (OSError, ValueError):
            name = ""
    if os.path.isabs(name):
        # TZ=:/usr/share/zoneinfo/Europe/Berlin, or the /etc/localtime link.
        _, marker, rest = name.partition("/zoneinfo/")
        name = rest if marker else ""
    if name:
        try:
            return parse_tz(name)
        except TimeZoneError:
            pass
    # A fixed offset is right for today; it may be an hour off across a DST change.
    try:
        fallback = datetime.now().astimezone().tzinfo or UTC
    except (OverflowError, OSError, ValueError):
        fallback = UTC
    if from_env and problems is not None:
        problems.append(
            f"TZ: {describe(raw)} is not a time zone threadtui can read;"
            f" showing times at the machine's current offset ({_offset_label(fallback)})"
        )
    return fallback


# --- key map ------------------------------------------------------------------------------

BINDING_IDS: frozenset[str] = frozenset(
    {
        *(
            f"app.{name}"
            for name in [
                "authors",
                "clear",
                "copy",
                "filter",
                "follow",
                "help",
                "leave-search",
                "mark-all-read",
                "narrower",
                "next-match",
                "next-new",
                "open-link",
                "palette",
                "previous-match",
                "previous-new",
                "quit",
                "quit-now",
                "refresh",
                "search",
                "suspend",
                "switch-pane",
                "time",
                "time-range",
                "warnings",
                "wider",
                "zoom",
            ]
        ),
        "authors.apply",
        "authors.cancel",
        *(
            f"checklist.{name}"
            for name in ("down", "first", "last", "mark", "page-down", "page-up", "up")
        ),
        *(
            f"detail.{name}"
            for name in ("activate", "down", "first", "fold", "last", "unfold", "up")
        ),
        "help.close",
        "links.cancel",
        "query.keep",
        "query.leave",
        "warnings.close",
        *(
            f"tree.{name}"
            for name in [
                "author-next",
                "author-prev",
                "collapse",
                "down",
                "expand",
                "expand-all",
                "first",
                "last",
                "page-down",
                "page-up",
                "parent",
                "root",
                "toggle",
                "up",
            ]
        ),
        *(f"tree.depth-{depth}" for depth in range(1, 10)),
        *(
            f"time.{name}"
            for name in [
                "all",
                "apply",
                "cancel",
                "earlier",
                "first",
                "first-day",
                "first-hour",
                "last",
                "last-hour",
                "later",
                "much-earlier",
                "much-later",
                "switch",
            ]
        ),
    }
)
"""Every binding id the app defines (a test holds this to the UI's bindings): the config
is read before Textual is imported, so the ids cannot be asked of the app."""

MODIFIERS = ("alt", "ctrl", "hyper", "meta", "shift", "super")

NAMED_KEYS: frozenset[str] = frozenset(
    {
        *[
            "escape",
            "enter",
            "return",
            "newline",
            "tab",
            "space",
            "backspace",
            "delete",
            "insert",
            "home",
            "end",
            "pageup",
            "pagedown",
            "up",
            "down",
            "left",
            "right",
            "menu",
            "pause",
            "print_screen",
            "scroll_lock",
            "caps_lock",
            "num_lock",
            "kp_begin",
            "add",
            "subtract",
            "multiply",
            "divide",
            "decimal",
            "separator",
            "equal",
            "media_play",
            "media_pause",
            "media_play_pause",
            "media_stop",
            "media_reverse",
            "media_fast_forward",
            "media_rewind",
            "media_track_next",
            "media_track_previous",
            "media_record",
            "lower_volume",
            "raise_volume",
            "mute_volume",
            "left_shift",
            "left_control",
            "left_alt",
            "left_super",
            "left_hyper",
            "left_meta",
            "right_shift",
            "right_control",
            "right_alt",
            "right_super",
            "right_hyper",
            "right_meta",
            "iso_level3_shift",
            "iso_level5_shift",
        ],
        *(f"f{number}" for number in range(1, 36)),
        # Textual's own spelling, in its alias ctrl+left_square_brace (Escape).
        "left_square_brace",
    }
)
"""Names of keys that are not characters, as Textual reports them (a test holds this to
Textual's own tables)."""

# Textual's shorter names for a few characters (textual.keys.KEY_NAME_REPLACEMENTS).
_CHARACTER_NAME_REPLACEMENTS = {
    "solidus": "slash",
    "reverse_solidus": "backslash",
    "commercial_at": "at",
    "hyphen_minus": "minus",
    "plus_sign": "plus",
    "low_line": "underscore",
}
_REPLACED_NAMES = {short: long for long, short in _CHARACTER_NAME_REPLACEMENTS.items()}


def _character_key(character: str) -> str | None:
    """The key name Textual gives a typed character: itself for letters and digits, its
    Unicode name for the rest (`?` is question_mark); None for what is not typed."""
    if not character.isprintable() or character.isspace():
        return None
    if character.isalnum():
        return character
    try:
        name = unicodedata.name(character).lower().replace("-", "_").replace(" ", "_")
    except ValueError:
        return None
    return _CHARACTER_NAME_REPLACEMENTS.get(name, name)


def _is_character_name(name: str) -> bool:
    """Whether `name` is the key name of some character (question_mark, less_than_sign)."""
    if not name.isascii():
        return False
    words = _REPLACED_NAMES.get(name, name).upper().split("_")
    # Names lost their hyphens (LEFT-POINTING): try each gap as a space, then as a hyphen.
    candidates = [" ".join(words)]
    candidates += [" ".join(words[:i]) + "-" + " ".join(words[i:]) for i in range(1, len(words))]
    for candidate in candidates:
        try:
            character = unicodedata.lookup(candidate)
        except KeyError:
            continue
        if len(character) == 1 and _character_key(character) == name:
            return True
    return False


def key_name(text: str) -> str | None:
    """`text` as the key name Textual matches (`?` → question_mark, `Ctrl+N` → ctrl+n),
    or None when it names no key: only such names may reach bindings and the footer."""
    text = text.strip()
    if len(text) == 1:
        return _character_key(text)
    *modifiers, base = text.split("+")
    modifiers = [modifier.lower() for modifier in modifiers]
    if any(m not in MODIFIERS for m in modifiers) or len(set(modifiers)) != len(modifiers):
        return None
    if len(base) == 1:
        # Textual reports a letter typed with Ctrl or Shift as a modifier and the small
        # letter (ctrl+shift+x): Ctrl+X in a config means that key.
        if {"ctrl", "shift"} & set(modifiers):
            base = base.lower()
        key = _character_key(base)
    else:
        lowered = base.lower()
        key = lowered if lowered in NAMED_KEYS or _is_character_name(lowered) else None
    if key is None:
        return None
    # Textual sorts the modifiers it reports; a binding must spell them the same way.
    return "+".join([*sorted(modifiers), key])


def _keymap(value: Any, where: str, problems: list[str]) -> dict[str, str]:
    if not isinstance(value, dict):
        problems.append(
            f'{where}: expected a table of binding id = "keys", got {describe(value)};'
            " using the default keys"
        )
        return {}
    keymap: dict[str, str] = {}
    for binding_id, keys in value.items():
        if binding_id not in BINDING_IDS:
            problems.append(f"{where}: unknown binding id {describe(binding_id)} ignored")
            continue
        if not isinstance(keys, str):
            problems.append(
                f'{where}: {binding_id}: expected keys like "j,down", got {describe(keys)};'
                " using the default"
            )
            continue
        names: list[str] = []
        for piece in keys.split(","):
            piece = piece.strip()
            if not piece:
                continue
            name = key_name(piece)
            if name is None:
                problems.append(f"{where}: {binding_id}: {describe(piece)} is not a key; ignored")
            elif name not in names:
                names.append(name)
        if names:
            keymap[binding_id] = ",".join(names)
        else:
            problems.append(f"{where}: {binding_id}: no usable key; using the default")
    return keymap


# --- the file -----------------------------------------------------------------------------


def config_path(env: dict[str, str] | None = None) -> Path:
    env = dict(os.environ) if env is None else env
    if env.get("THREADTUI_CONFIG"):
        return Path(env["THREADTUI_CONFIG"])
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "threadtui" / "config.toml"


_SURROGATE = re.compile("[\ud800-\udfff]")


def display_name(path: str | os.PathLike[str]) -> str:
    """A file name as a message may show it: control characters and bidi overrides
    replaced, and bytes that were not UTF-8 (kept by Python as lone surrogates, which no
    stream can encode) replaced too."""
    return clean_display(os.fspath(path))


def clean_display(text: str) -> str:
    """`clean_line`, and no lone surrogates: safe to write to any terminal or pipe."""
    text = clean_line(text)
    if not text.isprintable():
        text = _SURROGATE.sub("\ufffd", text)
    return text


def load_settings(path: Path | None = None) -> tuple[Settings, list[str]]:
    """Read settings; return them with a list of problems (each one line, naming the file)."""
    path = config_path() if path is None else path
    shown = display_name(path)
    problems: list[str] = []
    try:
        text = read_regular_file(path, limit=MAX_CONFIG_BYTES).decode("utf-8")
    except FileNotFoundError:
        return Settings(), problems
    except RefusedInput as error:
        return Settings(), [f"{shown}: {error}; using defaults"]
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return Settings(), [f"{shown}: cannot read config ({reason}); using defaults"]
    except UnicodeDecodeError as error:
        return Settings(), [
            f"{shown}: not UTF-8 (byte {error.start + 1}); using defaults",
        ]
    # Here, not at the top: most users have no config file, and every start paid for it.
    import tomllib

    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return Settings(), [f"{shown}: invalid TOML ({clean_display(str(error))}); using defaults"]
    return _apply(Settings(), raw, shown, problems), problems


def _apply(settings: Settings, raw: dict[str, Any], shown: str, problems: list[str]) -> Settings:
    changes: dict[str, Any] = {}

    def bad(key: str, expected: str) -> None:
        problems.append(
            f"{shown}: {key}: expected {expected}, got {describe(raw[key])}; using the default"
        )

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
            if not isinstance(value, str) or not value:
                bad(key, "a time zone name")
                continue
            try:
                parse_tz(value)
            except TimeZoneError as error:
                problems.append(f"{shown}: tz: {error}; using the default")
            else:
                changes["tz"] = value
        elif key in ("ascii", "mouse", "steady_emoji", "load_cache"):
            if isinstance(value, bool):
                changes[key] = value
            else:
                bad(key, "true or false")
        elif key == "tree_width":
            if isinstance(value, int) and not isinstance(value, bool) and 15 <= value <= 85:
                changes["tree_width"] = value
            else:
                bad(key, "a percentage from 15 to 85")
        elif key == "follow_pause_after":
            if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 1440:
                changes["follow_pause_after"] = value
            else:
                bad(key, "minutes from 1 to 1440")
        elif key == "load_cache_mb":
            if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 1_000_000:
                changes["load_cache_mb"] = value
            else:
                bad(key, "a size in MB from 0 to 1000000")
        elif key == "keymap":
            changes["keymap"] = _keymap(value, f"{shown}: keymap", problems)
        else:
            problems.append(f"{shown}: unknown setting {describe(key)} ignored")
    return replace(settings, **changes)

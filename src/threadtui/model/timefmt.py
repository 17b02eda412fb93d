"""Time and number formatting shared by every view (tree rows, detail, exports)."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo


def format_count(value: int) -> str:
    """Compact counts as people read them on social sites: 778, 8.3K, 1.2M."""
    if value < 1000:
        return str(value)
    for limit, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K")):
        if value >= limit:
            scaled = value / limit
            if scaled >= 100:
                return f"{scaled:.0f}{suffix}"
            text = f"{scaled:.1f}".rstrip("0").rstrip(".")
            return f"{text}{suffix}"
    return str(value)  # pragma: no cover


def format_offset(seconds: float) -> str:
    """A short signed offset from the thread's first post: +0m, +21m, +3h05m, +2d4h."""
    sign = "-" if seconds < 0 else "+"
    total = int(abs(seconds)) // 60
    days, rest = divmod(total, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{sign}{days}d{hours}h" if hours else f"{sign}{days}d"
    if hours:
        return f"{sign}{hours}h{minutes:02d}m"
    return f"{sign}{minutes}m"


# The first and last whole seconds a datetime can hold (years 1 and 9999, UTC).
_FIRST_EPOCH = -62135596800.0
_LAST_EPOCH = 253402300799.0


def moment_of(epoch: float, tz: tzinfo = UTC) -> datetime:
    """`epoch` as a datetime in `tz`, never raising for a time a thread file may hold.

    A valid file may say 0001-01-01T00:00Z or 9999-12-31T23:59:59.9999999Z: a zone west of
    UTC moves the first out of datetime's range, and the second parses as a float that
    rounds up into year 10000. Those few are shown in UTC, clamped to the last second.
    """
    try:
        return datetime.fromtimestamp(epoch, tz)
    except (OverflowError, ValueError, OSError):
        return datetime.fromtimestamp(min(max(epoch, _FIRST_EPOCH), _LAST_EPOCH), UTC)


def format_short(epoch: float, tz: tzinfo = UTC) -> str:
    """A compact absolute time for rows: 'May 28 23:57'."""
    return moment_of(epoch, tz).strftime("%b %d %H:%M")


def format_full(epoch: float, tz: tzinfo = UTC) -> str:
    """An unambiguous absolute time: '2026-05-28 23:57 UTC'."""
    moment = moment_of(epoch, tz)
    zone = moment.tzname() or moment.strftime("%z")
    seconds = ":%S" if moment.second else ""
    return moment.strftime(f"%Y-%m-%d %H:%M{seconds} ") + zone

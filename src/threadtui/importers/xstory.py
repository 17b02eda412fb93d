"""Import the text a user copies from an X "story" page into a normalised thread.

The page copies as plain lines (see `/work/shared/seeds/README.md` for an annotated capture):

    19h ago                                   age of the story
    <headline>                                thread title
    <one-line summary>
    0                                         a page counter, meaning unknown
    Original post
    <text of the original post>
    4:57 PM · May 28, 2026 View on X          its time, on the section's own clock
    <text of a post>
    Oliver HabrykaOliver Habryka@ohabryka     card header: name twice, then @handle
    <text of the embedded post, one line>
    11:57 PM · May 28, 2026 · 8.3K Views      the card's time
    12:18 AM · May 29, 2026 · 1.5K Views      the outer post's own time
    ...

Every post on the page is a *unit*: the post's own paragraphs, optionally one embedded
card (header, text, time), then the post's own time line. The same post is shown many
times (once as itself, and as cards): a card joins the post with the same
whitespace-normalised text and time, but two posts shown as themselves are never merged.
Nothing is guessed: authors come only from card headers.

The parser works line by line with small anchored regexes and linear string checks, so
hostile input (a megabyte on one line, random bytes) costs linear time. It raises only
`StoryFormatError`, and only when no post at all can be imported; everything else that
does not fit becomes a warning that names its input line.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from threadtui import __version__
from threadtui.importers.base import ImportFormatError, ImportResult, ImportWarning, dumps
from threadtui.model import format as fmt
from threadtui.model.sanitize import clean_line

__all__ = [
    "ImportResult",
    "ImportWarning",
    "StoryFormatError",
    "dumps",
    "import_story",
    "looks_like_story",
]

PLATFORM: Final = "x"
KIND: Final = "x-story-text"
IMPORTER: Final = f"threadtui.importers.xstory {__version__}"

ROLE_HEADER: Final = "header"
ROLE_POST: Final = "post"
ROLE_CARD: Final = "card"
ROLE_TIME: Final = "time"
ROLE_WARNING: Final = "warning"

_MARKER: Final = "original post"

# Time lines are matched after collapsing whitespace runs to one space, so NBSPs and
# doubled spaces from a browser copy do not matter and the pattern stays simple.
_TIME_LINE = re.compile(
    r"(\d{1,2}):(\d{2}) ?([AP])\.?M\.? · ([A-Z][a-z]{2,8})\.? (\d{1,2}),? (\d{4})(.*)",
    re.IGNORECASE | re.ASCII,
)
# A line that starts like a time line but does not parse: a cut or mangled time line.
_TIME_START = re.compile(r"\d{1,2}:\d{2} ?[AP]\.?M\.? ·", re.IGNORECASE | re.ASCII)
_VIEWS_TAIL = re.compile(r" · ([0-9][0-9.,]*) ?([KMB]?) Views?", re.IGNORECASE)
_VIEW_ON_X = re.compile(r"(?: ·)? View on X", re.IGNORECASE)
_HANDLE = re.compile(r"[A-Za-z0-9_]{1,15}")
_AGE = re.compile(
    r"(?:\d{1,4} ?(?:s|m|h|d|w|mo|y|secs?|mins?|hrs?|hours?|days?|weeks?|months?|years?)"
    r" ago|just now|now)",
    re.IGNORECASE | re.ASCII,
)
_COUNTER = re.compile(r"\d[\d,.]{0,12}[KMB]?", re.IGNORECASE | re.ASCII)
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+", re.ASCII)
_SURROGATE = re.compile("[\ud800-\udfff]")

_MONTHS: Final = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH_NAMES: Final = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
_SCALE: Final = {"": 1, "K": 1_000, "M": 1_000_000, "B": 1_000_000_000}

# Time zones differ from UTC by -12h to +14h, so two clocks differ by at most 26 hours.
_MAX_CLOCK_SHIFT: Final = timedelta(hours=26)
_HALF_HOUR: Final = timedelta(minutes=30)
_SNIFF_CHARS: Final = 256 * 1024
_PREVIEW: Final = 40
# orjson writes integers up to 64 bits; a larger "view count" is not one.
_MAX_COUNT: Final = 2**63 - 1


# --- public API -------------------------------------------------------------------------


class StoryFormatError(ImportFormatError):
    """The text holds no importable post at all; `line` is where to look, when one applies."""


def looks_like_story(text: str) -> bool:
    """A cheap sniff: an "Original post" line or a post time line near the top."""
    for raw in text[:_SNIFF_CHARS].splitlines():
        line = raw.strip()
        if not line or len(line) > 200:
            continue
        if line.casefold() == _MARKER:
            return True
        if line[0].isdigit() and _TIME_LINE.fullmatch(" ".join(line.split())):
            return True
    return False


def import_story(text: str, *, tz: tzinfo = UTC) -> ImportResult:
    """Read X story text; times in it are wall-clock times in `tz` (the cards' clock)."""
    return _Importer(tz).run(text)


# --- parsing ----------------------------------------------------------------------------


@dataclass(slots=True)
class _Line:
    number: int
    text: str
    """The line with trailing whitespace (and a CR) removed."""
    gap_before: bool
    """A blank line came before it: it starts a new paragraph."""


@dataclass(slots=True)
class _Time:
    line: int
    naive: datetime | None
    """Wall-clock time as printed; None when the line could not be read as a date."""
    views: int | None


@dataclass(slots=True)
class _Appearance:
    """One showing of a post: the original-post section, an outer post, or a card."""

    kind: str  # "op" | "outer" | "card"
    lines: list[_Line]
    time: _Time
    start: int
    handle: str | None = None
    display_name: str | None = None
    card: _Appearance | None = None
    in_op_section: bool = False
    norm: str = ""
    naive: datetime | None = None
    created_at: str | None = None
    group: _Group | None = None

    @property
    def paragraphs(self) -> list[str]:
        # Lines are gathered and joined once per paragraph: appending to a string held in
        # a list copies it every time, which made one 800,000-line paragraph quadratic.
        paragraphs: list[list[str]] = []
        for line in self.lines:
            if line.gap_before or not paragraphs:
                paragraphs.append([line.text])
            else:
                paragraphs[-1].append(line.text)
        return ["\n".join(lines) for lines in paragraphs]


@dataclass(slots=True)
class _Group:
    """A real post: every appearance that shows it."""

    norm: str
    created_at: str | None
    first: int
    author: str | None = None
    """Case-folded handle, once a card names the author."""
    own: bool = False
    """The post shows as itself (not only as cards)."""
    appearances: list[_Appearance] = field(default_factory=list)
    id: str = ""


def _time_of(line: str) -> re.Match[str] | None:
    if not line[:1].isdigit():
        return None
    return _TIME_LINE.fullmatch(" ".join(line.split()))


def _card_header(line: str) -> tuple[str, str] | None:
    """Split "NameName@handle" into (name, handle); None for anything else.

    Linear: one rpartition and one comparison of the two halves, so an `@` in ordinary
    text (an e-mail address, a mention) costs nothing and never matches. The second copy
    of the name touches the `@`: "cc @someone" is text, not a card by "c".
    """
    name_part, at, handle = line.rpartition("@")
    if not at or not name_part or name_part[-1].isspace() or not _HANDLE.fullmatch(handle):
        return None
    size = len(name_part)
    half = size // 2
    if size % 2 or name_part[:half] != name_part[half:]:
        return None
    name = name_part[:half].strip()
    return (name, handle) if name else None


def _count(number: str, suffix: str) -> int | None:
    """8.3K → 8300, 1.2M → 1200000, 3,402 → 3402, 778 → 778; None when unreadable."""
    scale = _SCALE[suffix.upper()]
    if _GROUPED.fullmatch(number):
        number = number.replace(",", "")
    if "," in number or number.count(".") > 1 or len(number) > 30:
        return None
    if "." in number and scale == 1:
        return None
    try:
        value = int(Decimal(number) * scale)
    except (InvalidOperation, ValueError):
        return None
    return value if value <= _MAX_COUNT else None


def _clock(moment: datetime) -> str:
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment.minute:02d} {'PM' if moment.hour >= 12 else 'AM'}"


def _day(moment: datetime) -> str:
    # Not strftime("%b"): that follows the user's locale, and the page's dates are English.
    return f"{_MONTH_NAMES[moment.month - 1]} {moment.day}, {moment.year}"


def _signed(delta: timedelta) -> str:
    minutes = int(delta.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{sign}{hours}h{minutes:02d}m"


def _iso(moment: datetime) -> str:
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
        f"T{moment.hour:02d}:{moment.minute:02d}:00Z"
    )


def _post_id(norm: str, created_at: str | None) -> str:
    """Content-derived, so the same text imports to the same ids every time."""
    digest = hashlib.sha256(f"{norm}\n{created_at or ''}".encode()).hexdigest()
    return f"xs-{digest[:12]}"


def _preview(text: str) -> str:
    # Warnings go to a terminal: make the quoted text inert like the loader does.
    text = clean_line(" ".join(text[: _PREVIEW * 8].split())[: _PREVIEW + 1])
    if len(text) > _PREVIEW:
        text = text[: _PREVIEW - 1] + "…"
    return f"“{text}”"


def _span(lines: list[_Line]) -> str:
    first, last = lines[0].number, lines[-1].number
    return f"line {first}" if first == last else f"lines {first}-{last}"


class _Importer:
    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz
        self.warnings: list[ImportWarning] = []
        self.roles: dict[int, str] = {}
        self.appearances: list[_Appearance] = []
        self.dropped: list[_Line] = []
        self.time_lines: list[int] = []
        self.op_section = False
        """The text has an "Original post" line: the first unit after it is the root."""
        self.op: _Appearance | None = None
        self.op_time_line: int | None = None

    def warn(self, line: int | None, message: str) -> None:
        self.warnings.append(ImportWarning(line, message))

    def drop(self, lines: list[_Line], why: str) -> None:
        """Lines that go into no post: one warning naming them all."""
        if not lines:
            return
        for line in lines:
            self.roles[line.number] = ROLE_WARNING
        self.dropped.extend(lines)
        self.warn(
            lines[0].number,
            f"{why} ({_span(lines)}, {_preview(' '.join(x.text for x in lines))}): not imported",
        )

    # -- reading ---------------------------------------------------------------------

    def run(self, text: str) -> ImportResult:
        lines = self.split(text)
        if not lines:
            raise StoryFormatError("the text is empty")
        body, header = self.header(lines)
        self.body(body)
        if not self.appearances:
            raise self.no_post(lines)
        for a in self.appearances:
            a.norm = " ".join(" ".join(line.text for line in a.lines).split())
            a.naive = a.time.naive
        self.calibrate()
        self.convert()
        groups = self.merge()
        document = self.build(header, groups)
        # In input order, so a reader can follow them down the file; stable for equal lines.
        self.warnings.sort(key=lambda w: w.line or 0)
        return ImportResult(document, self.warnings, dict(sorted(self.roles.items())))

    def split(self, text: str) -> list[_Line]:
        if text.startswith("\ufeff"):
            text = text[1:]
        if _SURROGATE.search(text):
            # Only reachable from Python callers (decoded files cannot hold them); JSON
            # cannot carry them, so replace rather than fail.
            self.warn(None, "the text holds lone surrogate characters: replaced with U+FFFD")
            text = _SURROGATE.sub("\ufffd", text)
        # Old Mac line ends: CR only.
        separator = "\n" if "\n" in text or "\r" not in text else "\r"
        lines: list[_Line] = []
        gap = True
        for number, raw in enumerate(text.split(separator), 1):
            line = raw.rstrip()
            if not line:
                gap = True
                continue
            lines.append(_Line(number, line, gap))
            gap = False
        return lines

    def header(self, lines: list[_Line]) -> tuple[list[_Line], dict[str, str | None]]:
        """Find the story header; return the lines after it and its fields."""
        marker: int | None = None
        for index, line in enumerate(lines):
            stripped = line.text.strip()
            if stripped.casefold() == _MARKER:
                marker = index
                break
            if _time_of(stripped) or _card_header(stripped):
                break
        fields: dict[str, str | None] = {
            "title": None,
            "summary": None,
            "age": None,
            "counter": None,
        }
        if marker is None:
            self.warn(
                None, 'no "Original post" line: the original post and thread root are unknown'
            )
            head = self.header_without_marker(lines)
            body = lines[len(head) :]
        else:
            head = lines[:marker]
            body = lines[marker + 1 :]
            self.roles[lines[marker].number] = ROLE_HEADER
        rest = list(head)
        if rest and _AGE.fullmatch(rest[0].text.strip()):
            fields["age"] = rest.pop(0).text.strip()
            self.roles[head[0].number] = ROLE_HEADER
        if rest and _COUNTER.fullmatch(rest[-1].text.strip()):
            counter = rest.pop()
            fields["counter"] = counter.text.strip()
            self.roles[counter.number] = ROLE_HEADER
        for key, line in zip(("title", "summary"), rest, strict=False):
            fields[key] = line.text.strip()
            self.roles[line.number] = ROLE_HEADER
        for line in rest[2:]:
            self.roles[line.number] = ROLE_WARNING
            self.warn(line.number, f"unexpected line in the story header: {_preview(line.text)}")
        self.op_section = marker is not None
        return body, fields

    def header_without_marker(self, lines: list[_Line]) -> list[_Line]:
        # Without the marker, only the page's own shape (age, a line or two, the counter)
        # tells header from posts; anything less certain is read as posts.
        if not _AGE.fullmatch(lines[0].text.strip()):
            return []
        for index, line in enumerate(lines[1:5], 1):
            stripped = line.text.strip()
            if _time_of(stripped) or _card_header(stripped):
                break
            if _COUNTER.fullmatch(stripped):
                return lines[: index + 1]
        return lines[:1]

    def time(self, line: _Line) -> _Time | None:
        """Read a time line; None when the line is not one at all."""
        stripped = line.text.strip()
        match = _time_of(stripped)
        if match is None:
            if stripped[:1].isdigit() and _TIME_START.match(" ".join(stripped[:40].split())):
                self.warn(line.number, f"unreadable time line {_preview(stripped)}: time unknown")
                return _Time(line.number, None, None)
            return None
        hour_s, minute_s, half, month_s, day_s, year_s, tail = match.groups()
        naive: datetime | None = None
        month = _MONTHS.get(month_s.casefold())
        hour, minute = int(hour_s), int(minute_s)
        if month is None or not 1 <= hour <= 12:
            self.warn(line.number, f"impossible time {_preview(stripped)}: time unknown")
        else:
            hour = hour % 12 + (12 if half.upper() == "P" else 0)
            try:
                naive = datetime(int(year_s), month, int(day_s), hour, minute)
            except ValueError:
                self.warn(line.number, f"impossible date {_preview(stripped)}: time unknown")
        views: int | None = None
        if tail:
            views_match = _VIEWS_TAIL.fullmatch(tail)
            if views_match is not None:
                views = _count(*views_match.groups())
                if views is None:
                    self.warn(line.number, f"unreadable view count {_preview(tail)}")
            elif not _VIEW_ON_X.fullmatch(tail):
                self.warn(line.number, f"unreadable end of time line {_preview(tail)}")
        return _Time(line.number, naive, views)

    def body(self, lines: list[_Line]) -> None:
        """Cut the lines after the header into units and record their appearances."""
        outer: list[_Line] = []
        card_head: _Line | None = None
        card_name: tuple[str, str] | None = None
        card_lines: list[_Line] = []
        card_time: _Time | None = None
        in_op = self.op_section

        def card_appearance() -> _Appearance:
            assert card_head is not None and card_name is not None and card_time is not None
            for line in (card_head, *card_lines):
                self.roles[line.number] = ROLE_CARD
            return _Appearance(
                "card",
                list(card_lines),
                card_time,
                card_head.number,
                handle=card_name[1],
                display_name=card_name[0],
                in_op_section=in_op,
            )

        def outer_without_time() -> None:
            # The card is complete but its post's own time line never came.
            nonlocal outer, in_op
            card = card_appearance()
            self.appearances.append(card)
            what = "original post" if in_op else "post"
            self.drop(outer, f"{what} without its own time line")
            if in_op:
                self.warn(card.start, "the original post is incomplete: the thread has no root")
            outer = []
            in_op = False

        state = "outer"
        for line in lines:
            time = self.time(line)
            if time is not None:
                self.roles[line.number] = ROLE_TIME
                self.time_lines.append(line.number)
                if state == "card":
                    card_time = time
                    state = "after-card"
                    continue
                card = card_appearance() if state == "after-card" else None
                if not outer and card is None and not in_op:
                    self.roles[line.number] = ROLE_WARNING
                    self.warn(line.number, "a time line with no post before it: ignored")
                    continue
                self.unit(outer, card, time, in_op)
                outer, in_op, state = [], False, "outer"
                continue
            name = _card_header(line.text.strip())
            if name is not None:
                if state == "card":
                    assert card_head is not None
                    self.drop([card_head, *card_lines], "embedded card without a time line")
                elif state == "after-card":
                    outer_without_time()
                card_head, card_name, card_lines, state = line, name, [], "card"
                continue
            if state == "after-card":
                outer_without_time()
                state = "outer"
            (card_lines if state == "card" else outer).append(line)

        # End of input: whatever is open was cut off.
        if state == "after-card":
            card = card_appearance()
            self.appearances.append(card)
            self.drop(outer, "the text ends before this post's time line")
        elif state == "card":
            assert card_head is not None
            self.drop([*outer, card_head, *card_lines], "the text ends inside this post")
        else:
            self.drop(outer, "the text ends before this post's time line")

    def unit(self, outer: list[_Line], card: _Appearance | None, time: _Time, in_op: bool) -> None:
        for line in outer:
            self.roles[line.number] = ROLE_POST
        start = outer[0].number if outer else card.start if card else time.line
        post = _Appearance(
            "op" if in_op else "outer", list(outer), time, start, card=card, in_op_section=in_op
        )
        self.appearances.append(post)
        if card is not None:
            self.appearances.append(card)
        if in_op:
            self.op = post
            self.op_time_line = time.line

    def no_post(self, lines: list[_Line]) -> StoryFormatError:
        if not self.time_lines and not self.op_section:
            return StoryFormatError(
                "not X story text: no post time line like “4:57 PM · May 28, 2026” found",
                lines[0].number,
            )
        if self.dropped:
            return StoryFormatError(
                "no complete post: the text ends before a post's time line",
                self.dropped[0].number,
            )
        if self.time_lines:
            return StoryFormatError("no post text before this time line", self.time_lines[0])
        return StoryFormatError("the story has a header but no post", lines[-1].number)

    # -- times -------------------------------------------------------------------------

    def calibrate(self) -> None:
        """Put the original-post section on the cards' clock.

        The page prints that section in a different zone than the cards (the seed: 4:57 PM
        there, 11:57 PM on every card of the same post). The cards are the reference, so
        the section moves by the difference seen on the same post.
        """
        section = [a for a in self.appearances if a.in_op_section]
        # Only cards: the clock to match is the cards', and an outer post that merely has
        # the same words ("+1") is another post.
        outside = [a for a in self.appearances if not a.in_op_section and a.kind == "card"]
        for shown in sorted(section, key=lambda a: a.kind == "card"):
            if shown.naive is None:
                continue
            here = shown.naive
            seen = [
                (abs(a.naive - here), index, a.naive)
                for index, a in enumerate(outside)
                if a.norm == shown.norm and a.naive is not None
            ]
            if not seen:
                continue
            # The nearest showing: two posts with the same text are told apart by time.
            there = min(seen)[2]
            delta = there - here
            if not delta:
                return
            line = self.op_time_line or shown.time.line
            same_day = here.date() == there.date()
            here_s = _clock(here) if same_day else f"{_clock(here)} {_day(here)}"
            there_s = _clock(there) if same_day else f"{_clock(there)} {_day(there)}"
            if abs(delta) <= _MAX_CLOCK_SHIFT and delta % _HALF_HOUR == timedelta(0):
                for a in section:
                    if a.naive is not None:
                        try:
                            a.naive += delta
                        except OverflowError:
                            a.naive = None
                            self.warn(a.time.line, "the shifted time is out of range: unknown")
                self.warn(
                    line,
                    f"original-post section shows {here_s}, its cards {there_s}:"
                    f" shifted the section by {_signed(delta)} to the cards' clock",
                )
            else:
                shown.naive = there
                self.warn(
                    line,
                    f"original-post section shows {here_s}, its cards {there_s}:"
                    " not a time-zone difference; kept the cards' time",
                )
            return
        if self.op is not None and self.op.naive is not None:
            self.warn(
                self.op_time_line,
                "the original post is never shown as a card, so its section's clock cannot be"
                " checked against the cards': its time may be off by a time-zone difference",
            )

    def convert(self) -> None:
        for a in self.appearances:
            if a.naive is None:
                continue
            try:
                a.created_at = _iso(a.naive.replace(tzinfo=self.tz).astimezone(UTC))
            except (OverflowError, ValueError):
                self.warn(a.time.line, "the time is out of range in UTC: time unknown")

    # -- merging -----------------------------------------------------------------------

    def merge(self) -> list[_Group]:
        """One group per real post, merging only what the page shows to be one post.

        A post shows as itself once: in the original-post section or as an outer post with
        its own time line. Two such showings are two posts, whatever their words and time
        (two replies "Agreed." in the same minute). A card stands for a post shown
        elsewhere: it joins a post with its words and time whose author it does not
        contradict, or, when none is shown, the post only cards show.
        """
        groups: list[_Group] = []
        by_key: dict[tuple[str, str | None], list[_Group]] = {}
        by_text: dict[str, list[_Group]] = {}
        ordered = sorted(self.appearances, key=lambda a: (a.start, a.kind == "card"))

        def add(group: _Group, a: _Appearance) -> None:
            if a.handle and group.author is None:
                group.author = a.handle.casefold()
            group.first = min(group.first, a.start)
            group.own = group.own or a.kind != "card"
            group.appearances.append(a)
            a.group = group

        def new_group(a: _Appearance, created_at: str | None) -> None:
            group = _Group(a.norm, created_at, a.start)
            groups.append(group)
            by_key.setdefault((a.norm, created_at), []).append(group)
            by_text.setdefault(a.norm, []).append(group)
            add(group, a)

        def place_card(a: _Appearance, candidates: list[_Group], created_at: str | None) -> None:
            author = a.handle.casefold() if a.handle else None
            fits = [g for g in candidates if author is None or g.author in (None, author)]
            if not fits:
                new_group(a, created_at)
                return
            if len(fits) > 1:
                # What the page tells the candidates apart by: a card of the same author
                # already placed, then the view count the post itself shows.
                fits = [g for g in fits if author is not None and g.author == author] or fits
            if len(fits) > 1 and a.time.views is not None:
                views = a.time.views
                fits = [
                    g for g in fits if any(x.time.views == views for x in g.appearances)
                ] or fits
            chosen = min(fits, key=lambda g: g.first)
            if len(fits) > 1:
                places = ", ".join(str(g.first) for g in sorted(fits, key=lambda g: g.first))
                self.warn(
                    a.start,
                    f"the card {_preview(a.norm)} fits {len(fits)} posts with the same words"
                    f" and time (lines {places}): taken as the one at line {chosen.first}",
                )
            add(chosen, a)

        for a in ordered:
            if a.kind != "card" and a.created_at is not None:
                new_group(a, a.created_at)
        for a in ordered:
            if a.kind == "card" and a.created_at is not None:
                place_card(a, by_key.get((a.norm, a.created_at), []), a.created_at)
        # A showing whose time was unreadable joins the single post with its words, where
        # that is the post it must be: one only cards show, or (for a card) any.
        for a in ordered:
            if a.created_at is not None:
                continue
            same_text = by_text.get(a.norm, [])
            single = same_text[0] if len(same_text) == 1 else None
            if a.kind != "card":
                if single is not None and not single.own:
                    add(single, a)
                else:
                    new_group(a, None)
            elif single is not None:
                place_card(a, same_text, None)
            else:
                place_card(a, by_key.get((a.norm, None), []), None)

        # A post's place is where it appears as itself, with its own time line (the order
        # the seeds README numbers them); a post only ever seen as a card goes where its
        # first card is.
        def own_place(group: _Group) -> int:
            own = [a.start for a in group.appearances if a.kind != "card"]
            return min(own) if own else group.first

        groups.sort(key=own_place)
        used: dict[str, int] = {}
        for group in groups:
            base = _post_id(group.norm, group.created_at)
            count = used.get(base, 0) + 1
            used[base] = count
            # Same words at the same minute, two posts: number them in page order.
            group.id = base if count == 1 else f"{base}-{count}"
        return groups

    def build(self, header: dict[str, str | None], groups: list[_Group]) -> dict[str, Any]:
        authors: dict[str, dict[str, str | None]] = {}
        author_ids: dict[str, str] = {}
        for a in sorted(self.appearances, key=lambda a: a.start):
            if a.handle and a.handle.casefold() not in author_ids:
                author_id = f"x:{a.handle}"
                author_ids[a.handle.casefold()] = author_id
                authors[author_id] = {"handle": a.handle, "display_name": a.display_name}

        posts: list[dict[str, Any]] = []
        for group in groups:
            shown = group.appearances
            fullest = min(shown, key=lambda a: (-len(a.lines), a.kind == "card", a.start))
            quotes: list[str] = []
            for a in sorted(shown, key=lambda a: a.start):
                if a.card is None or a.card.group is None:
                    continue
                quoted = a.card.group.id
                if quoted == group.id:
                    self.warn(a.card.start, "a post shows itself as its card: quote left out")
                elif quoted not in quotes:
                    quotes.append(quoted)
            views = [a.time.views for a in shown if a.time.views is not None]
            posts.append(
                {
                    "id": group.id,
                    "author": author_ids[group.author] if group.author else None,
                    "text": "\n\n".join(fullest.paragraphs),
                    "created_at": group.created_at,
                    "reply_to": None,
                    "quotes": quotes,
                    "metrics": dict.fromkeys(fmt.METRIC_NAMES)
                    | {"views": max(views) if views else None},
                    "status": "ok",
                }
            )

        details = {key: header[key] for key in ("age", "counter") if header[key] is not None}
        root = self.op.group.id if self.op is not None and self.op.group is not None else None
        return {
            "schema": fmt.SCHEMA,
            "schema_version": fmt.SCHEMA_VERSION,
            "thread": {
                "title": header["title"],
                "summary": header["summary"],
                "url": None,
                "root": root,
                "details": details,
            },
            "source": {
                "platform": PLATFORM,
                "kind": KIND,
                "importer": IMPORTER,
                "retrieved_at": None,
            },
            "authors": authors,
            "posts": posts,
        }

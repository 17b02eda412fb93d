"""The query language shared by search (`/`) and the filter, typed or built by pickers.

    internal models "quoted phrase" -word /regex/ from:alice -from:@bob
    after:2026-05-29T00:30 before:+2h has:quote is:root is:new views:>1000 replies:>2

Every part must hold (AND), except that several `from:` are alternatives (any of them).
The search field uses the same words, phrases and /regex/ but no `key:` filters
(`filters=False`), so searching for `10:30` or `re:` just finds that text.

Decisions where the issue is silent, all said again in the help screen (ui/help.py):

* Smart case is per term: a word or phrase with an upper-case letter is case-sensitive,
  the others are not. Accents are ignored either way, in both directions.
* Words match inside words (`risk` finds `risky`), as incremental search must while a
  word is half typed.
* A word or phrase matches post text, the author's name and @handle, and the text and
  author of each post it quotes (the detail pane shows quote cards expanded); a quote
  inside a quoted post is not searched. `-word` leaves out posts with the word in any
  of those.
* `/regex/` matches each of those fields on its own, on the text as written (no accent
  folding: write `caf[eé]`), case-insensitive unless it has an upper-case literal;
  `^`/`$` match at line ends. It may stand among other terms.
* `after:T` keeps posts at T or later, `before:T` posts earlier than T: half-open, so
  `after:X before:Y` ranges tile. Posts without a time never pass a time filter.
* `replies:` counts the replies shown under the post in this thread (its tree children),
  not the platform's reply count, which is often unknown. `views:`, `likes:`, `reposts:`
  use the platform's counts; posts where the count is unknown never pass.
* `is:new` keeps posts not seen on an earlier visit (threadtui.state: the marks come in
  `parse_query(new=...)`). Without marks, as on a first visit, every post is new: none
  has been seen. `-is:new` keeps the posts seen before.
* An unterminated "phrase or /regex runs to the end of the query, so results can follow
  typing; a lone `/` is an empty query.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Final, NamedTuple

from threadtui.model import Author, Thread
from threadtui.model.sanitize import clean_line
from threadtui.model.timefmt import format_count, format_full
from threadtui.query.fold import fold, has_upper, unaccent
from threadtui.query.pattern import PatternError, Regex, compile_regex

METRIC_KEYS: Final = ("views", "likes", "reposts")
NUMBER_KEYS: Final = (*METRIC_KEYS, "replies")
KEYS: Final = ("from", "after", "before", "has", "is", *NUMBER_KEYS)
HAS_VALUES: Final = ("quote",)
IS_VALUES: Final = ("root", "quoted", "new")


class QueryError(ValueError):
    """A query that cannot run; `start`/`end` locate the culprit in the query text.

    The message quotes the query, which comes from a keyboard, a command line or a
    config file: it is made inert here (control characters, bidi overrides, lone
    surrogates), once, for every place that shows it.
    """

    def __init__(self, message: str, start: int = 0, end: int = 0) -> None:
        message = _SURROGATE.sub("\ufffd", clean_line(message))
        super().__init__(message)
        self.message = message
        self.start = start
        self.end = end

    def __str__(self) -> str:
        return self.message


_SURROGATE = re.compile("[\ud800-\udfff]")


def _show(text: str, limit: int = 40) -> str:
    """A piece of the query as a message quotes it: at most `limit` characters."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class Term:
    """A word or phrase to find (or, negated, to avoid)."""

    text: str
    folded: str
    exact: str | None
    """`unaccent(text)` when smart case makes the term case-sensitive, else None."""
    phrase: bool = False
    negated: bool = False


@dataclass(frozen=True, slots=True)
class Pattern:
    regex: Regex
    negated: bool = False
    span: tuple[int, int] = field(default=(0, 0), compare=False)
    """Where the pattern is in the query text, to point at it when it is too slow."""


@dataclass(frozen=True, slots=True)
class NumberRange:
    """`key` between `low` and `high`, both inclusive; None is open."""

    key: str
    low: int | None
    high: int | None


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query; build it with `parse_query`. Hashable and thread-safe; queries
    that mean the same compare equal, however they were typed."""

    text: str = field(default="", compare=False)
    terms: tuple[Term, ...] = ()
    patterns: tuple[Pattern, ...] = ()
    authors: frozenset[str] = frozenset()
    """Author ids; a post must be by one of them (when not empty)."""
    not_authors: frozenset[str] = frozenset()
    after: float | None = None
    before: float | None = None
    has_quote: bool | None = None
    is_root: bool | None = None
    is_quoted: bool | None = None
    is_new: bool | None = None
    new_marks: bytes | None = field(default=None, compare=False, repr=False)
    """For `is:new`: one byte a post, 1 for new (ReadState.new_marks); None: all new.
    Not compared: `narrows` checks that two queries read the same marks."""
    ranges: tuple[NumberRange, ...] = ()
    labels: tuple[tuple[str, ...], tuple[str, ...]] = field(default=((), ()), compare=False)
    """How the from: and -from: authors were named, for `describe`."""
    tz: tzinfo = field(default=UTC, compare=False)

    @property
    def is_empty(self) -> bool:
        """True when the query keeps every post: the UI clears the search or filter."""
        return not (
            self.terms
            or self.patterns
            or self.authors
            or self.not_authors
            or self.after is not None
            or self.before is not None
            or self.has_quote is not None
            or self.is_root is not None
            or self.is_quoted is not None
            or self.is_new is not None
            or self.ranges
        )

    @property
    def highlights(self) -> bool:
        """Whether the query has anything to highlight in text (words, phrases, regexes)."""
        return any(not t.negated for t in self.terms) or any(not p.negated for p in self.patterns)

    def describe(self) -> str:
        """A one-line human summary: 'containing "ai" and "risk"; from @a or @b; …'."""
        parts: list[str] = []
        wanted = [_show_term(t) for t in self.terms if not t.negated]
        wanted += [f"/{p.regex.source}/" for p in self.patterns if not p.negated]
        unwanted = [_show_term(t) for t in self.terms if t.negated]
        unwanted += [f"/{p.regex.source}/" for p in self.patterns if p.negated]
        if wanted:
            parts.append("containing " + " and ".join(wanted))
        if unwanted:
            parts.append("without " + " or ".join(unwanted))
        if self.authors:
            parts.append("from " + " or ".join(self.labels[0]))
        if self.not_authors:
            parts.append("not from " + " or ".join(self.labels[1]))
        if self.after is not None:
            parts.append("at or after " + format_full(self.after, self.tz))
        if self.before is not None:
            parts.append("before " + format_full(self.before, self.tz))
        if self.has_quote is not None:
            parts.append("quoting a post" if self.has_quote else "quoting no post")
        if self.is_root is not None:
            parts.append("starting a conversation" if self.is_root else "replies only")
        if self.is_quoted is not None:
            parts.append("quoted by others" if self.is_quoted else "quoted by no one")
        if self.is_new is not None:
            parts.append("new since your last visit" if self.is_new else "seen before")
        for r in self.ranges:
            parts.append(_show_range(r))
        return "; ".join(parts) if parts else "all posts"


def _show_term(term: Term) -> str:
    return f'"{term.text}"' + (" (exact case)" if term.exact is not None else "")


def _show_range(r: NumberRange) -> str:
    name = "replies here" if r.key == "replies" else r.key
    if r.low is not None and r.high is not None:
        if r.low == r.high:
            return f"{name} = {format_count(r.low)}"
        return f"{name} {format_count(r.low)}–{format_count(r.high)}"
    if r.low is not None:
        return f"{name} ≥ {format_count(r.low)}"
    return f"{name} ≤ {format_count(r.high or 0)}"


# --- tokens ---------------------------------------------------------------------------


class Token(NamedTuple):
    kind: str
    """word, phrase, regex or filter"""
    negated: bool
    key: str | None
    value: str
    start: int
    end: int
    value_start: int


_KEY = re.compile(r"([A-Za-z]+):")


def tokens(text: str, *, filters: bool = True) -> Iterator[Token]:
    """Split a query into tokens; never fails, so it also serves `replace_filters`."""
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        negated = text[i] == "-" and i + 1 < n and not text[i + 1].isspace()
        if negated:
            i += 1
        char = text[i]
        if char == '"':
            close = text.find('"', i + 1)
            end = n if close < 0 else close
            yield Token("phrase", negated, None, text[i + 1 : end], start, min(end + 1, n), i + 1)
            i = min(end + 1, n)
            continue
        if char == "/":
            # A regex ends at a / followed by a space or the end, so a/b needs no escape.
            j = i + 1
            while j < n and not (text[j] == "/" and (j + 1 == n or text[j + 1].isspace())):
                j += 2 if text[j] == "\\" else 1
            j = min(j, n)
            yield Token("regex", negated, None, text[i + 1 : j], start, min(j + 1, n), i + 1)
            i = min(j + 1, n)
            continue
        j = i
        while j < n and not text[j].isspace():
            j += 1
        key = _KEY.match(text, i, j) if filters else None
        if key is not None and not text.startswith("//", key.end()):  # not a URL
            value_start = key.end()
            if value_start < n and text[value_start] == '"':
                close = text.find('"', value_start + 1)
                value_end = n if close < 0 else close
                j = n if close < 0 else close + 1
                value = text[value_start + 1 : value_end]
                value_start += 1
            else:
                value = text[value_start:j]
            yield Token("filter", negated, key.group(1).lower(), value, start, j, value_start)
            i = j
            continue
        yield Token("word", negated, None, text[i:j], start, j, i)
        i = j


# --- parsing --------------------------------------------------------------------------


def parse_query(
    text: str,
    thread: Thread,
    *,
    tz: tzinfo = UTC,
    filters: bool = True,
    new: bytes | bytearray | None = None,
) -> Query:
    """Parse `text` for `thread`, or raise QueryError naming what is wrong and where.

    `tz` is the zone for dates and times without an offset (the app's --tz). With
    `filters=False` (the search field) `key:value` is plain text to find. `new` is the
    read state's marks for `is:new` (`ReadState.new_marks`), copied here; None means
    every post is new (no state: a first visit).
    """
    terms: list[Term] = []
    patterns: list[Pattern] = []
    authors: dict[bool, dict[str, None]] = {False: {}, True: {}}
    labels: dict[bool, list[str]] = {False: [], True: []}
    after: float | None = None
    before: float | None = None
    flags: dict[str, bool] = {}
    ranges: dict[str, NumberRange] = {}

    for token in tokens(text, filters=filters):
        if token.kind in ("word", "phrase"):
            term = _term(token)
            if term is not None:
                terms.append(term)
        elif token.kind == "regex":
            if token.value:  # a lone / while typing
                patterns.append(Pattern(_regex(token), token.negated, (token.start, token.end)))
        else:
            key = token.key or ""
            if key not in KEYS:
                raise QueryError(
                    f'unknown filter "{_show(key)}:" (known: {", ".join(k + ":" for k in KEYS)});'
                    " put it in quotes to search for the text",
                    token.start,
                    token.end,
                )
            if not token.value:
                raise QueryError(
                    f"{key}: needs a value: {example(key, thread, tz)}", token.start, token.end
                )
            if key == "from":
                ids, label = _author(token, thread)
                authors[token.negated].update(dict.fromkeys(ids))
                labels[token.negated].append(label)
            elif key in ("after", "before"):
                if token.negated:
                    other = "before" if key == "after" else "after"
                    raise QueryError(
                        f"-{key}: is not supported; use {other}: instead", token.start, token.end
                    )
                moment = _time(token, thread, tz)
                # Two of the same bound both hold: the tighter one wins.
                if key == "after":
                    after = moment if after is None else max(after, moment)
                else:
                    before = moment if before is None else min(before, moment)
            elif key in ("has", "is"):
                value = token.value.lower()
                known = HAS_VALUES if key == "has" else IS_VALUES
                if value not in known:
                    raise QueryError(
                        f'unknown value "{_show(token.value)}" for {key}: (known: '
                        + ", ".join(f"{key}:{v}" for v in known)
                        + ")",
                        token.start,
                        token.end,
                    )
                flags[f"{key}:{value}"] = not token.negated
            else:
                if token.negated:
                    raise QueryError(
                        f"-{key}: is not supported; turn the comparison around, like {key}:<=10",
                        token.start,
                        token.end,
                    )
                ranges[key] = _intersect(ranges.get(key), _number_range(token), token)

    return Query(
        text=text,
        terms=tuple(terms),
        patterns=tuple(patterns),
        authors=frozenset(authors[False]),
        not_authors=frozenset(authors[True]),
        after=after,
        before=before,
        has_quote=flags.get("has:quote"),
        is_root=flags.get("is:root"),
        is_quoted=flags.get("is:quoted"),
        is_new=flags.get("is:new"),
        new_marks=_marks(new, len(thread.posts)) if "is:new" in flags else None,
        ranges=tuple(ranges.values()),
        labels=(tuple(labels[False]), tuple(labels[True])),
        tz=tz,
    )


def _marks(new: bytes | bytearray | None, count: int) -> bytes | None:
    """`new` as one byte a post of this thread: posts past its end (arrived since it
    was made) are new, as a post never seen is."""
    if new is None:
        return None
    marks = bytes(new[:count])
    return marks + b"\x01" * (count - len(marks))


_EXAMPLES: Final = {
    "from": 'from:alice, from:@alice or from:"Alice Example"',
    "has": "has:quote",
    "is": "is:root, is:quoted or is:new",
    "views": "views:>1000, views:>=1k, views:<10 or views:100..2000",
    "likes": "likes:>100, likes:10..50",
    "reposts": "reposts:>10",
    "replies": "replies:>2 (replies shown under the post in this thread)",
}


def time_forms(key: str, thread: Thread, tz: tzinfo) -> list[str]:
    """Ways to write a time for `after:` or `before:`, as dates of this thread: a date from
    any other thread (the demo's) would, typed as shown, filter every post out."""
    if thread.time_range is None:
        return ["YYYY-MM-DDTHH:MM", "YYYY-MM-DD"]
    first, last = thread.time_range
    start = datetime.fromtimestamp(first, tz)
    # Mid-thread, to the minute: a time that keeps some posts and leaves out others.
    middle = datetime.fromtimestamp(first + (last - first) / 2, tz).replace(second=0)
    day = start.date() if key == "after" else start.date() + timedelta(days=1)
    # A bare clock time is on the first day: take one that is on it.
    clock = middle if middle.date() == start.date() else start
    offset = "+30m" if key == "after" else "+2h"
    return [f"{middle:%Y-%m-%dT%H:%M}", day.isoformat(), f"{clock:%H:%M}", offset]


def example(key: str, thread: Thread, tz: tzinfo) -> str:
    """How to write `key:`, for an error message; times are this thread's own."""
    if key not in ("after", "before"):
        return _EXAMPLES[key]
    forms = [f"{key}:{form}" for form in time_forms(key, thread, tz)]
    return ", ".join(forms[:-1]) + " or " + forms[-1]


def _term(token: Token) -> Term | None:
    folded = fold(token.value)
    if not folded.strip():
        return None
    if token.kind == "word":
        folded = folded.strip()
    exact = None
    if has_upper(token.value):
        exact = unaccent(token.value)
        if token.kind == "word":
            exact = exact.strip()
    return Term(token.value, folded, exact, token.kind == "phrase", token.negated)


def _regex(token: Token) -> Regex:
    try:
        return compile_regex(token.value)
    except PatternError as error:
        if error.offset is not None:
            at = token.value_start + error.offset
            raise QueryError(error.message, at, min(at + 1, token.end)) from None
        raise QueryError(error.message, token.start, token.end) from None


# --- authors --------------------------------------------------------------------------


class _Authors:
    """Folded handle and name lookups for one thread, built on the first from: typed."""

    __slots__ = ("by_handle", "by_name", "ranked", "thread")

    def __init__(self, thread: Thread) -> None:
        self.thread = thread
        self.by_handle: dict[str, list[Author]] = {}
        self.by_name: dict[str, list[Author]] = {}
        for author in thread.authors.values():
            if author.handle:
                self.by_handle.setdefault(fold(author.handle), []).append(author)
            if author.display_name:
                self.by_name.setdefault(fold(author.display_name), []).append(author)
        # Most active first: the suggestions a reader most likely means.
        self.ranked = [
            (fold(a.handle), a.handle)
            for a in sorted(thread.authors.values(), key=lambda a: -a.post_count)
            if a.handle
        ]

    def suggest(self, wanted: str) -> list[str]:
        prefix = [handle for key, handle in self.ranked if key.startswith(wanted)]
        if prefix:
            return prefix[:3]
        # difflib is slow on big lists: the 2,000 most active authors are plenty to suggest.
        keys = {key: handle for key, handle in self.ranked[:2000]}
        close = difflib.get_close_matches(wanted, list(keys), n=3, cutoff=0.6)
        return [keys[key] for key in close]


def _lookup(thread: Thread) -> _Authors:
    # Kept on the thread: it dies with it, and a thread that grows drops it.
    cached = thread.derived.get("query.authors")
    if not isinstance(cached, _Authors):
        cached = thread.derived["query.authors"] = _Authors(thread)
    return cached


ANONYMOUS: Final = ""
"""The author id `from:?` stands for: real posts whose author is unknown (not placeholders,
whose post is gone); no real id is empty."""


def _author(token: Token, thread: Thread) -> tuple[list[str], str]:
    value = token.value.strip()
    if value == "?":
        return [ANONYMOUS], "an unknown author"
    name = value[1:] if value.startswith("@") else value
    lookup = _lookup(thread)
    wanted = fold(name)
    found = lookup.by_handle.get(wanted)
    if found:
        return [a.id for a in found], f"@{found[0].handle}"
    found = lookup.by_name.get(fold(value))
    if found:
        return [a.id for a in found], found[0].display_name or value
    suggestions = lookup.suggest(wanted) if wanted else []
    hint = "; did you mean " + ", ".join(f"@{s}" for s in suggestions) + "?" if suggestions else ""
    raise QueryError(f'no author "{_show(value)}" in this thread{hint}', token.start, token.end)


# --- times ----------------------------------------------------------------------------

_OFFSET = re.compile(
    r"\+(?=\d)(?:(\d+(?:\.\d+)?)d)?(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?"
)
_CLOCK = re.compile(r"(\d{1,2}):(\d\d)(?::(\d\d))?")
_DATE = re.compile(r"\d{4}-\d\d-\d\d")


def _time(token: Token, thread: Thread, tz: tzinfo) -> float:
    value = token.value.strip()
    key = token.key or "after"
    try:
        moment = _moment(value, thread, tz)
    except (ValueError, OverflowError, OSError) as error:
        # datetime's own reasons ("month must be in 1..12") help; "Invalid isoformat" does not.
        reason = "" if "isoformat" in str(error) else str(error)
        message = f"{key}:{_show(value)} is not a time"
        message += f": {reason}" if reason else f"; use {example(key or 'after', thread, tz)}"
        raise QueryError(message, token.start, token.end) from None
    try:
        # Everything that shows the filter (its summary, the time picker) needs a datetime.
        datetime.fromtimestamp(moment, UTC)
    except (ValueError, OverflowError, OSError):
        raise QueryError(
            f"{key}:{_show(value)} is out of range: times run from year 1 to 9999",
            token.start,
            token.end,
        ) from None
    return moment


def _moment(value: str, thread: Thread, tz: tzinfo) -> float:
    if value.startswith("+"):
        match = _OFFSET.fullmatch(value)
        if match is None or not any(match.groups()):
            raise ValueError("an offset needs units, like +30m, +2h, +1d or +1h30m")
        days, hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
        return _first_time(thread, value) + (((days * 24 + hours) * 60 + minutes) * 60 + seconds)
    clock = _CLOCK.fullmatch(value)
    if clock is not None:
        hour, minute, second = (int(g) if g else 0 for g in clock.groups())
        first_day = datetime.fromtimestamp(_first_time(thread, value), tz).date()
        return datetime.combine(first_day, time(hour, minute, second), tz).timestamp()
    if _DATE.fullmatch(value):
        return datetime.combine(date.fromisoformat(value), time(), tz).timestamp()
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.timestamp()


def _first_time(thread: Thread, value: str) -> float:
    if thread.time_range is None:
        raise ValueError("this thread has no post times, so there is no first post to count from")
    return thread.time_range[0]


# --- numbers --------------------------------------------------------------------------

_NUMBER = r"\d+(?:\.\d+)?[kmb]?"
_COMPARISON = re.compile(rf"(>=|<=|>|<|=)?({_NUMBER})", re.IGNORECASE)
_RANGE = re.compile(rf"({_NUMBER})?\.\.({_NUMBER})?", re.IGNORECASE)
_SCALE: Final = {"": 1, "k": 1_000, "m": 1_000_000, "b": 1_000_000_000}
MAX_DIGITS: Final = 15
"""Digits a number in a filter may have before its point: a quadrillion views is plenty,
and bigger ones would overflow float and int conversions further on."""


def _number(text: str, token: Token) -> int:
    scale = _SCALE[text[-1].lower()] if text[-1].isalpha() else 1
    whole, _, fraction = (text[:-1] if text[-1].isalpha() else text).partition(".")
    if len(whole.lstrip("0")) > MAX_DIGITS:
        raise QueryError(
            f"{token.key}:{_show(token.value)} is too big a number"
            f" (at most {MAX_DIGITS} digits before the point)",
            token.start,
            token.end,
        )
    # Decimal, not float: 0.29k is 290 (float makes it 289.99…). Nine decimals are all a
    # whole count can use (the largest scale is 10**9), and keep the product exact.
    return int(Decimal(f"{whole}.{fraction[:9] or 0}") * scale)


def _number_range(token: Token) -> NumberRange:
    value = token.value.strip().replace("_", "").replace(",", "")
    key = token.key or ""
    comparison = _COMPARISON.fullmatch(value)
    if comparison is not None:
        op, number = comparison.group(1) or "=", _number(comparison.group(2), token)
        low, high = {
            ">": (number + 1, None),
            ">=": (number, None),
            "<": (None, number - 1),
            "<=": (None, number),
            "=": (number, number),
        }[op]
        return NumberRange(key, low, high)
    span = _RANGE.fullmatch(value)
    if span is not None and (span.group(1) or span.group(2)):
        low = _number(span.group(1), token) if span.group(1) else None
        high = _number(span.group(2), token) if span.group(2) else None
        if low is not None and high is not None and low > high:
            raise QueryError(
                f"{key}:{_show(token.value)} is an empty range: the first number is the bigger",
                token.start,
                token.end,
            )
        return NumberRange(key, low, high)
    raise QueryError(
        f"{key}:{_show(token.value)} is not a number or range; use {_EXAMPLES[key]}",
        token.start,
        token.end,
    )


def _intersect(old: NumberRange | None, new: NumberRange, token: Token) -> NumberRange:
    if old is None:
        return new
    lows = [v for v in (old.low, new.low) if v is not None]
    highs = [v for v in (old.high, new.high) if v is not None]
    merged = NumberRange(new.key, max(lows) if lows else None, min(highs) if highs else None)
    if merged.low is not None and merged.high is not None and merged.low > merged.high:
        raise QueryError(f"no number satisfies every {new.key}: filter", token.start, token.end)
    return merged


# --- building query text from pickers -------------------------------------------------


def _quoted(value: str) -> str:
    value = value.replace('"', "")
    return f'"{value}"' if not value or any(c.isspace() for c in value) else value


def format_from(handles: Iterable[str], *, exclude: bool = False) -> str:
    """`from:` tokens for handles (or display names) picked from a list."""
    sign = "-" if exclude else ""
    return " ".join(f"{sign}from:{_quoted(h.removeprefix('@'))}" for h in handles)


def format_time(
    moment: float | datetime, *, tz: tzinfo = UTC, relative_to: float | None = None
) -> str:
    """A time value as the language writes it: +1h30m from `relative_to`, else ISO in `tz`."""
    epoch = moment.timestamp() if isinstance(moment, datetime) else moment
    if relative_to is not None and epoch >= relative_to:
        return format_duration(epoch - relative_to)
    local = datetime.fromtimestamp(epoch, tz)
    if local.time() == time() and not local.microsecond:
        return local.date().isoformat()
    spec = "seconds" if local.second or local.microsecond else "minutes"
    return local.replace(tzinfo=None, microsecond=0).isoformat(timespec=spec)


def format_duration(seconds: float) -> str:
    """An offset token body: 5400 → +1h30m, 86400 → +1d, 0 → +0m (whole seconds)."""
    rest = round(max(seconds, 0))
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count}{unit}")
    return "+" + ("".join(parts) or "0m")


def format_time_range(
    after: float | datetime | None,
    before: float | datetime | None,
    *,
    tz: tzinfo = UTC,
    relative_to: float | None = None,
) -> str:
    """`after:` / `before:` tokens for a range picked on a time axis (either end open)."""
    parts = []
    if after is not None:
        parts.append("after:" + format_time(after, tz=tz, relative_to=relative_to))
    if before is not None:
        parts.append("before:" + format_time(before, tz=tz, relative_to=relative_to))
    return " ".join(parts)


def replace_filters(text: str, keys: Collection[str], addition: str) -> str:
    """`text` without its `key:` tokens for `keys` (negated too), with `addition` appended.

    What a picker does to the query the user typed: `replace_filters(q, {"from"},
    format_from(chosen))` swaps the authors and keeps everything else as typed.
    """
    kept: list[str] = []
    position = 0
    for token in tokens(text):
        if token.kind == "filter" and token.key in keys:
            kept.append(text[position : token.start])
            position = token.end
    kept.append(text[position:])
    kept.append(addition)
    return " ".join(piece.strip() for piece in kept if piece.strip())

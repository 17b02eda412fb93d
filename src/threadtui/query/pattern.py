"""Regular expressions typed by users: checked, smart-cased, and never left to run on.

Python's `re` backtracks and cannot be stopped: one bad pattern on one long post would
run for minutes, and no cancel flag is read meanwhile. So `re` only *parses* user
patterns (its syntax and error messages are the language's), and every match runs on
the `regex` package, which takes a `timeout` and releases the GIL while it matches
(`concurrent=True`), so the UI thread stays live. The defences, in order:

1. Refused at once, with a message: shapes known to take exponential or needlessly
   polynomial time (a repeat inside a repeat, `(a+)+`; a repeated choice whose options
   can start alike, `(a|ab)*`; two repeats in a row over the same characters, `.*.*`),
   and patterns whose counted repeats multiply past `MAX_SIZE`: `regex` unrolls them
   when it compiles, so `(a{1000}){1000}` would take a second and a gigabyte before any
   search, with no timeout. Atomic groups and possessive quantifiers are trusted, so
   `(?>\\w+\\s?)+` is the way to say "I mean it".
2. Whatever passes still cannot be trusted (`(a{1,16}){1,16}b` is exponential on a run of
   a's), so every match call has a timeout: the rest of the run's `Budget`, taken in
   slices that start at `SLICE` and double, with the run's cancel check between two
   slices. A newer keystroke stops a runaway call within about half the time it has run
   (at most half the budget), and a run past its budget stops with a message (see
   `threadtui.query.match`). `regex` counts the timeout in CPU time of the whole
   process, so a busy UI thread only makes a slow pattern stop sooner.
3. Highlights are drawn on the UI thread: each text gets `HIGHLIGHT_BUDGET`, and one
   pattern may not spend more than `HIGHLIGHT_RESERVE` at once or `HIGHLIGHT_SHARE` of
   the time overall, so a slow pattern shows fewer highlights instead of a slow screen
   (matching posts are still marked: the search found them).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator

# Private, but stable since 3.11: the checks read `re`'s own parse tree.
from re import _constants as _sre  # type: ignore[attr-defined]  # private: typeshed has no stub
from re import _parser as _sre_parse  # type: ignore[attr-defined]  # private: typeshed has no stub
from typing import Any, Final, NamedTuple

import regex as _regex_module

SLICE: Final = 0.05
"""Seconds of the first slice of one match call; each next slice is twice as long."""
HIGHLIGHT_BUDGET: Final = 0.02
"""Seconds of regex matching one text may use when drawing highlights."""
HIGHLIGHT_RESERVE: Final = 0.1
"""Seconds of highlighting one pattern may spend in a burst (a screen of rows)."""
HIGHLIGHT_SHARE: Final = 0.1
"""The part of the time, over a longer run, one pattern may spend highlighting."""
MAX_SIZE: Final = 20_000
"""The largest pattern, counting each counted repeat unrolled (see point 1)."""

NESTED = (
    "a repeat inside a repeat, like (a+)+, can take exponential time; "
    "write it without the inner repeat, or as (?>…)+ if you mean it"
)
ALTERNATION = (
    "a repeated choice whose options can start with the same character, like (a|ab)*, "
    "can take exponential time"
)
ADJACENT = "two repeats in a row over the same characters, like .*.*, are slow; one is enough"
TOO_BIG = (
    f"this regular expression is too big: its repeat counts multiply past {MAX_SIZE:,};"
    " use + or * for long runs"
)


class PatternError(ValueError):
    """A pattern that cannot be used; `offset` is a position in the pattern, if known."""

    def __init__(self, message: str, offset: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


class TooSlow(Exception):
    """Matching ran past its time budget."""


class QueryCancelled(Exception):
    """`cancel()` said stop: a newer query made this one pointless."""


class Budget:
    """The time one run of a query may spend matching regexes, and its cancel check.

    The clock starts at the first match call, so the cheap stages before it cost nothing.
    """

    __slots__ = ("cancel", "deadline", "seconds")

    def __init__(self, seconds: float, cancel: Callable[[], bool] | None = None) -> None:
        self.seconds = seconds
        self.cancel = cancel
        self.deadline: float | None = None

    def until(self) -> float:
        """The `time.perf_counter()` value at which the budget runs out."""
        if self.deadline is None:
            self.deadline = time.perf_counter() + self.seconds
        return self.deadline

    def spent(self) -> bool:
        return time.perf_counter() >= self.until()

    def left(self, deadline: float) -> float:
        """Seconds left before `deadline`, read between two timed match calls. Raises
        QueryCancelled when the cancel check says stop, and TooSlow when none are left."""
        if self.cancel is not None and self.cancel():
            raise QueryCancelled
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            raise TooSlow
        return remaining


class Regex:
    """A compiled user pattern whose every match call has a timeout (see the module)."""

    __slots__ = (
        "_allowance",
        "_refilled",
        "case_sensitive",
        "compiled",
        "joinable",
        "lines",
        "source",
    )

    def __init__(
        self, source: str, compiled: Any, lines: Any, *, case_sensitive: bool, local: bool
    ) -> None:
        self.source = source
        self.compiled = compiled
        """The `regex` pattern."""
        self.lines = lines
        """The pattern followed by the rest of its line, for `scan`; None if not joinable."""
        self.case_sensitive = case_sensitive
        self.joinable = local and lines is not None
        """Whether many texts may be searched at once, joined by newlines (see `scan`).

        Only for patterns that never look past their own match (no lookaround, \\A, \\Z,
        atomic groups or possessive repeats): for those, a match inside one text is a
        match at the same place in the joined string, and `^`, `$`, `\\b` see the newline
        as they would see the text's end.
        """
        self._allowance = HIGHLIGHT_RESERVE
        self._refilled = time.perf_counter()

    def __repr__(self) -> str:
        return f"Regex({self.source!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Regex) and other.source == self.source

    def __hash__(self) -> int:
        return hash(self.source)

    def find(self, text: str, position: int, budget: Budget) -> tuple[int, int] | None:
        """The span of the first match at or after `position`, or None.

        Raises TooSlow once the budget has run out, and QueryCancelled when the budget's
        cancel check says so.
        """
        deadline = budget.until()
        step = SLICE
        while True:
            remaining = budget.left(deadline)
            # A call cut short starts again from `position`: slices that double keep the
            # work thrown away below the work done, and a cancel is read between two.
            try:
                match = self.compiled.search(
                    text, position, timeout=min(remaining, step), concurrent=True
                )
            except TimeoutError:
                step *= 2
                continue
            return None if match is None else match.span()

    def scan(
        self, text: str, position: int, budget: Budget, *, until: float | None = None
    ) -> Iterator[tuple[int, int]]:
        """Spans of the first match on each line from `position` on, each span running
        on to the end of its line. Raises as `find` does, and TooSlow as well at `until`
        (a `time.perf_counter()` value), if that comes first.

        Many texts joined by newlines are searched by one timed call: each call pays
        for a read of the process clock (a system call, a few microseconds: more than
        finding a short word in a short post), so a call per matching post would make a
        common word cost several times more than the matching itself. A call cut short
        by its slice goes on from the last match; only a slice that found nothing makes
        the next one longer.
        """
        assert self.lines is not None, "scan needs a joinable pattern"
        deadline = budget.until() if until is None else min(until, budget.until())
        step = SLICE
        while True:
            remaining = budget.left(deadline)
            timeout = min(remaining, step)
            moved = False
            try:
                for match in self.lines.finditer(text, position, timeout=timeout, concurrent=True):
                    if match.end() > position:
                        moved = True
                        position = match.end()
                    yield match.span()
                return
            except TimeoutError:
                if not moved:
                    step *= 2

    def search(self, text: str, budget: Budget) -> bool:
        """Whether the pattern occurs in `text`; raises as `find` does."""
        return self.find(text, 0, budget) is not None

    def spans(self, text: str, budget: float = HIGHLIGHT_BUDGET) -> list[tuple[int, int]]:
        """Non-empty match spans in `text`, for drawing: the spans found before `budget`
        ran out, or none while the pattern has spent its allowance (see the module)."""
        started = time.perf_counter()
        allowance = min(
            HIGHLIGHT_RESERVE,
            self._allowance + (started - self._refilled) * HIGHLIGHT_SHARE,
        )
        self._refilled = started
        found: list[tuple[int, int]] = []
        if allowance >= budget:
            try:
                for match in self.compiled.finditer(text, timeout=budget, concurrent=True):
                    start, end = match.span()
                    if end > start:
                        found.append((start, end))
                    if len(found) >= 1000 or time.perf_counter() - started > budget:
                        break
            except TimeoutError:
                pass
            allowance -= time.perf_counter() - started
        self._allowance = allowance
        return found


def compile_regex(source: str) -> Regex:
    """Check and compile a user pattern, or raise PatternError saying what is wrong.

    Smart case: the pattern is case-insensitive unless it has an upper-case letter as a
    literal (`\\W` or `(?P<Name>…)` do not count). `^` and `$` match at line ends.
    """
    if not source:
        raise PatternError("the regular expression is empty")
    try:
        survey = _check(source)
        flags = re.MULTILINE | (0 if survey.upper else re.IGNORECASE)
        # `re` decides what the language accepts (some errors come only from its
        # compiler, like a look-behind of varying width); `regex` runs it.
        re.compile(source, flags)
        compiled = _regex_module.compile(source, flags)
    except PatternError:
        raise
    except re.error as error:
        raise PatternError(_re_message(error), error.pos) from None
    except Exception as error:  # any other refusal (regex's own, recursion) is the pattern's
        raise PatternError(f"cannot use this regular expression: {error}") from None
    lines = None
    if survey.local:
        # The rest of the line cannot fail, so the pattern's own first match on a line
        # is kept; under (?x) a newline ends a trailing comment (and is ignored).
        end = "\n)" if survey.verbose else ")"
        try:
            lines = _regex_module.compile(f"(?:{source}{end}" + r"[^\n]*", flags)
        except Exception:  # then it is searched one text at a time
            lines = None
    return Regex(source, compiled, lines, case_sensitive=survey.upper, local=survey.local)


def _re_message(error: re.error) -> str:
    return f"bad regular expression: {error.msg}"


# --- checks on the parsed pattern -----------------------------------------------------


class _Survey(NamedTuple):
    upper: bool
    """An upper-case literal: smart case makes the pattern case-sensitive."""
    local: bool
    """Never looks outside its own match: see `Regex.joinable`."""
    verbose: bool = False
    """(?x) is on for the whole pattern: a `#` comment may run to its end."""


def _check(source: str) -> _Survey:
    """Refuse slow or oversized shapes (PatternError), and survey the pattern."""
    parsed = _sre_parse.parse(source, 0)
    if _size(list(parsed)) > MAX_SIZE:
        raise PatternError(TOO_BIG)
    survey = _survey(list(parsed))
    flags = parsed.state.flags
    icase = not survey.upper or bool(flags & re.IGNORECASE)
    chars = _Chars(icase, bool(flags & re.DOTALL))
    problem = _problem(list(parsed), chars, enclosing=None)
    if problem is not None:
        raise PatternError(problem)
    return survey._replace(verbose=bool(flags & re.VERBOSE))


def _size(items: list[Item]) -> int:
    """The pattern's size with each counted repeat unrolled as `regex` may unroll it.

    Stops counting once past MAX_SIZE. Recursive over the pattern's nesting, which `re`'s
    own (recursive) parser bounds.
    """
    total = 0
    for op, av in items:
        if op in _REPEATS or op is _sre.POSSESSIVE_REPEAT:
            low, _high, body = av
            # The required copies, plus one for the optional rest (never unrolled).
            total += _size(list(body)) * (max(low, 1) + 1)
        elif op is _sre.SUBPATTERN:
            total += _size(list(av[-1]))
        elif op is _sre.ATOMIC_GROUP:
            total += _size(list(av))
        elif op is _sre.BRANCH:
            total += sum(_size(list(branch)) for branch in av[1])
        elif op in (_sre.ASSERT, _sre.ASSERT_NOT):
            total += _size(list(av[1]))
        elif op is _sre.GROUPREF_EXISTS:
            total += sum(_size(list(branch)) for branch in av[1:] if branch is not None)
        else:
            total += 1
        if total > MAX_SIZE:
            break
    return total


Item = tuple[Any, Any]
"""One node of `re`'s parse tree: (opcode, argument)."""

# Characters to try when asking whether two character classes overlap, besides ASCII and
# the literals of the two classes: a few of each kind `\\w`, `\\d`, `\\s` know outside ASCII.
_SAMPLES: Final = "éßİΣ\u00a0\u2003\u0663\u4e2d\u0301\U0001f600"


class _Chars:
    """Membership tests for one-character items (`a`, `[a-z]`, `\\w`, `.`), to compare them."""

    __slots__ = ("dotall", "icase")

    def __init__(self, icase: bool, dotall: bool) -> None:
        self.icase = icase
        self.dotall = dotall

    def member(self, item: Item, char: str) -> bool:
        op, av = item
        if op is _sre.ANY:
            return self.dotall or char != "\n"
        if op is _sre.LITERAL:
            return self._same(char, av)
        if op is _sre.NOT_LITERAL:
            return not self._same(char, av)
        if op is _sre.IN:
            negate = False
            hit = False
            for part_op, part_av in av:
                if part_op is _sre.NEGATE:
                    negate = True
                elif part_op is _sre.LITERAL:
                    hit = hit or self._same(char, part_av)
                elif part_op is _sre.RANGE:
                    hit = hit or any(part_av[0] <= ord(c) <= part_av[1] for c in self._cases(char))
                elif part_op is _sre.CATEGORY:
                    hit = hit or _in_category(part_av, char)
                else:
                    return True  # unknown: assume it can match
            return hit != negate
        return True

    def _cases(self, char: str) -> set[str]:
        if not self.icase:
            return {char}
        return {c for c in (char, char.lower(), char.upper()) if len(c) == 1}

    def _same(self, char: str, code: int) -> bool:
        return chr(code) in self._cases(char)

    def overlap(self, a: list[Item] | None, b: list[Item] | None) -> bool:
        """Whether some character can start both; None (unknown) overlaps everything."""
        if a is None or b is None:
            return True
        samples = {chr(c) for c in range(128)} | set(_SAMPLES)
        for op, av in (*a, *b):
            if op in (_sre.LITERAL, _sre.NOT_LITERAL):
                samples.add(chr(av))
            elif op is _sre.IN:
                for part_op, part_av in av:
                    if part_op is _sre.LITERAL:
                        samples.add(chr(part_av))
                    elif part_op is _sre.RANGE:
                        samples.update((chr(part_av[0]), chr(part_av[1])))
        return any(
            any(self.member(x, c) for x in a) and any(self.member(y, c) for y in b) for c in samples
        )


def _in_category(category: Any, char: str) -> bool:
    # The same tests `re` applies to str patterns without re.ASCII.
    word = char.isalnum() or char == "_"
    table = {
        _sre.CATEGORY_DIGIT: char.isdecimal(),
        _sre.CATEGORY_NOT_DIGIT: not char.isdecimal(),
        _sre.CATEGORY_SPACE: char.isspace(),
        _sre.CATEGORY_NOT_SPACE: not char.isspace(),
        _sre.CATEGORY_WORD: word,
        _sre.CATEGORY_NOT_WORD: not word,
    }
    return table.get(category, True)


def _first(items: list[Item]) -> list[Item] | None:
    """One-character items that a match of `items` can start with (None: unknown or empty)."""
    for op, av in items:
        if op is _sre.AT:
            continue
        if op in _ONE_CHAR:
            return [(op, av)]
        if op is _sre.SUBPATTERN:
            return _first(list(av[-1]))
        if op is _sre.ATOMIC_GROUP:
            return _first(list(av))
        if op in _REPEATS or op is _sre.POSSESSIVE_REPEAT:
            low, _high, body = av
            return _first(list(body)) if low > 0 else None
        if op is _sre.BRANCH:
            union: list[Item] = []
            for branch in av[1]:
                chars = _first(list(branch))
                if chars is None:
                    return None
                union.extend(chars)
            return union
        return None
    return None


_REPEATS: Final = (_sre.MAX_REPEAT, _sre.MIN_REPEAT)
_ONE_CHAR: Final = (_sre.LITERAL, _sre.NOT_LITERAL, _sre.IN, _sre.ANY)
_MAXREPEAT: Final = _sre.MAXREPEAT


def _is_open(high: int) -> bool:
    """A repeat that can go on long enough to make backtracking blow up."""
    return high == _MAXREPEAT or high > 32


def _problem(items: list[Item], chars: _Chars, enclosing: int | None) -> str | None:
    """Find a slow shape; `enclosing` is the upper bound of the repeat we are inside.

    Recursive over the pattern's nesting, which `re`'s own (recursive) parser bounds.
    """
    previous: list[Item] | None = None  # the item before, when it was an open repeat
    for op, av in items:
        current: list[Item] | None = None
        if op in _REPEATS:
            _low, high, body = av
            body_items = list(body)
            if (
                high > 1
                and enclosing is not None
                and (_is_open(high) or _is_open(enclosing) or high * enclosing > 256)
            ):
                return NESTED
            if _is_open(high) and len(body_items) == 1 and body_items[0][0] in _ONE_CHAR:
                current = body_items
                if previous is not None and chars.overlap(previous, current):
                    return ADJACENT
            found = _problem(body_items, chars, high if high > 1 else enclosing)
            if found:
                return found
        elif op is _sre.SUBPATTERN:
            found = _problem(list(av[-1]), chars, enclosing)
            if found:
                return found
        elif op is _sre.BRANCH:
            branches = [list(branch) for branch in av[1]]
            if enclosing is not None and _is_open(enclosing):
                firsts = [_first(branch) for branch in branches]
                for k, first in enumerate(firsts):
                    if any(chars.overlap(first, other) for other in firsts[k + 1 :]):
                        return ALTERNATION
            for branch in branches:
                found = _problem(branch, chars, enclosing)
                if found:
                    return found
        elif op in (_sre.ASSERT, _sre.ASSERT_NOT):
            found = _problem(list(av[1]), chars, enclosing)
            if found:
                return found
        elif op is _sre.GROUPREF_EXISTS:
            for branch in av[1:]:
                if branch is not None:
                    found = _problem(list(branch), chars, enclosing)
                    if found:
                        return found
        # ATOMIC_GROUP and POSSESSIVE_REPEAT never backtrack into themselves: trusted.
        if op is not _sre.AT:
            previous = current
    return None


def _survey(items: list[Item]) -> _Survey:
    upper = False
    local = True
    stack = [items]
    while stack:
        for op, av in stack.pop():
            if op in (_sre.LITERAL, _sre.NOT_LITERAL):
                upper = upper or chr(av) != chr(av).lower()
            elif op is _sre.IN:
                for part_op, part_av in av:
                    if part_op is _sre.LITERAL:
                        codes: tuple[int, ...] = (part_av,)
                    elif part_op is _sre.RANGE:
                        codes = part_av
                    else:
                        continue
                    upper = upper or any(chr(c) != chr(c).lower() for c in codes)
            elif op is _sre.AT:
                if av in (_sre.AT_BEGINNING_STRING, _sre.AT_END_STRING):
                    local = False
            elif op is _sre.SUBPATTERN:
                stack.append(list(av[-1]))
            elif op is _sre.ATOMIC_GROUP:
                local = False
                stack.append(list(av))
            elif op in _REPEATS:
                stack.append(list(av[2]))
            elif op is _sre.POSSESSIVE_REPEAT:
                local = False
                stack.append(list(av[2]))
            elif op is _sre.BRANCH:
                stack.extend(list(branch) for branch in av[1])
            elif op in (_sre.ASSERT, _sre.ASSERT_NOT):
                local = False
                stack.append(list(av[1]))
            elif op is _sre.GROUPREF_EXISTS:
                stack.extend(list(branch) for branch in av[1:] if branch is not None)
    return _Survey(upper, local)

"""Regular expressions typed by users: checked, smart-cased, and kept from hanging the app.

Python's `re` backtracks and holds the GIL for the whole of one match call, so one bad
pattern on one long post can freeze the UI thread even when the search runs in a worker,
and no cancel flag can stop it. The defences, in order:

1. Patterns are parsed with `re`'s own parser (so the syntax and the error messages are
   always `re`'s) and refused, with a message, when they have a shape known to take
   exponential or needlessly polynomial time: a repeat inside a repeat (`(a+)+`), a
   repeated choice whose options can start alike (`(a|ab)*`), or two repeats in a row
   over the same characters (`.*.*`). Atomic groups and possessive quantifiers are
   trusted, so `(?>\\w+\\s?)+` is the way to say "I mean it".
2. A pattern without open-ended repeats or backreferences (`colou?r`, `\\bAI\\b`) runs in
   linear time: it runs on `re`, the quickest per call (long scans go to `regex` when
   it is installed: it scans several times faster).
3. Any other pattern runs on the third-party `regex` package when it is installed,
   with a `timeout` and the GIL released, so its budget is exact and the UI stays live.
   Without `regex`, it runs on `re`, the budget is checked between posts only, and a
   pattern may have one ambiguous open-ended repeat at most (one that may have to give
   back what the next item can take): `foo.*bar` is quadratic in the length of one post
   at worst, `a.*b.*c` would be cubic and is refused; `\\w+\\s+\\w+` has none.

One run of a query gets `SEARCH_BUDGET` seconds of regex matching in all; past that it
stops with a message asking for a simpler pattern.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any, Final, NamedTuple

try:  # Optional: see point 3 above.
    import regex as _regex_module  # type: ignore[import-not-found, unused-ignore]
except ImportError:  # pragma: no cover - depends on the environment
    _regex_module = None

try:  # Private, but stable since 3.11; without it we only lose the checks and smart case.
    from re import _constants as _sre
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover
    _sre = _sre_parse = None  # type: ignore[assignment]

SEARCH_BUDGET: Final = 1.0
"""Seconds of regex matching one query run may use over the whole thread."""
HIGHLIGHT_BUDGET: Final = 0.05
"""Seconds of regex matching one text may use when drawing highlights."""

USE_REGEX_MODULE = _regex_module is not None
"""Whether new patterns compile with `regex` (tests switch this to cover both engines)."""

NESTED = (
    "a repeat inside a repeat, like (a+)+, can take exponential time; "
    "write it without the inner repeat, or as (?>…)+ if you mean it"
)
ALTERNATION = (
    "a repeated choice whose options can start with the same character, like (a|ab)*, "
    "can take exponential time"
)
ADJACENT = "two repeats in a row over the same characters, like .*.*, are slow; one is enough"
NEEDS_REGEX = (
    "more than one open-ended repeat (*, +, {n,}) followed by what it can match, like"
    " a.*b.*c, can take very long without the `regex` package installed; use one"
)


class PatternError(ValueError):
    """A pattern that cannot be used; `offset` is a position in the pattern, if known."""

    def __init__(self, message: str, offset: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


class TooSlow(Exception):
    """Matching ran past its time budget."""


class Regex:
    """A compiled user pattern whose searches stay within a time budget (see the module)."""

    __slots__ = ("case_sensitive", "compiled", "joinable", "linear", "source", "timed")

    def __init__(
        self,
        source: str,
        compiled: Any,
        timed: Any,
        *,
        case_sensitive: bool,
        linear: bool,
        local: bool,
    ) -> None:
        self.source = source
        self.compiled = compiled
        """The `re` pattern."""
        self.timed = timed
        """The `regex` pattern, used with a timeout; None when `regex` is not there."""
        self.case_sensitive = case_sensitive
        self.linear = linear
        self.joinable = local and (linear or timed is not None)
        """Whether many texts may be searched at once, joined by newlines.

        Only when one call cannot run away on a long string (linear, or with a timeout)
        and only for patterns that never look past their own match (no lookaround,
        \\A, \\Z, atomic groups or possessive repeats): for those, a match inside one text
        is a match at the same place in the joined string, and `^`, `$`, `\\b` see the
        newline as they would see the text's end.
        """

    def __repr__(self) -> str:
        return f"Regex({self.source!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Regex) and other.source == self.source

    def __hash__(self) -> int:
        return hash(self.source)

    def find(
        self, text: str, position: int, deadline: float, *, far: bool = False
    ) -> tuple[int, int] | None:
        """The span of the first match at or after `position`, or None; raises TooSlow
        once `deadline` (a `time.perf_counter()` value) has passed. `far`: the next match
        is likely far away (a long scan), which `regex` does much faster than `re`."""
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            raise TooSlow
        # `re` costs least per call; `regex` scans long text several times faster and is
        # the only one with a timeout for patterns that could run away.
        if self.timed is None or (self.linear and not far):
            match = self.compiled.search(text, position)
        else:
            try:
                match = self.timed.search(text, position, timeout=remaining, concurrent=True)
            except TimeoutError:
                raise TooSlow from None
        return None if match is None else match.span()

    def search(self, text: str, deadline: float) -> bool:
        """Whether the pattern occurs in `text`; TooSlow as for `find`."""
        return self.find(text, 0, deadline) is not None

    def spans(self, text: str, budget: float = HIGHLIGHT_BUDGET) -> list[tuple[int, int]]:
        """Non-empty match spans in `text`; stops quietly when the budget runs out."""
        found: list[tuple[int, int]] = []
        matches: Iterator[Any]
        if self.timed is not None:
            matches = self.timed.finditer(text, timeout=budget, concurrent=True)
        else:
            matches = self.compiled.finditer(text)
        deadline = time.perf_counter() + budget
        try:
            for match in matches:
                start, end = match.span()
                if end > start:
                    found.append((start, end))
                if len(found) >= 1000 or time.perf_counter() > deadline:
                    break
        except TimeoutError:
            pass
        return found


def compile_regex(source: str) -> Regex:
    """Check and compile a user pattern, or raise PatternError saying what is wrong.

    Smart case: the pattern is case-insensitive unless it has an upper-case letter as a
    literal (`\\W` or `(?P<Name>…)` do not count). `^` and `$` match at line ends.
    """
    if not source:
        raise PatternError("the regular expression is empty")
    survey = _check(source)
    flags = re.MULTILINE | (0 if survey.upper else re.IGNORECASE)
    try:
        compiled: Any = re.compile(source, flags)
    except re.error as error:
        raise PatternError(_re_message(error), error.pos) from None
    except (OverflowError, RecursionError, ValueError) as error:
        raise PatternError(f"cannot use this regular expression: {error}") from None
    timed = None
    if USE_REGEX_MODULE and _regex_module is not None:
        try:
            timed = _regex_module.compile(source, flags)
        except Exception:  # `re` accepted it: run it on `re` rather than refuse it
            timed = None
    if timed is None and survey.ambiguous > 1:
        raise PatternError(NEEDS_REGEX)
    return Regex(
        source,
        compiled,
        timed,
        case_sensitive=survey.upper,
        linear=survey.linear,
        local=survey.local,
    )


def _re_message(error: re.error) -> str:
    return f"bad regular expression: {error.msg}"


# --- checks on the parsed pattern -----------------------------------------------------


class _Survey(NamedTuple):
    upper: bool
    """An upper-case literal: smart case makes the pattern case-sensitive."""
    local: bool
    """Never looks outside its own match: see `Regex.joinable`."""
    open_repeats: int
    """How many repeats can go on long enough to make backtracking costly."""
    backreference: bool
    ambiguous: int = 0
    """Open repeats that may give back what the next item can take: see `_ambiguous`."""

    @property
    def linear(self) -> bool:
        """Matching time is linear in the text."""
        return self.open_repeats == 0 and not self.backreference


def _check(source: str) -> _Survey:
    """Refuse slow shapes (PatternError), and survey the pattern."""
    if _sre_parse is None:  # pragma: no cover
        plain = re.sub(r"\\.", "", source)
        return _Survey(plain != plain.lower(), local=False, open_repeats=1, backreference=True)
    try:
        parsed = _sre_parse.parse(source, 0)
    except re.error as error:
        raise PatternError(_re_message(error), error.pos) from None
    except (OverflowError, RecursionError, ValueError) as error:
        raise PatternError(f"cannot use this regular expression: {error}") from None
    survey = _survey(list(parsed))
    flags = parsed.state.flags
    icase = not survey.upper or bool(flags & re.IGNORECASE)
    chars = _Chars(icase, bool(flags & re.DOTALL))
    problem = _problem(list(parsed), chars, enclosing=None)
    if problem is not None:
        raise PatternError(problem)
    return survey._replace(ambiguous=_ambiguous(list(parsed), chars, last=True))


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


if _sre is not None:
    _REPEATS: Final = (_sre.MAX_REPEAT, _sre.MIN_REPEAT)
    _ONE_CHAR: Final = (_sre.LITERAL, _sre.NOT_LITERAL, _sre.IN, _sre.ANY)
    _MAXREPEAT: Final = _sre.MAXREPEAT
else:  # pragma: no cover
    _REPEATS = _ONE_CHAR = ()
    _MAXREPEAT = 0


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


def _ambiguous(items: list[Item], chars: _Chars, *, last: bool) -> int:
    """Count open repeats whose characters overlap what may follow them.

    Each one multiplies the worst-case time of a search by the text's length: `.*` in
    `.*c` must try every split between itself and `c`. A repeat at the very end of the
    pattern (`last`) or before an item it cannot match (`\\w+\\s`) never gives back.
    Recursive over the nesting, like `_problem`.
    """
    count = 0
    for j, (op, av) in enumerate(items):
        at_end = last and j == len(items) - 1
        if op in _REPEATS:
            _low, high, body = av
            body_items = list(body)
            rest = [item for item in items[j + 1 :] if item[0] is not _sre.AT]
            if _is_open(high) and (rest or not last):
                one_char = len(body_items) == 1 and body_items[0][0] in _ONE_CHAR
                count += chars.overlap(body_items if one_char else None, _first(rest))
            count += _ambiguous(body_items, chars, last=False)
        elif op is _sre.SUBPATTERN:
            count += _ambiguous(list(av[-1]), chars, last=at_end)
        elif op is _sre.BRANCH:
            count += max(_ambiguous(list(branch), chars, last=at_end) for branch in av[1])
        elif op is _sre.GROUPREF_EXISTS:
            count += max(
                _ambiguous(list(branch), chars, last=at_end) for branch in av[1:] if branch
            )
        elif op in (_sre.ASSERT, _sre.ASSERT_NOT):
            count += _ambiguous(list(av[1]), chars, last=False)
        # ATOMIC_GROUP and POSSESSIVE_REPEAT never give back: not counted.
    return count


def _survey(items: list[Item]) -> _Survey:
    upper = False
    local = True
    open_repeats = 0
    backreference = False
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
                open_repeats += _is_open(av[1])
                stack.append(list(av[2]))
            elif op is _sre.POSSESSIVE_REPEAT:
                local = False
                open_repeats += _is_open(av[1])
                stack.append(list(av[2]))
            elif op is _sre.BRANCH:
                stack.extend(list(branch) for branch in av[1])
            elif op in (_sre.ASSERT, _sre.ASSERT_NOT):
                local = False
                stack.append(list(av[1]))
            elif op is _sre.GROUPREF_EXISTS:
                stack.extend(list(branch) for branch in av[1:] if branch is not None)
            elif op is _sre.GROUPREF:
                backreference = True
    return _Survey(upper, local, open_repeats, backreference)

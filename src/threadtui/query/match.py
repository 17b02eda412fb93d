"""Run a parsed query over a thread: which posts match, in tree order, and what to highlight.

The work is a chain of list comprehensions over candidate post indexes, cheapest and most
selective conditions first, each run in chunks so a newer keystroke can cancel an older
run between two chunks. Candidates go in index order, not tree order: the posts' strings
then sit in memory in the order they were loaded, and a scan runs about twice as fast
(measured); one pass over `thread.preorder` puts the survivors in tree order at the end.
"""

from __future__ import annotations

import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import accumulate, compress
from operator import attrgetter
from typing import TYPE_CHECKING, Final

from threadtui import gcpolicy
from threadtui.model import Author, Post, Thread
from threadtui.query.fold import (
    decompose,
    find_all,
    fold,
    fold_decomposed,
    fold_with_map,
    original_span,
    squash_spaces,
)
from threadtui.query.parse import Pattern, Query, QueryError, Term
from threadtui.query.pattern import Budget, QueryCancelled, Regex, TooSlow

if TYPE_CHECKING:
    from threadtui.query.window import TreeText

SEARCH_BUDGET: float = 1.0
"""Seconds of regex matching one run may use over the whole thread, unless `run_query`
is given another `budget` (tests set it low, to stop a slow pattern early)."""

CHUNK: Final = 8192
"""Posts between two cancel checks: a few milliseconds of work at most."""
BUILD_SLICE: Final = 1024
"""Posts the index takes in between two cancel checks (about 5 ms of folding)."""
JOIN_SLICE: Final = 0.05
"""Seconds a regex may spend on one chunk's joined text before we go post by post: a
pattern can be slow on the long joined string only (`(?s)a.*?z` runs on from every a to
the next z, posts away), and a chunk of 8,192 posts takes a few milliseconds otherwise."""

Cancel = Callable[[], bool]
Stage = Callable[[list[int]], list[int]]

_NO_QUOTES: tuple[int, ...] = ()


class SearchIndex:
    """What search reads for each post, prepared once.

    - `folded[i]`: post i's text, author name and @handle, then the same for each post it
      quotes, all folded (see `fold`) and joined by newlines. Folding turns newlines in
      text into spaces, so no word or phrase can match across two fields. Quoted text is
      copied in (about 5% more memory on a typical thread) because one `in` per post is
      a third faster than following links to the quoted posts on every keystroke.
    - `exact_text[i]`, `exact_author[i]`: the same fields unaccented but not case-folded,
      for smart-case terms. They are the post's own strings, not copies, unless they
      have accents, and each author's string is shared by all their posts.
    - `texts[i]`: the post's text ("" for none), `author_of[i]`: its author's position
      in `authors` (-1 for none), `parents[i]`: its tree parent. Flat lists of references,
      for regexes and the filter view, which would otherwise read them off each post.

    - `tree_text`: the same folded texts in tree order, in slices (`query.window.TreeText`),
      for `first_matches`; None until someone builds it and sets it (one assignment, so
      a reader sees it whole or not at all).

    Build it where you like (about half a second for 100,000 posts: a worker thread is a
    good place) and pass the finished object on. Nothing changes it after `__init__` but
    setting `tree_text`, so any thread may read it.
    """

    __slots__ = (
        "author_of",
        "authors",
        "exact_author",
        "exact_text",
        "folded",
        "parents",
        "quotes",
        "texts",
        "thread",
        "tree_text",
    )

    def __init__(self, thread: Thread, *, cancel: Cancel | None = None) -> None:
        posts = thread.posts
        by_id = thread.by_id
        own: list[str] = []
        exact_text: list[str] = []
        exact_author: list[str] = []
        quotes: list[tuple[int, ...]] = []
        authors: dict[str, tuple[str, str]] = {}
        parents: list[int] = []
        texts: list[str] = []
        author_of: list[int] = []
        # These grow to a post each over seconds, making few containers on the way, so no
        # young collection moves them on: they stayed young the whole build, and the next
        # young collection, whatever thread made it, walked them all (110 ms at a million
        # posts, then 125 ms for the older generation after it; issue #16). Frozen while
        # empty, no collection ever walks them; they live as long as the index.
        gcpolicy.lasting()
        no_author = ("", "")
        for index, post in enumerate(posts):
            if cancel is not None and index % BUILD_SLICE == 0 and cancel():
                raise QueryCancelled
            author = post.author
            folded_author, exact = no_author
            if author is not None:
                cached = authors.get(author.id)
                if cached is None:
                    cached = authors[author.id] = _author_fields(author)
                folded_author, exact = cached
            exact_author.append(exact)
            text = post.text or ""
            if text.isascii():
                exact_text.append(text)
                own.append(fold(text) + folded_author)
            else:
                decomposed = decompose(text)
                exact_text.append(decomposed)
                own.append(fold_decomposed(decomposed) + folded_author)
            if post.quotes:
                present = tuple(by_id[q] for q in post.quotes if q in by_id and by_id[q] != index)
                quotes.append(present or _NO_QUOTES)
            else:
                quotes.append(_NO_QUOTES)
        folded = own
        for index, quoted in enumerate(quotes):
            if quoted:
                if folded is own:
                    folded = own[:]
                folded[index] = "\n".join([own[index], *(own[q] for q in quoted)])
        self.thread = thread
        self.tree_text: TreeText | None = None
        self.folded = folded
        self.exact_text = exact_text
        self.exact_author = exact_author
        self.quotes = quotes
        self.authors = list(thread.authors.values())
        position = {author.id: k for k, author in enumerate(self.authors)}
        # In slices, like the loop above: each a bounded stretch between two cancel checks
        # (which is where a build beside the UI gives way to it: `threadtui.pacing`).
        for lo in range(0, len(posts), BUILD_SLICE * 4):
            if cancel is not None and cancel():
                raise QueryCancelled
            part = posts[lo : lo + BUILD_SLICE * 4]
            parents += [post.parent for post in part]
            texts += [post.text or "" for post in part]
            author_of += [-1 if p.author is None else position[p.author.id] for p in part]
        self.parents = parents
        self.texts = texts
        self.author_of = author_of
        # The copy with the quotes and the authors' list, made whole in one call each.
        gcpolicy.lasting()


def _author_fields(author: Author) -> tuple[str, str]:
    """(folded, unaccented) name and @handle, each line led by a newline."""
    fields = []
    if author.display_name:
        fields.append(author.display_name)
    if author.handle:
        fields.append("@" + author.handle)
    folded = "".join("\n" + fold(f) for f in fields)
    exact = "".join("\n" + decompose(f) for f in fields)
    return folded, exact


@dataclass(slots=True)
class MatchResult:
    """The posts a query matched: `matches` in tree order, `member[i]` 1 for each match."""

    query: Query
    index: SearchIndex = field(repr=False)
    matches: list[int]
    member: bytearray = field(repr=False)
    total: int
    """Posts in the tree (placeholders for absent quotes are not in it)."""
    _ranks: list[int] | None = field(default=None, repr=False)
    complete: bool = True
    """False for a window (`query.window.first_matches`): the matches of part of the
    tree only, so `count` is a lower bound and `n` wraps within what was found."""

    @property
    def count(self) -> int:
        return len(self.matches)

    def __contains__(self, index: int) -> bool:
        return bool(self.member[index])

    def match_ranks(self, *, cancel: Cancel | None = None) -> list[int]:
        """The matches' ranks in the tree order, ascending (computed once). `cancel`: a
        long list is made a chunk at a time, `cancel` read between chunks (one C call over
        a million matches held the interpreter for tens of ms)."""
        if self._ranks is None and cancel is not None:
            rank = self.index.thread.rank
            matches = self.matches
            ranks: list[int] = []
            for start in range(0, len(matches), CHUNK * 8):
                if cancel():
                    raise QueryCancelled
                ranks += map(rank.__getitem__, matches[start : start + CHUNK * 8])
            self._ranks = ranks
        return self._match_ranks()

    def _match_ranks(self) -> list[int]:
        if self._ranks is None:
            rank = self.index.thread.rank
            self._ranks = list(map(rank.__getitem__, self.matches))
        return self._ranks

    def ordinal(self, index: int) -> int | None:
        """1-based position of a matching post among the matches, None for other posts."""
        if not self.member[index]:
            return None
        return bisect_left(self._match_ranks(), self.index.thread.rank[index]) + 1

    def counter(self, index: int) -> str:
        """`3/17` on the third match, `-/17` elsewhere; `≥50 matches…` for a window."""
        if not self.complete:
            return f"≥{self.count:,} matches…"
        ordinal = self.ordinal(index)
        return f"{ordinal if ordinal is not None else '-'}/{self.count}"

    def next_match(self, index: int | None, *, wrap: bool = True) -> int | None:
        """The first match after post `index` in tree order (`n`); None if there is none."""
        if not self.matches:
            return None
        ranks = self._match_ranks()
        current = self.index.thread.rank[index] if index is not None else -1
        position = bisect_right(ranks, current)
        if position < len(ranks):
            return self.matches[position]
        return self.matches[0] if wrap else None

    def previous_match(self, index: int | None, *, wrap: bool = True) -> int | None:
        """The last match before post `index` in tree order (`N`); None if there is none."""
        if not self.matches:
            return None
        ranks = self._match_ranks()
        rank = self.index.thread.rank
        current = rank[index] if index is not None and rank[index] >= 0 else len(rank)
        position = bisect_left(ranks, current)
        if position > 0:
            return self.matches[position - 1]
        return self.matches[-1] if wrap else None


def run_query(
    query: Query,
    index: SearchIndex,
    *,
    cancel: Cancel | None = None,
    within: MatchResult | None = None,
    budget: float | None = None,
) -> MatchResult:
    """Match `query` against every post in the tree; raises QueryCancelled or QueryError.

    `within`, the result of an earlier query on the same index: when `query` can only
    match posts that one matched (`narrows`: typing on at the end of a word), only its
    matches are tested. QueryError comes only from regular expressions that run past
    `budget` seconds of matching in all (`SEARCH_BUDGET` if None; see
    `threadtui.query.pattern`); `parse_query` finds every other error. `cancel` is read
    between chunks of posts and between slices of a long regex call.
    """
    thread = index.thread
    order = thread.preorder
    if within is not None and within.index is index and narrows(query, within.query):
        # In post order, as a full pass goes: the texts lie in memory in that order, and
        # visiting them in tree order instead made the pass slower than a full one.
        candidates = list(compress(range(len(thread.posts)), within.member))
    else:
        candidates = list(range(len(thread.posts)))
    seconds = SEARCH_BUDGET if budget is None else budget
    for stage in _stages(query, index, Budget(seconds, cancel)):
        if not candidates:
            break
        if cancel is None:
            candidates = stage(candidates)
            continue
        kept: list[int] = []
        for start in range(0, len(candidates), CHUNK):
            if cancel():
                raise QueryCancelled
            kept += stage(candidates[start : start + CHUNK])
        candidates = kept
    member = bytearray(len(thread.posts))
    for start in range(0, len(candidates), CHUNK * 8):
        if cancel is not None and cancel():
            raise QueryCancelled
        for i in candidates[start : start + CHUNK * 8]:
            member[i] = 1
    rank = thread.rank
    if len(candidates) * 16 < len(order):
        matches = sorted((i for i in candidates if rank[i] >= 0), key=rank.__getitem__)
    else:
        # In chunks: one C pass over a million posts held the interpreter for tens of ms.
        matches = []
        for start in range(0, len(order), CHUNK * 8):
            if cancel is not None and cancel():
                raise QueryCancelled
            part = order[start : start + CHUNK * 8]
            matches += compress(part, map(member.__getitem__, part))
    if len(matches) != len(candidates):
        # Placeholders for absent quotes are not in the tree: they cannot be shown or visited.
        for i in candidates:
            if rank[i] < 0:
                member[i] = 0
    return MatchResult(query, index, matches, member, len(order))


def narrows(new: Query, old: Query) -> bool:
    """Whether every post `new` matches is sure to be matched by `old` too.

    True when each of `old`'s conditions is implied by one of `new`'s: a word by a word that
    contains it (case-sensitive only if the longer one is too), everything else by the
    same condition or a tighter one. `new` may add conditions of any kind. Conservative:
    False whenever in doubt, which only costs a full pass.
    """
    for t1 in old.terms:
        if t1.negated or t1.phrase:
            implied = t1 in new.terms
        else:
            implied = any(
                not t2.negated
                and not t2.phrase
                and t1.folded in t2.folded
                and (t1.exact is None or (t2.exact is not None and t1.exact in t2.exact))
                for t2 in new.terms
            )
        if not implied:
            return False
    if not set(old.patterns) <= set(new.patterns) or not set(old.ranges) <= set(new.ranges):
        return False
    if old.authors and not (new.authors and new.authors <= old.authors):
        return False
    if not old.not_authors <= new.not_authors:
        return False
    if old.after is not None and (new.after is None or new.after < old.after):
        return False
    if old.before is not None and (new.before is None or new.before > old.before):
        return False
    if old.is_new is not None and (new.is_new != old.is_new or new.new_marks != old.new_marks):
        # Marks change between runs (Shift+R, a refresh): the old matches may not hold
        # the new ones.
        return False
    return all(
        getattr(old, flag) is None or getattr(old, flag) == getattr(new, flag)
        for flag in ("has_quote", "is_root", "is_quoted")
    )


def _stages(query: Query, index: SearchIndex, budget: Budget) -> list[Stage]:
    """The query's conditions as list filters, the cheap and selective ones first."""
    posts = index.thread.posts
    stages: list[Stage] = []

    if query.is_root is not None:
        want_root = query.is_root
        parents = index.parents
        stages.append(lambda c: [i for i in c if (parents[i] < 0) is want_root])
    if query.has_quote is not None:
        want_quote = query.has_quote
        stages.append(lambda c: [i for i in c if bool(posts[i].quotes) is want_quote])
    if query.is_quoted is not None:
        want_quoted = query.is_quoted
        stages.append(lambda c: [i for i in c if bool(posts[i].quoted_by) is want_quoted])
    if query.is_new is not None:
        stages.append(_new_stage(query.new_marks, query.is_new))
    if query.authors:
        ids = query.authors
        # "" is from:? (author unknown): a real post with no author, as the status line and
        # the author picker count them (a placeholder's post is gone, its author not
        # unknown); no real author id is empty.
        anonymous = "" in ids
        stages.append(
            lambda c: [
                i
                for i in c
                if ((a := posts[i].author) is not None and a.id in ids)
                or (a is None and anonymous and posts[i].status == "ok")
            ]
        )
    if query.not_authors:
        not_ids = query.not_authors
        not_anonymous = "" in not_ids
        stages.append(
            lambda c: [
                i
                for i in c
                if ((a := posts[i].author) is not None and a.id not in not_ids)
                or (a is None and not (not_anonymous and posts[i].status == "ok"))
            ]
        )
    if query.after is not None or query.before is not None:
        low = query.after if query.after is not None else float("-inf")
        high = query.before if query.before is not None else float("inf")
        stages.append(
            lambda c: [i for i in c if (t := posts[i].created) is not None and low <= t < high]
        )
    for number_range in query.ranges:
        stages.append(_range_stage(posts, number_range.key, number_range.low, number_range.high))

    # Longer terms first: they leave fewer candidates for the rest.
    terms = sorted(query.terms, key=lambda t: -len(t.folded))
    # A smart-case term is found folded first, then checked exactly: the folded pass is
    # the cheaper per post. A short term keeps most posts, so it skips that pass (measured).
    stages += [
        _term_stage(index, t.folded, keep=True)
        for t in terms
        if not t.negated and (t.exact is None or len(t.folded) > 2)
    ]
    stages += [_exact_stage(index, t) for t in terms if not t.negated and t.exact is not None]
    for term in terms:
        if term.negated:
            stages.append(
                _term_stage(index, term.folded, keep=False)
                if term.exact is None
                else _exact_stage(index, term)
            )

    # One budget for all patterns: it starts with the first regex call.
    for pattern in sorted(query.patterns, key=lambda p: p.negated):
        stages.append(_pattern_stage(index, pattern, budget))
    return stages


def _new_stage(marks: bytes | None, want_new: bool) -> Stage:
    if marks is None:
        # No read state: every post is new.
        return (lambda c: c) if want_new else (lambda c: [])
    flag = 1 if want_new else 0
    return lambda c: [i for i in c if marks[i] == flag]


def _range_stage(posts: list[Post], key: str, low: int | None, high: int | None) -> Stage:
    lo = low if low is not None else -1
    hi = high if high is not None else float("inf")
    if key == "replies":
        return lambda c: [i for i in c if lo <= len(posts[i].children or ()) <= hi]
    metric = attrgetter(f"metrics.{key}")
    return lambda c: [i for i in c if (v := metric(posts[i])) is not None and lo <= v <= hi]


def _term_stage(index: SearchIndex, needle: str, *, keep: bool) -> Stage:
    folded = index.folded
    if keep:
        return lambda c: [i for i in c if needle in folded[i]]
    return lambda c: [i for i in c if needle not in folded[i]]


def _exact_stage(index: SearchIndex, term: Term) -> Stage:
    """Smart case: the case-sensitive form, checked where the folded form is found."""
    texts = index.exact_text
    authors = index.exact_author
    quotes = index.quotes
    folded = index.folded
    needle = term.exact or ""
    loose = term.folded

    if any(c.isspace() for c in needle):
        # A phrase: the exact texts keep their whitespace runs, collapse them here. Only
        # posts where the folded phrase matched get here, so this is rarely many.
        def in_post(i: int) -> bool:
            return needle in squash_spaces(texts[i]) or needle in squash_spaces(authors[i])

    else:

        def in_post(i: int) -> bool:
            return needle in texts[i] or needle in authors[i]

    def hit(i: int) -> bool:
        return in_post(i) or any(in_post(q) for q in quotes[i])

    if not term.negated:
        if any(c.isspace() for c in needle):
            return lambda c: [i for i in c if hit(i)]
        # The common case inlined: most posts quote nothing.
        return lambda c: [
            i
            for i in c
            if needle in texts[i]
            or needle in authors[i]
            or (quotes[i] and any(in_post(q) for q in quotes[i]))
        ]
    # Excluding: only posts where the folded form occurs can hold the exact one.
    return lambda c: [i for i in c if loose not in folded[i] or not hit(i)]


def _pattern_stage(index: SearchIndex, pattern: Pattern, budget: Budget) -> Stage:
    """A regex on each field as written: text, name, @handle, and those of quoted posts."""
    texts = index.texts
    quotes = index.quotes
    author_of = index.author_of
    regex = pattern.regex
    negated = pattern.negated
    by_author: list[bytearray] = []  # computed on the first chunk, for every author at once

    def stage(c: list[int]) -> list[int]:
        try:
            if not by_author:
                by_author.append(_authors_hit(regex, index.authors, budget))
            author_hit = by_author[0]
            # Quoted posts may sit outside this chunk: search their texts alongside.
            quoted = sorted({q for i in c if quotes[i] for q in quotes[i]})
            searched = c + quoted
            hits = _texts_hit(regex, [texts[i] for i in searched], budget)
            hit = bytearray(len(texts))
            for i in compress(searched, hits):
                hit[i] = 1
            if any(author_hit):
                for i in searched:
                    if author_hit[author_of[i]]:
                        hit[i] = 1
            return [
                i
                for i in c
                if bool(hit[i] or (quotes[i] and any(hit[q] for q in quotes[i]))) is not negated
            ]
        except TooSlow:
            raise QueryError(
                f"search stopped: pattern too slow (over {budget.seconds:g} s):"
                f" /{_shorten(regex.source)}/; try fewer repeats or a plainer pattern",
                *pattern.span,
            ) from None

    return stage


def _shorten(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _authors_hit(regex: Regex, authors: list[Author], budget: Budget) -> bytearray:
    """hit[k] for authors[k] whose name or @handle the regex finds; hit[-1] stays 0 (no author)."""
    fields = [a.display_name or "" for a in authors]
    fields += [f"@{a.handle}" if a.handle else "" for a in authors]
    found = _texts_hit(regex, fields, budget)
    count = len(authors)
    hit = bytearray(count + 1)
    for k, author in enumerate(authors):
        # A missing name was searched as "": only a name that is there can match.
        if (found[k] and author.display_name) or (found[count + k] and author.handle):
            hit[k] = 1
    return hit


def _texts_hit(regex: Regex, texts: list[str], budget: Budget) -> list[bool]:
    """Which of `texts` the regex occurs in.

    For a joinable regex, the texts are searched joined by newlines, in one timed call
    for many texts (`Regex.scan`: the first match of each line, so a common word costs
    a step per line, not per occurrence), and a rare pattern costs next to nothing per
    post. A match that runs on past its text's end is checked on that text alone, and
    the scan goes on from the next text. If the joined text takes too long (a
    polynomial pattern over a long string), the rest goes text by text under the same
    overall budget. Raises TooSlow or QueryCancelled as `Regex.find` does.
    """
    hits = [False] * len(texts)
    done = 0  # texts before this one are settled
    if regex.joinable and texts:
        joined = "\n".join(texts)
        # starts[k]: where text k begins in `joined` (each text plus its newline).
        starts = list(accumulate(map((1).__add__, map(len, texts)), initial=0))
        until = time.perf_counter() + JOIN_SLICE
        try:
            while done < len(texts):
                for start, end in regex.scan(joined, starts[done], budget, until=until):
                    k = bisect_right(starts, start) - 1
                    crossed = end > starts[k] + len(texts[k])
                    if not hits[k]:  # else a later line of a text already found
                        done = k + 1
                        hits[k] = not crossed or regex.search(texts[k], budget)
                    if crossed:
                        break  # the match ran on into the next text: go on from there
                else:
                    done = len(texts)
        except TooSlow:
            if budget.spent():
                raise
    for k in range(done, len(texts)):
        hits[k] = regex.search(texts[k], budget)
    return hits


# --- highlights -----------------------------------------------------------------------


def highlight_spans(query: Query, text: str) -> list[tuple[int, int]]:
    """Where `query`'s words, phrases and regexes occur in `text`: sorted, merged
    (start, end) spans of the original text, ready to style. Negated parts are not shown.

    Call it for each field drawn (a tree row's first line, the author name, the detail
    text, each quote card) with the query the search ran.
    """
    if not text or not query.highlights:
        return []
    spans: list[tuple[int, int]] = []
    for casefold in (True, False):
        needles = [
            (t.folded if casefold else t.exact) or ""
            for t in query.terms
            if not t.negated and (t.exact is None) is casefold
        ]
        if not needles:
            continue
        folded, offsets = fold_with_map(text, casefold=casefold)
        for needle in needles:
            spans.extend(original_span(offsets, a, b) for a, b in find_all(folded, needle))
    for pattern in query.patterns:
        if not pattern.negated:
            spans.extend(pattern.regex.spans(text))
    return _merge(spans)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged

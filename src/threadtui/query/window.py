"""The first screenful of matches, found in tree order at a cost that follows the matches.

A full `run_query` tests every post: its time grows with the thread (about 0.3-0.7 s a
keystroke at a million posts), though the screen shows some thirty rows. `first_matches`
answers what the screen needs first: the matches near the cursor, in tree order, and
stops as soon as it holds `limit` of them. The exact count (and the `n`/`N` order beyond
the window) still needs the full pass, which the worker runs afterwards, in the
background and cancellable by the next keystroke; the screen says "≥50 matches…" meanwhile
(a filter shows the window's matches with their context, "≥50 of N posts match…").

How the work follows the matches, not the posts held:

- `TreeText`: built once after load, off the UI thread, in slices of `SLICE` posts of the
  tree order (preorder). Each slice is the folded search text of its posts (the same
  strings as `SearchIndex.folded`) joined by NUL, with the offset where each post starts.
  NUL never occurs in loaded text (model/sanitize.py strips control characters; a slice
  where one turns up anyway is marked unusable and scanned post by post). A slice is one
  string, so `str.find` runs in C across thousands of posts and skips every post without
  the word; a hit is mapped to its post by bisecting the offsets, and the scan resumes at
  the next post, so each matching post costs one find and one bisect, a post without the
  word next to nothing. The price is the folded text held a second time (one byte a
  character for ASCII text: about 170 MB at a million posts of benchmarks/generate.py).
- The scan starts a margin before the cursor's post (so the rows above it on screen are
  covered too), walks the slices in tree order and wraps around; the candidate
  posts of each slice go through every stage of the query (`match._stages`, the same
  functions as the full pass), so a window's matches are exactly the full result's
  matches within the stretch of the tree order it read. Without a plain word to look
  for (only filters, negations, regexes) the candidates are the slice's posts as they are.
- Having covered every slice, the window is the whole result (`complete`), and no full
  pass follows: a rare word costs one C scan over the thread, not one Python step a post.

The slice is the unit of cancellation; within one, candidates are tested `BATCH` at a
time, and the window stops at the batch that fills it. So its work is one `BATCH` past
the last match it needs (plus the C scan across posts without the word), whatever the
size of the thread: its matches are the full result's from where it began up to the last
candidate it tested. `limit` counts the matches at or after the cursor only, so the next
match after the cursor is always in a window that stopped early.
"""

from __future__ import annotations

import time
from bisect import bisect_right
from collections.abc import Callable, Iterator
from itertools import accumulate
from typing import Final

from threadtui.model import Thread
from threadtui.query import match
from threadtui.query.match import MatchResult, SearchIndex, _stages
from threadtui.query.parse import Query
from threadtui.query.pattern import Budget, QueryCancelled

SLICE: Final = 4096
"""Posts of the tree order in one slice of `TreeText`: the unit of a window's work."""
MARGIN: Final = 64
"""Posts before the cursor the scan covers too: the rows above it on the screen."""
WINDOW: Final = 50
"""Matches a window holds at least (unless there are fewer): a screenful and then some."""
BATCH: Final = 64
"""Candidates tested at a time: the window stops within a slice once it has enough."""
SEP: Final = "\x00"

Cancel = Callable[[], bool]


class TreeText:
    """The folded search text of the tree's posts, in tree order, in slices.

    `texts[s]` joins the folded texts of `thread.preorder[s * SLICE : (s + 1) * SLICE]`
    by NUL; `starts[s][k]` is where post k of the slice begins in it (one more entry at
    the end: the text's length plus one). `texts[s]` is None for a slice where a NUL
    occurs in a post's text: that slice is scanned post by post.
    """

    __slots__ = ("starts", "texts")

    def __init__(self, index: SearchIndex, *, cancel: Cancel | None = None) -> None:
        """Build it for `index` (a second or so at a million posts: in a worker); then
        `index.tree_text = tree_text`, and windows use it from their next slice on."""
        order = index.thread.preorder
        folded = index.folded
        self.texts: list[str | None] = []
        self.starts: list[list[int]] = []
        for lo in range(0, len(order), SLICE):
            if cancel is not None and cancel():
                raise QueryCancelled
            parts = [folded[i] for i in order[lo : lo + SLICE]]
            text = SEP.join(parts)
            starts = list(accumulate(map((1).__add__, map(len, parts)), initial=0))
            usable = text.count(SEP) == len(parts) - 1
            self.texts.append(text if usable else None)
            self.starts.append(starts)
            # Between two slices, the UI thread may take the interpreter lock.
            time.sleep(0)


def _needle(query: Query) -> str | None:
    """A folded word every match holds, to find candidates with: the longest positive
    word that the full pass also filters on folded (see `match._stages`), or None."""
    words = [
        t.folded
        for t in query.terms
        if not t.negated and (t.exact is None or len(t.folded) > 2) and SEP not in t.folded
    ]
    return max(words, key=len) if words else None


def _candidates(
    text: str | None,
    starts: list[int],
    needle: str | None,
    posts: list[int],
    lo: int,
    hi: int,
) -> Iterator[list[int]]:
    """The candidate posts among `posts[lo:hi]` (part of one slice) in tree order, in
    batches: those whose folded text holds `needle`, found in the slice's `text`; all of
    them without a needle or a text."""
    if needle is None or text is None:
        for k in range(lo, hi, BATCH):
            yield posts[k : min(k + BATCH, hi)]
        return
    batch: list[int] = []
    find = text.find
    end = starts[hi] - 1  # the NUL after post hi - 1 (or the end): no match spans it
    position = find(needle, starts[lo], end)
    last = hi - 1
    while position >= 0:
        k = bisect_right(starts, position) - 1
        batch.append(posts[k])
        if k >= last:
            break
        if len(batch) == BATCH:
            yield batch
            batch = []
        position = find(needle, starts[k + 1], end)
    if batch:
        yield batch


def _segments(size: int, begin: int) -> Iterator[tuple[int, int, int]]:
    """(slice, lo, hi): the tree order from rank `begin` to the end, then from the start
    back to `begin`, cut at the slices' bounds."""
    slices = (size + SLICE - 1) // SLICE
    first, offset = divmod(begin, SLICE)
    for step in range(slices):
        s = (first + step) % slices
        length = min(SLICE, size - s * SLICE)
        yield s, offset if step == 0 else 0, length
    if offset:
        yield first, 0, offset


def first_matches(
    query: Query,
    index: SearchIndex,
    *,
    start: int | None = None,
    limit: int = WINDOW,
    cancel: Cancel | None = None,
    budget: float | None = None,
) -> MatchResult:
    """The matches of `query` in tree order from `MARGIN` posts before post `start` on
    (wrapping around), until `limit` of them at or after `start` are found or every post
    is read (`complete`: then the result is `run_query`'s).

    Before `index.tree_text` is built, the slices' posts are all candidates. Raises as
    `run_query` does (QueryCancelled between slices, QueryError for a regex too slow).
    """
    thread: Thread = index.thread
    order = thread.preorder
    rank = thread.rank
    origin = 0
    if start is not None and 0 <= start < len(rank) and rank[start] >= 0:
        origin = rank[start]
    begin = max(0, origin - MARGIN)
    # Read at each call, as run_query does: the budget is a setting (tests lower it).
    seconds = match.SEARCH_BUDGET if budget is None else budget
    stages = _stages(query, index, Budget(seconds, cancel))
    needle = _needle(query)
    tree_text = index.tree_text
    found: list[list[int]] = []
    count = 0  # matches at or after the start: those in the margin before it do not count
    complete = True
    for s, lo, hi in _segments(len(order), begin):
        if count >= limit:
            complete = False
            break
        if cancel is not None and cancel():
            raise QueryCancelled
        posts = order[s * SLICE : (s + 1) * SLICE]
        text = None if tree_text is None or s >= len(tree_text.texts) else tree_text.texts[s]
        starts = [] if tree_text is None or text is None else tree_text.starts[s]
        for batch in _candidates(text, starts, needle, posts, lo, hi):
            for stage in stages:
                if not batch:
                    break
                batch = stage(batch)
            found.append(batch)
            if batch and rank[batch[0]] >= origin:
                count += len(batch)
            else:
                count += sum(1 for i in batch if rank[i] >= origin)
            if count >= limit:
                break
        else:
            continue
        # Stopped within the segment: it was not read to its end.
        complete = False
        break
    matches = [i for batch in found for i in batch]
    if not complete or begin:
        # Wrapped around (or stopped): tree order again.
        matches.sort(key=rank.__getitem__)
    member = bytearray(len(thread.posts))
    for i in matches:
        member[i] = 1
    return MatchResult(query, index, matches, member, len(order), complete=complete)

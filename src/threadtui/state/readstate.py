"""What the user has read of one thread, during one visit (no Textual).

Two sets per visit, both by post:

* **new**: not seen on any earlier visit (or by an earlier `--print` run), fixed when the
  thread opens: marks do not vanish from under the cursor while reading, and the `is:new`
  filter keeps its posts for the whole visit. Posts a refresh brings that were never seen
  join it (`rebind`); `mark_all_read` (Shift+R) empties it.
* **read**: seen now or before, growing as the user reads (`mark_read`); this is what the
  next visit's "new" is measured against.

With no state for the thread (a first visit), every post is new: that is what the user
has seen of it. A first visit is told apart (`first_visit`) so the UI can say
"first visit" instead of marking every row, while `is:new` and `--since-last` keep one
meaning for people and scripts: posts you have not seen.

Placeholders (posts the file only refers to) are never new and never recorded as read:
when the real post arrives later, it is new.

Opening reads the file only (O(ids in it)); hashing every post and working out the marks
(`prepare`, ~60 ms at 100,000 posts) happens when first needed, or in a worker the app
starts after its first frame (`defer`): reopening a thread costs the file's read, and
the marks appear a moment after the posts (issue #15).
"""

from __future__ import annotations

import threading
import time
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from datetime import timedelta, tzinfo
from itertools import compress, filterfalse
from operator import attrgetter
from pathlib import Path

from threadtui import gcpolicy, pacing
from threadtui.model import Post, Thread
from threadtui.model.timefmt import moment_of
from threadtui.state import store
from threadtui.state.store import NewerFormat, StateError, Stored

Clock = Callable[[], float]
_synthetic = attrgetter("synthetic")
_post_id = attrgetter("id")
ErrorCallback = Callable[[str], None]
RUN = 16_384
"""Posts a step of `ReadState.prepare` takes in one C call: a few milliseconds."""
_NOT = bytes([1, 0]) + bytes(254)


def _no_pause() -> None:
    pass


def _set_in_runs(items: array[int], pause: Callable[[], None]) -> set[int]:
    seen: set[int] = set()
    # Grown over pauses with few containers made on the way, it would stay young, and a
    # young collection would walk it whole (`gcpolicy.lasting`): frozen while empty.
    gcpolicy.lasting()
    for lo in range(0, len(items), RUN):
        seen.update(items[lo : lo + RUN])
        pause()
    return seen


def _hashes_in_runs(posts: list[Post], pause: Callable[[], None]) -> list[int]:
    hashes: list[int] = []
    gcpolicy.lasting()  # as the set of ids seen (`_set_in_runs`)
    for lo in range(0, len(posts), RUN):
        hashes += store.hash_ids(map(_post_id, posts[lo : lo + RUN])).tolist()
        pause()
    return hashes


def _initial_new(
    thread: Thread, seen: set[int], hashes: list[int], pause: Callable[[], None]
) -> bytearray:
    contains = seen.__contains__
    new = bytearray()
    for lo in range(0, len(hashes), RUN):
        new += bytearray(map(contains, hashes[lo : lo + RUN]))
        pause()
    # 1 - seen, in one C pass (a byte a post: a millisecond at a million posts): a Python
    # loop over 100,000 posts costs 5 ms.
    new = new.translate(_NOT)
    _clear_placeholders(thread, new, pause)
    return new


def _clear_placeholders(
    thread: Thread, new: bytearray, pause: Callable[[], None] = _no_pause
) -> None:
    # Only placeholders stand outside the tree, so this also keeps `new` in it.
    posts = thread.posts
    for lo in range(0, len(posts), RUN):
        run = posts[lo : lo + RUN]
        for index in compress(range(lo, lo + len(run)), map(_synthetic, run)):
            new[index] = 0
        pause()


class ReadState:
    """Build with `open_state`. Safe to share with one saving thread and one preparing
    thread: every method takes the instance's lock; reads of single flags (`is_new`,
    `is_unread`) need none."""

    def __init__(
        self,
        thread: Thread,
        *,
        path: Path | None,
        stored: Stored | None,
        clock: Clock = time.time,
        writable: bool = True,
    ) -> None:
        self.thread = thread
        self.path = path
        """The state file; None when nothing is remembered (no posts, no state folder)."""
        self.key = path.name.removesuffix(store.SUFFIX) if path is not None else ""
        self._clock = clock
        self._writable = writable and path is not None
        self.opened = clock()
        self.last_visit: float | None = stored.saved if stored is not None else None
        """When the previous visit last saved: the "since" of `12 new since Tue 14:02`."""
        self.first_visit = stored is None
        self._lock = threading.RLock()
        self._order: array[int] = array("Q", stored.seen) if stored is not None else array("Q")
        # Filled by `prepare`: until then only the file's bytes are held.
        self._ready = False
        self._deferred = False
        self._pending: list[int] = []
        self._pending_lock = threading.Lock()
        """Not the main lock: `prepare` holds that for its whole run, and the UI thread must
        not wait for it to queue a post."""
        """Posts shown while deferred and not yet prepared: marked read by `prepare`."""
        self._seen: set[int] = set()
        self._hashes: list[int] = []
        self._new = bytearray()
        self._new_count = 0
        self._new_ranks: list[int] | None = None
        self._cursor_hash: int | None = stored.cursor if stored is not None else None
        self._cursor_at: int | None = stored.cursor_at if stored is not None else None
        """Where the cursor's post was when saved: found again with one hash, not all."""
        self._dirty = False
        self._timer: threading.Timer | None = None
        self._save_waits = False
        """A timed save came while a worker worked the marks out: `prepare` saves after."""
        self.on_error: ErrorCallback | None = None
        """Called with a one-line message when a save from `save_soon` fails, on the
        saving thread (a Textual app passes it through `call_from_thread`)."""

    # --- preparing ------------------------------------------------------------------------

    @property
    def ready(self) -> bool:
        """Whether the marks are worked out (`prepare`)."""
        return self._ready

    def defer(self) -> None:
        """Someone calls `prepare` soon (a worker): until then `is_new` is False for every
        post, `new_count` is 0, `summary` is empty and posts read wait, so that nothing on
        the UI thread hashes the whole thread before the first frame."""
        self._deferred = True

    def prepare(self, pause: Callable[[], None] | None = None) -> None:
        """Hash every post and work out what is new: O(posts), once.

        `pause` (a worker beside the UI passes `pacing.pause`) is called between runs of
        `RUN` posts: at a million posts each whole-thread C call here (the hashes, the set
        of ids seen, the marks) held the interpreter 50-170 ms, a key waiting behind it
        (issue #16). That work is then done outside the lock: `pacing.pause` waits for the
        builds' lane, which a query worker may hold while it waits for this lock (`is:new`).
        Until prepared, `_order` does not change (posts read are queued), so what was worked
        out outside is still right when taken in."""
        worked = self._work_out(pause) if pause is not None and not self._ready else None
        with self._lock:
            if not self._ready:
                seen, hashes, new = worked if worked is not None else self._work_out(_no_pause)
                self._seen = seen
                # A list, not the array: each int is made once here, not on every lookup.
                self._hashes = hashes
                self._new = new
                # The marks are 0 or 1: a count of the ones is their sum, in one C scan.
                self._new_count = new.count(1)
                self._new_ranks = None
                self._ready = True
            self._take_pending()
            save, self._save_waits = self._save_waits, False
        if save:
            self.save_soon()

    def _work_out(self, pause: Callable[[], None]) -> tuple[set[int], list[int], bytearray]:
        seen = _set_in_runs(self._order, pause)
        hashes = _hashes_in_runs(self.thread.posts, pause)
        return seen, hashes, _initial_new(self.thread, seen, hashes, pause)

    def prepare_beside_ui(self) -> None:
        """`prepare` on a worker beside the UI: in steps that give way to its keys."""
        with pacing.beside_ui():
            self.prepare(pacing.pause)

    def _take_pending(self) -> None:
        # A post shown while a worker prepared may be queued after it took the queue; the
        # UI thread and the worker may both come here, hence the lock around the swap.
        with self._pending_lock:
            pending, self._pending = self._pending, []
        for index in pending:
            self.mark_read(index)

    def _queued(self, index: int) -> bool:
        """While deferred and not prepared: `index` waits for `prepare`, which marks it
        read (and a save meanwhile prepares first). False once prepared: `prepare` sets
        `_ready` before it takes the queue, under the same lock as this."""
        if not self._deferred:
            return False
        with self._pending_lock:
            if self._ready:
                return False
            self._pending.append(index)
            self._dirty = True
        return True

    def _available(self) -> bool:
        """Whether the marks can be read now: prepared here unless deferred."""
        if self._ready:
            if self._pending:
                self._take_pending()
            return True
        if self._deferred:
            return False
        self.prepare()
        return True

    # --- what is new --------------------------------------------------------------------

    @property
    def new_marks(self) -> bytes:
        """One byte a post (by index), 1 for new: what `parse_query(new=...)` takes."""
        with self._lock:
            self.prepare()
            return bytes(self._new)

    @property
    def new_count(self) -> int:
        return self._new_count if self._available() else 0

    def is_new(self, index: int) -> bool:
        if not self._ready and not self._available():
            return False
        # A post past the marks arrived after the last rebind: it is new to this visit.
        return index >= len(self._new) or bool(self._new[index])

    def is_unread(self, index: int) -> bool:
        """Not read on any visit, this one included (a new post the user has not opened)."""
        self.prepare()
        post = self.thread.posts[index]
        if index >= len(self._hashes):
            self.rebind(self.thread)
        return not post.synthetic and self._hashes[index] not in self._seen

    def _ranks(self) -> list[int]:
        self.prepare()
        if self._new_ranks is None:
            rank = self.thread.rank
            self._new_ranks = sorted(rank[i] for i in compress(range(len(self._new)), self._new))
        return self._new_ranks

    def new_posts(self) -> list[int]:
        """The new posts in tree order."""
        with self._lock:
            preorder = self.thread.preorder
            return [preorder[r] for r in self._ranks()]

    def next_new(self, index: int | None, *, wrap: bool = True) -> int | None:
        """The first new post after `index` in tree order (folded or not); None if none."""
        with self._lock:
            ranks = self._ranks()
            if not ranks:
                return None
            rank = self.thread.rank
            current = rank[index] if index is not None else -1
            position = bisect_right(ranks, current)
            if position < len(ranks):
                return self.thread.preorder[ranks[position]]
            return self.thread.preorder[ranks[0]] if wrap else None

    def previous_new(self, index: int | None, *, wrap: bool = True) -> int | None:
        with self._lock:
            ranks = self._ranks()
            if not ranks:
                return None
            rank = self.thread.rank
            current = rank[index] if index is not None and rank[index] >= 0 else len(rank)
            position = bisect_left(ranks, current)
            if position > 0:
                return self.thread.preorder[ranks[position - 1]]
            return self.thread.preorder[ranks[-1]] if wrap else None

    def summary(self, tz: tzinfo, now: float | None = None) -> str:
        """The status line's words: `12 new since Tue 14:02`, `nothing new since …`,
        `first visit`; "" when nothing is remembered for this thread."""
        if self.path is None:
            return ""
        if self.first_visit or self.last_visit is None:
            return "first visit"
        if not self._available():
            return ""
        when = when_text(self.last_visit, tz, self._clock() if now is None else now)
        if not self._new_count:
            return f"nothing new since {when}"
        return f"{self._new_count:,} new since {when}"

    # --- reading ------------------------------------------------------------------------

    def mark_read(self, index: int) -> bool:
        """Record post `index` as read (its detail was shown); True if it was not yet."""
        if self.thread.posts[index].synthetic:
            return False
        if not self._ready and self._queued(index):
            return True
        self._available()
        if index >= len(self._hashes):
            # The thread grew since the marks were made (a fetch, a refresh).
            self.rebind(self.thread)
        digest = self._hashes[index]
        if digest in self._seen:
            return False
        with self._lock:
            self._seen.add(digest)
            self._order.append(digest)
            self._dirty = True
        return True

    def mark_many(self, indexes: Iterable[int]) -> int:
        """Record several posts as read (what a `--print` run printed); how many were not."""
        self.prepare()
        posts = self.thread.posts
        hashes = self._hashes
        with self._lock:
            fresh = [
                digest
                for i in indexes
                if not posts[i].synthetic and (digest := hashes[i]) not in self._seen
            ]
            # A post may come twice in `indexes`: dict keeps the first of each.
            fresh = list(dict.fromkeys(fresh))
            self._seen.update(fresh)
            self._order.extend(fresh)
            if fresh:
                self._dirty = True
        return len(fresh)

    def mark_all_read(self) -> int:
        """Shift+R: every post read, and none new any more; how many were marked."""
        with self._lock:
            self.prepare()
            count = self.mark_many(range(len(self.thread.posts)))
            self._new = bytearray(len(self.thread.posts))
            self._new_count = 0
            self._new_ranks = None
            self._dirty = True
        return count

    @property
    def cursor(self) -> int | None:
        """The post the cursor was on when the state was last saved, if still here."""
        digest = self._cursor_hash
        if digest is None:
            return None
        hint = self._cursor_at
        if hint is not None and 0 <= hint < len(self.thread.posts) and self._hash(hint) == digest:
            return hint
        self.prepare()
        try:
            return self._hashes.index(digest)
        except ValueError:
            return None

    @cursor.setter
    def cursor(self, index: int | None) -> None:
        with self._lock:
            digest = None if index is None else self._hash(index)
            if digest != self._cursor_hash or index != self._cursor_at:
                self._cursor_hash = digest
                self._cursor_at = index
                self._dirty = True

    def _hash(self, index: int) -> int:
        if index < len(self._hashes):
            return self._hashes[index]
        return store.hash_id(self.thread.posts[index].id)

    def rebind(self, thread: Thread) -> int:
        """The thread grew (a refresh merged posts): carry the marks over by post id.

        A post already here keeps its new mark; one that arrived is new unless it was
        read before (say by a `--print` run). Returns how many posts arrived new.

        The same thread grown in place keeps every post at its index (`Thread.add`): only
        the posts past the marks are hashed, not the whole thread on every refresh."""
        with self._lock:
            self.prepare()
            if thread is self.thread and len(thread.posts) >= len(self._hashes):
                return self._extend(thread)
        hashes = store.hash_ids(map(_post_id, thread.posts)).tolist()
        with self._lock:
            before = dict(zip(self._hashes, self._new, strict=True))
            seen = self._seen
            new = bytearray(before.get(h, h not in seen) for h in hashes)
            _clear_placeholders(thread, new)
            arrived = sum(
                1 for h, flag in zip(hashes, new, strict=True) if flag and h not in before
            )
            self.thread = thread
            self._hashes = hashes
            self._new = new
            self._new_count = sum(new)
            self._new_ranks = None
        return arrived

    def _extend(self, thread: Thread) -> int:
        start = len(self._hashes)
        posts = thread.posts[start:]
        hashes = store.hash_ids(map(_post_id, posts)).tolist()
        seen = self._seen
        new = bytearray(h not in seen for h in hashes)
        for offset in compress(range(len(posts)), map(_synthetic, posts)):
            new[offset] = 0
        arrived = sum(new)
        self._hashes.extend(hashes)
        self._new.extend(new)
        self._new_count += arrived
        # The tree changed: the new posts' places in it may have moved.
        self._new_ranks = None
        return arrived

    # --- saving -------------------------------------------------------------------------

    @property
    def dirty(self) -> bool:
        return self._dirty

    def snapshot(self) -> bytes | None:
        """The file's bytes as of now (cheap: ~1 ms at 100,000 posts), or None when
        nothing is to be written. Clears `dirty`: a failed write must set it again."""
        if not self._writable or self.path is None:
            return None
        with self._lock:
            if self._pending:
                self.prepare()
            self._dirty = False
            stored = Stored(
                self.key,
                self.opened,
                self._clock(),
                self._cursor_hash,
                array("Q", self._order),
                self._cursor_at,
            )
        return store.encode(stored)

    def save(self) -> None:
        """Write the state now, merged with what another threadtui may have saved for the
        same thread meanwhile. Blocking (a read and an fsync): call it off the UI thread,
        or at exit. OSError when it cannot be written; `dirty` stays set then."""
        data = self.snapshot()
        if data is None or self.path is None:
            return
        try:
            data = self._merged(data)
            store.write(self.path, data)
        except BaseException:
            self._dirty = True
            raise

    def _merged(self, data: bytes) -> bytes:
        assert self.path is not None
        key = self.key
        try:
            on_disk = store.read(self.path, key)
        except NewerFormat:
            raise
        except StateError:
            return data  # damaged: ours replaces it
        if on_disk is None:
            return data
        ours = store.decode(data, key, self.path)
        mine = set(ours.seen)
        theirs = array("Q", filterfalse(mine.__contains__, on_disk.seen))
        if not theirs:
            return data
        ours.seen = theirs + ours.seen
        return store.encode(ours)

    def save_soon(self, delay: float = 2.0) -> None:
        """Save on a background thread `delay` seconds from now, unless one is pending:
        reading fast through posts writes once. Failures go to `on_error`."""
        if not self._writable:
            return
        with self._lock:
            if self._timer is not None:
                return
            timer = threading.Timer(delay, self._timed_save)
            timer.daemon = True  # `flush` at exit writes what is pending
            self._timer = timer
        timer.start()

    def _timed_save(self) -> None:
        with self._lock:
            self._timer = None
            if self._deferred and not self._ready:
                # A worker is working the marks out, giving way to the keys: `snapshot`
                # would do it all here at once, holding the lock the UI thread takes to
                # note the cursor (a 0.45 s stall at a million posts, issue #16). `dirty`
                # stays set; `prepare` saves soon once it is done.
                self._save_waits = True
                return
        try:
            self.save()
        except (OSError, StateError) as error:
            if self.on_error is not None:
                self.on_error(save_error(self.path, error))

    def flush(self) -> None:
        """Cancel a pending `save_soon` and save now if anything changed. OSError or
        NewerFormat if it cannot be written."""
        with self._lock:
            timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
        if self._dirty:
            self.save()


def save_error(path: Path | None, error: BaseException) -> str:
    reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
    return f"{path}: cannot save what was read: {reason}"


def open_state(
    thread: Thread, *, directory: Path | None = None, clock: Clock = time.time
) -> tuple[ReadState, list[str]]:
    """The read state of `thread`, and warnings (a damaged file, no state folder). Never
    raises: without usable state, the thread opens as on a first visit."""
    identity = store.thread_identity(thread)
    if identity is None:
        return ReadState(thread, path=None, stored=None, clock=clock), []
    try:
        folder = directory or store.state_dir()
    except RuntimeError as error:
        message = f"no folder for the read state ({error}): what you read is not remembered"
        return ReadState(thread, path=None, stored=None, clock=clock), [message]
    path = store.state_path(store.thread_key(identity), folder)
    try:
        stored = store.read(path, store.thread_key(identity))
    except NewerFormat as error:
        return ReadState(thread, path=path, stored=None, clock=clock, writable=False), [str(error)]
    except StateError as error:
        return ReadState(thread, path=path, stored=None, clock=clock), [str(error)]
    return ReadState(thread, path=path, stored=stored, clock=clock), []


def when_text(moment: float, tz: tzinfo, now: float) -> str:
    """A past moment as the status line says it: `14:02` today, `Tue 14:02` this week,
    `May 28 14:02` this year, `2025-05-28` before."""
    then = moment_of(moment, tz)
    today = moment_of(now, tz)
    if then.date() == today.date():
        return then.strftime("%H:%M")
    if timedelta(0) < today - then < timedelta(days=6):
        return then.strftime("%a %H:%M")
    if then.year == today.year:
        return then.strftime("%b %d %H:%M")
    return then.strftime("%Y-%m-%d")


__all__ = ["ReadState", "open_state", "save_error", "when_text"]

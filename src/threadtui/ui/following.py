"""Following a thread as it grows (--follow, F), for the app.

A URL thread is refreshed on the schedule of threadtui.follow.schedule (the platform's
pace, slower while nothing comes); a thread from files is re-read when they change
(threadtui.follow.files, in a thread). Both merge through the app's `_grow`, as a refresh
does, and both pause when the terminal has been away for long.

The app owns one FollowController and keeps only what its keys, messages and status line
need; the schedule, the file watch and the timers live here.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.content import Content
from textual.message import Message

from threadtui.model import clean_line
from threadtui.ui.chrome import Part

if TYPE_CHECKING:
    from textual.timer import Timer

    from threadtui.follow.files import Event as FileEvent
    from threadtui.follow.files import FileWatch, Follower
    from threadtui.follow.schedule import Schedule
    from threadtui.ui.app import ThreadApp


def files_noun(paths: Sequence[str]) -> str:
    """What is followed, as the user named it: a file, a folder (listed again on each
    look), or several."""
    if len(paths) != 1:
        return "the files"
    return "the folder" if os.path.isdir(paths[0]) else "the file"


class FileNews(Message):
    """The file watch saw something (posted from its thread)."""

    def __init__(self, event: FileEvent) -> None:
        super().__init__()
        self.event = event


class FollowController:
    """Following for one app: started and stopped by F (or --follow), ticked by a timer."""

    def __init__(self, app: ThreadApp) -> None:
        self.app = app
        self.schedule: Schedule | None = None
        """While following: when the next refresh is due; None when not following."""
        self.follower: Follower | None = None
        """The file watch's thread while following files."""
        self.timer: Timer | None = None
        self.file_watch: FileWatch | None = None
        self.last: float | None = None
        """When following last brought something to look at (a refresh, a file read)."""
        self.note: str | None = None
        """What is wrong with a followed file (gone, unreadable), shown until it reads."""

    @property
    def can_follow(self) -> bool:
        app = self.app
        return app.url is not None or bool(app.follow_files)

    @property
    def following(self) -> bool:
        return self.schedule is not None

    def toggle(self) -> None:
        if self.schedule is None:
            self.start()
        else:
            self.stop()

    def start(self, *, quiet: bool = False) -> None:
        from threadtui.follow.schedule import Schedule, pace_for

        app = self.app
        if self.schedule is not None or not self.can_follow:
            return
        now = app.follow_clock()
        schedule = Schedule(
            pace_for(self.platform()), away_after=60.0 * app.settings.follow_pause_after
        )
        schedule.not_before = app._not_before
        self.schedule = schedule
        if app.url is None:
            self.start_file_watch()
        elif app.fetching is not None:
            schedule.began()  # its end sets the next
        else:
            # Just fetched: the next in a base interval; from the cache: now.
            schedule.start(now, last=app._fetch_ended)
        if not app.app_focus:
            schedule.blur(now)
        self.timer = app.set_interval(app.FOLLOW_TICK, self.tick)
        app.refresh_status()
        app.refresh_bindings()
        if not quiet:
            key = app.key_for("app.follow")
            what = files_noun(app.follow_files) if app.url is None else "the thread"
            app.notify_content(Content(f"Following {what} as it grows ({key} stops)"), timeout=3)
        self.tick()

    def stop(self, *, quiet: bool = False) -> None:
        if self.schedule is None:
            return
        self.schedule = None
        if self.timer is not None:
            self.timer.stop()
            self.timer = None
        if self.follower is not None:
            self.follower.stop()
            self.follower = None
        self.note = None
        if not quiet:
            app = self.app
            app.refresh_status()
            app.refresh_bindings()
            app.notify("Stopped following", timeout=3)

    def platform(self) -> str | None:
        url = self.app.url
        if url is None:
            return None
        from threadtui.fetch.errors import FetchError
        from threadtui.fetch.urls import recognise

        try:
            return recognise(url).platform
        except FetchError:
            return None

    def tick(self) -> None:
        app = self.app
        schedule = self.schedule
        if schedule is None:
            return
        now = app.follow_clock()
        if schedule.check_away(now):
            if self.follower is not None:
                self.follower.paused.set()
            minutes = app.settings.follow_pause_after
            app.notify(
                f"Following paused: the terminal has been away {minutes} min;"
                " it resumes when you come back",
                timeout=8,
            )
            app.refresh_status()
            return
        if app.url is not None and app.fetching is None and schedule.due(now):
            app._anchor_done = True
            app._start_fetch(refresh=True, quiet=True)
            app.refresh_status()

    def focus_changed(self, focused: bool) -> None:
        """AppBlur and AppFocus (the terminal reports focus, mode 1004) set app_focus, and
        so does a key or click while it is blurred."""
        schedule = self.schedule
        if schedule is None:
            return
        app = self.app
        now = app.follow_clock()
        if not focused:
            schedule.blur(now)
            return
        if schedule.focus(now):
            if self.follower is not None:
                self.follower.paused.clear()
            app.notify("Following again", timeout=3)
            app.refresh_status()
            self.tick()

    def status(self) -> Part:
        app = self.app
        schedule = self.schedule
        assert schedule is not None
        separator = f" {app.glyphs.separator.strip()} "
        following = (
            "following" if app.url is not None else f"following {files_noun(app.follow_files)}"
        )
        words = ["following paused (away)" if schedule.paused else following]
        if self.note is not None:
            words.append(self.note)
        if self.last is not None:
            change = "last change" if app.url is None else "last"
            words.append(f"{change} {app._clock_text(self.last)}")
        if app.new_posts:
            words.append(f"{len(app.new_posts):,} new")
        short = words[:1]
        if app.url is not None and not schedule.paused:
            if app.fetching is not None:
                upcoming = "refreshing"
            elif schedule.next_at is not None:
                upcoming = f"next {app._clock_text(schedule.next_at)}"
            else:
                upcoming = ""
            if upcoming:
                words.append(upcoming)
                short.append(upcoming)
        style = "$text-warning" if schedule.paused or self.note else "$text-success"
        return Part.steps(
            (Content.styled(separator.join(words), style), 2),
            (Content.styled(separator.join(short), style), 0),
        )

    def start_file_watch(self) -> None:
        from threadtui.follow.files import FileWatch, Follower

        app = self.app
        if self.file_watch is None:
            # Kept across F off and on: it knows what the tree shows, so turning following
            # on again brings what changed meanwhile.
            self.file_watch = FileWatch(
                app.follow_files,
                source=app._follow_source,
                tz=app._follow_source_tz,
                initial=app._follow_initial,
            )
        follower = Follower(self.file_watch, self.file_news_from_thread, interval=app.FILE_POLL)
        self.follower = follower
        app.run_worker(follower.run, thread=True, group="follow", name="follow files")

    def file_news_from_thread(self, event: FileEvent) -> None:
        # Called in the watch's thread; post_message is safe from there.
        self.app.post_message(FileNews(event))

    def file_news(self, event: FileEvent) -> None:
        """What the watch saw, on the UI thread (the app's FileNews handler)."""
        from threadtui.follow.files import SETTLE, Changed, Gone, Readable, Unreadable

        app = self.app
        if isinstance(event, Changed):
            # Even after F stopped following: the watch has counted it as shown.
            self.file_changed(event)
        elif self.schedule is None:
            return
        elif isinstance(event, Gone):
            self.note = "file gone"
            app.notify_content(
                Content(
                    f"{clean_line(event.name)}: {clean_line(event.message)}; showing what"
                    " was read, and watching for it to come back"
                ),
                severity="warning",
                timeout=8,
            )
        elif isinstance(event, Unreadable):
            self.note = "file unreadable"
            app.notify_content(
                Content(
                    f"{clean_line(event.name)}: still not a thread after {SETTLE:.0f} s"
                    f" ({clean_line(event.message)}); showing what was read before"
                ),
                severity="warning",
                timeout=8,
            )
        elif isinstance(event, Readable):
            self.note = None
        app.refresh_status()

    def file_changed(self, event: object) -> None:
        """The followed files read differently: merged as a refresh's posts are (new ones
        marked new), and posts no longer in them stay, marked deleted."""
        from threadtui.follow.files import Changed

        assert isinstance(event, Changed)
        app = self.app
        thread = app.thread
        refreshing, app._refreshing = app._refreshing, True
        try:
            document = event.document
            if document is not None:
                app._new_reset = True
                app._grow(document)
            gone = [
                i
                for i, post in enumerate(thread.posts)
                if not post.synthetic and post.status == "ok" and post.id not in event.ids
            ]
            if gone:
                app._mark_deleted(gone)
        finally:
            app._refreshing = refreshing
        self.last = app.follow_clock()
        app._base_status = None
        app.refresh_status()

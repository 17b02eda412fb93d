"""The examples an error shows for after:/before: are written in the open thread's own dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from threadtui.model import Thread, load_document
from threadtui.query import QueryError, parse_query, time_forms


def thread_at(*stamps: str) -> Thread:
    posts: list[dict[str, Any]] = [{"id": "r", "text": "root", "created_at": stamps[0]}]
    posts += [
        {"id": f"p{k}", "text": "x", "reply_to": "r", "created_at": stamp}
        for k, stamp in enumerate(stamps[1:])
    ]
    return load_document({"schema": "threadtui.thread", "schema_version": 1, "posts": posts})


def message(text: str, thread: Thread, tz: Any = UTC) -> str:
    with pytest.raises(QueryError) as caught:
        parse_query(text, thread, tz=tz)
    return caught.value.message


@pytest.mark.parametrize("key", ["after", "before"])
@pytest.mark.parametrize("typed", ["", "yesterday"])
def test_time_examples_use_this_threads_dates(key: str, typed: str) -> None:
    thread = thread_at("2019-03-04T10:00:00Z", "2019-03-04T14:00:00Z")
    text = message(f"{key}:{typed}", thread)
    assert "2019-03-04T12:00" in text and "2026" not in text
    # Every example the message gives parses, and keeps some of this thread's posts.
    for form in time_forms(key, thread, UTC):
        query = parse_query(f"{key}:{form}", thread)
        bound = query.after if key == "after" else query.before
        assert bound is not None and thread.time_range is not None
        first, last = thread.time_range
        assert first - 86400 <= bound <= last + 86400


def test_a_clock_example_is_on_the_first_day_in_the_display_zone() -> None:
    # 23:00 UTC on the 4th is already the 5th in UTC+2: the examples follow the zone.
    thread = thread_at("2019-03-04T23:00:00Z", "2019-03-05T01:00:00Z")
    plus2 = timezone(timedelta(hours=2))
    date_form, day, clock = time_forms("after", thread, plus2)[:3]
    assert date_form == "2019-03-05T02:00" and day == "2019-03-05" and clock == "02:00"
    moment = parse_query(f"after:{clock}", thread, tz=plus2).after
    assert moment == datetime(2019, 3, 5, 0, 0, tzinfo=UTC).timestamp()


def test_a_thread_without_times_shows_the_forms_not_a_foreign_date() -> None:
    thread = load_document(
        {"schema": "threadtui.thread", "schema_version": 1, "posts": [{"id": "r", "text": "x"}]}
    )
    text = message("after:soon", thread)
    assert "YYYY-MM-DD" in text and "20" not in text.split("use", 1)[1]

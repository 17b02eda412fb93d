"""Properties of the query layer on any input (issue #13 item 12): `parse_query` returns a
query or raises QueryError, nothing else; a parsed query runs on every thread of the
hostile corpus without raising; and an error message never carries a control character
from the query back to a terminal.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hostile_cases import FORBIDDEN, OPENS, SURROGATE
from threadtui.model import Thread
from threadtui.opener import open_thread
from threadtui.query import (
    FilterView,
    Query,
    QueryError,
    SearchIndex,
    highlight_spans,
    parse_query,
    run_query,
)

PROFILE = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# Any character at all, surrogates and controls too: a command line's undecodable bytes
# arrive as lone surrogates, and a config file or a paste can hold ESC.
ANY_CHAR = st.characters(exclude_categories=())

# Pieces of the language, hostile numbers and times among them, to reach deep into the
# parser more often than random text does.
PIECES = [
    " ",
    "-",
    '"',
    "/",
    "\\",
    "risk",
    "Ünï",
    "a",
    "(",
    ")",
    "*",
    "+",
    "{1,16}",
    "{2,}",
    "[a-",
    "|",
    "(?=a)",
    "\\b",
    "^",
    "$",
    "from:",
    "from:?",
    "-from:",
    "after:",
    "before:",
    "+",
    "1h",
    "30m",
    "2026-05-29",
    "T00:30",
    "25:99",
    "0001-01-01",
    "9999-12-31T23:59",
    "has:quote",
    "is:",
    "root",
    "quoted",
    "views:",
    "likes:",
    "replies:",
    ">",
    ">=",
    "<",
    "<=",
    "=",
    "..",
    ".",
    "5",
    "k",
    "M",
    "9" * 400,
    "9" * 5000,
    "٣",
    "1,000",
    "_",
    "\x1b]0;PWNED\x07",
    "\x1b[2J",
    "\x9b",
    "\u202e",
    "\udcff",
    "\x00",
    "\n",
]
QUERIES = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=10).map("".join),
    st.text(ANY_CHAR, max_size=60),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(ANY_CHAR, max_size=4)), max_size=8).map(
        "".join
    ),
)


@pytest.fixture(scope="module")
def threads() -> list[tuple[Thread, SearchIndex]]:
    opened = [open_thread(case.path) for case in OPENS]
    return [(thread, SearchIndex(thread)) for thread in opened]


def parse_or_error(text: str, thread: Thread, filters: bool) -> Query | None:
    """The query, or None after checking the error is one a user can read safely."""
    try:
        return parse_query(text, thread, filters=filters)
    except QueryError as error:
        message = error.message
        assert message and str(error) == message
        assert not FORBIDDEN.search(message), message
        assert not SURROGATE.search(message), message
        assert 0 <= error.start <= error.end <= len(text)
        return None


@PROFILE
@given(text=QUERIES, filters=st.booleans(), which=st.integers(min_value=0))
def test_parse_returns_a_query_or_a_query_error(
    threads: list[tuple[Thread, SearchIndex]], text: str, filters: bool, which: int
) -> None:
    thread, _ = threads[which % len(threads)]
    query = parse_or_error(text, thread, filters)
    if query is not None:
        query.describe()


@PROFILE
@given(text=QUERIES, filters=st.booleans())
def test_a_parsed_query_runs_on_every_hostile_thread(
    threads: list[tuple[Thread, SearchIndex]], text: str, filters: bool
) -> None:
    for thread, index in threads:
        query = parse_or_error(text, thread, filters)
        if query is None:
            continue
        query.describe()
        try:
            result = run_query(query, index)
        except QueryError as error:
            # The one documented way a run ends early: a regex past its time budget.
            assert error.message.startswith("search stopped: pattern too slow")
            continue
        FilterView.build(result).status()
        for i in result.matches[:5]:
            result.counter(i)
            post = thread.posts[i]
            for field in (post.text, post.author and post.author.display_name):
                if field:
                    for start, end in highlight_spans(query, field):
                        assert 0 <= start < end <= len(field)


HUGE = {
    "5000 digits": "views:>" + "9" * 5000,
    "400 nines.5": "views:" + "9" * 400 + ".5",
    "400 nines.5k..": "views:" + "9" * 400 + ".5k..",
    "16 digits": "replies:>=" + "9" * 16,
    "+400 nines d": "after:+" + "9" * 400 + "d",
    "+5000 nines h": "after:+" + "9" * 5000 + "h",
    "+99999999d": "before:+99999999d",
    "+1e20 years of seconds": "after:+" + "9" * 20 + "s",
}


@pytest.mark.parametrize("text", list(HUGE.values()), ids=list(HUGE))
def test_huge_numbers_and_times_are_errors_with_a_message(
    threads: list[tuple[Thread, SearchIndex]], text: str
) -> None:
    thread = next(t for t, _ in threads if t.time_range is not None)
    with pytest.raises(QueryError) as caught:
        parse_query(text, thread)
    assert "too big a number" in caught.value.message or "out of range" in caught.value.message
    assert len(caught.value.message) < 200  # the value is quoted, not copied out in full


def test_numbers_within_reach_still_parse(threads: list[tuple[Thread, SearchIndex]]) -> None:
    thread, _ = threads[0]
    (views,) = parse_query("views:>" + "9" * 15, thread).ranges
    assert views.low == 10**15
    (likes,) = parse_query("likes:0.29k..1." + "9" * 5000 + "k", thread).ranges
    assert (likes.low, likes.high) == (290, 1999)
    timed = next(t for t, _ in threads if t.time_range is not None)
    assert parse_query("after:+1." + "9" * 5000 + "m", timed).after is not None


def test_error_lines_do_not_echo_control_characters(
    threads: list[tuple[Thread, SearchIndex]],
) -> None:
    """Issue #13 item 18: `--filter $'views:\\e]0;PWNED\\a'` must not retitle the terminal
    through the error line (the CLI cleans stderr as well; this is the parser's part)."""
    thread, _ = threads[0]
    for text in (
        "views:\x1b]0;PWNED\x07",
        "from:\x1b[2J",
        "is:\x9b31m",
        "is:\u202eroot",
        "/(?P<a\x1b>x)/",
        "after:\x1b",
        "views:\udcff",
    ):
        with pytest.raises(QueryError) as caught:
            parse_query(text, thread)
        message = caught.value.message
        assert not FORBIDDEN.search(message) and not SURROGATE.search(message), message

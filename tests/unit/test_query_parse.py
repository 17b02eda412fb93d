"""The query language on its own: each operator, what it builds, and what it says when wrong."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support import doc, sparse_post
from threadtui.model import Thread, load_document
from threadtui.query import (
    NumberRange,
    QueryError,
    format_duration,
    format_from,
    format_time,
    format_time_range,
    parse_query,
    replace_filters,
    tokens,
)

AUTHORS = {
    "x:ohab": {"handle": "ohabryka", "display_name": "Oliver Habryka"},
    "x:miles": {"handle": "Miles_Brundage", "display_name": "Miles Brundage"},
    "x:boaz": {"handle": "boazbaraktcs", "display_name": "Boaz Barak"},
    "x:zoe": {"handle": "zoe", "display_name": "Zoë Müller"},
}


@pytest.fixture(scope="module")
def thread() -> Thread:
    return load_document(
        doc(
            sparse_post("r", author="x:ohab", created_at="2026-05-28T23:57:00Z"),
            sparse_post("a", author="x:miles", reply_to="r", created_at="2026-05-29T00:10:00Z"),
            sparse_post("b", author="x:boaz", reply_to="a", created_at="2026-05-29T01:00:00Z"),
            sparse_post("c", author="x:zoe", reply_to="r", created_at="2026-05-30T12:00:00Z"),
            authors=AUTHORS,
        )
    )


def q(text: str, thread: Thread, **kw: Any) -> Any:
    return parse_query(text, thread, **kw)


def error(text: str, thread: Thread, **kw: Any) -> QueryError:
    with pytest.raises(QueryError) as caught:
        parse_query(text, thread, **kw)
    return caught.value


FIRST = datetime(2026, 5, 28, 23, 57, tzinfo=UTC).timestamp()


# --- words, phrases, regex ------------------------------------------------------------


def test_empty_and_blank_queries_are_empty(thread: Thread) -> None:
    for text in ("", "   ", '""', "/", "-"[:0]):
        assert q(text, thread).is_empty, text
    assert q("x", thread).is_empty is False


def test_words_phrases_and_negation(thread: Thread) -> None:
    query = q('Internal "High  Risk" -café -"no way"', thread)
    assert [(t.text, t.folded, t.phrase, t.negated) for t in query.terms] == [
        ("Internal", "internal", False, False),
        ("High  Risk", "high risk", True, False),
        ("café", "cafe", False, True),
        ("no way", "no way", True, True),
    ]
    # Smart case per term: only terms with a capital are case-sensitive (accents still folded).
    assert [t.exact for t in query.terms] == ["Internal", "High Risk", None, None]


def test_unterminated_phrase_runs_to_the_end(thread: Thread) -> None:
    (term,) = q('"internal mod', thread).terms
    assert term.phrase and term.folded == "internal mod"


def test_a_lone_dash_is_a_word(thread: Thread) -> None:
    (term,) = q("-", thread).terms
    assert term.text == "-" and not term.negated


def test_regex_token_among_others(thread: Thread) -> None:
    query = q("risk /inter.al/ -/foo bar/ /a\\/b/", thread)
    assert [t.text for t in query.terms] == ["risk"]
    assert [(p.regex.source, p.negated) for p in query.patterns] == [
        ("inter.al", False),
        ("foo bar", True),
        ("a\\/b", False),
    ]
    # A slash not followed by a space does not end the regex.
    assert [p.regex.source for p in q("/and/or/", thread).patterns] == ["and/or"]


def test_regex_smart_case(thread: Thread) -> None:
    assert not q("/internal/", thread).patterns[0].regex.case_sensitive
    assert q("/Internal/", thread).patterns[0].regex.case_sensitive
    # Escapes and group names are not letters typed to be matched.
    assert not q(r"/\W+\S(?P<Name>x)/", thread).patterns[0].regex.case_sensitive
    assert q("/[A-Z]{3}/", thread).patterns[0].regex.case_sensitive


def test_bad_regex_says_why_and_where(thread: Thread) -> None:
    err = error("risk /ab(c/", thread)
    assert "missing ), unterminated subpattern" in err.message
    assert (err.start, err.end) == (8, 9)  # the "(" inside the query text
    err = error("/a{2,1}/", thread)
    assert "min repeat greater than max repeat" in err.message


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        ("(a+)+$", "repeat inside a repeat"),
        (r"(\w+\s?)*x", "repeat inside a repeat"),
        ("(a|ab)*c", "repeated choice"),
        ("(x|)+", "repeated choice"),
        (".*.*=.*", "two repeats in a row"),
        (r"\w*\w+", "two repeats in a row"),
    ],
)
def test_slow_regex_shapes_are_refused(thread: Thread, pattern: str, words: str) -> None:
    assert words in error(f"/{pattern}/", thread).message


@pytest.mark.parametrize(
    "pattern",
    ["(?:a{1000}){1000}", "x{50000}", "(?:(?:a{30}){30}){30}", "(?:ab{9999}){2,}"],
)
def test_regex_too_big_to_compile_is_refused(thread: Thread, pattern: str) -> None:
    """`regex` unrolls counted repeats when it compiles, with no timeout: a million
    copies would take seconds and a gigabyte before any search could be stopped."""
    assert "too big" in error(f"/{pattern}/", thread).message


@pytest.mark.parametrize("pattern", ["x{1,100000}", "a{1000}b", r"(\d{1,3}\.){3}", "x{9999}"])
def test_long_open_or_modest_repeats_are_not_too_big(thread: Thread, pattern: str) -> None:
    assert q(f"/{pattern}/", thread).patterns


def test_the_language_is_res_even_though_regex_runs_it(thread: Thread) -> None:
    # `regex` knows \p{L} and (?r); `re` does not, and `re` decides what is accepted.
    for pattern in (r"\p{L}", "(?r)abc", r"\X"):
        assert error(f"/{pattern}/", thread).message.startswith("bad regular expression")


@pytest.mark.parametrize(
    "pattern",
    [
        r"\w+\s+\w+",
        r"(foo|bar)+",
        r"(\d{1,3}\.){3}\d{1,3}",
        r"(?>\w+\s?)+x",  # atomic: the documented way to say "I mean it"
        r"[^,]*,[^,]*",
        r"a.*b",
        r"\S+\s",
    ],
)
def test_ordinary_regexes_pass_the_checks(thread: Thread, pattern: str) -> None:
    assert q(f"/{pattern}/", thread).patterns


def test_search_mode_treats_keys_as_text(thread: Thread) -> None:
    query = q("from:nobody 10:30 re: /x/", thread, filters=False)
    assert [t.text for t in query.terms] == ["from:nobody", "10:30", "re:"]
    assert query.authors == frozenset()
    assert len(query.patterns) == 1


def test_urls_are_words_not_keys(thread: Thread) -> None:
    (term,) = q("https://example.com/x", thread).terms
    assert term.text == "https://example.com/x"


# --- from: ----------------------------------------------------------------------------


def test_from_handle_any_case_with_or_without_at(thread: Thread) -> None:
    for text in ("from:ohabryka", "from:@OHabryka", "From:@ohabryka"):
        assert q(text, thread).authors == frozenset({"x:ohab"}), text


def test_from_display_name_quoted_and_accent_blind(thread: Thread) -> None:
    assert q('from:"Oliver Habryka"', thread).authors == frozenset({"x:ohab"})
    assert q('from:"zoe muller"', thread).authors == frozenset({"x:zoe"})


def test_from_repeats_as_alternatives_and_minus_excludes(thread: Thread) -> None:
    query = q("from:ohabryka from:zoe -from:boazbaraktcs", thread)
    assert query.authors == frozenset({"x:ohab", "x:zoe"})
    assert query.not_authors == frozenset({"x:boaz"})
    assert query.describe() == "from @ohabryka or @zoe; not from @boazbaraktcs"


def test_from_unknown_handle_names_it_and_suggests(thread: Thread) -> None:
    err = error("risk from:ohab", thread)
    assert err.message == 'no author "ohab" in this thread; did you mean @ohabryka?'
    assert (err.start, err.end) == (5, 14)
    err = error("from:miles_brundge", thread)
    assert "did you mean @Miles_Brundage?" in err.message
    assert error("from:qqqqqq", thread).message == 'no author "qqqqqq" in this thread'


def test_empty_value_says_what_is_expected(thread: Thread) -> None:
    assert error("from:", thread).message.startswith("from: needs a value: from:alice")
    assert error("views:", thread).message.startswith("views: needs a value")


# --- after: / before: -----------------------------------------------------------------


def test_after_before_iso_date_time_and_date(thread: Thread) -> None:
    query = q("after:2026-05-29T00:30 before:2026-05-30", thread)
    assert query.after == datetime(2026, 5, 29, 0, 30, tzinfo=UTC).timestamp()
    assert query.before == datetime(2026, 5, 30, tzinfo=UTC).timestamp()
    assert q("after:2026-05-29T00:30:15Z", thread).after == query.after + 15
    assert q("after:2026-05-29T02:30+02:00", thread).after == query.after


def test_dates_and_times_in_the_given_zone(thread: Thread) -> None:
    berlin = ZoneInfo("Europe/Berlin")  # UTC+2 in May
    query = q("after:2026-05-29 before:2026-05-29T12:00", thread, tz=berlin)
    assert query.after == datetime(2026, 5, 28, 22, 0, tzinfo=UTC).timestamp()
    assert query.before == datetime(2026, 5, 29, 10, 0, tzinfo=UTC).timestamp()


def test_time_alone_is_on_the_first_posts_day(thread: Thread) -> None:
    # The first post is 2026-05-28 23:57 UTC: 00:30 means 00:30 that day, in the zone.
    assert q("after:00:30", thread).after == datetime(2026, 5, 28, 0, 30, tzinfo=UTC).timestamp()
    plus_one = timezone(timedelta(hours=1))  # there, the first post is on May 29
    assert (
        q("after:00:30", thread, tz=plus_one).after
        == datetime(2026, 5, 29, 0, 30, tzinfo=plus_one).timestamp()
    )


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("+30m", 1800), ("+2h", 7200), ("+1d", 86400), ("+1h30m", 5400), ("+90s", 90), ("+0m", 0)],
)
def test_offsets_count_from_the_first_post(thread: Thread, value: str, seconds: int) -> None:
    assert q(f"after:{value}", thread).after == FIRST + seconds
    assert q(f"before:{value}", thread).before == FIRST + seconds


def test_repeated_bounds_keep_the_tightest(thread: Thread) -> None:
    query = q("after:+1h after:+30m before:+3h before:+2h", thread)
    assert (query.after, query.before) == (FIRST + 3600, FIRST + 7200)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("after:yesterday", "after:yesterday is not a time; use after:2026-05-29T17:58"),
        ("after:2026-13-01", "after:2026-13-01 is not a time: month must be in 1..12"),
        ("before:25:00", "before:25:00 is not a time: hour must be in 0..23"),
        ("after:+30", "an offset needs units, like +30m"),
        ("after:+1x", "an offset needs units"),
        ("-after:+1h", "-after: is not supported; use before: instead"),
    ],
)
def test_bad_times(thread: Thread, text: str, words: str) -> None:
    err = error(text, thread)
    assert words in err.message
    assert (err.start, err.end) == (0, len(text))


def test_relative_times_need_post_times() -> None:
    timeless = load_document(doc(sparse_post("p")))
    assert "no post times" in error("after:+1h", timeless).message
    assert "no post times" in error("after:10:00", timeless).message
    assert parse_query("after:2026-01-01", timeless).after is not None


# --- has:, is:, numbers ---------------------------------------------------------------


def test_has_and_is(thread: Thread) -> None:
    query = q("has:quote is:root -is:quoted", thread)
    assert (query.has_quote, query.is_root, query.is_quoted) == (True, True, False)
    assert q("-has:quote", thread).has_quote is False


def test_unknown_values_and_keys_are_named(thread: Thread) -> None:
    assert error("has:link", thread).message == 'unknown value "link" for has: (known: has:quote)'
    assert "is:root, is:quoted" in error("is:reply", thread).message
    err = error("risk foo:bar", thread)
    assert err.message.startswith('unknown filter "foo:" (known: from:, after:, before:')
    assert (err.start, err.end) == (5, 12)


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("views:>1000", 1001, None),
        ("views:>=1k", 1000, None),
        ("views:<10", None, 9),
        ("views:<=10", None, 10),
        ("views:=5", 5, 5),
        ("views:5", 5, 5),
        ("views:100..2000", 100, 2000),
        ("views:1.5k..", 1500, None),
        ("views:..2M", None, 2_000_000),
        ("views:>1,000", 1001, None),
        ("likes:>2", 3, None),
        ("reposts:0", 0, 0),
        ("replies:>2", 3, None),
    ],
)
def test_number_filters(thread: Thread, text: str, low: int | None, high: int | None) -> None:
    key = text.split(":")[0]
    assert q(text, thread).ranges == (NumberRange(key, low, high),)


def test_number_filters_combine(thread: Thread) -> None:
    assert q("views:>10 views:<100", thread).ranges == (NumberRange("views", 11, 99),)
    assert "no number satisfies" in error("views:>100 views:<10", thread).message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("views:abc", "views:abc is not a number or range; use views:>1000"),
        ("views:>", "is not a number"),
        ("views:1x", "is not a number"),
        ("views:..", "is not a number"),
        ("views:5..1", "empty range"),
        ("-views:>5", "-views: is not supported"),
        ("replies:lots", "replies shown under the post in this thread"),
    ],
)
def test_bad_numbers(thread: Thread, text: str, words: str) -> None:
    assert words in error(text, thread).message


def test_describe_summarises_everything(thread: Thread) -> None:
    query = q(
        'Risk "in house" -no /x+/ from:zoe after:+30m before:2026-05-29T02:00 '
        "has:quote -is:root views:>=1k replies:1..3",
        thread,
    )
    assert query.describe() == (
        'containing "Risk" (exact case) and "in house" and /x+/; without "no"; from @zoe; '
        "at or after 2026-05-29 00:27 UTC; before 2026-05-29 02:00 UTC; quoting a post; "
        "replies only; views ≥ 1K; replies here 1–3"
    )
    assert q("", thread).describe() == "all posts"


def test_queries_compare_by_meaning(thread: Thread) -> None:
    assert q("from:@ohabryka  risk", thread) == q("risk from:OHABRYKA", thread)
    assert hash(q("/x/", thread)) == hash(q("/x/", thread))


# --- building query text --------------------------------------------------------------


def test_format_from_round_trips(thread: Thread) -> None:
    text = format_from(["@ohabryka", "zoe"])
    assert text == "from:ohabryka from:zoe"
    assert q(text, thread).authors == frozenset({"x:ohab", "x:zoe"})
    assert format_from(["Boaz Barak"], exclude=True) == '-from:"Boaz Barak"'
    assert q(format_from(["Boaz Barak"], exclude=True), thread).not_authors == {"x:boaz"}


def test_format_time_range_round_trips(thread: Thread) -> None:
    after = datetime(2026, 5, 29, 0, 30, tzinfo=UTC).timestamp()
    before = datetime(2026, 5, 30, tzinfo=UTC).timestamp()
    text = format_time_range(after, before)
    assert text == "after:2026-05-29T00:30 before:2026-05-30"
    query = q(text, thread)
    assert (query.after, query.before) == (after, before)
    relative = format_time_range(FIRST + 5400, None, relative_to=FIRST)
    assert relative == "after:+1h30m"
    assert q(relative, thread).after == FIRST + 5400
    berlin = ZoneInfo("Europe/Berlin")
    text = format_time_range(None, datetime(2026, 5, 29, 9, 15, 30, tzinfo=UTC), tz=berlin)
    assert text == "before:2026-05-29T11:15:30"
    assert (
        q(text, thread, tz=berlin).before
        == datetime(2026, 5, 29, 9, 15, 30, tzinfo=UTC).timestamp()
    )


def test_format_duration() -> None:
    assert [format_duration(s) for s in (0, 59, 60, 5400, 86400 + 61)] == [
        "+0m",
        "+59s",
        "+1m",
        "+1h30m",
        "+1d1m1s",
    ]
    assert format_time(FIRST - 60, relative_to=FIRST).startswith("2026-05-28T23:56")


def test_replace_filters_keeps_what_was_typed() -> None:
    typed = 'risk  "a  b" from:x -from:y after:+1h'
    assert replace_filters(typed, {"from"}, "from:z") == 'risk  "a  b" after:+1h from:z'
    assert replace_filters(typed, {"from", "after"}, "") == 'risk  "a  b"'
    assert replace_filters("", {"from"}, "from:z") == "from:z"


def test_tokens_never_fail() -> None:
    assert [(t.kind, t.value) for t in tokens('a "b /c -d: e:"f g" /h')] == [
        ("word", "a"),
        ("phrase", "b /c -d: e:"),
        ("word", "f"),
        ("word", 'g"'),
        ("regex", "h"),
    ]
    assert [(t.kind, t.key, t.value) for t in tokens('-e:"f g" /h')] == [
        ("filter", "e", "f g"),
        ("regex", None, "h"),
    ]


# --- never a crash --------------------------------------------------------------------

FRAGMENTS = [
    "risk",
    "Ünï",
    "-",
    '"',
    "/",
    "\\",
    "(",
    ")",
    "*",
    "+",
    "?",
    "{2,}",
    "[a-",
    "|",
    ":",
    "from:",
    "from:zoe",
    "from:@",
    '-from:"',
    "after:",
    "after:+",
    "after:+1h",
    "before:25:99",
    "after:2026-02-30",
    "has:",
    "is:root",
    "views:",
    "views:>",
    "views:1..",
    "views:9999999999999999999999k",
    "replies:<0",
    "x:y",
    "http://a",
    "(?P<",
    "(?<=a)",
    "\\1",
    "ß",
    "\u0301",
    "\n",
    "\x00",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=8).map("".join), st.booleans())
def test_any_input_parses_or_says_why(thread: Thread, text: str, filters: bool) -> None:
    from threadtui.query import SearchIndex, run_query

    try:
        query = parse_query(text, thread, filters=filters)
    except QueryError as error:
        assert error.message
        assert 0 <= error.start <= error.end <= len(text)
        return
    query.describe()
    run_query(query, SearchIndex(thread))


def test_from_question_mark_means_unknown_author() -> None:
    from threadtui.model import load_document
    from threadtui.query import SearchIndex, parse_query, run_query

    doc = {
        "schema": "threadtui.thread",
        "schema_version": 1,
        "authors": {"x:a": {"handle": "alice", "display_name": "Alice"}},
        "posts": [
            {"id": "1", "author": "x:a", "text": "one"},
            {"id": "2", "author": None, "text": "two", "reply_to": "1"},
            {"id": "3", "author": None, "text": "three", "reply_to": "1"},
        ],
    }
    thread = load_document(doc)
    index = SearchIndex(thread)

    def ids(text: str) -> list[str]:
        return [thread.posts[i].id for i in run_query(parse_query(text, thread), index).matches]

    assert ids("from:?") == ["2", "3"]
    assert ids("from:? from:alice") == ["1", "2", "3"]  # any of them
    assert ids("-from:?") == ["1"]
    assert ids("from:? three") == ["3"]

"""Running queries on small threads: each operator, combinations, regexes, highlights, cancel."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support import doc, sparse_post
from threadtui.model import Thread, load_document
from threadtui.query import (
    QueryCancelled,
    QueryError,
    SearchIndex,
    highlight_spans,
    parse_query,
    run_query,
)
from threadtui.query import match as match_module
from threadtui.query.pattern import Budget, compile_regex

AUTHORS = {
    "x:ohab": {"handle": "ohabryka", "display_name": "Oliver Habryka"},
    "x:miles": {"handle": "Miles_Brundage", "display_name": "Miles Brundage"},
    "x:boaz": {"handle": "boazbaraktcs", "display_name": "Boaz Barak"},
    "x:zoe": {"handle": "zoe", "display_name": "Zoë Müller"},
}


def day(hhmm: str, date: str = "2026-05-29") -> str:
    return f"{date}T{hhmm}:00Z"


@pytest.fixture(scope="module")
def thread() -> Thread:
    # Tree order: r a b c d q u m ("gone" is a placeholder shown only as a quote card).
    return load_document(
        doc(
            sparse_post(
                "r",
                author="x:ohab",
                created_at=day("23:57", "2026-05-28"),
                text="I think all internal models are high-risk.",
                metrics={"views": 8300},
            ),
            sparse_post(
                "a",
                author="x:miles",
                reply_to="r",
                created_at=day("00:10"),
                text="Agreed. The Straße to a naïve café is risky",
                metrics={"views": 120},
            ),
            sparse_post(
                "b",
                author="x:boaz",
                reply_to="a",
                created_at=day("01:00"),
                text="The ﬁnal word:\n\nno deployment",
                metrics={"views": 5000, "likes": 7},
            ),
            sparse_post(
                "c",
                author="x:zoe",
                reply_to="r",
                created_at=day("12:00", "2026-05-30"),
                text="Überwachung ist schlecht",
                quotes=["q"],
            ),
            sparse_post(
                "q",
                author="x:boaz",
                created_at=day("00:05"),
                text="A separate thread about INTERNAL deployment",
            ),
            sparse_post(
                "d",
                author="x:ohab",
                reply_to="c",
                created_at=day("13:00", "2026-05-30"),
                text="no",
                quotes=["b"],
            ),
            sparse_post(
                "m", author="x:miles", created_at=day("02:00"), text="quoting", quotes=["gone"]
            ),
            sparse_post("u", reply_to="q", created_at=day("00:20"), text="anonymous reply"),
            authors=AUTHORS,
        )
    )


@pytest.fixture(scope="module")
def index(thread: Thread) -> SearchIndex:
    return SearchIndex(thread)


def ids(text: str, thread: Thread, index: SearchIndex, **kw: Any) -> list[str]:
    result = run_query(parse_query(text, thread, **kw), index)
    return [thread.posts[i].id for i in result.matches]


def test_tree_order_fixture(thread: Thread) -> None:
    assert [thread.posts[i].id for i in thread.preorder] == list("rabcdqum")


# --- words and phrases ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("internal", "rcq"),  # c quotes q
        ("INTERNAL", "cq"),  # smart case
        ("Internal", ""),
        ("internal models", "r"),  # every word
        ("models internal", "r"),
        ('"internal models"', "r"),
        ('"models internal"', ""),
        ("-internal", "abdum"),
        ("internal -models", "cq"),
        ("-INTERNAL", "rabdum"),  # excluded case-sensitively
        ("cafe", "a"),  # accents ignored, both ways
        ("café", "a"),
        ("naive", "a"),
        ("uberwachung", "c"),
        ("Überwachung", "c"),
        ("Uberwachung", "c"),  # case-sensitive, still accent-blind
        ("strasse", "a"),  # ß
        ("STRASSE", ""),
        ("final", "bd"),  # ﬁ; d quotes b, so its quote card matches
        ('"word: no deployment"', "bd"),  # a phrase across a blank line
        ("separate", "cq"),  # c quotes q
        ("nothing-like-this", ""),
    ],
)
def test_words_phrases(thread: Thread, index: SearchIndex, text: str, expected: str) -> None:
    assert "".join(ids(text, thread, index)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("habryka", "rd"),  # the display name
        ("@miles", "am"),
        ("miles_brundage", "am"),
        ("Miles_Brundage", "am"),
        ("muller", "c"),
        ("zoë", "c"),
        ("@boazbaraktcs", "bcdq"),  # c and d quote boaz's posts
    ],
)
def test_author_names_and_handles(
    thread: Thread, index: SearchIndex, text: str, expected: str
) -> None:
    assert "".join(ids(text, thread, index)) == expected


def test_placeholders_outside_the_tree_never_match(thread: Thread, index: SearchIndex) -> None:
    result = run_query(parse_query("-zzz", thread), index)
    gone = thread.by_id["gone"]
    assert gone not in result.matches and not result.member[gone]
    assert result.total == 8 and result.count == 8


# --- filters --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("from:miles_brundage", "am"),
        ("from:miles_brundage from:zoe", "acm"),
        ("-from:ohabryka", "abcqum"),  # u has no author: not by ohabryka
        ('from:"Boaz Barak"', "bq"),
        ("after:+30m", "bcdm"),  # at or after 00:27
        ("before:+30m", "raqu"),
        ("after:00:10 before:01:00", ""),  # the first post's day is May 28
        ("after:2026-05-29T00:10 before:2026-05-29T01:00", "au"),  # inclusive, exclusive
        ("after:2026-05-30", "cd"),
        ("has:quote", "cdm"),
        ("-has:quote", "rabqu"),
        ("is:root", "rqm"),
        ("-is:root", "abcdu"),
        ("is:quoted", "bq"),
        ("views:>1000", "rb"),
        ("views:<=1000", "a"),  # unknown view counts never pass
        ("views:100..5k", "ab"),
        ("likes:7", "b"),
        ("replies:>=1", "racq"),
        ("replies:0", "bdum"),
        ("replies:>1", "r"),
    ],
)
def test_filters(thread: Thread, index: SearchIndex, text: str, expected: str) -> None:
    assert "".join(ids(text, thread, index)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("from:ohabryka no", "d"),  # d's own text, and the quoted b
        ("from:boazbaraktcs deployment", "bq"),
        ("deployment -from:boazbaraktcs", "cd"),  # by others, quoting boaz
        ("has:quote final", "d"),
        ("is:root -has:quote after:+5m", "q"),
        ("views:>100 risk", "ra"),
        ("replies:>=1 before:+1h internal", "rq"),
        ("/risk/ -/high/", "a"),
        ("/risk/ from:miles_brundage after:+1m", "a"),
    ],
)
def test_combinations(thread: Thread, index: SearchIndex, text: str, expected: str) -> None:
    assert "".join(ids(text, thread, index)) == expected


def test_time_zone_moves_dates(thread: Thread, index: SearchIndex) -> None:
    from zoneinfo import ZoneInfo

    # 2026-05-29 in Los Angeles starts at 07:00 UTC: every post but c and d is before it.
    la = ZoneInfo("America/Los_Angeles")
    assert "".join(ids("after:2026-05-30", thread, index, tz=la)) == "cd"
    assert "".join(ids("before:2026-05-29", thread, index, tz=la)) == "rabqum"
    assert "".join(ids("before:2026-05-29", thread, index)) == "r"


def test_empty_query_matches_every_post_in_tree_order(thread: Thread, index: SearchIndex) -> None:
    assert "".join(ids("", thread, index)) == "rabcdqum"


# --- regular expressions --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/Stra.e/", "a"),
        ("/stra.e/", "a"),  # lower-case pattern: any case
        ("/STRA.E/", ""),  # an upper-case letter: case-sensitive
        ("/^no$/", "d"),  # ^ and $ at line ends
        ("/^no /", "bd"),  # b's second paragraph; d through its quote card
        ("/final/", ""),  # regexes see the text as written: ﬁ is not fi
        ("/ﬁnal/", "bd"),
        ("/caf[eé]/", "a"),
        ("/miles_b/", "am"),  # the @handle
        ("/^@zoe$/", "c"),
        ("/Müller/", "c"),  # the name
        ("/\\bno\\b/", "bd"),
        ("/in.*al/", "rcq"),
        ("-/e/", ""),
        ("-/internal/", "abdum"),
        ("/x*/", "rabcdqum"),  # matches the empty string: everywhere
    ],
)
def test_regex(thread: Thread, index: SearchIndex, text: str, expected: str) -> None:
    assert "".join(ids(text, thread, index)) == expected


def random_thread(seed: int, n: int = 400) -> Thread:
    rng = random.Random(seed)
    alphabet = "ab  \nxé"
    posts = []
    for k in range(n):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        fields: dict[str, Any] = {"text": text, "author": rng.choice(["p", "q", None])}
        if k and rng.random() < 0.7:
            fields["reply_to"] = f"p{rng.randrange(k)}"
        if k and rng.random() < 0.1:
            fields["quotes"] = [f"p{rng.randrange(k)}"]
        posts.append(sparse_post(f"p{k}", **fields))
    authors = {
        "p": {"handle": "ab", "display_name": "A b"},
        "q": {"handle": "x", "display_name": None},
    }
    return load_document(doc(*posts, authors=authors))


PATTERNS = [
    "ab",
    "^a",
    "b$",
    "^$",
    r"a\sb",
    "a.b",
    r"\bab\b",
    "a[^x]*b",
    "b\nx",
    "x*",
    "a+b",
    "é",
    "(?s)a.*x",
    "(?<=b)a",  # not local: searched post by post
    r"a\Z",
    "(?x) a [^x]* b  # a comment to the end",
    r"\n",
    r"b\s+a|x$",
    "(?m)^b",
    "|a",
]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_regex_agrees_with_a_plain_search_of_each_field(seed: int) -> None:
    """The joined-text shortcut finds exactly what searching each field on its own does."""
    thread = random_thread(seed)
    index = SearchIndex(thread)
    for source in PATTERNS:
        flags = re.MULTILINE | re.IGNORECASE
        compiled = re.compile(source, flags)

        def own(i: int, compiled: re.Pattern[str] = compiled) -> bool:
            p = thread.posts[i]
            fields = [p.text or ""]  # an empty text is still a text (`^$` finds it)
            author = p.author
            if author is not None:  # missing names and handles are not searched
                if author.display_name:
                    fields.append(author.display_name)
                if author.handle:
                    fields.append("@" + author.handle)
            return any(compiled.search(f) for f in fields)

        expected = [
            i for i in thread.preorder if own(i) or any(own(q) for q in thread.quoted_posts(i))
        ]
        result = run_query(parse_query(f"/{source}/", thread), index)
        assert result.matches == expected, source


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text("ab \nx", max_size=12), min_size=1, max_size=30),
    st.sampled_from(PATTERNS),
)
def test_joined_scan_agrees_with_each_text_alone(texts: list[str], source: str) -> None:
    """One timed call scans many texts (a match per line); what it finds per text is
    exactly what searching each text alone finds, for matches that cross lines and
    texts too."""
    regex = compile_regex(source)
    expected = [regex.compiled.search(t) is not None for t in texts]
    assert match_module._texts_hit(regex, texts, Budget(60.0)) == expected


def test_pattern_slow_only_on_the_joined_text_goes_text_by_text() -> None:
    """`(?s)a.*?z` is quick on each post, but on the joined text runs from every a to the
    one z at the very end (seconds here): the joined scan gives up on the chunk and the
    rest goes post by post, well within the budget."""
    posts = [sparse_post(f"p{k}", text="a" + "b" * 100) for k in range(4000)]
    thread = load_document(doc(*posts, sparse_post("z", text="a then z")))
    assert ids("/(?s)a.*?z/", thread, SearchIndex(thread)) == ["z"]


def test_regex_falls_back_to_one_text_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    thread = random_thread(4)
    index = SearchIndex(thread)
    query = parse_query("/a[^x]*b/", thread)
    joined = run_query(query, index).matches
    monkeypatch.setattr(match_module, "JOIN_SLICE", 0.0)
    assert run_query(query, index).matches == joined


def test_bad_regex_is_an_error_not_a_crash(thread: Thread) -> None:
    for text in ("/(/", "/[a-/", "/a**/", "/(?P<1>x)/", "/abc\\"):
        with pytest.raises(QueryError) as caught:
            parse_query(text, thread)
        assert caught.value.message.startswith("bad regular expression: "), text


def test_catastrophic_regex_is_refused_at_once(thread: Thread) -> None:
    with pytest.raises(QueryError, match="exponential"):
        parse_query("/(a+)+$/", thread)


def stopped(text: str, thread: Thread, **kw: Any) -> QueryError:
    """The error of a query stopped for running past its (tiny) regex budget."""
    query = parse_query(text, thread)
    with pytest.raises(QueryError) as caught:
        run_query(query, SearchIndex(thread), **kw)
    error = caught.value
    assert error.message.startswith("search stopped: pattern too slow"), error.message
    return error


# Patterns the shape checks let through that take exponential (the first two) or cubic
# time on texts made for them: each runs for minutes, or longer, without a timeout.
RUNAWAY = [
    ("(a{1,16}){1,16}b", "a" * 300),
    ("(a{1,16}){1,16}$", "a" * 300 + "!"),
    ("a.*b.*c", "ab " * 3000),
]


@pytest.mark.parametrize(("source", "text"), RUNAWAY)
def test_runaway_regex_is_stopped_and_reported(source: str, text: str) -> None:
    thread = load_document(doc(sparse_post("p", text=text)))
    error = stopped(f"a /{source}/", thread, budget=0.05)
    assert (error.start, error.end) == (2, 2 + len(source) + 2)  # points at the /regex/


def test_runaway_regex_is_stopped_after_a_nearby_match(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue #13 item 8: the joined search finds quick matches, then meets the runaway text;
    every path on from there (the joined text, then text by text) has the timeout."""
    near = [sparse_post(f"n{k}", text="aab") for k in range(50)]
    thread = load_document(doc(*near, sparse_post("slow", text="a" * 300)))
    stopped("/(a{1,16}){1,16}b/", thread, budget=0.05)
    monkeypatch.setattr(match_module, "JOIN_SLICE", 0.0)  # straight to text by text
    stopped("/(a{1,16}){1,16}b/", thread, budget=0.05)
    # Not joinable (a look-ahead): text by text from the start.
    stopped("/(?=a)(a{1,16}){1,16}b/", thread, budget=0.05)


def test_runaway_regex_in_an_author_name_is_stopped() -> None:
    authors = {"x": {"handle": "x", "display_name": "a" * 300}}
    thread = load_document(doc(sparse_post("p", author="x", text="plain"), authors=authors))
    stopped("/(a{1,16}){1,16}b/", thread, budget=0.05)


def test_within_budget_the_same_patterns_find_their_matches() -> None:
    thread = load_document(doc(sparse_post("p", text="a" * 20 + "b"), sparse_post("q", text="zzz")))
    query = parse_query("/(a{1,16}){1,16}b/", thread)
    assert run_query(query, SearchIndex(thread), budget=60.0).matches == [thread.by_id["p"]]


def test_cancel_stops_a_runaway_regex_call() -> None:
    """A newer keystroke (cancel) ends a run stuck in one regex call, well before its
    budget: the cancel check is read between the slices of the call."""
    thread = load_document(doc(sparse_post("p", text="a" * 300)))
    query = parse_query("/(a{1,16}){1,16}b/", thread)
    calls = 0

    def cancel() -> bool:
        nonlocal calls
        calls += 1
        return calls > 3

    with pytest.raises(QueryCancelled):
        # A budget of an hour: only the cancel check can end this run.
        run_query(query, SearchIndex(thread), cancel=cancel, budget=3600.0)
    assert calls == 4


def test_default_budget_is_read_at_run_time(monkeypatch: pytest.MonkeyPatch) -> None:
    thread = load_document(doc(sparse_post("p", text="a" * 300)))
    monkeypatch.setattr(match_module, "SEARCH_BUDGET", 0.05)
    assert "(over 0.05 s): /(a{1,16}){1,16}b/;" in stopped("/(a{1,16}){1,16}b/", thread).message


# --- highlights -----------------------------------------------------------------------


def pieces(query_text: str, text: str, thread: Thread) -> list[str]:
    query = parse_query(query_text, thread)
    return [text[a:b] for a, b in highlight_spans(query, text)]


def test_highlights_words_phrases_and_accents(thread: Thread) -> None:
    text = "Die Straße zum Café, ﬁnal: café"
    assert pieces("strasse cafe fi", text, thread) == ["Straße", "Café", "ﬁ", "café"]
    assert pieces("Cafe", text, thread) == ["Café"]  # smart case, accent-blind
    assert pieces('"zum café"', text, thread) == ["zum Café"]
    assert pieces("-cafe straße", text, thread) == ["Straße"]  # negated: not shown
    assert pieces("from:zoe", text, thread) == []


def test_highlights_merge_overlaps_and_regex(thread: Thread) -> None:
    assert pieces("inter internal", "Internal use", thread) == ["Internal"]
    assert pieces("/n.e/ use", "Internal use", thread) == ["nte", "use"]
    assert pieces("/x*/", "abc", thread) == []  # empty matches draw nothing
    assert pieces("/Inter/", "internal Internal", thread) == ["Inter"]


def test_highlights_of_a_runaway_regex_stop_and_then_rest(thread: Thread) -> None:
    """Highlights are drawn on the UI thread: each call on a runaway text returns (its
    budget stops it), and a pattern that keeps running out stops highlighting for a
    while, even where it would match at once, instead of slowing every frame."""
    query = parse_query("/(a{1,16}){1,16}b/", thread)
    assert pieces("/(a{1,16}){1,16}b/", "xaab", thread) == ["aab"]
    for _ in range(100):
        assert highlight_spans(query, "a" * 300) == []
        if highlight_spans(query, "aab") == []:
            break
    else:
        pytest.fail("a pattern that keeps timing out went on highlighting")


def test_highlights_author_fields(thread: Thread) -> None:
    assert pieces("@miles", "@Miles_Brundage", thread) == ["@Miles"]
    assert pieces("muller", "Zoë Müller", thread) == ["Müller"]


# --- navigation -----------------------------------------------------------------------


def test_next_previous_and_counter(thread: Thread, index: SearchIndex) -> None:
    result = run_query(parse_query("risk", thread), index)  # r, a
    at = thread.by_id
    assert [thread.posts[i].id for i in result.matches] == ["r", "a"]
    assert result.counter(at["a"]) == "2/2"
    assert result.counter(at["q"]) == "-/2"
    assert result.ordinal(at["r"]) == 1 and at["a"] in result
    assert result.next_match(at["r"]) == at["a"]
    assert result.next_match(at["a"]) == at["r"]  # wraps
    assert result.next_match(at["a"], wrap=False) is None
    assert result.next_match(at["b"]) == at["r"]
    assert result.previous_match(at["b"]) == at["a"]
    assert result.previous_match(at["r"]) == at["a"]
    assert result.previous_match(at["r"], wrap=False) is None
    assert result.next_match(None) == at["r"] and result.previous_match(None) == at["a"]
    assert result.previous_match(at["gone"]) == at["a"]  # not in the tree: from the end
    empty = run_query(parse_query("zzz", thread), index)
    assert empty.next_match(at["r"]) is None and empty.counter(at["r"]) == "-/0"


# --- cancelling -----------------------------------------------------------------------


def big_thread(n: int) -> Thread:
    return load_document(doc(*(sparse_post(f"p{k}", text=f"post number {k}") for k in range(n))))


def test_cancel_stops_a_run_between_chunks() -> None:
    thread = big_thread(3 * match_module.CHUNK)
    index = SearchIndex(thread)
    query = parse_query("number -7", thread)
    calls = 0

    def cancel() -> bool:
        nonlocal calls
        calls += 1
        return calls > 2  # let two chunks through, then a newer keystroke arrives

    with pytest.raises(QueryCancelled):
        run_query(query, index, cancel=cancel)
    assert calls == 3
    assert run_query(query, index, cancel=lambda: False).count > 0


def test_cancel_stops_building_the_index() -> None:
    with pytest.raises(QueryCancelled):
        SearchIndex(big_thread(10), cancel=lambda: True)


def test_index_is_read_only_after_build(thread: Thread, index: SearchIndex) -> None:
    before = (list(index.folded), list(index.exact_text))
    for text in ("final", "Final", "/f/", "-x from:zoe"):
        run_query(parse_query(text, thread), index)
    assert (index.folded, index.exact_text) == before


WORDS = ["Audit", "audit", "aüdit", "Straße", "strasse", "vie", "view", "VIEWS", "Vi", "x"]


def test_typing_on_narrows_the_last_result_and_finds_the_same_posts() -> None:
    """Each keystroke's query run within the previous keystroke's result finds exactly
    what a full pass finds: typed letter by letter, with operators, case and accents."""
    rng = random.Random(11)
    posts = []
    for k in range(300):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(1, 6)))
        fields: dict[str, Any] = {"text": text, "created_at": f"2026-05-28T10:{k % 60:02d}:00Z"}
        if k and rng.random() < 0.7:
            fields["reply_to"] = f"p{rng.randrange(k)}"
        if k > 2 and rng.random() < 0.2:
            fields["quotes"] = [f"p{rng.randrange(k)}"]
        fields["metrics"] = {"views": rng.randrange(0, 3000)}
        posts.append(sparse_post(f"p{k}", **fields))
    thread = load_document(doc(*posts))
    index = SearchIndex(thread)
    typed = [
        "audit views:>100",
        "Audit",
        "aud -x",
        "vie view",
        "VIEWS is:root",
        "Vi",
        '"vie view" audit',
        "stras",
        "views:>1000 au",
        "/vi+e/ view",
    ]
    narrowed = 0
    for text in typed:
        previous = None
        for end in range(1, len(text) + 1):
            try:
                query = parse_query(text[:end], thread)
            except QueryError:
                continue
            full = run_query(query, index)
            fast = run_query(query, index, within=previous)
            assert fast.matches == full.matches, text[:end]
            assert fast.member == full.member, text[:end]
            if previous is not None and match_module.narrows(query, previous.query):
                narrowed += 1
            previous = full
    assert narrowed > 20  # the narrowing path really ran

"""The detail pane's word wrapper (`threadtui.ui.text.wrap_offsets` and `wrap`), called
directly: where lines end, by cell width, and what is never cut."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len, split_graphemes
from textual.content import Content, Span

from threadtui.ui.text import wrap, wrap_offsets

FAMILY = "🧑\u200d🤝\u200d🧑"  # one ZWJ sequence: 5 code points, 2 cells
PARENTS = "👨\u200d👩\u200d👧"


def lines(text: str, width: int) -> list[str]:
    return [line.plain for line in wrap(Content(text), width)]


def test_hyphenated_words_wrap_after_a_hyphen_not_inside_a_part() -> None:
    # The seed's sentence at the width of the 80x24 detail pane (38 cells), which used to
    # end a line with "models-that-one-might-plausibly-want-to-d" and start one "eploy".
    text = (
        "I guess you don't literally mean all internal models or ASAP - you mean all "
        "models-that-one-might-plausibly-want-to-deploy (e.g., not helpful-only ones)"
    )
    got = lines(text, 38)
    assert got == [
        "I guess you don't literally mean all",
        "internal models or ASAP - you mean all",
        "models-that-one-might-plausibly-want-",
        "to-deploy (e.g., not helpful-only",
        "ones)",
    ]
    assert lines("want-to-deploy now", 8) == ["want-to-", "deploy", "now"]
    assert lines("en\u2013dash em\u2014dash", 8) == ["en\u2013dash", "em\u2014dash"]


def test_words_move_whole_to_the_next_line() -> None:
    assert lines("alpha beta gamma delta", 11) == ["alpha beta", "gamma delta"]
    # Spaces where a line ends are dropped; spaces inside a line are kept.
    assert lines("one  two   three", 8) == ["one  two", "three"]
    # Indentation stays with the first word.
    assert lines("    indented text", 12) == ["    indented", "text"]


def test_a_hyphen_that_does_not_join_two_words_is_no_place_to_break() -> None:
    assert lines("x -5 --flag", 3) == ["x", "-5", "--f", "lag"]
    assert lines("a--b", 3) == ["a--", "b"]  # cut only because it cannot fit
    assert lines("re-", 2) == ["re", "-"]


def test_a_word_wider_than_a_line_is_cut_only_then() -> None:
    assert lines("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]
    # It starts on a line of its own: the short word before it is not filled up.
    assert lines("ab " + "x" * 12, 10) == ["ab", "x" * 10, "xx"]
    assert lines("ab " + "x" * 12 + " cd", 10) == ["ab", "x" * 10, "xx cd"]


def test_newlines_and_blank_lines_are_kept() -> None:
    assert lines("one\n\ntwo three", 5) == ["one", "", "two", "three"]
    assert lines("", 5) == [""]


def test_cjk_wraps_by_cell_width_between_characters() -> None:
    text = "漢字かなカナ全角テキスト"  # 12 wide characters, no spaces
    got = lines(text, 5)
    assert all(cell_len(line) <= 5 for line in got)
    assert got == ["漢字", "かな", "カナ", "全角", "テキ", "スト"]
    # A latin word before CJK text is not cut: the CJK text breaks instead.
    assert lines("CJK 漢字かな", 7) == ["CJK 漢", "字かな"]


def test_cjk_punctuation_never_starts_a_line() -> None:
    got = lines("テスト。終わり、次", 6)
    assert all(cell_len(line) <= 6 for line in got)
    assert not any(line.startswith(("。", "、")) for line in got), got
    assert "".join(got) == "テスト。終わり、次"


def test_a_wide_character_on_a_one_cell_line_has_a_line_of_its_own() -> None:
    assert lines("漢字", 1) == ["漢", "字"]
    assert lines("漢字", 0) == ["漢", "字"]
    assert lines("ab", 0) == ["a", "b"]


@pytest.mark.parametrize("width", [1, 2, 3, 4, 5, 7])
def test_zwj_emoji_flags_and_combining_marks_are_never_split(width: int) -> None:
    text = f"{FAMILY}{FAMILY}{PARENTS} flag 🇺🇦🇺🇦 cafe\u0301 e\u0301e\u0301e\u0301e\u0301 👍🏽👍🏽"
    wholes = {FAMILY, PARENTS, "🇺🇦", "e\u0301", "👍🏽"}
    offsets = wrap_offsets(text, width)
    for offset in offsets:
        for whole in wholes:
            start = text.find(whole)
            while start >= 0:
                assert not start < offset < start + len(whole), (offset, whole)
                start = text.find(whole, start + 1)
    for line in lines(text, width):
        graphemes, cells = split_graphemes(line)
        # Over the width only when a single grapheme (a flag is one) is wider than the line.
        assert cells <= width or len(graphemes) == 1 or line == "🇺🇦", (width, line)


def test_styles_follow_the_text_across_lines() -> None:
    text = "see well-known-thing here"
    start = text.index("well")
    content = Content(text, [Span(start, start + len("well-known-thing"), "bold")])
    got = wrap(content, 11)
    assert [line.plain for line in got] == ["see well-", "known-thing", "here"]
    assert got[0].spans == [Span(4, 9, "bold")]
    assert got[1].spans == [Span(0, 11, "bold")]
    assert got[2].spans == []


WORDS = st.sampled_from(
    [
        "a",
        "word",
        "longer",
        "well-known",
        "x-y-z",
        "state-of-the-art",
        "漢字",
        "かなカナ",
        FAMILY,
        "cafe\u0301",
        "supercalifragilistic",
    ]
)


@settings(max_examples=200, deadline=None)
@given(words=st.lists(WORDS, max_size=30), width=st.integers(1, 30))
def test_lines_fit_and_words_that_fit_are_never_cut(words: list[str], width: int) -> None:
    text = " ".join(words)
    offsets = wrap_offsets(text, width)
    assert offsets == sorted(set(offsets)) and all(0 < o < len(text) for o in offsets)
    for line in lines(text, width):
        graphemes, cells = split_graphemes(line)
        assert cells <= width or len(graphemes) == 1
    # A word without a hyphen that fits a line is never cut, wide or not (CJK words may
    # break between characters, so only the one-cell words are held to it).
    position = 0
    for word in words:
        end = position + len(word)
        if "-" not in word and word.isascii() and len(word) <= width:
            assert not any(position < o < end for o in offsets), (word, offsets)
        position = end + 1

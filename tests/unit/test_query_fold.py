"""Folding: what counts as the same text for search, and mapping matches back for drawing."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from threadtui.query.fold import (
    decompose,
    find_all,
    fold,
    fold_with_map,
    has_upper,
    original_span,
    squash_spaces,
    unaccent,
)


def spans_of(text: str, needle: str, *, casefold: bool = True) -> list[str]:
    """The pieces of `text` that a folded search for `needle` highlights."""
    folded, offsets = fold_with_map(text, casefold=casefold)
    wanted = fold(needle) if casefold else unaccent(needle)
    return [text[slice(*original_span(offsets, a, b))] for a, b in find_all(folded, wanted)]


def test_fold_case_accents_compatibility_and_spaces() -> None:
    assert fold("Ünïcödé") == "unicode"
    assert fold("STRASSE") == fold("Straße") == "strasse"
    assert fold("ﬁne") == "fine"
    assert fold("Ｗｉｄｅ") == "wide"
    assert fold("Σίσυφος") == fold("ΣΊΣΥΦΟΣ") == "σισυφοσ"
    assert fold("a\n\n b\tc\u00a0d") == "a b c d"
    # Decomposed input (e + combining acute) folds like the composed form.
    assert fold("cafe\u0301") == fold("café") == "cafe"


def test_kana_voicing_marks_are_kept() -> None:
    # が and か are different words, not an accent apart.
    assert fold("が") != fold("か")


def test_unaccent_keeps_case_and_decompose_returns_the_same_object() -> None:
    assert unaccent("Zoë  Müller\n") == "Zoe Muller "
    text = "plain ascii text"
    assert decompose(text) is text
    emoji = "no accents here 🎉"
    assert decompose(emoji) is emoji


def test_squash_spaces_handles_unusual_whitespace() -> None:
    assert squash_spaces("a\u2028\u2029b") == "a b"
    assert squash_spaces("  x  ") == " x "
    assert squash_spaces("a\u200db") == "a\u200db"  # not whitespace, not printable


def test_has_upper() -> None:
    assert has_upper("Trump")
    assert has_upper("ǅ")  # titlecase counts
    assert not has_upper("straße 123 ß")


def test_spans_map_back_through_expansions() -> None:
    assert spans_of("Die Straße ist lang", "strasse") == ["Straße"]
    # A match that ends inside ß's expansion covers the whole ß.
    assert spans_of("Straße", "stras") == ["Straß"]
    assert spans_of("ﬁne ﬁsh", "fi") == ["ﬁ", "ﬁ"]
    assert spans_of("café crème", "cafe") == ["café"]
    # The combining mark after the last letter belongs to the highlight.
    assert spans_of("cafe\u0301 x", "cafe") == ["cafe\u0301"]
    assert spans_of("Kohl", "ö") == ["o"]  # the query is folded too
    assert spans_of("Zoe and Zoë", "zoë") == ["Zoe", "Zoë"]
    assert spans_of("two\n\nlines", "two lines") == ["two\n\nlines"]


def test_case_sensitive_map() -> None:
    assert spans_of("Über uber ÜBER", "Uber", casefold=False) == ["Über"]


def test_map_offsets_shape() -> None:
    folded, offsets = fold_with_map("aß")
    assert folded == "ass"
    assert offsets == (0, 1, 1, 2)


tricky = st.text(
    alphabet=st.sampled_from(
        list("aAzZ ßẞﬁéÉe\u0301\u0308İıΣσς\n\t\u00a0\u2003Ⅻ①が\u3099🎉\u200dǅ")
    ),
    max_size=30,
)


@given(tricky)
def test_fold_with_map_agrees_with_fold(text: str) -> None:
    folded, offsets = fold_with_map(text)
    assert folded == fold(text)
    assert len(offsets) == len(folded) + 1
    assert offsets[-1] == len(text)
    assert list(offsets) == sorted(offsets)
    exact, exact_offsets = fold_with_map(text, casefold=False)
    assert exact == unaccent(text)
    assert len(exact_offsets) == len(exact) + 1


@given(tricky, tricky, tricky)
def test_folded_containment_survives_context(before: str, middle: str, after: str) -> None:
    # What search relies on: a piece of a text, folded, is found in the folded text,
    # unless the fold of the piece starts or ends with a space that merges differently.
    needle = fold(middle).strip()
    if needle:
        assert needle in fold(before + middle + after)

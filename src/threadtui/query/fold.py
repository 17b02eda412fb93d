"""Text folding for search: compare what people mean, not the code points they typed.

`fold` is what both the query and the posts go through before a substring test:

1. NFKD, so compatibility forms compare equal to their plain letters (ﬁ → fi, ① → 1,
   full-width Ａ → A, no-break space → space);
2. drop combining marks (canonical combining class ≠ 0), so é, ö, ñ compare equal to
   e, o, n, in both directions: the query is folded too, so `ö` finds `o` and `o` finds `ö`.
   The kana voicing marks (U+3099, U+309A) are kept: が and か are different words, not
   an accent away from each other;
3. collapse every run of whitespace into one space, so a phrase finds its words across
   a line break;
4. casefold, so ß matches ss and Σ/σ/ς all match.

Smart case keeps step 4 out: a query term with an upper-case letter is compared against
`unaccent` text (steps 1-3 only), so `Trump` is case-sensitive yet still accent-blind.

`fold_with_map` folds one character at a time and records where each folded character
came from, so a span found in folded text can be drawn on the original text.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import cache, lru_cache

_normalize = unicodedata.normalize
_is_normalized = unicodedata.is_normalized

# Runs of whitespace, or any single whitespace character that is not a plain space.
_WS = re.compile(r"\s{2,}|[^\S ]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_KEPT_MARKS = frozenset({0x3099, 0x309A})


@cache
def _mark_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Character classes of the combining marks: (BMP, astral).

    Built on first use (about 50 ms) rather than at import, and split in two because a
    class that reaches past U+FFFF makes `re` test ranges one by one: one BMP class runs
    at memchr-like speed, and the astral class only runs on text that has astral characters.
    """
    ranges: list[list[int]] = []
    for code in range(sys.maxunicode + 1):
        if code in _KEPT_MARKS or not unicodedata.combining(chr(code)):
            continue
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])

    def char_class(parts: list[list[int]]) -> re.Pattern[str]:
        body = "".join(f"\\U{a:08x}" if a == b else f"\\U{a:08x}-\\U{b:08x}" for a, b in parts)
        return re.compile(f"[{body}]+")

    bmp = [[a, min(b, 0xFFFF)] for a, b in ranges if a <= 0xFFFF]
    astral = [[max(a, 0x10000), b] for a, b in ranges if b > 0xFFFF]
    return char_class(bmp), char_class(astral)


def decompose(text: str) -> str:
    """Steps 1-2 of folding: compatibility forms and accents, keeping case and whitespace.

    Returns `text` itself (not a copy) when nothing changes, as for all ASCII text.
    """
    if text.isascii():
        return text
    decomposed = _normalize("NFKD", text)
    if not decomposed.isascii():
        bmp, astral = _mark_patterns()
        decomposed = bmp.sub("", decomposed)
        if _ASTRAL.search(decomposed) is not None:
            decomposed = astral.sub("", decomposed)
    return text if decomposed == text else decomposed


def squash_spaces(text: str) -> str:
    """Step 3 of folding: every run of whitespace becomes one space."""
    # `_WS.sub` on every post was most of the index build: plain `str` methods do the
    # usual cases (newlines, tabs, double spaces) several times faster. `isprintable()`
    # is false for any whitespace but the ASCII space, so the fallback sees all others.
    if not text.isprintable():
        if "\n" in text:
            text = text.replace("\n", " ")
        if "\t" in text:
            text = text.replace("\t", " ")
        if not text.isprintable():
            return _WS.sub(" ", text)
    while "  " in text:
        text = text.replace("  ", " ")
    return text


def unaccent(text: str) -> str:
    """Steps 1-3 of folding: compatibility forms, accents and whitespace, keeping case."""
    return squash_spaces(decompose(text))


def fold(text: str) -> str:
    """Fold `text` for case- and accent-insensitive comparison (see the module doc)."""
    if text.isascii():
        # For ASCII, lower() is casefold() and NFKD and accents have nothing to do.
        return squash_spaces(text.lower())
    return fold_decomposed(decompose(text))


def fold_decomposed(decomposed: str) -> str:
    """`fold` for text that already went through `decompose` (saves doing it twice)."""
    folded = squash_spaces(decomposed).casefold()
    # Case folding can produce composed or compatibility characters again (rarely: İ → i̇).
    if not folded.isascii() and not _is_normalized("NFKD", folded):
        folded = unaccent(folded)
    return folded


def has_upper(text: str) -> bool:
    """True when `text` has a letter with a lower-case form: smart case turns case on."""
    return text != text.lower()


@lru_cache(maxsize=8192)
def _fold_char(char: str, casefold: bool) -> str:
    return fold(char) if casefold else unaccent(char)


@lru_cache(maxsize=512)
def fold_with_map(text: str, *, casefold: bool = True) -> tuple[str, tuple[int, ...]]:
    """Fold `text` and say where each folded character came from.

    Returns `(folded, offsets)`: `offsets[k]` is the index in `text` of the character
    that produced folded character k, and `offsets[len(folded)] == len(text)`. `folded`
    equals `fold(text)` (or `unaccent(text)` when `casefold` is false). Cached: the UI
    asks again for the same rows on every repaint.
    """
    out: list[str] = []
    offsets: list[int] = []
    after_space = False
    for index, char in enumerate(text):
        if char.isascii() and not char.isspace():
            out.append(char.lower() if casefold else char)
            offsets.append(index)
            after_space = False
            continue
        for piece in _fold_char(char, casefold):
            if piece == " ":
                if after_space:
                    continue
                after_space = True
            else:
                after_space = False
            out.append(piece)
            offsets.append(index)
    offsets.append(len(text))
    return "".join(out), tuple(offsets)


def original_span(offsets: tuple[int, ...], start: int, end: int) -> tuple[int, int]:
    """Map the folded span [start, end) back onto the original text.

    A span that starts or ends inside the expansion of one character (the second s of ß)
    covers the whole character, and the end takes in the combining marks that followed
    the last matched character, so a highlight of `e` in `é` (e + U+0301) covers both.
    """
    if end <= start:
        return offsets[start], offsets[start]
    last_source = offsets[end - 1]
    k = end
    while offsets[k] <= last_source:
        k += 1
    return offsets[start], offsets[k]


def find_all(haystack: str, needle: str) -> list[tuple[int, int]]:
    """Non-overlapping occurrences of `needle` in `haystack`, as (start, end) spans."""
    spans: list[tuple[int, int]] = []
    if not needle:
        return spans
    size = len(needle)
    position = haystack.find(needle)
    while position >= 0:
        spans.append((position, position + size))
        position = haystack.find(needle, position + size)
    return spans

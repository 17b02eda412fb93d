"""Turn a post's text into styled `Content` without ever parsing it as markup.

Styles are attached as spans over the plain text, so `[bold]` or `[@click=app.quit]` in a
post is only ever characters on screen.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from itertools import accumulate

from rich.cells import split_graphemes
from textual.content import Content, Span

Spans = Callable[[str], Sequence[tuple[int, int]]]

URL = re.compile(r"https?://[^\s<>\"'\u2018\u2019\u201c\u201d]+", re.IGNORECASE)
# A mention starts a word: "a@b.com" is an address, not a mention of @b.
MENTION = re.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?")
HASHTAG = re.compile(r"(?<![\w#&])#\w+")
_TRAILING = ".,;:!?)]}'\"’”…*"
_CLOSERS = {")": "(", "]": "[", "}": "{"}
LINK_STYLE = "underline $text-accent"
MENTION_STYLE = "bold $text-secondary"

MAX_SHOWN_CHARS = 50_000
"""Longer texts are cut in the detail pane: wrapping megabytes on every cursor move would
freeze the UI, and nobody reads a 50 MB post in a terminal pane."""


def url_end(url: str) -> str:
    """`url` without the punctuation after it: a sentence's full stop, the bracket around
    it, Markdown's `**`; but a closing bracket the URL opened stays (Wikipedia's
    `/wiki/Foo_(bar)`, even inside a Markdown link `[x](…/Foo_(bar))`)."""
    end = len(url)
    # Counted once, then kept up to date: a URL of a million ")" costs one pass.
    opened = {closer: url.count(opener) for closer, opener in _CLOSERS.items()}
    closed = {closer: url.count(closer) for closer in _CLOSERS}
    while end and url[end - 1] in _TRAILING:
        last = url[end - 1]
        if last in _CLOSERS:
            if opened[last] >= closed[last]:
                break
            closed[last] -= 1
        end -= 1
    return url[:end]


def find_links(text: str) -> list[str]:
    """URLs in a post, in order, without trailing punctuation, each once."""
    seen: dict[str, None] = {}
    for match in URL.finditer(text):
        seen.setdefault(url_end(match.group()), None)
    return list(seen)


def _entity_spans(text: str) -> list[Span]:
    spans: list[Span] = []
    for match in URL.finditer(text):
        url = url_end(match.group())
        spans.append(Span(match.start(), match.start() + len(url), LINK_STYLE))
    for match in MENTION.finditer(text):
        spans.append(Span(match.start(), match.end(), MENTION_STYLE))
    for match in HASHTAG.finditer(text):
        spans.append(Span(match.start(), match.end(), "$text-secondary"))
    return spans


def _named_spans(text: str, words: Sequence[str], style: str) -> list[Span]:
    """Every whole-word occurrence of each of `words` (a link's shown text, an @mention the
    source named, which the patterns may miss: `@user@server`, a shortened `example.com/…`)."""
    spans: list[Span] = []
    for word in dict.fromkeys(words):
        if not word:
            continue
        start = text.find(word)
        while start != -1:
            end = start + len(word)
            before = text[start - 1] if start else " "
            after = text[end] if end < len(text) else " "
            if not (before.isalnum() or before == "@") and not (after.isalnum() or after == "@"):
                spans.append(Span(start, end, style))
            start = text.find(word, end)
    return spans


def mention_words(handles: Sequence[str | None]) -> list[str]:
    """How the text may show each mentioned handle: `@user@server` and `@user`."""
    words: list[str] = []
    for handle in handles:
        if handle:
            handle = handle.lstrip("@")
            words.append(f"@{handle}")
            local = handle.partition("@")[0]
            if local and local != handle:
                words.append(f"@{local}")
    # Longest first: "@user@server" is styled whole, not only its "@user".
    return sorted(words, key=len, reverse=True)


def styled_text(
    text: str,
    highlight: Spans | None = None,
    *,
    limit: int = MAX_SHOWN_CHARS,
    link_texts: Sequence[str] = (),
    mentions: Sequence[str] = (),
) -> Content:
    """A post's text with links, mentions and hashtags styled and search matches marked.

    `link_texts` and `mentions` are what the source says the text shows as links and
    mentions (see `mention_words`), styled even where the patterns do not find them."""
    cut = len(text) - limit if len(text) > limit else 0
    if cut:
        text = text[:limit]
    text = text.expandtabs(4)
    spans = _entity_spans(text)
    if link_texts:
        spans.extend(_named_spans(text, link_texts, LINK_STYLE))
    if mentions:
        spans.extend(_named_spans(text, mentions, MENTION_STYLE))
    if highlight is not None:
        spans.extend(Span(start, end, "bold reverse") for start, end in highlight(text))
    content = Content(text, spans)
    if cut:
        content = content + Content.styled(
            f"\n… {cut:,} more characters not shown", "italic $text-muted"
        )
    return content


def marked(text: str, style: str, highlight: Spans | None) -> Content:
    """One styled run of untrusted text (a name, a handle), with search matches marked."""
    spans = [Span(0, len(text), style)] if style and text else []
    if highlight is not None:
        spans.extend(Span(start, end, "bold reverse") for start, end in highlight(text))
    return Content(text, spans)


# --- wrapping -------------------------------------------------------------------------------

# Where a line may end inside a paragraph: after a run of spaces, and after a hyphen or
# dash that joins two words ("want-to-deploy" may end a line at "want-"; "-5" and "--" never
# break). Wide characters (CJK, emoji) add their own opportunities, see `_wide_breaks`.
_BREAK = re.compile(r"(?<=\s)(?=\S)|(?<=[^\s\-\u2010\u2013\u2014][\-\u2010\u2013\u2014])(?=\w)")
# No line starts with closing punctuation, and none ends with an opening bracket (kinsoku).
_NO_BREAK_BEFORE = frozenset(
    "、。，．・：；？！）」』】〕〉》〙〗｝］ー…‥.,;:!?)]}"
    "ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ"  # small kana
)
_NO_BREAK_AFTER = frozenset("（「『【〔〈《〘〖｛［([{")
_REGIONAL = range(0x1F1E6, 0x1F200)


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


class _Cells:
    """A line's cells: where each grapheme starts and how many cells lie before each index.

    Only the non-ASCII stretches go through Rich's grapheme segmentation (which keeps ZWJ
    sequences, variation selectors and combining marks whole and measures them as the
    screen will); every ASCII character is one grapheme of one cell, as controls were
    replaced at load. A flag (two regional indicators) is joined here.
    """

    __slots__ = ("before", "inside", "wide")

    def __init__(self, line: str) -> None:
        widths = [1] * len(line)
        self.inside: set[int] = set()
        """Indexes that do not start a grapheme: no line may start there."""
        self.wide: list[tuple[int, int]] = []
        """(start, end) of every grapheme two or more cells wide."""
        for match in _NON_ASCII.finditer(line):
            # One ASCII character of context: a combining mark or joiner may follow it.
            offset = max(0, match.start() - 1)
            island = line[offset : match.end()]
            spans, _ = split_graphemes(island)
            flag_open = False
            for start, end, cells in spans:
                start += offset
                end += offset
                regional = end - start == 1 and ord(line[start]) in _REGIONAL
                if regional and flag_open:
                    # The second half of a flag: its cell joins the first's.
                    self.inside.add(start)
                    flag_open = False
                    widths[start] = cells
                    continue
                flag_open = regional
                widths[start] = cells
                if end - start > 1:
                    # Marks, joiners and selectors: their cells are counted at the start.
                    widths[start + 1 : end] = [0] * (end - start - 1)
                    self.inside.update(range(start + 1, end))
                if cells >= 2:
                    self.wide.append((start, end))
        self.before = [0, *accumulate(widths)]
        """Cells before each index (and the whole line's at the end)."""


def _wide_breaks(line: str, cells: _Cells) -> list[int]:
    """Break opportunities around wide characters: CJK text has no spaces between words."""
    found: list[int] = []
    inside = cells.inside
    for start, end in cells.wide:
        char = line[start]
        if start and char not in _NO_BREAK_BEFORE:
            previous = line[start - 1]
            if not previous.isspace() and previous not in _NO_BREAK_AFTER:
                found.append(start)
        if end < len(line) and end not in inside and char not in _NO_BREAK_AFTER:
            following = line[end]
            if not following.isspace() and following not in _NO_BREAK_BEFORE:
                found.append(end)
    return found


def wrap_offsets(line: str, width: int) -> list[int]:
    """Where to cut one line of text (no newline in it) so each piece fits `width` cells.

    Lines end at spaces and after hyphens; a word is cut only when it is wider than a whole
    line, and then between characters, never inside a grapheme (a ZWJ emoji stays whole).
    Spaces at a cut stay at the end of the line before it, for the caller to strip. A
    grapheme wider than `width` (a wide character on a one-cell line) gets a line of its own.
    """
    width = max(1, width)
    inside: set[int]
    if line.isascii():
        if len(line) <= width:
            return []
        before: Sequence[int] = range(len(line) + 1)
        inside = set()
        breaks = [m.start() for m in _BREAK.finditer(line)]
    else:
        cells = _Cells(line)
        before = cells.before
        if before[-1] <= width:
            return []
        inside = cells.inside
        opportunities = {m.start() for m in _BREAK.finditer(line)}
        opportunities.update(_wide_breaks(line, cells))
        # Only between graphemes: a ZWJ sequence or a flag is never split.
        breaks = sorted(opportunities - inside)

    # Indentation belongs to the first word: a line of nothing but spaces helps no one.
    indent = len(line) - len(line.lstrip())
    offsets: list[int] = []
    line_start = segment_start = 0
    for segment_end in [*(b for b in breaks if b > indent), len(line)]:
        # The segment's cells without the spaces after it: those may hang past the end.
        visible_end = segment_end
        while visible_end > segment_start and line[visible_end - 1].isspace():
            visible_end -= 1
        if before[visible_end] - before[line_start] > width:
            if segment_start > line_start:
                offsets.append(segment_start)
                line_start = segment_start
            if before[visible_end] - before[line_start] > width:
                line_start = _cut_word(before, inside, line_start, visible_end, width, offsets)
        segment_start = segment_end
    return offsets


def _cut_word(
    before: Sequence[int],
    inside: set[int],
    start: int,
    end: int,
    width: int,
    offsets: list[int],
) -> int:
    """Cut a word wider than a line into full lines; returns where its last piece starts."""
    line_start = start
    here = start + 1
    while here < end:
        if here not in inside:
            # The grapheme starting here ends where the next one starts.
            after = here + 1
            while after < end and after in inside:
                after += 1
            if before[after] - before[line_start] > width:
                offsets.append(here)
                line_start = here
            here = after
        else:
            here += 1
    return line_start


def wrap(content: Content, width: int) -> list[Content]:
    """`content` as lines at most `width` cells wide (see `wrap_offsets`), styles kept.

    Every newline starts a line; spaces where a line was cut are dropped.
    """
    lines: list[Content] = []
    for paragraph in content.split("\n", allow_blank=True):
        offsets = wrap_offsets(paragraph.plain, width)
        if not offsets:
            lines.append(paragraph.rstrip())
            continue
        lines.extend(piece.rstrip() for piece in paragraph.divide(offsets))
    return lines

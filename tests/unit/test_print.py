"""`threadtui FILE --print`: exact output for filters, searches and each format."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from hostile_cases import FORBIDDEN, OPENS, Case, canonical, params
from threadtui.cli import main
from threadtui.export.render import md_escape, render_json, render_markdown, render_text
from threadtui.model import Thread, load_bytes, load_path
from threadtui.model.format import SCHEMA, SCHEMA_VERSION
from threadtui.opener import open_thread
from threadtui.query import FilterView, Query, SearchIndex, parse_query, run_query
from threadtui.ui.glyphs import ASCII, UNICODE

DATA = Path(__file__).parents[1] / "data"
SEED = str(DATA / "stories" / "x-story-ai-deployment.txt")
GOLDEN = DATA / "print"


@pytest.mark.parametrize(
    ("args", "golden"),
    [
        ([], "seed-all.txt"),
        (["--from", "ohabryka"], "seed-from-ohabryka.txt"),
        (
            ["--after", "+1h", "--search", "internal", "--format", "markdown"],
            "seed-after-1h-internal.md",
        ),
        (["--filter", "views:>1000 has:quote", "--format", "json"], "seed-views-quotes.json"),
    ],
)
def test_print_matches_golden_output(
    args: list[str], golden: str, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    assert main([SEED, "--print", *args]) == 0
    assert capsysbinary.readouterr().out == (GOLDEN / golden).read_bytes()


def test_print_json_reopens_as_a_thread(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    assert main([SEED, "--print", "--from", "Miles_Brundage", "--format", "json"]) == 0
    out = tmp_path / "miles.json"
    out.write_bytes(capsysbinary.readouterr().out)
    assert main([str(out), "--print"]) == 0
    text = capsysbinary.readouterr().out.decode()
    assert "Miles Brundage @Miles_Brundage · 2026-05-29 00:18 UTC" in text


def test_bad_filter_on_the_command_line_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([SEED, "--print", "--filter", "views:>lots"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("threadtui: --from/--after/--before/--filter: ")
    assert "views:" in err and err.count("\n") == 1
    assert main([SEED, "--search", "/(unclosed/"]) == 2
    assert capsys.readouterr().err.startswith("threadtui: --search: ")


def test_markdown_escaping_keeps_text_inert() -> None:
    assert md_escape("[x](https://evil) *b* <img> `c`") == (
        "\\[x\\](https://evil) \\*b\\* \\<img\\> \\`c\\`"
    )
    assert md_escape("- item\n# heading\n12. twelve\nplain 8.3K - ok") == (
        "\\- item\n\\# heading\n12\\. twelve\nplain 8.3K - ok"
    )


# --- --format json keeps everything the loader kept ---------------------------------------


def round_trip(thread: Thread) -> Thread:
    data = render_json(thread)
    assert not FORBIDDEN.search(data.decode("utf-8")), "an unsafe character was written"
    return load_bytes(data, name="again.json")


@pytest.mark.parametrize("case", params(OPENS))
def test_json_output_reopens_as_the_same_thread(case: Case) -> None:
    thread = open_thread(case.path)
    again = round_trip(thread)
    assert canonical(again) == canonical(thread)
    # And once more: the output of the output is the same bytes.
    assert render_json(again) == render_json(thread)


def test_unknown_fields_survive_json_output(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    path = str(DATA / "hostile" / "unknown-fields.json")
    assert main([path, "--print", "--format", "json"]) == 0
    out = orjson.loads(capsysbinary.readouterr().out)
    post = out["posts"][0]
    assert post["url"] == "https://example.org/a"
    assert (post["lang"], post["score"], post["embed"]) == (
        "en",
        7,
        {"nested": [1, {"x": None}]},
    )
    assert out["thread"]["community"] == "r/x" and out["thread"]["tags"] == ["a"]
    original = orjson.loads(Path(path).read_bytes())
    for key in set(original) - {"schema", "schema_version", "thread", "source", "authors", "posts"}:
        assert out[key] == original[key], key
    assert out["source"] == original["source"]


def test_unknown_metrics_survive_json_output_cleaned() -> None:
    thread = load_path(DATA / "hostile" / "metrics-unknown-keys.json")
    assert thread.posts[0].metrics.views == 10  # read once: the unknown ones must stay
    metrics = orjson.loads(render_json(thread))["posts"][0]["metrics"]
    assert metrics == {
        "views": 10,
        "likes": None,
        "reposts": None,
        "replies": None,
        "quotes": None,
        "score": "high",
        "ratio": 0.5,
        "\ufffd]0;PWNED-KEY\ufffd": [],
        "history": {"1h": 3},
    }


def test_source_and_every_kept_string_are_written_cleaned() -> None:
    hostile = "bidi \u202e C1 \x9b31m esc \x1b]0;T\x07 nul \x00"
    document = {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "thread": {"title": "t", "details": {"k": hostile, "n": [hostile]}, hostile: hostile},
        "source": {"platform": hostile, hostile: {"deep": [hostile]}},
        "authors": {"u": {"handle": "u", hostile: hostile}},
        "posts": [{"id": "a", "text": "x", "author": "u", hostile: [hostile]}],
        hostile: hostile,
    }
    thread = load_bytes(orjson.dumps(document), name="t.json")
    data = render_json(thread).decode("utf-8")
    assert not FORBIDDEN.search(data)
    # Every part is still there, each character that was removed marked.
    assert data.count("bidi \ufffd C1 \ufffd31m esc \ufffd]0;T\ufffd nul \ufffd") == 13
    assert canonical(round_trip(thread)) == canonical(thread)


# --- the tree's glyphs, and why a post is listed ------------------------------------------


def test_print_marks_quotes_with_the_trees_glyph() -> None:
    thread = open_thread(Path(SEED))
    text = render_text(thread)
    assert "»" not in text
    assert text.count(f"    {UNICODE.quote} ") == 6  # the six posts placed under a quote
    ascii_text = render_text(thread, glyphs=ASCII)
    assert UNICODE.quote not in ascii_text
    assert ascii_text.count(f"    {ASCII.quote} ") == 6


def search(thread: Thread, text: str) -> tuple[FilterView, Query]:
    query = parse_query(text, thread)
    return FilterView.build(run_query(query, SearchIndex(thread))), query


def test_a_post_found_only_through_its_quote_shows_the_quoted_post() -> None:
    thread = open_thread(Path(SEED))
    view, query = search(thread, "guessed")
    text = render_text(thread, view=view, query=query)
    # "Take that I couldn't have guessed" matches by itself: no card under it.
    assert "Take that" in text and "matched in the quoted post" not in text
    view, query = search(thread, "safeguards")
    text = render_text(thread, view=view, query=query)
    lines = text.splitlines()
    at = lines.index("      Take that I couldn’t have guessed in advance.")
    assert lines[at + 1] == (
        "      ❝ matched in the quoted post by Oliver Habryka @ohabryka"
        " · 2026-05-28 23:57 UTC · 8.3K views"
    )
    assert lines[at + 2].startswith("        @Miles_Brundage I think all internal models")
    markdown = render_markdown(thread, view=view, query=query)
    assert "> ❝ *matched in the quoted post by Oliver Habryka @ohabryka" in markdown
    assert "> > @Miles\\_Brundage I think all internal models" in markdown


def test_a_filter_without_words_shows_no_quoted_post() -> None:
    thread = open_thread(Path(SEED))
    view, query = search(thread, "views:>1000")
    assert "matched in the quoted post" not in render_text(thread, view=view, query=query)


def test_print_ascii_marks_quotes_with_the_ascii_glyph(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from threadtui.cli import main
    from threadtui.opener import demo_path

    assert main([str(demo_path()), "--print", "--ascii"]) == 0
    ascii_out = capsys.readouterr().out
    assert main([str(demo_path()), "--print"]) == 0
    unicode_out = capsys.readouterr().out
    assert "❝" in unicode_out
    assert "❝" not in ascii_out
    assert ascii_out == unicode_out.replace("❝ ", '" ')


def _fielded_thread() -> Thread:
    from support import doc, sparse_post

    posts = [
        sparse_post(
            "cw",
            text="Behind a warning.",
            content_warning="spoilers",
            media=[
                {"kind": "gifv", "url": "https://files.example/a.mp4", "alt": "a cube dancing"},
                {"kind": "link", "url": "https://example.org/page", "alt": "A page"},
            ],
        ),
        sparse_post(
            "pic", text="", reply_to="cw", media=[{"kind": "image", "url": None, "alt": None}]
        ),
        sparse_post("gone", text=None, status="deleted", reply_to="cw"),
        sparse_post("after", text="The next post.", reply_to="cw"),
    ]
    return load_bytes(orjson.dumps(doc(*posts)), name="fields.json")


def test_print_shows_the_content_warning_and_attachments_as_the_detail_pane_does() -> None:
    """A post that is only an image printed as an empty line, and a content warning or a
    video not at all: what the app shows of a post, --print writes."""
    text = render_text(_fielded_thread())
    assert text == (
        "unknown\n"
        "  CW: spoilers\n"
        "\n"
        "  Behind a warning.\n"
        "\n"
        "  [gif: a cube dancing]\n"
        "  [link: A page] https://example.org/page\n"
        "\n"
        "    unknown\n"
        "      [image]\n"
        "\n"
        # A placeholder has no text: its heading alone, no empty line under it.
        "    unknown · [deleted]\n"
        "\n"
        "    unknown\n"
        "      The next post.\n"
    )
    markdown = render_markdown(_fielded_thread())
    assert "  > CW: spoilers\n  >\n  > Behind a warning.\n  >\n  > \\[gif: a cube dancing\\]\n" in (
        markdown
    )
    assert "  - **unknown · \\[deleted\\]**\n  - **unknown**\n" in markdown

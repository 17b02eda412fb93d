"""`threadtui FILE --print`: exact output for filters, searches and each format."""

from __future__ import annotations

from pathlib import Path

import pytest

from threadtui.cli import main
from threadtui.export.render import md_escape

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
